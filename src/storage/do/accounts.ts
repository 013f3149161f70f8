/**
 * Users, API keys and revocations of one project, in its auth object's SQLite. Plain data in and
 * out (base64 credentials), so every method crosses RPC unchanged.
 */
import type { Role } from "../../auth/roles.ts";
import { StoreError } from "../errors.ts";
import type { DoSql } from "./sql.ts";

/** SCRAM credentials as stored and as they cross RPC: byte fields in base64. */
export interface StoredCredentials {
  readonly salt: string;
  readonly iterations: number;
  readonly storedKey: string;
  readonly serverKey: string;
}

export interface UserRecord {
  readonly name: string;
  readonly role: Role;
  readonly rateLimit?: number;
  readonly created: number;
  readonly updated: number;
}

export interface AccountRecord extends UserRecord {
  readonly credentials: StoredCredentials;
}

export interface UserChange {
  readonly role?: Role;
  readonly credentials?: StoredCredentials;
  /** null removes the user's own limit. */
  readonly rateLimit?: number | null;
}

export interface KeyRecord {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly rateLimit?: number;
  readonly created: number;
  readonly revoked?: number;
}

export interface StoredKey extends KeyRecord {
  readonly hash: string;
}

export interface Revocations {
  readonly jtis: string[];
  /** That user's tokens issued at or before `before` are void. */
  readonly cutoffs: { name: string; before: number }[];
}

type UserRow = {
  name: string;
  role: string;
  salt: string;
  iterations: number;
  stored_key: string;
  server_key: string;
  rate_limit: number | null;
  created: number;
  updated: number;
};

type KeyRow = {
  id: string;
  name: string;
  role: string;
  hash: string;
  rate_limit: number | null;
  created: number;
  revoked: number | null;
};

const USER_COLS = "name, role, salt, iterations, stored_key, server_key, rate_limit, created, updated";
const KEY_COLS = "id, name, role, hash, rate_limit, created, revoked";

export class Accounts {
  constructor(private readonly sql: DoSql) {}

  account(name: string): AccountRecord | undefined {
    const r = this.sql.first<UserRow>(`SELECT ${USER_COLS} FROM users WHERE name = ?`, name);
    return r && { ...userOf(r), credentials: credsOf(r) };
  }

  users(): UserRecord[] {
    return this.sql.all<UserRow>(`SELECT ${USER_COLS} FROM users ORDER BY name`).map(userOf);
  }

  /** Creates the user (role and credentials required) or changes one. */
  putUser(name: string, change: UserChange, create: boolean, nowMs: number, tokenTtlMs: number): UserRecord {
    return this.sql.transaction(() => {
      const old = this.sql.first<UserRow>(`SELECT ${USER_COLS} FROM users WHERE name = ?`, name);
      if (create && old) throw new StoreError("duplicate", `User ${name} already exists`);
      if (!create && !old) throw new StoreError("not_found", `No user named ${name}`);
      const creds = change.credentials ?? (old && credsOf(old));
      const role = change.role ?? (old?.role as Role | undefined);
      if (!creds || !role) throw new StoreError("invalid", "A new user needs a password and a role");
      const rate = change.rateLimit === undefined ? (old?.rate_limit ?? null) : change.rateLimit;
      this.sql.run(
        `INSERT INTO users (${USER_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET ` +
          "role = excluded.role, salt = excluded.salt, iterations = excluded.iterations, " +
          "stored_key = excluded.stored_key, server_key = excluded.server_key, rate_limit = excluded.rate_limit, " +
          "updated = excluded.updated",
        name,
        role,
        creds.salt,
        creds.iterations,
        creds.storedKey,
        creds.serverKey,
        rate,
        old?.created ?? nowMs,
        nowMs,
      );
      // Tokens carry the role and limit they were issued with: any change voids them.
      if (old) this.#cutOff(name, nowMs, tokenTtlMs);
      return userOf(this.sql.first<UserRow>(`SELECT ${USER_COLS} FROM users WHERE name = ?`, name) as UserRow);
    });
  }

  deleteUser(name: string, nowMs: number, tokenTtlMs: number): void {
    this.sql.transaction(() => {
      const gone = this.sql.all("DELETE FROM users WHERE name = ? RETURNING name", name);
      if (gone.length === 0) throw new StoreError("not_found", `No user named ${name}`);
      this.#cutOff(name, nowMs, tokenTtlMs);
    });
  }

  revokeToken(jti: string, exp: number): void {
    this.sql.run("INSERT OR IGNORE INTO revoked_tokens (jti, exp) VALUES (?, ?)", jti, exp);
  }

  /** Everything still in force at `nowMs`; spent entries are dropped on the way. */
  revocations(nowMs: number): Revocations {
    this.sql.run("DELETE FROM revoked_tokens WHERE exp <= ?", nowMs);
    this.sql.run("DELETE FROM user_cutoffs WHERE exp <= ?", nowMs);
    return {
      jtis: this.sql.all<{ jti: string }>("SELECT jti FROM revoked_tokens").map((r) => r.jti),
      cutoffs: this.sql.all<{ name: string; before: number }>("SELECT name, before FROM user_cutoffs"),
    };
  }

  createKey(key: StoredKey): KeyRecord {
    this.sql.run(
      `INSERT INTO api_keys (${KEY_COLS}) VALUES (?, ?, ?, ?, ?, ?, NULL)`,
      key.id,
      key.name,
      key.role,
      key.hash,
      key.rateLimit ?? null,
      key.created,
    );
    return publicKey(key);
  }

  key(id: string): StoredKey | undefined {
    const r = this.sql.first<KeyRow>(`SELECT ${KEY_COLS} FROM api_keys WHERE id = ?`, id);
    return r && { ...keyOf(r), hash: r.hash };
  }

  keys(): KeyRecord[] {
    return this.sql.all<KeyRow>(`SELECT ${KEY_COLS} FROM api_keys ORDER BY created, id`).map(keyOf);
  }

  revokeKey(id: string, nowMs: number): KeyRecord {
    const r = this.sql.first<KeyRow>(
      `UPDATE api_keys SET revoked = coalesce(revoked, ?) WHERE id = ? RETURNING ${KEY_COLS}`,
      nowMs,
      id,
    );
    if (!r) throw new StoreError("not_found", `No API key ${id}`);
    return keyOf(r);
  }

  #cutOff(name: string, nowMs: number, tokenTtlMs: number): void {
    this.sql.run(
      "INSERT INTO user_cutoffs (name, before, exp) VALUES (?, ?, ?) " +
        "ON CONFLICT (name) DO UPDATE SET before = excluded.before, exp = max(exp, excluded.exp)",
      name,
      nowMs,
      nowMs + tokenTtlMs,
    );
  }
}

function userOf(r: UserRow): UserRecord {
  return {
    name: r.name,
    role: r.role as Role,
    ...(r.rate_limit === null ? {} : { rateLimit: r.rate_limit }),
    created: r.created,
    updated: r.updated,
  };
}

function credsOf(r: UserRow): StoredCredentials {
  return { salt: r.salt, iterations: r.iterations, storedKey: r.stored_key, serverKey: r.server_key };
}

function keyOf(r: KeyRow): KeyRecord {
  return {
    id: r.id,
    name: r.name,
    role: r.role as Role,
    ...(r.rate_limit === null ? {} : { rateLimit: r.rate_limit }),
    created: r.created,
    ...(r.revoked === null ? {} : { revoked: r.revoked }),
  };
}

function publicKey(k: StoredKey): KeyRecord {
  const { hash: _hash, ...rest } = k;
  return rest;
}
