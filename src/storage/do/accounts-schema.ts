/**
 * The auth object's SQLite schema (one object per project), as append-only steps like SCHEMA:
 * users, machine API keys and the revocations Workers poll.
 */
export const ACCOUNTS_SCHEMA: readonly (readonly string[])[] = [
  ["CREATE TABLE hayloft_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT"],
  [
    // SCRAM credentials only (RFC 5802 StoredKey/ServerKey, base64): never a password.
    "CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, salt TEXT NOT NULL, " +
      "iterations INTEGER NOT NULL, stored_key TEXT NOT NULL, server_key TEXT NOT NULL, " +
      "rate_limit INTEGER, created INTEGER NOT NULL, updated INTEGER NOT NULL) STRICT",
    // `hash` is the SHA-256 of the key's random secret; `revoked` the instant it was revoked.
    "CREATE TABLE api_keys (id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, hash TEXT NOT NULL, " +
      "rate_limit INTEGER, created INTEGER NOT NULL, revoked INTEGER) STRICT",
    // Revoked session tokens, kept until they would have expired anyway.
    "CREATE TABLE revoked_tokens (jti TEXT PRIMARY KEY, exp INTEGER NOT NULL) STRICT",
    // A user's tokens issued at or before `before` are void (password or role changed, user removed).
    "CREATE TABLE user_cutoffs (name TEXT PRIMARY KEY, before INTEGER NOT NULL, exp INTEGER NOT NULL) STRICT",
  ],
];
