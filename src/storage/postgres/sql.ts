/**
 * The one door to Postgres for the stores: parameterized queries on a pool or a transaction's
 * client, with failures mapped once. A connection that cannot be made or is cut becomes
 * StoreError `unavailable` (HTTP 503); a statement past the time limit (`limitStatements`),
 * `timeout`; a transaction that fails rolls back, so nothing is half written. Replies carry our
 * messages only: what Postgres said (which can quote data and SQL) stays in `cause`, for logs.
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

/** SQLSTATE query_canceled: here, a statement stopped by `statement_timeout`. */
const QUERY_CANCELED = "57014";

/** Class 22 (data exceptions) by SQLSTATE: what the database could not handle, in our words. */
const DATA_EXCEPTIONS: Readonly<Record<string, string>> = {
  "22003": "a number out of the range it can handle",
  "22007": "a date or time it cannot read",
  "22008": "a date or time out of the range it can handle",
  "22P05": "text holding a character it cannot store",
};

/** The statement time limit of a pool's connections (`limitStatements`), kept for messages. */
const statementLimits = new WeakMap<object, number>();

/**
 * Bounds every statement on `pool`'s connections to `ms` milliseconds (0: no bound), from the
 * first: the limit is set on each connection as it opens, before any query of the caller waiting
 * for it. A statement past it fails with StoreError `timeout`, and the connection stays usable.
 * A session setting, not a startup parameter: Neon's proxy drops those and its PgBouncer
 * refuses them.
 */
export function limitStatements(pool: Pool, ms: number): void {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`bad statement timeout ${ms} ms`);
  statementLimits.set(pool, ms);
  pool.on("connect", (client: PoolClient) => {
    statementLimits.set(client, ms);
    // Only a broken connection fails this, and then the caller's query fails on it too.
    client.query("SELECT set_config('statement_timeout', $1, false)", [String(ms)]).catch(() => {});
  });
}

/**
 * A Postgres or driver failure as the StoreError a client may see (`cause` keeps the original);
 * anything else (a bug in our SQL) as it is, for the app's error handler to log and hide.
 * `q` is where it ran, to name its statement time limit.
 */
export function mapPgError(err: unknown, q?: object): unknown {
  if (err instanceof StoreError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code.length === 5) {
    if (code === QUERY_CANCELED) return new StoreError("timeout", timeoutMessage(q), { cause: err });
    if (UNAVAILABLE_CLASSES.includes(code.slice(0, 2))) {
      return new StoreError("unavailable", "The database is unavailable: retry", { cause: err });
    }
    if (code === "40001" || code === "40P01") {
      return new StoreError("conflict", "A concurrent write won: retry", { cause: err });
    }
    // Data Postgres cannot hold or compare, e.g. a JSON number past float8 in a filter (22003).
    if (code.startsWith("22")) {
      const what = DATA_EXCEPTIONS[code] ?? "a value it cannot handle";
      return new StoreError("invalid", `The database met ${what} in this request or the records it reads`, {
        cause: err,
      });
    }
    return err;
  }
  // No SQLSTATE: the socket, the WebSocket or the proxy failed.
  return new StoreError("unavailable", "The database is unavailable: retry", { cause: err });
}

function timeoutMessage(q: object | undefined): string {
  const ms = q === undefined ? undefined : statementLimits.get(q);
  const limit = ms === undefined ? "the statement time limit" : `${ms} ms`;
  return (
    `The query took longer than ${limit} (PG_STATEMENT_TIMEOUT_MS) and was stopped: ` +
    "ask for less, e.g. a narrower filter or range"
  );
}

export async function run<R extends Row>(q: Querier, text: string, values: unknown[] = []): Promise<R[]> {
  try {
    return (await q.query<R>(text, values)).rows;
  } catch (err) {
    throw mapPgError(err, q);
  }
}

/** Rows as arrays, in column order: no object per row, for large results. */
export async function runArrays(q: Querier, text: string, values: unknown[]): Promise<unknown[][]> {
  try {
    return (await q.query({ text, values, rowMode: "array" })).rows;
  } catch (err) {
    throw mapPgError(err, q);
  }
}

/** Runs `fn` in one transaction: all of it commits, or (on any throw) none of it. */
export async function inTx<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw mapPgError(err, pool);
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
