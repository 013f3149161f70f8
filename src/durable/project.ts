import { DurableObject } from "cloudflare:workers";
import type { Env } from "../config.ts";
import { DoSql } from "../storage/do/sql.ts";

/**
 * Schema steps, applied in order; step i brings the schema to version i + 1. Append only: a
 * deployed step is never edited, because objects already past it would not see the change.
 */
const SCHEMA: readonly (readonly string[])[] = [
  // v1: the ledger that holds the schema version itself.
  ["CREATE TABLE hayloft_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT"],
];

export const SCHEMA_VERSION = SCHEMA.length;

/**
 * One object per Haystack project. A thin shell: it owns the platform entry points and the SQL
 * handle; behaviour (watches, entities, history) arrives in plain modules in later issues.
 */
export class ProjectObject extends DurableObject<Env> {
  readonly #sql: DoSql;
  #schemaVersion = 0;
  #startError: unknown;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = new DoSql(ctx.storage);
    void ctx.blockConcurrencyWhile(async () => this.#start());
  }

  override async fetch(request: Request): Promise<Response> {
    await this.#ready();
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/schema") {
      return Response.json({ version: this.#schemaVersion });
    }
    return Response.json(
      { error: { code: "not_found", message: `No internal route ${url.pathname}` } },
      { status: 404 },
    );
  }

  // A throw inside blockConcurrencyWhile resets the object and hides the cause from the caller, so
  // start-up records its error instead; the next request retries and, failing again, re-throws it.
  async #start(): Promise<void> {
    try {
      this.#schemaVersion = migrate(this.#sql);
      this.#startError = undefined;
    } catch (err) {
      this.#startError = err;
    }
  }

  async #ready(): Promise<void> {
    if (this.#startError === undefined) return;
    await this.ctx.blockConcurrencyWhile(async () => this.#start());
    if (this.#startError !== undefined) throw this.#startError;
  }
}

/** Brings the schema up to SCHEMA_VERSION, each step atomic with its version row. */
function migrate(sql: DoSql): number {
  const fresh = !sql.first("SELECT 1 AS one FROM sqlite_master WHERE type = 'table' AND name = 'hayloft_meta'");
  const row = fresh
    ? undefined
    : sql.first<{ value: string }>("SELECT value FROM hayloft_meta WHERE key = 'schema_version'");
  let version = row ? Number(row.value) : 0;
  if (version > SCHEMA.length) {
    throw new Error(`Stored schema version ${version} is newer than this build's ${SCHEMA.length}: refusing to run`);
  }
  for (; version < SCHEMA.length; version++) {
    const step = SCHEMA[version] ?? [];
    sql.transaction(() => {
      for (const statement of step) sql.run(statement);
      sql.run(
        "INSERT INTO hayloft_meta (key, value) VALUES ('schema_version', ?) " +
          "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        String(version + 1),
      );
    });
  }
  return version;
}
