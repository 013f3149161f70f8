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
import type { HDict } from "../src/haystack/kinds/index.ts";
import { filterReadFigure, holdRecords, syntheticBuilding, TWO_HOP_FILTER } from "./building.ts";
import { bench, type Figure, onFinish, settleSockets } from "./harness.ts";
import { commitAll, HIS_ROWS, HIS_START, writeBigHistory } from "./his-load.ts";
import { drain, expectEqual } from "./verify.ts";
import { adminFetch, BENCH_PG, BENCH_UPSTASH, benchUpstash, startBenchWorker } from "./worker/local.ts";

const ENTITIES = 100_000;
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

let written: Promise<number> | undefined;

/** Writes HIS_ROWS samples of point `big` through the API (once); answers the time it took (ms). */
function writeHistory(base: string): Promise<number> {
  written ??= writeBigHistory(base, project);
  return written;
}

/** The same samples written raw: ZADD batches in one pipeline. Answers the time (ms). */
async function writeRaw(): Promise<number> {
  const r = rawRedis();
  await r.del(rawKey);
  const batches: (string | number)[][] = [];
  for (let i = 0; i < HIS_ROWS; i += RAW_BATCH) {
    const args: (string | number)[] = [];
    for (let j = i; j < i + RAW_BATCH; j++) {
      const ts = HIS_START + j * 60_000;
      args.push(ts, `${ts}|${(j % 1000) / 4}kW`);
    }
    batches.push(args);
  }
  const t0 = performance.now();
  const p = r.pipeline();
  for (const args of batches) p.zadd(rawKey, ...args);
  await p.exec();
  const ms = performance.now() - t0;
  expectEqual("upstash-hiswrite-1m: samples stored (ioredis)", await r.zcard(rawKey), HIS_ROWS);
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
  expectEqual("upstash-hiswrite-1m: rows read back (ours)", d.lines - 2, HIS_ROWS);
  return {
    name: "upstash-hiswrite-1m",
    value: HIS_ROWS / (ours / 1000),
    unit: "rows/s",
    baseline: "ioredis pipelined ZADD",
    baselineValue: HIS_ROWS / (theirs / 1000),
    higherIsBetter: true,
  };
});

bench("upstash-hisread-1m", async (): Promise<Figure> => {
  const base = await worker();
  await writeHistory(base);
  if ((await rawRedis().zcard(rawKey)) !== HIS_ROWS) await writeRaw();
  const url = `${base}/api/${project}/hisRead`;
  await settleSockets();
  const t0 = performance.now();
  const d = await drain(
    url,
    await adminFetch(url, { method: "POST", headers: { "content-type": "text/zinc" }, body: HIS_READ }),
  );
  const ours = performance.now() - t0;
  expectEqual("upstash-hisread-1m: rows (ours)", d.lines - 2, HIS_ROWS);
  const r = rawRedis();
  const t1 = performance.now();
  const p = r.pipeline();
  for (let i = 0; i < HIS_ROWS; i += RAW_BATCH) p.zrange(rawKey, String(i), String(i + RAW_BATCH - 1));
  const pages = (await p.exec()) ?? [];
  const theirs = performance.now() - t1;
  let n = 0;
  for (const [err, page] of pages) {
    if (err) throw err;
    n += (page as string[]).length;
  }
  expectEqual("upstash-hisread-1m: rows (ioredis)", n, HIS_ROWS);
  await r.del(rawKey);
  return {
    name: "upstash-hisread-1m",
    value: HIS_ROWS / (ours / 1000),
    unit: "rows/s",
    baseline: "ioredis pipelined ZRANGE",
    baselineValue: HIS_ROWS / (theirs / 1000),
    higherIsBetter: true,
  };
});

/** One equip's points: a few of 100k records, found through the ref index rather than a scan. */
const SELECTIVE_FILTER = "point and equipRef==@e42";

async function loadBuilding(base: string, p: string, recs: readonly HDict[]): Promise<void> {
  await commitAll(base, p, recs);
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
