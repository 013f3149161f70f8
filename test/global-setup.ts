/**
 * Runs once in Node before the suites: starts the Neon driver's WebSocket->TCP stand-in and
 * creates a fresh Postgres database with the committed migrations applied, then hands both to the
 * tests through `inject("pg")`. Every query still runs in real Postgres.
 */
import { fileURLToPath } from "node:url";
import { Pool } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-serverless";
import { migrate } from "drizzle-orm/neon-serverless/migrator";
import type { TestProject } from "vitest/node";
import ws from "ws";
import { startPgProxy } from "../scripts/pg-ws-proxy.ts";
import { useLocalProxy } from "../src/storage/postgres/connect.ts";

/** A role that may create databases (.ci/run makes it on a fresh machine). */
const ADMIN_URL = process.env.HAYLOFT_TEST_PG ?? "postgres://hayloft:hayloft@127.0.0.1:5432/postgres";

export interface PgTestTarget {
  readonly databaseUrl: string;
  readonly wsProxy: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    pg: PgTestTarget;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const proxy = await startPgProxy();
  const wsProxy = `127.0.0.1:${proxy.port}`;
  useLocalProxy(wsProxy, ws);
  const name = `hayloft_test_${process.pid}_${Date.now()}`;
  const admin = new Pool({ connectionString: ADMIN_URL });
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.href;
  const pool = new Pool({ connectionString: databaseUrl });
  await migrate(drizzle(pool), { migrationsFolder: fileURLToPath(new URL("../migrations", import.meta.url)) });
  await pool.end();
  project.provide("pg", { databaseUrl, wsProxy });
  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    await proxy.close();
  };
}
