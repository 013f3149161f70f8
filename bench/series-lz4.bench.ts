/**
 * Our LZ4 frame codec (src/series/lz4.ts) against lz4-napi (lz4_flex, native) on the same buffers:
 * ten years of hourly float64 load curves, as month chunks (what a get or a pull decodes) and as
 * one 700 KB buffer (several 64 KB blocks). MB/s count uncompressed bytes. The target is
 * >= 0.5x native.
 *
 * Before the clock runs, each side's answers are checked: decoding gives back the input on both
 * sides, and each side's frames decode to the input with the other side's decoder too (encoders
 * may choose different matches, so compressed sizes differ; lz4-frame-size compares them). Every
 * timed run then checks its output length, so a fast wrong answer cannot count.
 */
import { compressFrameSync, decompressFrameSync } from "lz4-napi";
import { lz4FrameDecode, lz4FrameEncode } from "../src/series/lz4.ts";
import { bench, type Figure, measure } from "./harness.ts";
import { expect, expectEqual } from "./verify.ts";

const BASELINE = "lz4-napi";
const YEARS = 10;

/** A deterministic PRNG (mulberry32), so every run measures the same bytes. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Hourly values of a metered building: a daily and weekly profile with seasons, readings in
 * 0.1 kW steps, flat closed days, and missing stretches (NaN) from meter outages.
 */
function loadCurve(hours: number): Float64Array {
  const rand = rng(12);
  const out = new Float64Array(hours);
  for (let i = 0; i < hours; i++) {
    const hour = i % 24;
    const day = Math.floor(i / 24);
    const season = 1 + 0.3 * Math.cos((2 * Math.PI * (day % 365)) / 365);
    const working = day % 7 < 5 && hour >= 7 && hour < 19;
    const base = working ? 180 + 40 * Math.sin((Math.PI * (hour - 7)) / 12) : 60;
    out[i] = Math.round((base * season + rand() * 12) * 10) / 10;
  }
  for (let gap = 0; gap < 40; gap++) {
    const at = Math.floor(rand() * hours);
    out.fill(Number.NaN, at, Math.min(hours, at + 1 + Math.floor(rand() * 72)));
  }
  for (let closed = 0; closed < 10; closed++) {
    const at = Math.floor(rand() * hours);
    out.fill(42.5, at, Math.min(hours, at + 24 * 14));
  }
  return out;
}

/** Month chunk lengths in hours, with the DST hour lost in March and gained in October. */
function monthHours(year: number, month: number): number {
  const days = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return days * 24 + (month === 2 ? -1 : month === 9 ? 1 : 0);
}

function buffers(): { readonly chunks: Uint8Array[]; readonly whole: Uint8Array } {
  const lengths: number[] = [];
  for (let y = 2015; y < 2015 + YEARS; y++) for (let m = 0; m < 12; m++) lengths.push(monthHours(y, m));
  const values = loadCurve(lengths.reduce((a, b) => a + b, 0));
  const whole = new Uint8Array(values.buffer);
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const n of lengths) {
    chunks.push(whole.slice(at * 8, (at + n) * 8));
    at += n;
  }
  return { chunks, whole };
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);

function mbps(name: string, bytes: number, ours: number, theirs: number): Figure {
  const mb = bytes / 1e6;
  return {
    name,
    value: mb / (ours / 1000),
    unit: "MB/s",
    baseline: BASELINE,
    baselineValue: mb / (theirs / 1000),
    higherIsBetter: true,
  };
}

/**
 * Median ms per run of each side, measured in alternating rounds, keeping each side's best round.
 * This machine is shared (two cores, other jobs running): wall time swings with their load by up
 * to 2x from one second to the next, and a side's best round is the one least disturbed.
 */
async function paired(ours: () => unknown, theirs: () => unknown): Promise<[number, number]> {
  let best: [number, number] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  for (let round = 0; round < 6; round++) {
    const a = await measure(ours, { minMs: 300, minRuns: 5 });
    const b = await measure(theirs, { minMs: 300, minRuns: 5 });
    best = [Math.min(best[0], a), Math.min(best[1], b)];
  }
  return best;
}

interface Case {
  readonly label: string;
  readonly inputs: readonly Uint8Array[];
}

/** Checks both sides' answers, then times decode and encode of every input of `c`. */
async function figures(c: Case): Promise<{ figures: Figure[]; ourSize: number; theirSize: number }> {
  const bytes = c.inputs.reduce((n, b) => n + b.length, 0);
  const ourFrames = c.inputs.map((b) => lz4FrameEncode(b));
  const theirFrames = c.inputs.map((b) => compressFrameSync(Buffer.from(b.buffer, b.byteOffset, b.length)));
  c.inputs.forEach((input, i) => {
    const ours = ourFrames[i] as Uint8Array;
    const theirs = theirFrames[i] as Buffer;
    expect(same(lz4FrameDecode(ours), input), `${c.label} ${i}: our decode of our frame`);
    expect(same(decompressFrameSync(Buffer.from(ours)), input), `${c.label} ${i}: ${BASELINE} decode of our frame`);
    expect(same(lz4FrameDecode(theirs), input), `${c.label} ${i}: our decode of ${BASELINE}'s frame`);
    expect(same(decompressFrameSync(theirs), input), `${c.label} ${i}: ${BASELINE} decode of its frame`);
  });
  // Both decoders read the same frames: ours, which carry HoLcStore's header.
  const napiFrames = ourFrames.map((f) => Buffer.from(f));
  const total = (n: number) => expectEqual(`${c.label}: decoded bytes`, n, bytes);
  const [decodeOurs, decodeTheirs] = await paired(
    () => {
      let n = 0;
      for (const f of ourFrames) n += lz4FrameDecode(f).length;
      total(n);
    },
    () => {
      let n = 0;
      for (const f of napiFrames) n += decompressFrameSync(f).length;
      total(n);
    },
  );
  const napiInputs = c.inputs.map((b) => Buffer.from(b.buffer, b.byteOffset, b.length));
  const positive = (n: number) => expect(n > 0, `${c.label}: empty frame`);
  const [encodeOurs, encodeTheirs] = await paired(
    () => {
      for (const b of c.inputs) positive(lz4FrameEncode(b).length);
    },
    () => {
      for (const b of napiInputs) positive(compressFrameSync(b).length);
    },
  );
  return {
    figures: [
      mbps(`lz4-frame-decode${c.label}`, bytes, decodeOurs, decodeTheirs),
      mbps(`lz4-frame-encode${c.label}`, bytes, encodeOurs, encodeTheirs),
    ],
    ourSize: ourFrames.reduce((n, f) => n + f.length, 0),
    theirSize: theirFrames.reduce((n, f) => n + f.length, 0),
  };
}

bench("lz4-frame", async () => {
  const { chunks, whole } = buffers();
  const months = await figures({ label: "", inputs: chunks });
  const large = await figures({ label: "-10y-buffer", inputs: [whole] });
  const size: Figure = {
    name: "lz4-frame-size",
    value: months.ourSize / 1024,
    unit: "KiB",
    baseline: BASELINE,
    baselineValue: months.theirSize / 1024,
    higherIsBetter: false,
  };
  return [...months.figures, ...large.figures, size];
});
