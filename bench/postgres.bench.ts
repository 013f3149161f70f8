/**
 * The Haystack face on Postgres (bench/worker/wrangler.pg.toml): the production Worker under
 * wrangler's local runtime, its history and records in a fresh local database through the Neon
 * driver and the WebSocket stand-in. Baselines are psql's COPY of the same rows in the same run;
 * for the filter read, haystack-core answering the same read from memory in the same Worker
 * (building.ts); for a path repeated 400 times, the same read with the path once (its cost must
 * not grow with the repetitions). Every answer, ours and the baseline's, is checked.
 */
import { spawn } from "node:child_process";
import { readZincGrid, writeZincGrid } from "../src/haystack/codec/zinc/index.ts";
import { matches, parseFilter, recordContext } from "../src/haystack/filter/index.ts";
import { col, HDateTime, HDict, HGrid, HNumber, HRef, type HRow, MARKER } from "../src/haystack/kinds/index.ts";
import { filterReadFigure, holdRecords, syntheticBuilding, TWO_HOP_FILTER } from "./building.ts";
import { bench, measure, settleSockets } from "./harness.ts";
import { countLines, drain, expect, expectEqual, okText } from "./verify.ts";
import { adminFetch, BENCH_PG, startBenchWorker } from "./worker/local.ts";

const ROWS = 1_000_000;
const PER_REQUEST = 100_000;
const ENTITIES = 100_000;
const START = Date.UTC(2024, 0, 1);

interface PsqlOut {
  readonly bytes: number;
  readonly lines: number;
  /** What it printed, when asked to keep it. */
  readonly text?: string;
}

/** psql with `sql`, stdin data `input` (if any), unaligned tuples only; counts what it prints. */
function psql(sql: string, input?: string, keep = false): Promise<PsqlOut> {
  return new Promise((resolve, reject) => {
    const p = spawn("psql", [BENCH_PG.databaseUrl, "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    let bytes = 0;
    let lines = 0;
    const kept: Buffer[] = [];
    p.stdout.on("data", (b: Buffer) => {
      bytes += b.length;
      lines += countLines(b);
      if (keep) kept.push(b);
    });
    p.on("error", reject);
    p.on("exit", (code) =>
      code === 0
        ? resolve({ bytes, lines, text: keep ? Buffer.concat(kept).toString("utf8") : undefined })
        : reject(new Error(`psql exited ${code}`)),
    );
    if (input !== undefined) p.stdin.end(input);
    else p.stdin.end();
  });
}

/** One row of psql output, e.g. a digest. */
async function psqlRow(sql: string): Promise<string> {
  return ((await psql(sql, undefined, true)).text ?? "").trim();
}

async function post(base: string, project: string, op: string, body: string): Promise<void> {
  const url = `${base}/api/${project}/${op}`;
  await okText(url, await adminFetch(url, { method: "POST", headers: { "content-type": "text/zinc" }, body }));
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
    await settleSockets();
    const t0 = performance.now();
    for (const b of bodies) await post(base, project, "hisWrite", b);
    // No ANALYZE: reads right after a bulk load, before autovacuum has run, are what users get.
    return performance.now() - t0;
  })();
  return written;
}

/**
 * What one point's stored samples add up to: count, first and last time, the sum (exact: every
 * value is a quarter), kinds and units. `pid` is a literal of ours, never input.
 */
function historyDigest(pid: string): Promise<string> {
  return psqlRow(
    "SELECT count(*), min(ts), max(ts), sum(num), string_agg(DISTINCT kind::text, ','), " +
      `string_agg(DISTINCT unit, ',') FROM history WHERE pid = ${pid}`,
  );
}

/** Our point's key in `history`. */
const OUR_PID = `(SELECT pid FROM his_points WHERE project = '${project}' AND id = 'big')`;

bench("pg-hiswrite-1m", async () => {
  const { base } = await startBenchWorker("postgres");
  const ours = await writeHistory(base);
  const text = copyText(999_999);
  const t0 = performance.now();
  await psql("COPY history (pid, ts, kind, num, unit, bool, str) FROM STDIN", text);
  const copy = performance.now() - t0;
  // Both sides stored every sample sent, and the same ones.
  const want = await historyDigest(OUR_PID);
  expectEqual("pg-hiswrite-1m: rows stored (ours)", Number(want.split("|")[0]), ROWS);
  expectEqual("pg-hiswrite-1m: samples stored (COPY)", await historyDigest("999999"), want);
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

/** `ts num unit` of our point's samples, as COPY prints them (times in UTC, so the check can read them). */
const COPY_OUT =
  "SET TimeZone = 'UTC'; COPY (SELECT h.ts, h.num, h.unit FROM history h JOIN his_points p USING (pid) " +
  `WHERE p.project = '${project}' AND p.id = 'big' ORDER BY h.ts) TO STDOUT`;

/** Throws unless our hisRead and COPY's text hold the same ROWS samples in the same order. */
function expectSameSeries(ours: HGrid, copy: string): void {
  expectEqual("pg-hisread-1m-zinc: rows (ours)", ours.rows.length, ROWS);
  const lines = copy.split("\n");
  expectEqual("pg-hisread-1m-zinc: rows (COPY)", lines.length - 1, ROWS);
  const [ts, val] = [ours.colIdx("ts"), ours.colIdx("val")];
  for (let i = 0; i < ROWS; i++) {
    const [copyTs, copyNum, copyUnit] = (lines[i] as string).split("\t");
    const t = ours.rows[i]?.[ts] as HDateTime;
    const v = ours.rows[i]?.[val] as HNumber;
    const ms = Date.parse(`${(copyTs ?? "").replace(" ", "T").replace(/\+00$/, "")}Z`);
    const same = t.ms === START + i * 60_000 && ms === t.ms && Number(copyNum) === v.val && copyUnit === v.unit;
    expect(same, `pg-hisread-1m-zinc: row ${i} differs: ours ${t.ms} ${v.val}${v.unit}, COPY ${lines[i]}`);
  }
}

/**
 * Our hisRead as Zinc over HTTP against psql's COPY of the same rows as text through a pipe:
 * both read the rows from the same table, format them as text and hand them to this process.
 * Both answers are compared sample by sample once, then every timed run's rows and bytes.
 */
bench("pg-hisread-1m-zinc", async () => {
  const { base } = await startBenchWorker("postgres");
  await writeHistory(base);
  const url = `${base}/api/${project}/hisRead?id=@big&range=2023-12-01,2026-01-01`;
  const oursText = await okText(url, await adminFetch(url));
  const copied = await psql(COPY_OUT, undefined, true);
  expectSameSeries(readZincGrid(oursText), copied.text ?? "");
  const oursBytes = Buffer.byteLength(oursText);
  const ours = await measure(
    async () => {
      const d = await drain(url, await adminFetch(url));
      expectEqual("pg-hisread-1m-zinc: rows (ours)", d.lines - 2, ROWS);
      expectEqual("pg-hisread-1m-zinc: bytes (ours)", d.bytes, oursBytes);
    },
    { minRuns: 3, minMs: 0 },
  );
  const copy = await measure(
    async () => {
      const out = await psql(COPY_OUT);
      expectEqual("pg-hisread-1m-zinc: rows (COPY)", out.lines, ROWS);
      expectEqual("pg-hisread-1m-zinc: bytes (COPY)", out.bytes, copied.bytes);
    },
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
    await settleSockets();
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

bench("pg-read-filter-100k", async () => {
  const { base } = await startBenchWorker("postgres");
  const { project: p, recs } = await loadBuilding(base);
  await holdRecords(base, p, recs);
  const opts = { minRuns: 10, minMs: 2000 };
  return [
    await filterReadFigure("pg-read-filter-100k", base, p, recs, TWO_HOP_FILTER, opts),
    await filterReadFigure("pg-read-filter-100k-selective", base, p, recs, SELECTIVE_FILTER, opts),
  ];
});

/** A POST read, as a client sends a filter too long for a URL. */
async function readBody(base: string, project: string, filter: string): Promise<string> {
  const url = `${base}/api/${project}/read`;
  const body = writeZincGrid(HGrid.fromDicts([HDict.of({ filter })]));
  return okText(url, await adminFetch(url, { method: "POST", headers: { "content-type": "text/zinc" }, body }));
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
  // Every timed answer, on both sides, is the one checked.
  const time = (filter: string) =>
    measure(async () => expectEqual("400-path read: answer", await readBody(base, p, filter), once), {
      minRuns: 5,
      minMs: 2000,
    });
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
