/**
 * Opening Postgres through the Neon serverless driver (WebSocket transport). In a Worker a Pool
 * lives for one request and is ended with `waitUntil`; locally the driver reaches Postgres through
 * the WebSocket->TCP stand-in in scripts/ (`PG_WS_PROXY`).
 */
import { neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";
import * as schema from "./schema.ts";
import { limitStatements } from "./sql.ts";

/**
 * How long one statement may run before Postgres stops it (PG_STATEMENT_TIMEOUT_MS): long
 * enough for a hisRead page or a filter over a large project, short enough that no request
 * holds the database for long. The request then fails with StoreError `timeout`.
 */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;

export interface PgSettings {
  readonly databaseUrl: string;
  /** `host:port` of a local WebSocket->TCP proxy; unset on Neon itself. */
  readonly wsProxy?: string;
  /** Longest a statement may run, in ms (0: no limit); DEFAULT_STATEMENT_TIMEOUT_MS when unset. */
  readonly statementTimeoutMs?: number;
}

export type PgDb = NeonDatabase<typeof schema>;

/** Points the driver at a local proxy (plain ws, no pipelined startup: that breaks SCRAM auth). */
export function useLocalProxy(proxy: string, webSocket?: unknown): void {
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
  neonConfig.wsProxy = (host, port) => `${proxy}/v2?address=${host}:${port}`;
  if (webSocket !== undefined) neonConfig.webSocketConstructor = webSocket as typeof WebSocket;
}

/**
 * A pool and its drizzle handle, every statement bounded by `statementTimeoutMs`. The caller
 * ends the pool (`waitUntil(pool.end())` in a Worker). Errors a pool reports after it ended are
 * expected under workerd and swallowed here.
 */
export function openPg(s: PgSettings): { pool: Pool; db: PgDb } {
  if (s.wsProxy) useLocalProxy(s.wsProxy);
  const pool = new Pool({ connectionString: s.databaseUrl, max: 4 });
  pool.on("error", () => {});
  limitStatements(pool, s.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS);
  return { pool, db: drizzle(pool, { schema }) };
}
