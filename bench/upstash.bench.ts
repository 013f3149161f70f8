/**
 * The Haystack face on Upstash (bench/worker/wrangler.upstash.toml): the production Worker under
 * wrangler's local runtime, its records and history in the local Redis through the real
 * `@upstash/redis` client and the REST stand-in (a process of its own, as Upstash is a service of
 * its own), with the default 1 MiB request bound. Baselines in the same run:
 * - upstash-hiswrite-1m / upstash-hisread-1m: the same 1M samples moved by a raw pipelined ioredis
 *   client straight to Redis (no REST, no Worker, no Haystack): ZADD in batches, ZRANGE in pages.
 *   Target: ours >= 0.3x.
 * - upstash-read-filter-100k: p50 of a read over 100k records, against the same read of the same
 *   records on Postgres (bench/worker/wrangler.pg.toml) in the same run.
 * Every answer is checked: rows stored and read back, ids of each filter against our evaluator.
 */
import { Redis as IORedis } from "ioredis";
import pgDriver from "pg";
import { writeZincGrid } from "../src/haystack/codec/zinc/index.ts";
import { col, HDateTime, HDict, HGrid, HNumber, HRef, type HRow, MARKER } from "../src/haystack/kinds/index.ts";
import { filterReadFigure, holdRecords, syntheticBuilding, TWO_HOP_FILTER } from "./building.ts";
import { bench, type Figure, onFinish, settleSockets } from "./harness.ts";
import { drain, expectEqual, okText } from "./verify.ts";
import { adminFetch, BENCH_PG, BENCH_UPSTASH, benchUpstash, startBenchWorker } from "./worker/local.ts";

const ROWS = 1_000_000;
const PER_REQUEST = 100_000;
const ENTITIES = 100_000;
const START = Date.UTC(2024, 0, 1);
/** ioredis batches: members per ZADD and per ZRANGE page. */
const RAW_BATCH = 10_000;

const project = `bench-up-${Date.now()}`;
const rawKey = `${BENCH_UPSTASH.keyPrefix}:raw:${Date.now()}`;

let raw: IORedis | undefined;
function rawRedis(): IORedis {
  if (!raw) {
    const r = new IORedis(BENCH_UPSTASH.redisUrl);
    onFinish(() => r.disconnect());
    raw = r;
  }
  return raw;
}

async function clearPrefix(pattern: string): Promise<void> {
  const r = rawRedis();
  let cursor = "0";
  do {
    const [next, keys] = await r.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    if (keys.length > 0) await r.unlink(...keys);
    cursor = next;
  } while (cursor !== "0");
}

async function worker(): Promise<string> {
  await benchUpstash(clearPrefix);
  return (await startBenchWorker("upstash")).base;
}

async function post(base: string, p: string, op: string, body: string): Promise<string> {
  const url = `${base}/api/${p}/${op}`;
  return okText(url, await adminFetch(url, { method: "POST", headers: { "content-type": "text/zinc" }, body }));
}

function hisBody(id: string, from: number, count: number): string {
  const rows: HRow[] = new Array(count);
  for (let i = 0; i < count; i++) {
    rows[i] = [HDateTime.of(START + (from + i) * 60_000, "New_York"), new HNumber(((from + i) % 1000) / 4, "kW")];
  }
  return writeZincGrid(new HGrid(HDict.of({ id: new HRef(id) }), [col("ts"), col("val")], rows));
}

let written: Promise<number> | undefined;

/** Writes ROWS samples of point `big` through the API (once); answers the time it took (ms). */
function writeHistory(base: string): Promise<number> {
  written ??= (async () => {
    const point = HDict.of({
      id: new HRef("big"),
      point: MARKER,
      his: MARKER,
      kind: "Number",
      unit: "kW",
      tz: "New_York",
    });
    await post(base, project, "commit", writeZincGrid(HGrid.fromDicts([point], HDict.of({ commit: "add" }))));
    const bodies: string[] = [];
    for (let from = 0; from < ROWS; from += PER_REQUEST) bodies.push(hisBody("big", from, PER_REQUEST));
    await settleSockets();
    const t0 = performance.now();
    for (const b of bodies) await post(base, project, "hisWrite", b);
    return performance.now() - t0;
  })();
  return written;
}

/** The same samples written raw: ZADD batches in one pipeline. Answers the time (ms). */
async function writeRaw(): Promise<number> {
  const r = rawRedis();
  await r.del(rawKey);
  const batches: (string | number)[][] = [];
  for (let i = 0; i < ROWS; i += RAW_BATCH) {
    const args: (string | number)[] = [];
    for (let j = i; j < i + RAW_BATCH; j++) {
      const ts = START + j * 60_000;
      args.push(ts, `${ts}|${(j % 1000) / 4}kW`);
    }
    batches.push(args);
  }
  const t0 = performance.now();
  const p = r.pipeline();
  for (const args of batches) p.zadd(rawKey, ...args);
  await p.exec();
  const ms = performance.now() - t0;
  expectEqual("upstash-hiswrite-1m: samples stored (ioredis)", await r.zcard(rawKey), ROWS);
  return ms;
}

const HIS_READ = `ver:"3.0"\nid,range\n@big,"2023-12-31,2026-01-01"\n`;

bench("upstash-hiswrite-1m", async (): Promise<Figure> => {
  const base = await worker();
  const ours = await writeHistory(base);
  const theirs = await writeRaw();
  // Ours stored every sample: the read answers them all.
  const url = `${base}/api/${project}/hisRead`;
  const d = await drain(
    url,
    await adminFetch(url, { method: "POST", headers: { "content-type": "text/zinc" }, body: HIS_READ }),
  );
  expectEqual("upstash-hiswrite-1m: rows read back (ours)", d.lines - 2, ROWS);
  return {
    name: "upstash-hiswrite-1m",
    value: ROWS / (ours / 1000),
    unit: "rows/s",
    baseline: "ioredis pipelined ZADD",
    baselineValue: ROWS / (theirs / 1000),
    higherIsBetter: true,
  };
});

bench("upstash-hisread-1m", async (): Promise<Figure> => {
  const base = await worker();
  await writeHistory(base);
  if ((await rawRedis().zcard(rawKey)) !== ROWS) await writeRaw();
  const url = `${base}/api/${project}/hisRead`;
  await settleSockets();
  const t0 = performance.now();
  const d = await drain(
    url,
    await adminFetch(url, { method: "POST", headers: { "content-type": "text/zinc" }, body: HIS_READ }),
  );
  const ours = performance.now() - t0;
  expectEqual("upstash-hisread-1m: rows (ours)", d.lines - 2, ROWS);
  const r = rawRedis();
  const t1 = performance.now();
  const p = r.pipeline();
  for (let i = 0; i < ROWS; i += RAW_BATCH) p.zrange(rawKey, String(i), String(i + RAW_BATCH - 1));
  const pages = (await p.exec()) ?? [];
  const theirs = performance.now() - t1;
  let n = 0;
  for (const [err, page] of pages) {
    if (err) throw err;
    n += (page as string[]).length;
  }
  expectEqual("upstash-hisread-1m: rows (ioredis)", n, ROWS);
  await r.del(rawKey);
  return {
    name: "upstash-hisread-1m",
    value: ROWS / (ours / 1000),
    unit: "rows/s",
    baseline: "ioredis pipelined ZRANGE",
    baselineValue: ROWS / (theirs / 1000),
    higherIsBetter: true,
  };
});

/** One equip's points: a few of 100k records, found through the ref index rather than a scan. */
const SELECTIVE_FILTER = "point and equipRef==@e42";

async function loadBuilding(base: string, p: string, recs: readonly HDict[]): Promise<void> {
  await settleSockets();
  for (let i = 0; i < recs.length; i += 10_000) {
    await post(
      base,
      p,
      "commit",
      writeZincGrid(HGrid.fromDicts(recs.slice(i, i + 10_000), HDict.of({ commit: "add" }))),
    );
  }
  await holdRecords(base, p, recs);
}

bench("upstash-read-filter-100k", async (): Promise<Figure[]> => {
  const recs = syntheticBuilding(ENTITIES);
  const up = await worker();
  const pg = (await startBenchWorker("postgres")).base;
  const p = `bench-up-read-${Date.now()}`;
  await loadBuilding(up, p, recs);
  await loadBuilding(pg, p, recs);
  // As bench/postgres.bench.ts does: Postgres plans with fresh statistics, at its best.
  const db = new pgDriver.Client({ connectionString: BENCH_PG.databaseUrl });
  await db.connect();
  try {
    await db.query("ANALYZE entities");
  } finally {
    await db.end();
  }
  const opts = { minRuns: 10, minMs: 2000 };
  const out: Figure[] = [];
  for (const [suffix, filter] of [
    ["", TWO_HOP_FILTER],
    ["-selective", SELECTIVE_FILTER],
  ] as const) {
    const name = `upstash-read-filter-100k${suffix}`;
    const ours = await filterReadFigure(name, up, p, recs, filter, opts);
    const theirs = await filterReadFigure(`${name} (postgres)`, pg, p, recs, filter, opts);
    out.push({
      name,
      value: ours.value,
      unit: "ms p50",
      baseline: "the same read on Postgres",
      baselineValue: theirs.value,
      higherIsBetter: false,
    });
  }
  return out;
});
