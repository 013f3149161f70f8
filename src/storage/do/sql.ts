/**
 * The one door to Durable Object SQLite. Every statement goes through here so that a failure
 * names the query that caused it, and so the platform limits below are checked in one place.
 *
 * DO SQLite allows at most 100 bound parameters per statement (Cloudflare's documented limit for
 * SQLite-backed Durable Objects). Bulk writes must be chunked: e.g. 33 rows of 3 columns per
 * INSERT, inside one `transaction()` so the batch stays all-or-nothing.
 *
 * Identifiers are never parameters: they are written into the query text by our own code and must
 * never come from request input. Values are always bound.
 */

export type SqlValue = ArrayBuffer | string | number | null;
export type SqlRow = Record<string, SqlValue>;

export const MAX_BOUND_PARAMS = 100;

/** A statement that failed or was refused; carries the query text (never the bound values). */
export class SqlError extends Error {
  readonly query: string;
  constructor(message: string, query: string, options?: ErrorOptions) {
    super(`${message} [sql: ${query}]`, options);
    this.name = "SqlError";
    this.query = query;
  }
}

export class DoSql {
  readonly #storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
  }

  /** All rows of a query. For large results prefer `iterate`, which does not hold them all. */
  all<R extends SqlRow>(query: string, ...params: SqlValue[]): R[] {
    return this.#exec<R, R[]>(query, params, (c) => c.toArray());
  }

  /** The first row, or undefined when there is none. */
  first<R extends SqlRow>(query: string, ...params: SqlValue[]): R | undefined {
    return this.#exec<R, R | undefined>(query, params, (c) => {
      const step = c.next();
      return step.done ? undefined : step.value;
    });
  }

  /**
   * Rows one at a time, for streaming a scan into a response.
   * Errors raised while stepping also carry the query text.
   */
  *iterate<R extends SqlRow>(query: string, ...params: SqlValue[]): Generator<R, void, undefined> {
    const cursor = this.#exec<R, SqlStorageCursor<R>>(query, params, (c) => c);
    for (;;) {
      let step: ReturnType<typeof cursor.next>;
      try {
        step = cursor.next();
      } catch (err) {
        throw wrap(err, query);
      }
      if (step.done) return;
      yield step.value;
    }
  }

  /**
   * Runs a statement for its effect. No count is returned: the cursor's rowsWritten is the billed
   * figure, which counts index entries too; use `RETURNING` with `all` to learn what changed.
   */
  run(query: string, ...params: SqlValue[]): void {
    // Consume the cursor so the statement has run to completion before we return.
    this.#exec<SqlRow, SqlRow[]>(query, params, (c) => c.toArray());
  }

  /** Runs `fn` atomically: if it throws, every statement in it is rolled back. */
  transaction<T>(fn: () => T): T {
    return this.#storage.transactionSync(fn);
  }

  #exec<R extends SqlRow, T>(query: string, params: SqlValue[], use: (cursor: SqlStorageCursor<R>) => T): T {
    if (params.length > MAX_BOUND_PARAMS) {
      throw new SqlError(`${params.length} bound parameters exceed the DO SQLite limit of ${MAX_BOUND_PARAMS}`, query);
    }
    try {
      return use(this.#storage.sql.exec<R>(query, ...params));
    } catch (err) {
      throw wrap(err, query);
    }
  }
}

function wrap(err: unknown, query: string): SqlError {
  if (err instanceof SqlError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SqlError(message, query, { cause: err });
}
