/**
 * The object's job table: a job leaves it only once its handler has succeeded; a failure keeps it,
 * due again after a doubling delay; a job moved while it ran is kept for its new time.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  JOBS_TABLE,
  type Job,
  Jobs,
  RETRY_BASE_MS,
  RETRY_MAX_MS,
  retryDelay,
  runDueJobs,
} from "../../src/durable/jobs.ts";
import { DoSql } from "../../src/storage/do/sql.ts";

const T0 = Date.UTC(2030, 0, 1);

/**
 * Runs `fn` with a Jobs over a table made by JOBS_TABLE, the steps a new object adds to its schema,
 * in an object that has none of its own (the alarm is that object's real one). The project
 * object's table, made by its own steps, is exercised by the watch and expiry tests.
 */
function withJobs<T>(fn: (jobs: Jobs, sql: DoSql, storage: DurableObjectStorage) => Promise<T>): Promise<T> {
  const stub = env.AUTH.getByName(`jobs-${crypto.randomUUID()}`);
  return runInDurableObject(stub, async (_o, state) => {
    const sql = new DoSql(state.storage);
    for (const statement of JOBS_TABLE) sql.run(statement);
    return fn(new Jobs(sql, state.storage), sql, state.storage);
  });
}

function rows(sql: DoSql) {
  return sql.all<{ kind: string; key: string; due: number; attempts: number }>(
    "SELECT kind, key, due, attempts FROM jobs ORDER BY kind, key",
  );
}

describe("jobs", () => {
  it("retry delays double from 1 s up to 5 min", () => {
    expect([1, 2, 3, 4].map(retryDelay)).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelay(30)).toBe(RETRY_MAX_MS);
    expect(RETRY_BASE_MS).toBe(1000);
  });

  it("a failing job stays, due again after a growing delay, and goes once it succeeds", async () => {
    await withJobs(async (jobs, sql, storage) => {
      await jobs.schedule("points", "", T0);
      let fail = true;
      const errors: unknown[] = [];
      const handlers = {
        points: async () => {
          if (fail) throw new Error("database down");
        },
      };
      const onError = (_j: Job, e: unknown) => errors.push(e);
      expect(await runDueJobs(jobs, T0, handlers, onError)).toEqual({ ran: 0, failed: 1 });
      expect(rows(sql)).toEqual([{ kind: "points", key: "", due: T0 + 1000, attempts: 1 }]);
      // Not due yet: nothing runs.
      expect(await runDueJobs(jobs, T0 + 999, handlers, onError)).toEqual({ ran: 0, failed: 0 });
      expect(await runDueJobs(jobs, T0 + 1000, handlers, onError)).toEqual({ ran: 0, failed: 1 });
      expect(rows(sql)).toEqual([{ kind: "points", key: "", due: T0 + 3000, attempts: 2 }]);
      // The alarm follows the retry.
      expect(await storage.getAlarm()).toBe(T0 + 3000);
      fail = false;
      expect(await runDueJobs(jobs, T0 + 3000, handlers, onError)).toEqual({ ran: 1, failed: 0 });
      expect(rows(sql)).toEqual([]);
      expect(errors).toHaveLength(2);
    });
  });

  it("a job moved while its handler ran is kept for its new time; others due run in due order", async () => {
    await withJobs(async (jobs, sql) => {
      await jobs.schedule("lease", "w1", T0 + 5);
      await jobs.schedule("points", "", T0);
      const order: string[] = [];
      const handlers = {
        points: async () => {
          order.push("points");
          await jobs.schedule("points", "", T0 + 60_000);
        },
        lease: (j: Job) => {
          order.push(`lease:${j.key}`);
        },
      };
      await runDueJobs(jobs, T0 + 10, handlers, () => {});
      expect(order).toEqual(["points", "lease:w1"]);
      expect(rows(sql)).toEqual([{ kind: "points", key: "", due: T0 + 60_000, attempts: 0 }]);
    });
  });

  it("a job of an unknown kind is reported and dropped, not retried for ever", async () => {
    await withJobs(async (jobs, sql) => {
      await jobs.schedule("gone", "x", T0);
      const errors: string[] = [];
      expect(await runDueJobs(jobs, T0, {}, (j) => errors.push(j.kind))).toEqual({ ran: 0, failed: 1 });
      expect(errors).toEqual(["gone"]);
      expect(rows(sql)).toEqual([]);
    });
  });
});
