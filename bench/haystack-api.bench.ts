/**
 * The Haystack face end to end: the production Worker on the embedded default (Durable Object
 * SQLite) under wrangler's local runtime, driven over HTTP from Node. Baselines run in the same
 * Durable Object on the same tables (bench/worker/index.ts): a raw SELECT scan, a raw INSERT;
 * the filter read is compared with haystack-core evaluating the same filter in process.
 */
import { writeZincGrid } from "../src/haystack/codec/zinc/index.ts";
import { col, HDateTime, HDict, HGrid, HNumber, HRef, type HRow, MARKER } from "../src/haystack/kinds/index.ts";
import { haystackCoreFilterMs, syntheticBuilding, TWO_HOP_FILTER } from "./building.ts";
import { bench, type Figure, measure } from "./harness.ts";
import { adminFetch, startBenchWorker as start } from "./worker/local.ts";

const HIS_ROWS = 1_000_000;
const WRITE_ROWS = 100_000;
const ENTITIES = 10_000;
const START = Date.UTC(2024, 0, 1);

async function post(base: string, project: string, op: string, grid: HGrid): Promise<string> {
  const res = await adminFetch(`${base}/api/${project}/${op}`, {
    method: "POST",
    headers: { "content-type": "text/zinc" },
    body: writeZincGrid(grid),
  });
  const text = await res.text();
  if (
    res.status !== 200 ||
    text.includes(" err ") ||
    text.includes(" err\n") ||
    /\berr\b/.test(text.split("\n")[0] ?? "")
  ) {
    throw new Error(`${op} failed: ${res.status} ${text.slice(0, 300)}`);
  }
  return text;
}

function point(id: string): HDict {
  return HDict.of({ id: new HRef(id), point: MARKER, his: MARKER, kind: "Number", unit: "kW", tz: "New_York" });
}

function hisGrid(id: string, from: number, count: number): HGrid {
  const rows: HRow[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const ms = START + (from + i) * 60_000;
    rows[i] = [HDateTime.of(ms, "New_York"), new HNumber(((from + i) % 1000) / 4, "kW")];
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

async function drain(res: Response): Promise<number> {
  if (!res.body) return 0;
  let bytes = 0;
  for await (const chunk of res.body) bytes += (chunk as Uint8Array).byteLength;
  return bytes;
}

function hisReadFigure(name: string, accept: string): () => Promise<Figure> {
  return async () => {
    const { base } = await start();
    await loadHistory(base);
    const url = `${base}/api/${HIS_PROJECT}/hisRead?id=@big&range=2023-12-01,2026-01-01`;
    const ours = await measure(async () => drain(await adminFetch(url, { headers: { accept } })), {
      minRuns: 3,
      minMs: 0,
    });
    const rawUrl = `${base}/bench/raw-scan?project=${HIS_PROJECT}&id=big`;
    const raw = await measure(
      async () => {
        const r = (await (await fetch(rawUrl)).json()) as { rows: number };
        if (r.rows !== HIS_ROWS) throw new Error(`raw scan saw ${r.rows} rows`);
      },
      { minRuns: 3, minMs: 0 },
    );
    return {
      name,
      value: HIS_ROWS / (ours / 1000),
      unit: "rows/s",
      baseline: "raw DO SQLite scan",
      baselineValue: HIS_ROWS / (raw / 1000),
      higherIsBetter: true,
    };
  };
}

bench("api-hisread-1m-zinc", hisReadFigure("api-hisread-1m-zinc", "text/zinc"));
bench("api-hisread-1m-json", hisReadFigure("api-hisread-1m-json", "application/json"));

bench("api-hiswrite-100k", async () => {
  const { base } = await start();
  const project = `bench-write-${Date.now()}`;
  let n = 0;
  const ids = Array.from({ length: 8 }, (_, i) => `w${i}`);
  await post(base, project, "commit", HGrid.fromDicts(ids.map(point), HDict.of({ commit: "add" })));
  // Each run writes a fresh point so both sides insert into an empty key range.
  const bodies = ids.map((id) => writeZincGrid(hisGrid(id, 0, WRITE_ROWS)));
  const ours = await measure(
    async () => {
      const body = bodies[n++ % bodies.length] as string;
      const res = await adminFetch(`${base}/api/${project}/hisWrite`, {
        method: "POST",
        headers: { "content-type": "text/zinc" },
        body,
      });
      await res.text();
    },
    { minRuns: 3, minMs: 0 },
  );
  const raw = await measure(
    async () => {
      await (await fetch(`${base}/bench/raw-insert?project=${project}&n=${WRITE_ROWS}&start=${START}`)).json();
    },
    { minRuns: 3, minMs: 0 },
  );
  return {
    name: "api-hiswrite-100k",
    value: WRITE_ROWS / (ours / 1000),
    unit: "rows/s",
    baseline: "raw DO SQLite insert",
    baselineValue: WRITE_ROWS / (raw / 1000),
    higherIsBetter: true,
  };
});

bench("api-read-filter-10k", async () => {
  const { base } = await start();
  const project = `bench-read-${Date.now()}`;
  const recs = syntheticBuilding(ENTITIES);
  await post(base, project, "commit", HGrid.fromDicts(recs, HDict.of({ commit: "add" })));
  const url = `${base}/api/${project}/read?filter=${encodeURIComponent(TWO_HOP_FILTER)}`;
  const ours = await measure(async () => drain(await adminFetch(url)), { minRuns: 20, minMs: 1000 });

  const theirs = await haystackCoreFilterMs(recs, TWO_HOP_FILTER, { minRuns: 20, minMs: 1000 });
  return {
    name: "api-read-filter-10k",
    value: ours,
    unit: "ms p50",
    baseline: "haystack-core in-process eval",
    baselineValue: theirs,
    higherIsBetter: false,
  };
});
