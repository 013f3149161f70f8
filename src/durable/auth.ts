import { DurableObject } from "cloudflare:workers";
import type { Env } from "../config.ts";
import {
  type AccountRecord,
  Accounts,
  type KeyRecord,
  type Revocations,
  type StoredKey,
  type UserChange,
  type UserRecord,
} from "../storage/do/accounts.ts";
import { ACCOUNTS_SCHEMA } from "../storage/do/accounts-schema.ts";
import { migrate } from "../storage/do/migrate.ts";
import { DoSql } from "../storage/do/sql.ts";
import { guard, type Wire } from "../storage/wire.ts";

/**
 * One object per project holding its users, API keys and revocations. Kept apart from the
 * project object so logins and revocation checks never queue behind a large history write.
 */
export class AuthObject extends DurableObject<Env> {
  readonly #sql: DoSql;
  #ready: Accounts | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = new DoSql(ctx.storage);
  }

  // Migration is synchronous, so running it on first use needs no input gate, and a failure
  // reaches the caller that hit it (and is retried by the next) instead of resetting the object.
  get #accounts(): Accounts {
    if (!this.#ready) {
      migrate(this.#sql, ACCOUNTS_SCHEMA);
      this.#ready = new Accounts(this.#sql);
    }
    return this.#ready;
  }

  async account(name: string): Promise<AccountRecord | null> {
    return this.#accounts.account(name) ?? null;
  }

  async users(): Promise<UserRecord[]> {
    return this.#accounts.users();
  }

  async putUser(
    name: string,
    change: UserChange,
    create: boolean,
    nowMs: number,
    tokenTtlMs: number,
  ): Promise<Wire<UserRecord>> {
    return guard(() => this.#accounts.putUser(name, change, create, nowMs, tokenTtlMs));
  }

  async deleteUser(name: string, nowMs: number, tokenTtlMs: number): Promise<Wire<null>> {
    return guard(() => {
      this.#accounts.deleteUser(name, nowMs, tokenTtlMs);
      return null;
    });
  }

  async revokeToken(jti: string, exp: number): Promise<void> {
    this.#accounts.revokeToken(jti, exp);
  }

  async revocations(nowMs: number): Promise<Revocations> {
    return this.#accounts.revocations(nowMs);
  }

  async createKey(key: StoredKey): Promise<KeyRecord> {
    return this.#accounts.createKey(key);
  }

  async key(id: string): Promise<StoredKey | null> {
    return this.#accounts.key(id) ?? null;
  }

  async keys(): Promise<KeyRecord[]> {
    return this.#accounts.keys();
  }

  async revokeKey(id: string, nowMs: number): Promise<Wire<KeyRecord>> {
    return guard(() => this.#accounts.revokeKey(id, nowMs));
  }
}
