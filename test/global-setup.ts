/**
 * Runs once in Node before the suites: starts the Neon driver's WebSocket->TCP stand-in and
 * creates this run's Postgres database with the committed migrations applied (test/pg-target.ts
 * says where). Tests reach both through `inject("pg")`; every query still runs in real Postgres.
 * It also starts two TStorage doubles (mock and real mode) with their control endpoints
 * (test/tstorage-target.ts), reached through `inject("tstorage")`, and the Upstash REST stand-in
 * over the real Redis (test/upstash-target.ts), reached through `inject("upstash")`; the run's
 * Redis keys are deleted at the end.
 */
import { Redis } from "ioredis";
import type { TestProject } from "vitest/node";
import ws from "ws";
import { applyMigrations, dropDatabase, ensureDatabase } from "../scripts/pg-setup.ts";
import { startPgProxy } from "../scripts/pg-ws-proxy.ts";
import { startControl } from "../scripts/tstorage/control.ts";
import { startDouble } from "../scripts/tstorage/double.ts";
import { startUpstashStandIn } from "../scripts/upstash-stand-in.ts";
import { useLocalProxy } from "../src/storage/postgres/connect.ts";
import { type PgTestTarget, pgTestTarget } from "./pg-target.ts";
import { type TStorageTestTarget, tstorageTestTarget } from "./tstorage-target.ts";
import { type UpstashTestTarget, upstashTestTarget } from "./upstash-target.ts";

declare module "vitest" {
  export interface ProvidedContext {
    pg: PgTestTarget;
    tstorage: TStorageTestTarget;
    upstash: UpstashTestTarget;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const target = pgTestTarget();
  const proxy = await startPgProxy(Number(target.wsProxy.split(":")[1]));
  const faultsProxy = await startPgProxy(Number(target.faultsWsProxy.split(":")[1]), true);
  useLocalProxy(target.wsProxy, ws);
  try {
    await ensureDatabase(target.databaseUrl);
    await applyMigrations(target.databaseUrl);
  } catch (e) {
    // A listening proxy would keep vitest from exiting after it reports the failure.
    await proxy.close();
    await faultsProxy.close();
    throw e;
  }
  project.provide("pg", target);
  const ts = tstorageTestTarget();
  const doubles = await Promise.all(
    (["mock", "real"] as const).map(async (mode) => {
      const server = await startDouble({ mode, port: ts[mode].port });
      const control = await startControl(server, Number(new URL(ts[mode].control).port));
      return { server, control };
    }),
  );
  project.provide("tstorage", ts);
  const up = upstashTestTarget();
  const standIns = await Promise.all(
    [up.url, up.faultsUrl].map((url) =>
      startUpstashStandIn({ port: Number(new URL(url).port), token: up.token, redisUrl: up.redisUrl, control: true }),
    ),
  );
  project.provide("upstash", up);
  return async () => {
    await deleteKeys(up.redisUrl, `${up.keyPrefix}:*`);
    for (const s of standIns) await s.close();
    faultsProxy.setDown(false);
    await dropDatabase(target.databaseUrl);
    await proxy.close();
    await faultsProxy.close();
    for (const d of doubles) {
      await d.control.close();
      await d.server.close();
    }
  };
}

/** Deletes every key matching `pattern` (this run's prefix), a SCAN page at a time. */
async function deleteKeys(redisUrl: string, pattern: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
