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
import { type HDateTime, HDict, HGrid, type HNumber } from "../src/haystack/kinds/index.ts";
import { filterReadFigure, holdRecords, syntheticBuilding, TWO_HOP_FILTER } from "./building.ts";
import { bench, measure } from "./harness.ts";
import { commitAll, HIS_ROWS, HIS_START, writeBigHistory } from "./his-load.ts";
import { countLines, drain, expect, expectEqual, okText } from "./verify.ts";
import { adminFetch, BENCH_PG, startBenchWorker } from "./worker/local.ts";

const ENTITIES = 100_000;

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

/** The same samples as COPY text for `history` under point key `pid`. */
function copyText(pid: number): string {
  const out: string[] = new Array(HIS_ROWS);
  for (let i = 0; i < HIS_ROWS; i++) {
    out[i] = `${pid}\t${new Date(HIS_START + i * 60_000).toISOString()}\t0\t${(i % 1000) / 4}\tkW\t\\N\t\\N`;
  }
  return `${out.join("\n")}\n`;
}

const project = `bench-pg-${Date.now()}`;
let written: Promise<number> | undefined;

/** Writes HIS_ROWS samples of point `big` through the API (once); answers the time it took (ms). */
function writeHistory(base: string): Promise<number> {
  // No ANALYZE: reads right after a bulk load, before autovacuum has run, are what users get.
  written ??= writeBigHistory(base, project);
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
  expectEqual("pg-hiswrite-1m: rows stored (ours)", Number(want.split("|")[0]), HIS_ROWS);
  expectEqual("pg-hiswrite-1m: samples stored (COPY)", await historyDigest("999999"), want);
  await psql("DELETE FROM history WHERE pid = 999999");
  return {
    name: "pg-hiswrite-1m",
    value: HIS_ROWS / (ours / 1000),
    unit: "rows/s",
    baseline: "psql COPY FROM STDIN",
    baselineValue: HIS_ROWS / (copy / 1000),
    higherIsBetter: true,
  };
});

/** `ts num unit` of our point's samples, as COPY prints them (times in UTC, so the check can read them). */
const COPY_OUT =
  "SET TimeZone = 'UTC'; COPY (SELECT h.ts, h.num, h.unit FROM history h JOIN his_points p USING (pid) " +
  `WHERE p.project = '${project}' AND p.id = 'big' ORDER BY h.ts) TO STDOUT`;

/** Throws unless our hisRead and COPY's text hold the same HIS_ROWS samples in the same order. */
function expectSameSeries(ours: HGrid, copy: string): void {
  expectEqual("pg-hisread-1m-zinc: rows (ours)", ours.rows.length, HIS_ROWS);
  const lines = copy.split("\n");
  expectEqual("pg-hisread-1m-zinc: rows (COPY)", lines.length - 1, HIS_ROWS);
  const [ts, val] = [ours.colIdx("ts"), ours.colIdx("val")];
  for (let i = 0; i < HIS_ROWS; i++) {
    const [copyTs, copyNum, copyUnit] = (lines[i] as string).split("\t");
    const t = ours.rows[i]?.[ts] as HDateTime;
    const v = ours.rows[i]?.[val] as HNumber;
    const ms = Date.parse(`${(copyTs ?? "").replace(" ", "T").replace(/\+00$/, "")}Z`);
    const same = t.ms === HIS_START + i * 60_000 && ms === t.ms && Number(copyNum) === v.val && copyUnit === v.unit;
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
      expectEqual("pg-hisread-1m-zinc: rows (ours)", d.lines - 2, HIS_ROWS);
      expectEqual("pg-hisread-1m-zinc: bytes (ours)", d.bytes, oursBytes);
    },
    { minRuns: 3, minMs: 0 },
  );
  const copy = await measure(
    async () => {
      const out = await psql(COPY_OUT);
      expectEqual("pg-hisread-1m-zinc: rows (COPY)", out.lines, HIS_ROWS);
      expectEqual("pg-hisread-1m-zinc: bytes (COPY)", out.bytes, copied.bytes);
    },
    { minRuns: 3, minMs: 0 },
  );
  return {
    name: "pg-hisread-1m-zinc",
    value: HIS_ROWS / (ours / 1000),
    unit: "rows/s",
    baseline: "psql COPY TO STDOUT",
    baselineValue: HIS_ROWS / (copy / 1000),
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
    await commitAll(base, p, recs);
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
