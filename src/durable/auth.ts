import type { Clock } from "../clock.ts";
import type { Env } from "../env.ts";
import type { AuthObjectRpc } from "../objects.ts";
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
import { guard, type Wire } from "../storage/wire.ts";
import { SqlObject } from "./shell.ts";

/**
 * One object per project holding its users, API keys and revocations. Kept apart from the
 * project object so logins and revocation checks never queue behind a large history write.
 */
export class AuthObject extends SqlObject implements AuthObjectRpc {
  readonly #accounts: Accounts;

  constructor(ctx: DurableObjectState, env: Env, clock: Clock) {
    super(ctx, env, ACCOUNTS_SCHEMA, clock);
    this.#accounts = new Accounts(this.sql);
  }

  async account(name: string): Promise<AccountRecord | null> {
    await this.ready();
    return this.#accounts.account(name) ?? null;
  }

  async users(): Promise<UserRecord[]> {
    await this.ready();
    return this.#accounts.users();
  }

  async putUser(
    name: string,
    change: UserChange,
    create: boolean,
    nowMs: number,
    tokenTtlMs: number,
  ): Promise<Wire<UserRecord>> {
    await this.ready();
    return guard(() => this.#accounts.putUser(name, change, create, nowMs, tokenTtlMs));
  }

  async deleteUser(name: string, nowMs: number, tokenTtlMs: number): Promise<Wire<null>> {
    await this.ready();
    return guard(() => {
      this.#accounts.deleteUser(name, nowMs, tokenTtlMs);
      return null;
    });
  }

  async revokeToken(jti: string, exp: number): Promise<void> {
    await this.ready();
    this.#accounts.revokeToken(jti, exp);
  }

  async revocations(nowMs: number): Promise<Revocations> {
    await this.ready();
    return this.#accounts.revocations(nowMs);
  }

  async createKey(key: StoredKey): Promise<KeyRecord> {
    await this.ready();
    return this.#accounts.createKey(key);
  }

  async key(id: string): Promise<StoredKey | null> {
    await this.ready();
    return this.#accounts.key(id) ?? null;
  }

  async keys(): Promise<KeyRecord[]> {
    await this.ready();
    return this.#accounts.keys();
  }

  async revokeKey(id: string, nowMs: number): Promise<Wire<KeyRecord>> {
    await this.ready();
    return guard(() => this.#accounts.revokeKey(id, nowMs));
  }
}
