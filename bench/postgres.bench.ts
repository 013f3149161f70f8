/**
 * The Haystack face on Postgres (bench/worker/wrangler.pg.toml): the production Worker under
 * wrangler's local runtime, its history and records in a fresh local database through the Neon
 * driver and the WebSocket stand-in. Baselines are psql's COPY of the same rows in the same run;
 * for the filter read, haystack-core evaluating the filter in process; for a path repeated 400
 * times, the same read with the path once (its cost must not grow with the repetitions).
 */
import { spawn } from "node:child_process";
import { readZincGrid, writeZincGrid } from "../src/haystack/codec/zinc/index.ts";
import { matches, parseFilter, recordContext } from "../src/haystack/filter/index.ts";
import { col, HDateTime, HDict, HGrid, HNumber, HRef, type HRow, MARKER } from "../src/haystack/kinds/index.ts";
import { haystackCoreFilterMs, syntheticBuilding, TWO_HOP_FILTER } from "./building.ts";
import { bench, measure } from "./harness.ts";
import { adminFetch, BENCH_PG, startBenchWorker } from "./worker/local.ts";

const ROWS = 1_000_000;
const PER_REQUEST = 100_000;
const ENTITIES = 100_000;
const START = Date.UTC(2024, 0, 1);

/** psql with `sql` on stdin data `input` (if any); resolves with the bytes it printed. */
function psql(sql: string, input?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn("psql", [BENCH_PG.databaseUrl, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    let bytes = 0;
    p.stdout.on("data", (b: Buffer) => {
      bytes += b.length;
    });
    p.on("error", reject);
    p.on("exit", (code) => (code === 0 ? resolve(bytes) : reject(new Error(`psql exited ${code}`))));
    if (input !== undefined) p.stdin.end(input);
    else p.stdin.end();
  });
}

/** Newlines in `chunk`, found natively: a JS loop over 42 MB would cost more than psql's side does. */
function countLines(chunk: Uint8Array): number {
  const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let n = 0;
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
  return n;
}

async function post(base: string, project: string, op: string, body: string): Promise<void> {
  const res = await adminFetch(`${base}/api/${project}/${op}`, {
    method: "POST",
    headers: { "content-type": "text/zinc" },
    body,
  });
  const text = await res.text();
  if (res.status !== 200 || /^ver:"3.0" .*\berr\b/.test(text))
    throw new Error(`${op}: ${res.status} ${text.slice(0, 300)}`);
}

function point(id: string): HDict {
  return HDict.of({ id: new HRef(id), point: MARKER, his: MARKER, kind: "Number", unit: "kW", tz: "New_York" });
}

function hisBody(id: string, from: number, count: number): string {
  const rows: HRow[] = new Array(count);
  for (let i = 0; i < count; i++) {
    rows[i] = [HDateTime.of(START + (from + i) * 60_000, "New_York"), new HNumber(((from + i) % 1000) / 4, "kW")];
  }
  return writeZincGrid(new HGrid(HDict.of({ id: new HRef(id) }), [col("ts"), col("val")], rows));
}

/** The same samples as COPY text for `history` under point key `pid`. */
function copyText(pid: number): string {
  const out: string[] = new Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    out[i] = `${pid}\t${new Date(START + i * 60_000).toISOString()}\t0\t${(i % 1000) / 4}\tkW\t\\N\t\\N`;
  }
  return `${out.join("\n")}\n`;
}

const project = `bench-pg-${Date.now()}`;
let written: Promise<number> | undefined;

/** Writes ROWS samples of point `big` through the API (once); answers the time it took (ms). */
function writeHistory(base: string): Promise<number> {
  written ??= (async () => {
    await post(base, project, "commit", writeZincGrid(HGrid.fromDicts([point("big")], HDict.of({ commit: "add" }))));
    const bodies: string[] = [];
    for (let from = 0; from < ROWS; from += PER_REQUEST) bodies.push(hisBody("big", from, PER_REQUEST));
    const t0 = performance.now();
    for (const b of bodies) await post(base, project, "hisWrite", b);
    // No ANALYZE: reads right after a bulk load, before autovacuum has run, are what users get.
    return performance.now() - t0;
  })();
  return written;
}

bench("pg-hiswrite-1m", async () => {
  const { base } = await startBenchWorker("postgres");
  const ours = await writeHistory(base);
  const text = copyText(999_999);
  const t0 = performance.now();
  await psql("COPY history (pid, ts, kind, num, unit, bool, str) FROM STDIN", text);
  const copy = performance.now() - t0;
  await psql("DELETE FROM history WHERE pid = 999999");
  return {
    name: "pg-hiswrite-1m",
    value: ROWS / (ours / 1000),
    unit: "rows/s",
    baseline: "psql COPY FROM STDIN",
    baselineValue: ROWS / (copy / 1000),
    higherIsBetter: true,
  };
});

bench("pg-hisread-1m-zinc", async () => {
  const { base } = await startBenchWorker("postgres");
  await writeHistory(base);
  const url = `${base}/api/${project}/hisRead?id=@big&range=2023-12-01,2026-01-01`;
  const ours = await measure(
    async () => {
      const res = await adminFetch(url);
      let lines = 0;
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) lines += countLines(chunk);
      if (lines !== ROWS + 2) throw new Error(`hisRead gave ${lines - 2} rows`);
    },
    { minRuns: 3, minMs: 0 },
  );
  const copy = await measure(
    () =>
      psql(
        "COPY (SELECT h.ts, h.num, h.unit FROM history h JOIN his_points p USING (pid) " +
          `WHERE p.project = '${project}' AND p.id = 'big' ORDER BY h.ts) TO STDOUT`,
      ),
    { minRuns: 3, minMs: 0 },
  );
  return {
    name: "pg-hisread-1m-zinc",
    value: ROWS / (ours / 1000),
    unit: "rows/s",
    baseline: "psql COPY TO STDOUT",
    baselineValue: ROWS / (copy / 1000),
    higherIsBetter: true,
  };
});

/** One equip's points: a few of 100k records, found through the GIN index rather than a scan. */
const SELECTIVE_FILTER = "point and equipRef==@e42";

/** Three hops from every point, ending nowhere (sites have no equipRef): the whole walk, every record. */
const REPEATED_PATH = "equipRef->siteRef->equipRef->dis";

/** The filter of the issue: one path 400 times (14 KB), each walk once per term before. */
const REPEATED_PATHS = Array.from({ length: 400 }, () => REPEATED_PATH).join(" or ");

let building: Promise<{ project: string; recs: HDict[] }> | undefined;

/** The synthetic building of ENTITIES records, committed through the API once for every figure. */
function loadBuilding(base: string): Promise<{ project: string; recs: HDict[] }> {
  building ??= (async () => {
    const p = `bench-pg-read-${Date.now()}`;
    const recs = syntheticBuilding(ENTITIES);
    for (let i = 0; i < recs.length; i += 10_000) {
      await post(
        base,
        p,
        "commit",
        writeZincGrid(HGrid.fromDicts(recs.slice(i, i + 10_000), HDict.of({ commit: "add" }))),
      );
    }
    await psql("ANALYZE entities");
    return { project: p, recs };
  })();
  return building;
}

function readUrl(base: string, project: string, filter: string): string {
  return `${base}/api/${project}/read?filter=${encodeURIComponent(filter)}`;
}

bench("pg-read-filter-100k", async () => {
  const { base } = await startBenchWorker("postgres");
  const { project: p, recs } = await loadBuilding(base);
  const figure = async (name: string, filter: string) => {
    const url = readUrl(base, p, filter);
    const ours = await measure(async () => (await adminFetch(url)).arrayBuffer(), { minRuns: 10, minMs: 2000 });
    const theirs = await haystackCoreFilterMs(recs, filter, { minRuns: 10, minMs: 1000 });
    return {
      name,
      value: ours,
      unit: "ms p50",
      baseline: "haystack-core in-process eval",
      baselineValue: theirs,
      higherIsBetter: false,
    };
  };
  return [
    await figure("pg-read-filter-100k", TWO_HOP_FILTER),
    await figure("pg-read-filter-100k-selective", SELECTIVE_FILTER),
  ];
});

/** A POST read, as a client sends a filter too long for a URL. */
async function readBody(base: string, project: string, filter: string): Promise<string> {
  const body = writeZincGrid(HGrid.fromDicts([HDict.of({ filter })]));
  const res = await adminFetch(`${base}/api/${project}/read`, {
    method: "POST",
    headers: { "content-type": "text/zinc" },
    body,
  });
  const text = await res.text();
  if (res.status !== 200 || /^ver:"3.0" .*\berr\b/.test(text))
    throw new Error(`read: ${res.status} ${text.slice(0, 300)}`);
  return text;
}

bench("pg-read-filter-repeated-paths", async () => {
  const { base } = await startBenchWorker("postgres");
  const { project: p, recs } = await loadBuilding(base);
  // Both answer the same grid, and what the evaluator finds in process (REPEATED_PATH: nothing).
  const once = await readBody(base, p, REPEATED_PATH);
  const repeated = await readBody(base, p, REPEATED_PATHS);
  const cx = recordContext(recs);
  const expected = recs.filter((d) => matches(parseFilter(REPEATED_PATH), d, cx)).length;
  const rows = readZincGrid(repeated).rows.length;
  if (repeated !== once || rows !== expected) throw new Error(`400-path read: ${rows} rows, expected ${expected}`);
  const time = (filter: string) => measure(() => readBody(base, p, filter), { minRuns: 5, minMs: 2000 });
  const single = await time(REPEATED_PATH);
  const ours = await time(REPEATED_PATHS);
  return {
    name: "pg-read-filter-repeated-paths",
    value: ours,
    unit: "ms p50",
    baseline: "the same path once",
    baselineValue: single,
    higherIsBetter: false,
  };
});
