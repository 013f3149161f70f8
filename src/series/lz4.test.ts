import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { SeriesError } from "./errors.ts";
import { LZ4_MAX_BYTES, lz4FrameDecode, lz4FrameEncode } from "./lz4.ts";
import { xxhash32 } from "./xxhash32.ts";

const LZ4_DIR = new URL("../../test/fixtures/series/lz4/", import.meta.url);
const WIRE_DIR = new URL("../../test/fixtures/series/holcstore-wire/", import.meta.url);

function file(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, LZ4_DIR)));
}

interface Case {
  readonly input: string;
  readonly frame: string;
  readonly compress: Record<string, number | boolean>;
}

const manifest = JSON.parse(readFileSync(new URL("manifest.json", LZ4_DIR), "utf8")) as { cases: Case[] };
const inputs = [...new Set(manifest.cases.map((c) => c.input))];

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

/** The SeriesError code `fn` throws; fails the test on a return or any other error. */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof SeriesError) return e.code;
    throw e;
  }
  throw new Error("expected a SeriesError, got a result");
}

/** `frame` with its header checksum recomputed, after a test edited the descriptor. */
function resealed(frame: Uint8Array): Uint8Array {
  const out = frame.slice();
  const headerEnd = 4 + 3 + ((out[4] as number) & 0x08 ? 8 : 0) + ((out[4] as number) & 0x01 ? 4 : 0);
  out[headerEnd - 1] = (xxhash32(out, 4, headerEnd - 1) >>> 8) & 255;
  return out;
}

function le32(n: number): Uint8Array {
  return Uint8Array.of(n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p))));
}

describe("xxhash32", () => {
  it("matches the reference vectors", () => {
    const text = (s: string) => new TextEncoder().encode(s);
    expect(xxhash32(text(""))).toBe(0x02cc5d05);
    expect(xxhash32(text("a"))).toBe(0x550d7456);
    expect(xxhash32(text("abc"))).toBe(0x32d153ff);
    expect(xxhash32(text("Nobody inspects the spammish repetition"))).toBe(0xe2293b2f);
    expect(xxhash32(text(""), 0, 0, 1)).toBe(0x0b2cb792);
  });
});

describe("lz4FrameDecode reads python-lz4's frames", () => {
  it.each(manifest.cases.map((c) => [c.frame, c] as const))("%s", (_, c) => {
    expect(same(lz4FrameDecode(file(c.frame)), file(c.input))).toBe(true);
  });

  it("covers the variants the issue names", () => {
    const flags = new Set(manifest.cases.filter((c) => c.input === "text.bin").map((c) => file(c.frame)[4]));
    // Linked and independent, content size or not, block and content checksums.
    for (const flg of [0x48, 0x68, 0x40, 0x5c, 0x6c, 0x78]) expect(flags).toContain(flg);
    const bds = new Set(manifest.cases.map((c) => file(c.frame)[5]));
    expect([...bds].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([0x40, 0x50, 0x60, 0x70]);
  });

  it("follows matches into earlier blocks of a linked frame", () => {
    const linked = file("text.default.lz4");
    expect(linked[4]).toBe(0x48);
    expect(same(lz4FrameDecode(linked), file("text.bin"))).toBe(true);
    // The same blocks read as independent ones reach before their block: proof the test bites.
    const asIndependent = linked.slice();
    asIndependent[4] = 0x68;
    expect(codeOf(() => lz4FrameDecode(resealed(asIndependent)))).toBe("bad_frame");
  });

  it("reads concatenated frames and passes over skippable ones", () => {
    const skippable = concat(le32(0x184d2a5a), le32(5), Uint8Array.of(1, 2, 3, 4, 5));
    const frames = concat(
      skippable,
      file("month-load.default.lz4"),
      file("empty.default.lz4"),
      skippable,
      file("text.nosize.lz4"),
      file("abc.checksums.lz4"),
    );
    const want = concat(file("month-load.bin"), file("text.bin"), file("abc.bin"));
    expect(same(lz4FrameDecode(frames), want)).toBe(true);
    expect(codeOf(() => lz4FrameDecode(skippable))).toBe("bad_frame");
  });
});

describe("lz4FrameEncode writes what HoLcStore writes", () => {
  it("writes python-lz4's bytes exactly, for every input", () => {
    for (const input of inputs) {
      const name = input.replace(/\.bin$/, "");
      expect(hex(lz4FrameEncode(file(input))), name).toBe(hex(file(`${name}.independent.lz4`)));
    }
  });

  it("writes the header HoLcStore's blobs carry", () => {
    const data = file("year-load.bin");
    const frame = lz4FrameEncode(data);
    expect(hex(frame.subarray(0, 6))).toBe("04224d186840");
    const view = new DataView(frame.buffer, frame.byteOffset);
    expect(view.getBigUint64(6, true)).toBe(BigInt(data.length));
    expect(frame[14]).toBe((xxhash32(frame, 4, 14) >>> 8) & 255);
    // 64 KB independent blocks, no checksums: block sizes chain exactly to the end mark.
    let at = 15;
    let blocks = 0;
    for (let word = view.getUint32(at, true); word !== 0; word = view.getUint32(at, true)) {
      expect(word & 0x7fffffff).toBeLessThanOrEqual(65536);
      at += 4 + (word & 0x7fffffff);
      blocks++;
    }
    expect(blocks).toBe(2);
    expect(at + 4).toBe(frame.length);
  });

  it("writes python-lz4's 11-byte frame for empty input (HoLcStore's tombstones)", () => {
    expect(hex(lz4FrameEncode(new Uint8Array(0)))).toBe("04224d1860408200000000");
    expect(hex(file("empty.default.lz4"))).toBe("04224d1860408200000000");
    expect(lz4FrameDecode(lz4FrameEncode(new Uint8Array(0))).length).toBe(0);
  });

  it("stores incompressible blocks raw", () => {
    const frame = lz4FrameEncode(file("random.bin"));
    expect(new DataView(frame.buffer).getUint32(15, true)).toBe((0x80000000 | 65536) >>> 0);
  });

  it("round-trips arbitrary bytes and repetitive ones", () => {
    const repetitive = fc
      .array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 300 })), {
        maxLength: 40,
      })
      .map((runs) => concat(...runs.flatMap(([bytes, times]) => Array.from({ length: times }, () => bytes))));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 3000 }), repetitive), (data) => {
        expect(same(lz4FrameDecode(lz4FrameEncode(data)), data)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe("HoLcStore's wire captures", () => {
  interface Blob {
    readonly startTs: string;
    readonly bytes: Uint8Array;
  }
  const blobs: Blob[] = [];
  for (const name of readdirSync(WIRE_DIR).filter((f) => f.endsWith(".jsonl"))) {
    for (const line of readFileSync(new URL(name, WIRE_DIR), "utf8").split("\n")) {
      if (line === "") continue;
      const r = JSON.parse(line) as { path: string; status: number; response_body: string };
      if (!r.path.endsWith("/pack/") || r.status !== 200) continue;
      for (const item of JSON.parse(r.response_body) as { blob: string; meta: { start_ts: string } }[]) {
        blobs.push({ startTs: item.meta.start_ts, bytes: new Uint8Array(Buffer.from(item.blob, "base64")) });
      }
    }
  }

  /** Hourly values in a Europe/Paris month chunk: the 1st is in CEST (UTC+2) from April to October. */
  function parisMonthHours(startTs: string): number {
    const start = new Date(startTs);
    const local = new Date(start.getTime() + (start.getUTCHours() === 22 ? 2 : 1) * 3600_000);
    const [y, m] = [local.getUTCFullYear(), local.getUTCMonth() + 1];
    const offset = (month: number) => (month >= 4 && month <= 10 ? 2 : 1);
    const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
    return days * 24 + offset(m) - offset((m % 12) + 1);
  }

  it("decodes every packed blob to a whole month of float64 values", () => {
    expect(blobs.length).toBeGreaterThan(50);
    for (const blob of blobs) {
      expect(hex(blob.bytes.subarray(0, 6))).toBe("04224d186840");
      expect(lz4FrameDecode(blob.bytes).length, blob.startTs).toBe(parisMonthHours(blob.startTs) * 8);
    }
    const count = (ts: string) => lz4FrameDecode((blobs.find((b) => b.startTs === ts) as Blob).bytes).length / 8;
    expect(count("2024-09-30T22:00:00Z")).toBe(745);
    expect(count("2024-02-29T23:00:00Z")).toBe(743);
  });

  it("re-encodes each blob to the very bytes HoLcStore sent", () => {
    for (const blob of blobs) expect(hex(lz4FrameEncode(lz4FrameDecode(blob.bytes)))).toBe(hex(blob.bytes));
  });
});

describe("malformed frames", () => {
  const good = () => file("month-load.default.lz4");
  const patched = (at: number, value: number) => {
    const f = good();
    f[at] = value;
    return f;
  };

  it.each([
    ["empty input", new Uint8Array(0)],
    ["bad magic", patched(0, 0x05)],
    ["version 00", resealed(patched(4, 0x28))],
    ["reserved FLG bit", resealed(patched(4, 0x6a))],
    ["dictionary id", resealed(patched(4, 0x69))],
    ["reserved BD bits", resealed(patched(5, 0x41))],
    ["block max id 3", resealed(patched(5, 0x30))],
    ["header checksum", patched(14, (good()[14] as number) ^ 1)],
    ["content size too small", resealed(patched(6, (good()[6] as number) - 1))],
    ["content size too large", resealed(patched(6, (good()[6] as number) + 1))],
    ["content size beyond what blocks hold", resealed(patched(9, 0x7f))],
    ["content size past 2^53", resealed(patched(13, 0x01))],
    ["block overruns input", patched(16, 0x7f)],
    ["block beyond block max", concat(file("month-load.default.lz4").subarray(0, 15), le32(65537))],
    ["trailing garbage", concat(good(), Uint8Array.of(1, 2, 3))],
    ["truncated skippable frame", concat(good(), le32(0x184d2a50), le32(10), Uint8Array.of(1))],
  ])("%s is bad_frame", (_, frame) => {
    expect(codeOf(() => lz4FrameDecode(frame))).toBe("bad_frame");
  });

  it("checks block and content checksums", () => {
    const frame = file("month-load.checksums.lz4");
    expect(frame[4]).toBe(0x7c);
    const blockByte = patchedAt(frame, 30);
    expect(codeOf(() => lz4FrameDecode(blockByte))).toBe("bad_frame");
    const lastChecksumByte = patchedAt(frame, frame.length - 1);
    expect(codeOf(() => lz4FrameDecode(lastChecksumByte))).toBe("bad_frame");
    // Without the block checksum, a changed literal is caught by the content checksum.
    const contentOnly = file("text.b256k.lz4");
    expect(contentOnly[4]).toBe(0x6c);
    expect(codeOf(() => lz4FrameDecode(patchedAt(contentOnly, contentOnly.length - 10)))).toBe("bad_frame");
  });

  it("refuses a match offset of 0 or before the data", () => {
    const block = (...bytes: number[]) =>
      concat(
        resealed(concat(le32(0x184d2204), Uint8Array.of(0x60, 0x40, 0))),
        le32(bytes.length),
        Uint8Array.from(bytes),
        le32(0),
      );
    expect(same(lz4FrameDecode(block(0x14, 0x61, 1, 0, 0x00)), new TextEncoder().encode("aaaaaaaaa"))).toBe(true);
    expect(codeOf(() => lz4FrameDecode(block(0x14, 0x61, 0, 0, 0x00)))).toBe("bad_frame");
    expect(codeOf(() => lz4FrameDecode(block(0x14, 0x61, 2, 0, 0x00)))).toBe("bad_frame");
    // A block ending inside a sequence: after the token, in the literals, in the offset.
    expect(codeOf(() => lz4FrameDecode(block(0xf0)))).toBe("bad_frame");
    expect(codeOf(() => lz4FrameDecode(block(0x30, 0x61)))).toBe("bad_frame");
    expect(codeOf(() => lz4FrameDecode(block(0x14, 0x61, 1)))).toBe("bad_frame");
  });

  it("refuses a compressed block that decodes past the block maximum", () => {
    // A 64 KB frame whose one block repeats a byte 70,000 times: no content size to blame.
    const extra = 70_000 - 1 - 19;
    const lengths = [...Array.from({ length: Math.floor(extra / 255) }, () => 255), extra % 255];
    const body = Uint8Array.from([0x1f, 0x61, 1, 0, ...lengths, 0x00]);
    const frame = concat(
      resealed(concat(le32(0x184d2204), Uint8Array.of(0x60, 0x40, 0))),
      le32(body.length),
      body,
      le32(0),
    );
    expect(codeOf(() => lz4FrameDecode(frame))).toBe("bad_frame");
  });

  function patchedAt(frame: Uint8Array, at: number): Uint8Array {
    const f = frame.slice();
    f[at] = (f[at] as number) ^ 0x10;
    return f;
  }
});

describe("limits", () => {
  const realUint8Array = globalThis.Uint8Array;
  let largest = 0;
  /** Records the largest typed array the codec allocates by length while `fn` runs. */
  function allocations(fn: () => void): number {
    largest = 0;
    class Counting extends realUint8Array {
      constructor(...args: unknown[]) {
        if (typeof args[0] === "number") largest = Math.max(largest, args[0]);
        super(...(args as [number]));
      }
    }
    globalThis.Uint8Array = Counting as Uint8ArrayConstructor;
    try {
      fn();
    } finally {
      globalThis.Uint8Array = realUint8Array;
    }
    return largest;
  }
  afterEach(() => {
    globalThis.Uint8Array = realUint8Array;
  });

  it("defaults to 64 MiB", () => {
    expect(LZ4_MAX_BYTES).toBe(64 * 1024 * 1024);
  });

  it("refuses a declared size over maxBytes before allocating", () => {
    const frame = file("zeros.default.lz4");
    // The spy sees the codec's allocations: the exact output, when it fits.
    expect(allocations(() => lz4FrameDecode(frame, { maxBytes: 1_100_000 }))).toBe(1_100_000);
    let code = "";
    const used = allocations(() => {
      code = codeOf(() => lz4FrameDecode(frame, { maxBytes: 1_099_999 }));
    });
    expect(code).toBe("too_large");
    expect(used).toBeLessThan(1000);
  });

  it("stops a frame without a declared size at maxBytes", () => {
    for (const name of ["zeros.nosize.lz4", "zeros.b1m.lz4", "text.nosize.lz4"]) {
      let code = "";
      const used = allocations(() => {
        code = codeOf(() => lz4FrameDecode(file(name), { maxBytes: 100_000 }));
      });
      expect(code, name).toBe("too_large");
      expect(used, name).toBeLessThanOrEqual(100_000);
    }
  });

  it("never allocates past a lying content size's plausible bound", () => {
    // 60 MB declared, 1 KB of blocks: refused without allocating the 60 MB.
    const frame = file("month-load.default.lz4");
    const header = frame.slice(0, 15);
    new DataView(header.buffer).setUint32(6, 60_000_000, true);
    let code = "";
    const used = allocations(() => {
      code = codeOf(() => lz4FrameDecode(concat(resealed(header), frame.subarray(15))));
    });
    expect(code).toBe("bad_frame");
    expect(used).toBeLessThan(100_000);
  });
});

describe("fuzzing: any input decodes or throws SeriesError, within the limits", () => {
  const MAX = 1 << 20;
  function probe(input: Uint8Array): Uint8Array | undefined {
    try {
      const out = lz4FrameDecode(input, { maxBytes: MAX });
      expect(out.length).toBeLessThanOrEqual(MAX);
      return out;
    } catch (e) {
      if (!(e instanceof SeriesError)) throw e;
      expect(["bad_frame", "too_large"]).toContain(e.code);
      return undefined;
    }
  }

  it("random bytes, with and without a valid-looking header", () => {
    const header = file("month-load.nosize.lz4").subarray(0, 7);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.boolean(), (bytes, withHeader) => {
        probe(withHeader ? concat(header, bytes) : bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it("random blocks behind a valid header", () => {
    const header = file("month-load.nosize.lz4").subarray(0, 7);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 3000 }), (body) => {
        probe(concat(header, le32(body.length), body, le32(0)));
      }),
      { numRuns: 2000 },
    );
  });

  it("every truncation of valid frames is bad_frame", () => {
    for (const name of ["month-load.checksums.lz4", "year-load.default.lz4", "abc.default.lz4", "zeros.b4m.lz4"]) {
      const frame = file(name);
      for (let n = 0; n < frame.length; n++) {
        expect(
          codeOf(() => lz4FrameDecode(frame.subarray(0, n))),
          `${name} cut at ${n}`,
        ).toBe("bad_frame");
      }
    }
  });

  it("bit flips decode or throw; with every checksum on, a decode is the original", () => {
    const frame = file("month-load.checksums.lz4");
    const input = file("month-load.bin");
    let caught = 0;
    for (let i = 0; i < frame.length * 8; i++) {
      const f = frame.slice();
      f[i >> 3] = (f[i >> 3] as number) ^ (1 << (i & 7));
      const out = probe(f);
      if (out === undefined) caught++;
      else expect(same(out, input), `bit ${i}`).toBe(true);
    }
    expect(caught).toBeGreaterThan(frame.length * 8 * 0.99);
    for (const name of ["year-load.default.lz4", "text.b1m.lz4", "zeros.hc.lz4"]) {
      const big = file(name);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: big.length * 8 - 1 }), (bit) => {
          const f = big.slice();
          f[bit >> 3] = (f[bit >> 3] as number) ^ (1 << (bit & 7));
          probe(f);
        }),
        { numRuns: 500 },
      );
    }
  });
});
