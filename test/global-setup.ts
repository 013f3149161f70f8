/**
 * Runs once in Node before the suites: starts the Neon driver's WebSocket->TCP stand-in and
 * creates this run's Postgres database with the committed migrations applied (test/pg-target.ts
 * says where). Tests reach both through `inject("pg")`; every query still runs in real Postgres.
 * It also starts two TStorage doubles (mock and real mode) with their control endpoints
 * (test/tstorage-target.ts), reached through `inject("tstorage")`.
 */
import type { TestProject } from "vitest/node";
import ws from "ws";
import { applyMigrations, dropDatabase, ensureDatabase } from "../scripts/pg-setup.ts";
import { startPgProxy } from "../scripts/pg-ws-proxy.ts";
import { startControl } from "../scripts/tstorage/control.ts";
import { startDouble } from "../scripts/tstorage/double.ts";
import { useLocalProxy } from "../src/storage/postgres/connect.ts";
import { type PgTestTarget, pgTestTarget } from "./pg-target.ts";
import { type TStorageTestTarget, tstorageTestTarget } from "./tstorage-target.ts";

declare module "vitest" {
  export interface ProvidedContext {
    pg: PgTestTarget;
    tstorage: TStorageTestTarget;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const target = pgTestTarget();
  const proxy = await startPgProxy(Number(target.wsProxy.split(":")[1]), true);
  useLocalProxy(target.wsProxy, ws);
  try {
    await ensureDatabase(target.databaseUrl);
    await applyMigrations(target.databaseUrl);
  } catch (e) {
    // A listening proxy would keep vitest from exiting after it reports the failure.
    await proxy.close();
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
  return async () => {
    proxy.setDown(false);
    await dropDatabase(target.databaseUrl);
    await proxy.close();
    for (const d of doubles) {
      await d.control.close();
      await d.server.close();
    }
  };
}
