/**
 * Runs once in Node before the suites: starts the Neon driver's WebSocket->TCP stand-in and
 * creates this run's Postgres database with the committed migrations applied (test/pg-target.ts
 * says where). Tests reach both through `inject("pg")`; every query still runs in real Postgres.
 */
import type { TestProject } from "vitest/node";
import ws from "ws";
import { applyMigrations, dropDatabase, ensureDatabase } from "../scripts/pg-setup.ts";
import { startPgProxy } from "../scripts/pg-ws-proxy.ts";
import { useLocalProxy } from "../src/storage/postgres/connect.ts";
import { type PgTestTarget, pgTestTarget } from "./pg-target.ts";

declare module "vitest" {
  export interface ProvidedContext {
    pg: PgTestTarget;
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
  return async () => {
    proxy.setDown(false);
    await dropDatabase(target.databaseUrl);
    await proxy.close();
  };
}
