/**
 * seedDemo's progress reports, on the Postgres store and this run's database. The history is
 * pre-filled to an hour before now, so the seed writes a few samples per point in the same 58
 * groups a first start writes two weeks in.
 */
import type { Pool as NeonPool } from "@neondatabase/serverless";
import pg from "pg";
import { afterAll, expect, inject, it } from "vitest";
import { DEMO_INTERVAL_MS, demoSeries } from "../../src/demo/history.ts";
import { demoRecords, type SeedProgress, seedDemo } from "../../src/demo/seed.ts";
import { isRef } from "../../src/haystack/kinds/index.ts";
import { pgStore } from "../../src/storage/postgres/project.ts";

const HOUR = 3_600_000;

// node-postgres, which the Neon driver's Pool is a fork of, straight over TCP: the same store code
// and SQL, without a WebSocket hop per query (about 4,000 of them here, 30 s through the stand-in).
const pool = new pg.Pool({ connectionString: inject("pg").databaseUrl, max: 2 });
afterAll(() => pool.end());

it("reports each phase at its start, at most once per tenth, and at its end; nothing when there is nothing to do", async () => {
  const store = pgStore(pool as unknown as NeonPool, `seedprog_${crypto.randomUUID().slice(0, 8)}`);
  const recs = demoRecords();
  const hisPoints = recs.filter((d) => demoSeries(d) !== undefined);
  const last = hisPoints[hisPoints.length - 1];
  const lastId = last?.get("id");
  const gen = last && demoSeries(last);
  if (!last || !isRef(lastId) || !gen) throw new Error("the demo has no his points");

  // The seed measures how far history got from the last point, so one sample there sets the start.
  const now = Date.now();
  const end = Math.floor(now / DEMO_INTERVAL_MS) * DEMO_INTERVAL_MS;
  await store.entities.commit({ op: "add", rows: [last], nowMs: now });
  await store.history.write([{ id: lastId.id, items: [{ ts: end - HOUR, val: gen(end - HOUR) }] }]);

  const seen: SeedProgress[] = [];
  const result = await seedDemo(store, now, { onProgress: (p) => seen.push(p) });

  const records = recs.length - 1;
  expect(seen.filter((p) => p.phase === "records")).toEqual([
    { phase: "records", done: 0, total: records },
    { phase: "records", done: records, total: records },
  ]);
  const history = seen.filter((p) => p.phase === "history");
  const total = hisPoints.length * 4;
  expect(result).toEqual({ seeded: true, samples: total });
  expect(history[0]).toEqual({ phase: "history", done: 0, total });
  expect(history[history.length - 1]).toEqual({ phase: "history", done: total, total });
  // 58 writes, but one report per tenth: 0, 1..9 as they are crossed, and the end.
  expect(history.length).toBe(11);
  const tenths = history.map((p) => Math.floor((p.done * 10) / p.total));
  expect(tenths).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  // Records come before history, as a reader of the log expects.
  expect(seen.findIndex((p) => p.phase === "history")).toBe(2);

  const again: SeedProgress[] = [];
  expect(await seedDemo(store, now, { onProgress: (p) => again.push(p) })).toEqual({ seeded: false, samples: 0 });
  expect(again).toEqual([]);
});
