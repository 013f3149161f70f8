/**
 * The Haystack face end to end: the production Worker on the embedded default (Durable Object
 * SQLite) under wrangler's local runtime, driven over HTTP from Node. Baselines are served by the
 * same local Worker over the same HTTP (bench/worker/index.ts): a raw SELECT of the same rows
 * streamed as plain text, a raw INSERT of the same samples sent as plain text, both in the same
 * Durable Object on the same tables; and haystack-core answering the same filter read.
 */
import { readJsonGrid } from "../src/haystack/codec/json/index.ts";
import { readZincGrid, writeZincGrid } from "../src/haystack/codec/zinc/index.ts";
import { col, HDateTime, HDict, HGrid, HNumber, HRef, type HRow, MARKER } from "../src/haystack/kinds/index.ts";
import { filterReadFigure, holdRecords, syntheticBuilding, TWO_HOP_FILTER } from "./building.ts";
import { bench, type Figure, measure } from "./harness.ts";
import { drain, expect, expectEqual, okText } from "./verify.ts";
import { adminFetch, startBenchWorker as start } from "./worker/local.ts";

const HIS_ROWS = 1_000_000;
const WRITE_ROWS = 100_000;
const ENTITIES = 10_000;
const START = Date.UTC(2024, 0, 1);

async function post(base: string, project: string, op: string, grid: HGrid): Promise<string> {
  const url = `${base}/api/${project}/${op}`;
  return okText(
    url,
    await adminFetch(url, { method: "POST", headers: { "content-type": "text/zinc" }, body: writeZincGrid(grid) }),
  );
}

/** Sample `i` of every series written here: a minute apart from START, quarters of 0..250 kW. */
function sampleMs(i: number): number {
  return START + i * 60_000;
}

function sampleVal(i: number): number {
  return (i % 1000) / 4;
}

function point(id: string): HDict {
  return HDict.of({ id: new HRef(id), point: MARKER, his: MARKER, kind: "Number", unit: "kW", tz: "New_York" });
}

function hisGrid(id: string, from: number, count: number): HGrid {
  const rows: HRow[] = new Array(count);
  for (let i = 0; i < count; i++) {
    rows[i] = [HDateTime.of(sampleMs(from + i), "New_York"), new HNumber(sampleVal(from + i), "kW")];
  }
  return new HGrid(HDict.of({ id: new HRef(id) }), [col("ts"), col("val")], rows);
}

const HIS_PROJECT = `bench-his-${Date.now()}`;
let loaded: Promise<void> | undefined;

/** Stores HIS_ROWS samples of point `big` (once), through the API in 100k-row requests. */
function loadHistory(base: string): Promise<void> {
  loaded ??= (async () => {
    await post(base, HIS_PROJECT, "commit", HGrid.fromDicts([point("big")], HDict.of({ commit: "add" })));
    for (let from = 0; from < HIS_ROWS; from += WRITE_ROWS) {
      await post(base, HIS_PROJECT, "hisWrite", hisGrid("big", from, WRITE_ROWS));
    }
  })();
  return loaded;
}

/** The samples of `hisGrid(id, from, count)` as the raw baseline's `ts val unit` lines. */
function tsvBody(from: number, count: number): string {
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = `${sampleMs(from + i)}\t${sampleVal(from + i)}\tkW\n`;
  return out.join("");
}

/**
 * Throws unless our decoded hisRead and the raw scan's lines hold the same samples, every one of
 * the HIS_ROWS written, in the same order.
 */
function expectSameSeries(what: string, ours: HGrid, raw: string): void {
  expectEqual(`${what}: rows (ours)`, ours.rows.length, HIS_ROWS);
  const lines = raw.split("\n");
  expectEqual(`${what}: rows (raw)`, lines.length - 1, HIS_ROWS);
  const [ts, val] = [ours.colIdx("ts"), ours.colIdx("val")];
  for (let i = 0; i < HIS_ROWS; i++) {
    const [rawTs, , rawNum, rawUnit] = (lines[i] as string).split("\t");
    const t = ours.rows[i]?.[ts] as HDateTime;
    const v = ours.rows[i]?.[val] as HNumber;
    const same =
      t.ms === sampleMs(i) &&
      Number(rawTs) === t.ms &&
      v.val === sampleVal(i) &&
      Number(rawNum) === v.val &&
      rawUnit === v.unit &&
      v.unit === "kW";
    expect(same, `${what}: row ${i} differs: ours ${t.ms} ${v.val}${v.unit}, raw ${lines[i]}`);
  }
}

/**
 * Our hisRead of the 1M samples against the raw floor: the same rows by a plain SELECT, streamed
 * from the same object through the same Worker as `ts k n s` text. Both sides cross HTTP and
 * the client reads every byte; both answers are compared sample by sample once, and every timed
 * run's size after (row count too, for the line-per-row texts).
 */
function hisReadFigure(name: string, accept: string, decode: (text: string) => HGrid): () => Promise<Figure> {
  return async () => {
    const { base } = await start();
    await loadHistory(base);
    const url = `${base}/api/${HIS_PROJECT}/hisRead?id=@big&range=2023-12-01,2026-01-01`;
    const rawUrl = `${base}/bench/raw-tsv?project=${HIS_PROJECT}&id=big`;
    const read = () => adminFetch(url, { headers: { accept } });
    const oursText = await okText(url, await read());
    const rawText = await okText(rawUrl, await fetch(rawUrl));
    expectSameSeries(name, decode(oursText), rawText);
    const oursSize = Buffer.byteLength(oursText);
    const rawSize = Buffer.byteLength(rawText);
    const runs = { minRuns: 3, minMs: 0 };
    const ours = await measure(
      async () => expectEqual(`${name}: bytes`, (await drain(url, await read())).bytes, oursSize),
      runs,
    );
    const raw = await measure(async () => {
      const d = await drain(rawUrl, await fetch(rawUrl));
      expectEqual(`${name}: raw rows`, d.lines, HIS_ROWS);
      expectEqual(`${name}: raw bytes`, d.bytes, rawSize);
    }, runs);
    return {
      name,
      value: HIS_ROWS / (ours / 1000),
      unit: "rows/s",
      baseline: RAW_SCAN,
      baselineValue: HIS_ROWS / (raw / 1000),
      higherIsBetter: true,
    };
  };
}

const RAW_SCAN = "raw DO SQLite scan as TSV over HTTP";

bench("api-hisread-1m-zinc", hisReadFigure("api-hisread-1m-zinc", "text/zinc", readZincGrid));
bench("api-hisread-1m-json", hisReadFigure("api-hisread-1m-json", "application/json", readJsonGrid));

/** What one point's stored samples add up to, read from the table by the bench object. */
async function digest(base: string, project: string, id: string): Promise<string> {
  const url = `${base}/bench/raw-digest?project=${project}&id=${encodeURIComponent(id)}`;
  return okText(url, await fetch(url));
}

/**
 * Our hisWrite of 100k samples as Zinc against the raw floor: the same samples as `ts val unit`
 * lines over the same HTTP, parsed in the Worker and inserted by plain multi-row INSERTs in one
 * transaction in the same object. Each run of either side writes a point of its own, so both
 * insert into an empty key range; afterwards every point written, ours and raw, must hold
 * exactly the samples sent (count, first and last time, sum, kind, unit).
 */
bench("api-hiswrite-100k", async () => {
  const { base } = await start();
  const project = `bench-write-${Date.now()}`;
  const runs = { minRuns: 3, minMs: 0 };
  // Three warm-up runs and three timed ones (minMs 0): eight fresh points leave room for both.
  const ids = Array.from({ length: 8 }, (_, i) => `w${i}`);
  await post(base, project, "commit", HGrid.fromDicts(ids.map(point), HDict.of({ commit: "add" })));
  const bodies = ids.map((id) => writeZincGrid(hisGrid(id, 0, WRITE_ROWS)));
  const tsv = tsvBody(0, WRITE_ROWS);
  const written: string[] = [];
  const ours = await measure(async () => {
    const i = written.length;
    const body = bodies[i];
    if (body === undefined) throw new Error("api-hiswrite-100k: more runs than fresh points");
    const url = `${base}/api/${project}/hisWrite`;
    await okText(url, await adminFetch(url, { method: "POST", headers: { "content-type": "text/zinc" }, body }));
    written.push(ids[i] as string);
  }, runs);
  const keys: string[] = [];
  const raw = await measure(async () => {
    const key = `raw${keys.length}`;
    const url = `${base}/bench/raw-insert?project=${project}&key=${key}`;
    const { rows } = JSON.parse(await okText(url, await fetch(url, { method: "POST", body: tsv }))) as { rows: number };
    expectEqual(`${key}: rows inserted`, rows, WRITE_ROWS);
    keys.push(key);
  }, runs);
  const want = await digest(base, project, written[0] as string);
  expectEqual("api-hiswrite-100k: rows stored", (JSON.parse(want) as { rows: number }).rows, WRITE_ROWS);
  for (const id of [...written, ...keys])
    expectEqual(`api-hiswrite-100k: samples of ${id}`, await digest(base, project, id), want);
  return {
    name: "api-hiswrite-100k",
    value: WRITE_ROWS / (ours / 1000),
    unit: "rows/s",
    baseline: "raw DO SQLite insert of TSV over HTTP",
    baselineValue: WRITE_ROWS / (raw / 1000),
    higherIsBetter: true,
  };
});

bench("api-read-filter-10k", async () => {
  const { base } = await start();
  const project = `bench-read-${Date.now()}`;
  const recs = syntheticBuilding(ENTITIES);
  await post(base, project, "commit", HGrid.fromDicts(recs, HDict.of({ commit: "add" })));
  await holdRecords(base, project, recs);
  return filterReadFigure("api-read-filter-10k", base, project, recs, TWO_HOP_FILTER, { minRuns: 20, minMs: 1000 });
});
