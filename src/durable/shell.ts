/**
 * What every Hayloft Durable Object shares: its SQLite behind DoSql, a schema brought up to date
 * at start (an error there is kept and the next call retries instead of the object being reset),
 * and the clock it reads. A face adds an object by extending this with its own schema steps.
 */
import { DurableObject } from "cloudflare:workers";
import type { Clock } from "../clock.ts";
import type { Env } from "../env.ts";
import { migrate } from "../storage/do/migrate.ts";
import { DoSql } from "../storage/do/sql.ts";

/** Append-only schema steps: step i brings an object to version i + 1 (step 1 creates hayloft_meta). */
export type Schema = readonly (readonly string[])[];

/**
 * Test hook: run an object on another clock (`runInDurableObject(stub, (o) => o[USE_CLOCK](c))`).
 * A symbol, so RPC callers cannot reach it.
 */
export const USE_CLOCK: unique symbol = Symbol("hayloft.useClock");

export abstract class SqlObject extends DurableObject<Env> {
  protected readonly sql: DoSql;
  protected clock: Clock;
  readonly #schema: Schema;
  #version = 0;
  #startError: unknown;

  constructor(ctx: DurableObjectState, env: Env, schema: Schema, clock: Clock) {
    super(ctx, env);
    this.sql = new DoSql(ctx.storage);
    this.clock = clock;
    this.#schema = schema;
    void ctx.blockConcurrencyWhile(async () => this.#start());
  }

  [USE_CLOCK](clock: Clock): void {
    this.clock = clock;
  }

  /** The schema version this object runs at. */
  protected get schemaVersion(): number {
    return this.#version;
  }

  /** Resolves once the schema is current; re-throws a start-up failure that a retry did not mend. */
  protected async ready(): Promise<void> {
    if (this.#startError === undefined) return;
    await this.ctx.blockConcurrencyWhile(async () => this.#start());
    if (this.#startError !== undefined) throw this.#startError;
  }

  // A throw inside blockConcurrencyWhile resets the object and hides the cause from the caller, so
  // start-up records its error instead; the next request retries and, failing again, re-throws it.
  async #start(): Promise<void> {
    try {
      this.#version = migrate(this.sql, this.#schema);
      this.#startError = undefined;
    } catch (err) {
      this.#startError = err;
    }
  }
}
