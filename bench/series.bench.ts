/**
 * The series face end to end (issue 12): ten years of hourly load curve (87,600 points, 120
 * month chunks in Europe/Paris) in a chunked sync store of the bench Worker (bench/worker/, DO
 * SQLite), driven over HTTP from Node. Each floor is the same work done in this process by the
 * series core (src/series/) on the very chunks the store holds, which are read back through the
 * store's feed and compared byte for byte with those built here:
 *
 * - ts-get-10y-hourly(-arrow): GET of the series, JSON or Arrow IPC, read and decoded by the
 *   client, against unpacking the chunks and assembling the series (unpackValues + fromChunks).
 * - ts-update-10y-hourly(-arrow): a mode=update PUT of the whole series over itself (every value
 *   changed), against the merge in process (toChunks, then per chunk unpack the stored one,
 *   updateChunk and packValues). HoLcStore's own update of such a series takes about 250 ms in
 *   process (issue 12), which the report compares with; it is not measured here.
 * - ts-pull-10y: a full pull of the series into a fresh store of another project through the
 *   pull route (the Worker reads its own feed over HTTP and applies it), against reading the same
 *   feed pages (same page size, data inline) from Node and decoding every chunk: the transfer
 *   without the applying.
 *
 * Answers are checked on both sides: every response is decoded in the timed run and compared
 * with what was written (values exactly; JSON times as text equal to a first answer whose every
 * time was parsed and checked), every write's reply counts its chunks, and after the timed runs
 * the stores are read back and compared with the data last written.
 */
import {
  DataType,
  makeData,
  makeVector,
  Table,
  TimestampMillisecond,
  TimeUnit,
  tableFromIPC,
  tableToIPC,
} from "apache-arrow";
import { gridOf } from "../src/series/calendar.ts";
import { fromChunks, toChunks } from "../src/series/grid.ts";
import { updateChunk } from "../src/series/merge.ts";
import type { ChunkedDef, DenseChunk, Points } from "../src/series/model.ts";
import { packValues, unpackValues } from "../src/series/values.ts";
import { parseFeedPage } from "../src/sync/native-wire.ts";
import { bench, type Figure, measure } from "./harness.ts";
import { BenchCheckError, expect, expectEqual } from "./verify.ts";
import { adminFetch, SYNC_SOURCE_PROJECT, SYNC_TOKEN_SECRET, startBenchWorker } from "./worker/local.ts";

const ZONE = "Europe/Paris";
const POINTS = 87_600;
const CHUNKS = 120;
const STEP_MS = 3_600_000;
/** 2015-01-01T00:00+01:00: 87,600 hours from here end on 2024-12-28, inside the 120th month. */
const START_MS = Date.UTC(2014, 11, 31, 23);
const DEF_JSON = { kind: "chunked", keys: { meter: "str" }, freq: "1h", zone: ZONE, sync: true };
const DEF: ChunkedDef = {
  kind: "chunked",
  keys: [{ name: "meter", type: "str" }],
  zone: ZONE,
  dtype: "float64",
  chunkAxis: "year,month",
  freq: "1h",
  sync: true,
};
const GRID = gridOf(DEF);
const KEY = "meter=m1";
/** The source holds the series for the gets and the pull; updates go to a store of their own. */
const SOURCE = { project: SYNC_SOURCE_PROJECT, store: "load" };
const UPDATED = { project: SYNC_SOURCE_PROJECT, store: "upd" };
const PULL_PROJECT = "bench-ts-dst";
/** A pull page as the source is registered with (HoLcStore's default page_size is 200 too). */
const PAGE = 200;
const JSON_TYPE = "application/json";
const ARROW_TYPE = "application/vnd.apache.arrow.stream";
const FLOOR = "in-process chunk decode (floor)";
/**
 * Reads ask for no content encoding. The local runtime (miniflare) gzips JSON the way Cloudflare's
 * edge does, but the edge does it outside the Worker, after it; over localhost it would time a
 * gzip and gunzip of 2.9 MB (about 55 ms more per JSON read on this machine) instead of the Worker.
 */
const IDENTITY = { "accept-encoding": "identity" };
const JSON_READ = { accept: JSON_TYPE, ...IDENTITY };
const ARROW_READ = { accept: ARROW_TYPE, ...IDENTITY };

interface Store {
  readonly project: string;
  readonly store: string;
}

/** One stored chunk as the feed lists it. */
interface Blob {
  readonly chunkIndex: number;
  readonly startMs: number;
  readonly data: Uint8Array;
}

/** A deterministic PRNG (mulberry32), so every run writes the same values. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An office building's hourly kW, in 0.1 kW steps: day and week profile, seasons, noise; no gaps. */
function loadCurve(): Points {
  const rand = rng(12);
  const index = new Float64Array(POINTS);
  const values = new Float64Array(POINTS);
  for (let i = 0; i < POINTS; i++) {
    index[i] = START_MS + i * STEP_MS;
    const hour = i % 24;
    const day = Math.floor(i / 24);
    const season = 1 + 0.3 * Math.cos((2 * Math.PI * (day % 365)) / 365);
    const working = day % 7 < 5 && hour >= 7 && hour < 19;
    const base = working ? 180 + 40 * Math.sin((Math.PI * (hour - 7)) / 12) : 60;
    values[i] = Math.round((base * season + rand() * 12) * 10) / 10;
  }
  return { index, values };
}

const SERIES = loadCurve();
/** The same series with every value changed, so each update really rewrites every chunk. */
const SHIFTED: Points = { index: SERIES.index, values: SERIES.values.map((v) => v + 0.5) };

function url(base: string, s: Store, rest = ""): string {
  return `${base}/ts/${s.project}/${s.store}${rest}`;
}

/** The parsed JSON of a response with status `status`; anything else throws with the body. */
async function okJson<T>(what: string, res: Response, status = 200): Promise<T> {
  const text = await res.text();
  if (res.status !== status) throw new BenchCheckError(`${what}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

async function defineStore(base: string, s: Store): Promise<void> {
  const u = url(base, s);
  const res = await adminFetch(u, {
    method: "PUT",
    headers: { "content-type": JSON_TYPE },
    body: JSON.stringify(DEF_JSON),
  });
  await okJson(u, res, 201);
}

function jsonBody(p: Points): string {
  return JSON.stringify({ index: Array.from(p.index), values: Array.from(p.values) });
}

/** An Arrow IPC stream of `time` (timestamp ms, UTC) and `value` (float64). */
function arrowBody(p: Points): Uint8Array {
  const n = p.index.length;
  const t = new BigInt64Array(n);
  for (let i = 0; i < n; i++) t[i] = BigInt(p.index[i] as number);
  const time = makeVector(makeData({ type: new TimestampMillisecond("UTC"), length: n, nullCount: 0, data: t }));
  return tableToIPC(new Table({ time, value: makeVector(p.values) }), "stream");
}

interface SetReply {
  readonly written: number;
  readonly removed: number;
  readonly offGrid: number;
}

/** A mode=update PUT of the whole series, whose reply must count every chunk written. */
async function update(base: string, s: Store, body: string | Uint8Array, type: string): Promise<void> {
  const u = url(base, s, `/series?${KEY}&mode=update`);
  const r = await okJson<SetReply>(
    u,
    await adminFetch(u, { method: "PUT", headers: { "content-type": type }, body: body as BodyInit }),
  );
  expectEqual(`${u}: chunks written`, r.written, CHUNKS);
  expectEqual(`${u}: chunks removed`, r.removed, 0);
  expectEqual(`${u}: off-grid points`, r.offGrid, 0);
}

const same = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** Throws unless `got` is `want` exactly: every instant and every value. */
function expectPoints(what: string, got: Points, want: Points): void {
  expectEqual(`${what}: points`, got.index.length, want.index.length);
  expect(same(got.index, want.index), `${what}: times differ`);
  expect(same(got.values, want.values), `${what}: values differ`);
}

/**
 * The stored chunks of a sync store, in chunk order, read from its native feed without content
 * encoding, as the Worker's own fetch reads it in a pull (it sends no Accept-Encoding).
 */
async function feedBlobs(base: string, s: Store): Promise<Blob[]> {
  const out: Blob[] = [];
  let after = 0;
  for (;;) {
    const u = url(base, s, `/feed/?after=${after}&limit=${PAGE}&data=inline`);
    const page = parseFeedPage(await okJson(u, await adminFetch(u, { headers: IDENTITY })), DEF.keys, after, PAGE);
    for (const it of page.items) {
      if (it.deleted || it.data === null) throw new BenchCheckError(`${u}: chunk ${it.chunkIndex} has no data`);
      out.push({ chunkIndex: it.chunkIndex, startMs: it.startMs, data: it.data });
    }
    if (!page.more) break;
    after = page.last;
  }
  return out.sort((a, b) => a.chunkIndex - b.chunkIndex);
}

/** Throws unless `blobs` are the chunks the core makes of `p`, byte for byte. */
function expectChunksOf(what: string, blobs: readonly Blob[], p: Points): void {
  const { chunks, offGrid } = toChunks(p, GRID);
  expectEqual(`${what}: off-grid points`, offGrid, 0);
  expectEqual(`${what}: chunks`, blobs.length, CHUNKS);
  expectEqual(`${what}: chunks made here`, chunks.length, CHUNKS);
  chunks.forEach((c, k) => {
    const b = blobs[k] as Blob;
    expect(b.chunkIndex === c.chunkIndex && b.startMs === c.startMs, `${what}: chunk ${k} is not ${c.chunkIndex}`);
    expect(same(b.data, packValues(c.values, DEF.dtype)), `${what}: chunk ${c.chunkIndex} bytes differ`);
  });
}

let loaded: Promise<{ base: string; blobs: Blob[] }> | undefined;

/** The source store holding SERIES (once), and its chunks as stored. */
function loadSource(): Promise<{ base: string; blobs: Blob[] }> {
  loaded ??= (async () => {
    const { base } = await startBenchWorker();
    await defineStore(base, SOURCE);
    await update(base, SOURCE, jsonBody(SERIES), JSON_TYPE);
    const blobs = await feedBlobs(base, SOURCE);
    expectChunksOf("source store", blobs, SERIES);
    return { base, blobs };
  })();
  return loaded;
}

interface JsonSeries {
  readonly index: string[];
  readonly values: (number | null)[];
}

function parseJsonSeries(what: string, text: string): JsonSeries {
  const j = JSON.parse(text) as Partial<JsonSeries>;
  if (!Array.isArray(j.index) || !Array.isArray(j.values)) throw new BenchCheckError(`${what}: not {index, values}`);
  return j as JsonSeries;
}

/** Throws unless a JSON answer holds `want`, every ISO time parsed and compared. */
function expectJsonSeries(what: string, j: JsonSeries, want: Points): void {
  expectEqual(`${what}: times`, j.index.length, want.index.length);
  expectEqual(`${what}: values`, j.values.length, want.values.length);
  for (let i = 0; i < j.index.length; i++) {
    const t = j.index[i] as string;
    // The store's zone offset, not UTC: 2015-01-01T00:00:00+01:00.
    expect(/[+-]0[12]:00$/.test(t), `${what}: time ${i} (${t}) is not in the store's zone`);
    if (Date.parse(t) !== want.index[i]) throw new BenchCheckError(`${what}: time ${i} is ${t}`);
    if (j.values[i] !== want.values[i]) throw new BenchCheckError(`${what}: value ${i} is ${j.values[i]}`);
  }
}

/** A GET of the series as JSON, checked in full; answers its text. */
async function readJson(base: string, s: Store, want: Points): Promise<string> {
  const u = url(base, s, `/series?${KEY}`);
  const res = await adminFetch(u, { headers: JSON_READ });
  const text = await res.text();
  if (res.status !== 200) throw new BenchCheckError(`${u}: ${res.status} ${text.slice(0, 300)}`);
  expectJsonSeries(u, parseJsonSeries(u, text), want);
  return text;
}

/** The series of an Arrow IPC answer: its time column must be ms in the store's zone. */
function arrowPoints(what: string, bytes: Uint8Array): Points {
  const table = tableFromIPC(bytes);
  const time = table.getChild("time");
  const value = table.getChild("value");
  if (!time || !value) throw new BenchCheckError(`${what}: no time and value columns`);
  const type = time.type;
  const inZone = DataType.isTimestamp(type) && type.unit === TimeUnit.MILLISECOND && type.timezone === ZONE;
  expect(inZone, `${what}: time is ${type}`);
  expectEqual(`${what}: nulls`, value.nullCount, 0);
  const t = time.toArray() as BigInt64Array;
  const index = new Float64Array(t.length);
  for (let i = 0; i < t.length; i++) index[i] = Number(t[i]);
  return { index, values: value.toArray() as Float64Array };
}

/** The floor of a get: the stored chunks unpacked and assembled into the series, checked. */
async function getFloor(blobs: readonly Blob[]): Promise<number> {
  return measure(
    () => {
      const chunks: DenseChunk[] = blobs.map((b) => ({
        chunkIndex: b.chunkIndex,
        startMs: b.startMs,
        values: unpackValues(b.data, DEF.dtype),
      }));
      expectPoints("floor get", fromChunks(chunks, GRID), SERIES);
    },
    { minRuns: 20, minMs: 500 },
  );
}

const GET_RUNS = { minRuns: 10, minMs: 1500 };

bench("ts-get-10y-hourly", async (): Promise<Figure> => {
  const { base, blobs } = await loadSource();
  const u = url(base, SOURCE, `/series?${KEY}`);
  // Times are compared as the text of a first answer whose every time was parsed and checked:
  // parsing 87,600 ISO times costs the client more than the server spends writing them.
  const times = parseJsonSeries(u, await readJson(base, SOURCE, SERIES)).index;
  const ours = await measure(async () => {
    const res = await adminFetch(u, { headers: JSON_READ });
    const text = await res.text();
    expectEqual(`${u}: status`, res.status, 200);
    const j = parseJsonSeries(u, text);
    expectEqual(`${u}: points`, j.index.length, POINTS);
    expectEqual(`${u}: values`, j.values.length, POINTS);
    const want = SERIES.values;
    for (let i = 0; i < POINTS; i++) {
      if (j.values[i] !== want[i] || j.index[i] !== times[i]) throw new BenchCheckError(`${u}: point ${i} differs`);
    }
  }, GET_RUNS);
  const floor = await getFloor(blobs);
  return {
    name: "ts-get-10y-hourly",
    value: ours,
    unit: "ms",
    baseline: FLOOR,
    baselineValue: floor,
    higherIsBetter: false,
  };
});

bench("ts-get-10y-hourly-arrow", async (): Promise<Figure> => {
  const { base, blobs } = await loadSource();
  const u = url(base, SOURCE, `/series?${KEY}`);
  const ours = await measure(async () => {
    const res = await adminFetch(u, { headers: ARROW_READ });
    const bytes = new Uint8Array(await res.arrayBuffer());
    expectEqual(`${u}: status`, res.status, 200);
    expectPoints(u, arrowPoints(u, bytes), SERIES);
  }, GET_RUNS);
  const floor = await getFloor(blobs);
  return {
    name: "ts-get-10y-hourly-arrow",
    value: ours,
    unit: "ms",
    baseline: FLOOR,
    baselineValue: floor,
    higherIsBetter: false,
  };
});

/**
 * The floor of an update: the incoming series cut into chunks, each merged over the stored chunk
 * (unpacked) and packed again, as the service does inside its write. Checked once after: the
 * merged chunks hold `incoming`.
 */
async function updateFloor(stored: readonly Blob[], incoming: Points): Promise<number> {
  const byIndex = new Map(stored.map((b) => [b.chunkIndex, b]));
  const merge = (): Blob[] => {
    const { chunks, offGrid } = toChunks(incoming, GRID);
    expectEqual("floor update: off-grid", offGrid, 0);
    return chunks.map((c) => {
      const old = byIndex.get(c.chunkIndex);
      const existing = old
        ? { chunkIndex: c.chunkIndex, startMs: old.startMs, values: unpackValues(old.data, DEF.dtype) }
        : null;
      const merged = updateChunk(existing, c);
      return { chunkIndex: c.chunkIndex, startMs: c.startMs, data: packValues(merged.values, DEF.dtype) };
    });
  };
  const floor = await measure(() => expectEqual("floor update: chunks", merge().length, CHUNKS), {
    minRuns: 10,
    minMs: 500,
  });
  expectChunksOf("floor update", merge(), incoming);
  return floor;
}

let updatedStore: Promise<{ base: string; blobs: Blob[] }> | undefined;

/** The update store holding SERIES, as the update floor merges over. */
function loadUpdated(): Promise<{ base: string; blobs: Blob[] }> {
  updatedStore ??= (async () => {
    const { base } = await startBenchWorker();
    await defineStore(base, UPDATED);
    await update(base, UPDATED, jsonBody(SERIES), JSON_TYPE);
    const blobs = await feedBlobs(base, UPDATED);
    expectChunksOf("update store", blobs, SERIES);
    return { base, blobs };
  })();
  return updatedStore;
}

/**
 * A mode=update PUT of the whole series, alternating SHIFTED and SERIES so every run changes
 * every value of every chunk; afterwards the store must read back as the body last sent, and
 * then (written back to SERIES if need be) as SERIES.
 */
function updateFigure(name: string, type: string, encode: (p: Points) => string | Uint8Array): () => Promise<Figure> {
  return async () => {
    const { base, blobs } = await loadUpdated();
    const bodies = [encode(SHIFTED), encode(SERIES)] as const;
    let runs = 0;
    const ours = await measure(() => update(base, UPDATED, bodies[runs++ % 2] as string | Uint8Array, type), {
      minRuns: 10,
      minMs: 1000,
    });
    const last = (runs - 1) % 2 === 0 ? SHIFTED : SERIES;
    await readJson(base, UPDATED, last);
    if (last !== SERIES) {
      await update(base, UPDATED, bodies[1], type);
      await readJson(base, UPDATED, SERIES);
    }
    const floor = await updateFloor(blobs, SHIFTED);
    return {
      name,
      value: ours,
      unit: "ms",
      baseline: "in-process merge (floor)",
      baselineValue: floor,
      higherIsBetter: false,
    };
  };
}

bench("ts-update-10y-hourly", updateFigure("ts-update-10y-hourly", JSON_TYPE, jsonBody));
bench("ts-update-10y-hourly-arrow", updateFigure("ts-update-10y-hourly-arrow", ARROW_TYPE, arrowBody));

interface PullReply {
  readonly ok: boolean;
  readonly error?: string;
  readonly result?: { pages: number; applied: number; tombstones: number; done: boolean };
}

/** Warm-up and timed runs of the pull (minMs 0): each pulls into a fresh store. */
const PULL_RUNS = 10;
const PULL_STORES = 3 + PULL_RUNS;

/**
 * A full pull of the source series into a fresh store of another project, by the pull route:
 * the Worker reads the source's native feed over HTTP with the viewer token in its secret, and
 * applies each page with its cursor. Every pulled store must then read back as the source does.
 * The floor reads the same feed pages from Node (same page size, chunks inline) and decodes
 * every chunk: the transfer without the applying.
 */
bench("ts-pull-10y", async (): Promise<Figure> => {
  const { base, blobs } = await loadSource();
  const stores: Store[] = Array.from({ length: PULL_STORES }, (_, k) => ({ project: PULL_PROJECT, store: `pull${k}` }));
  for (const s of stores) {
    await defineStore(base, s);
    const u = url(base, s, "/sources/src");
    const source = { url: url(base, SOURCE, "/"), protocol: "hayloft", tokenSecret: SYNC_TOKEN_SECRET, pageSize: PAGE };
    await okJson(
      u,
      await adminFetch(u, { method: "PUT", headers: { "content-type": JSON_TYPE }, body: JSON.stringify(source) }),
    );
  }
  let next = 0;
  const ours = await measure(
    async () => {
      const s = stores[next++];
      if (!s) throw new Error("ts-pull-10y: more runs than fresh stores");
      const u = url(base, s, "/sources/src/pull");
      const r = await okJson<PullReply>(u, await adminFetch(u, { method: "POST" }));
      if (!r.ok || !r.result) throw new BenchCheckError(`${u}: pull failed: ${r.error}`);
      expectEqual(`${u}: chunks applied`, r.result.applied, CHUNKS);
      expectEqual(`${u}: tombstones`, r.result.tombstones, 0);
      expect(r.result.done, `${u}: pull not done`);
    },
    { minRuns: PULL_RUNS, minMs: 0 },
  );
  expectEqual("ts-pull-10y: stores pulled", next, PULL_STORES);
  const want = await readJson(base, SOURCE, SERIES);
  for (const s of stores) expectEqual(`${url(base, s)}: series as the source's`, await readJson(base, s, SERIES), want);
  // Grid positions of the 120 month chunks (the last one ends with a few missing values).
  const slots = blobs.reduce((n, b) => n + unpackValues(b.data, DEF.dtype).length, 0);
  const floor = await measure(
    async () => {
      const got = await feedBlobs(base, SOURCE);
      expectEqual("floor pull: chunks", got.length, CHUNKS);
      let n = 0;
      for (const b of got) n += unpackValues(b.data, DEF.dtype).length;
      expectEqual("floor pull: grid positions", n, slots);
    },
    { minRuns: 5, minMs: 0 },
  );
  return {
    name: "ts-pull-10y",
    value: ours / 1000,
    unit: "s",
    baseline: "feed pages read and decoded, not applied (floor)",
    baselineValue: floor / 1000,
    higherIsBetter: false,
  };
});
