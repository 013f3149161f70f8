/**
 * The one door to Postgres for the stores: parameterized queries on a pool or a transaction's
 * client, with failures mapped once. A connection that cannot be made or is cut becomes
 * StoreError `unavailable` (HTTP 503); a transaction that fails rolls back, so nothing is half
 * written.
 */
import type { Pool, PoolClient } from "@neondatabase/serverless";
import { StoreError } from "../errors.ts";

export type Row = Record<string, unknown>;

/** Something that runs a query: the pool, or a client inside a transaction. */
export interface Querier {
  query<R extends Row>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
  query(config: { text: string; values: unknown[]; rowMode: "array" }): Promise<{ rows: unknown[][] }>;
}

/** Postgres error classes that mean the database or the path to it is not there. */
const UNAVAILABLE_CLASSES = ["08", "53", "57"];

export function mapPgError(err: unknown): unknown {
  if (err instanceof StoreError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code.length === 5) {
    if (UNAVAILABLE_CLASSES.includes(code.slice(0, 2))) {
      return new StoreError("unavailable", "The database is unavailable: retry");
    }
    if (code === "40001" || code === "40P01") return new StoreError("conflict", "A concurrent write won: retry");
    // Data Postgres cannot hold, e.g. U+0000 in a JSONB string (22P05).
    if (code.startsWith("22")) return new StoreError("invalid", `Postgres cannot store this value: ${messageOf(err)}`);
    return err;
  }
  // No SQLSTATE: the socket, the WebSocket or the proxy failed.
  return new StoreError("unavailable", "The database is unavailable: retry");
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function run<R extends Row>(q: Querier, text: string, values: unknown[] = []): Promise<R[]> {
  try {
    return (await q.query<R>(text, values)).rows;
  } catch (err) {
    throw mapPgError(err);
  }
}

/** Rows as arrays, in column order: no object per row, for large results. */
export async function runArrays(q: Querier, text: string, values: unknown[]): Promise<unknown[][]> {
  try {
    return (await q.query({ text, values, rowMode: "array" })).rows;
  } catch (err) {
    throw mapPgError(err);
  }
}

/** Runs `fn` in one transaction: all of it commits, or (on any throw) none of it. */
export async function inTx<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw mapPgError(err);
  }
  let broken = false;
  // A connection cut mid-transaction makes the client emit "error"; the query that was running
  // rejects with it too, so the event itself needs no handling, only a listener.
  const ignore = () => {
    broken = true;
  };
  client.on("error", ignore);
  try {
    await run(client as unknown as Querier, "BEGIN");
    const out = await fn(client);
    await run(client as unknown as Querier, "COMMIT");
    return out;
  } catch (err) {
    try {
      await client.query("ROLLBACK");
    } catch {
      broken = true;
    }
    // Queries were mapped by `run`; anything else (a StoreError, a HaystackError) is the caller's.
    throw err;
  } finally {
    client.off("error", ignore);
    client.release(broken);
  }
}
