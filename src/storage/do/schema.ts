/**
 * The project object's SQLite schema, as append-only steps: step i brings the schema to version
 * i + 1. A deployed step is never edited, because objects already past it would not see the change.
 */
export const SCHEMA: readonly (readonly string[])[] = [
  // v1: the ledger that holds the schema version itself.
  ["CREATE TABLE hayloft_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT"],
  // v2: the Haystack project: entities, history, priority arrays, change feed, watches, alarm jobs.
  [
    // `tags` is the record as JSON v4 text; `mod` its last commit instant (epoch ms).
    "CREATE TABLE entities (id TEXT PRIMARY KEY, tags TEXT NOT NULL, mod INTEGER NOT NULL) STRICT",
    // The change feed: the sequence number of each entity's latest change.
    "CREATE TABLE changes (id TEXT PRIMARY KEY, seq INTEGER NOT NULL) STRICT",
    // History keys points by a small integer so the (point, ts) key stays short.
    "CREATE TABLE his_points (pid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE) STRICT",
    // k: 0 number (n, unit in s), 1 false, 2 true, 3 str (s). SQLite stores a NaN as NULL.
    "CREATE TABLE his (pid INTEGER NOT NULL, ts INTEGER NOT NULL, k INTEGER NOT NULL, n REAL, s TEXT, " +
      "PRIMARY KEY (pid, ts)) STRICT, WITHOUT ROWID",
    "CREATE TABLE point_arrays (id TEXT PRIMARY KEY, levels TEXT NOT NULL, next_expiry INTEGER) STRICT",
    "CREATE INDEX point_arrays_expiry ON point_arrays (next_expiry) WHERE next_expiry IS NOT NULL",
    "CREATE TABLE watches (id TEXT PRIMARY KEY, dis TEXT NOT NULL, lease_ms INTEGER NOT NULL, " +
      "expires INTEGER NOT NULL, cursor INTEGER NOT NULL) STRICT",
    "CREATE TABLE watch_ids (watch TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (watch, id)) STRICT, WITHOUT ROWID",
    // One alarm serves every timed job: lease expiry, level-8 override expiry.
    "CREATE TABLE jobs (kind TEXT NOT NULL, key TEXT NOT NULL, due INTEGER NOT NULL, PRIMARY KEY (kind, key)) STRICT",
    "CREATE INDEX jobs_due ON jobs (due)",
  ],
  // v3: a job that fails is kept and retried with backoff (src/durable/jobs.ts).
  ["ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0"],
  // v4: live watch sockets (src/watch/live-table.ts): who each is, its window, its ids and which wait.
  [
    "CREATE TABLE live_sockets (sock TEXT PRIMARY KEY, user TEXT NOT NULL, role TEXT NOT NULL, " +
      "authed INTEGER NOT NULL, deadline INTEGER NOT NULL, expires INTEGER, sent INTEGER NOT NULL, " +
      "acked INTEGER NOT NULL) STRICT",
    "CREATE TABLE live_ids (sock TEXT NOT NULL, id TEXT NOT NULL, pending INTEGER NOT NULL, " +
      "PRIMARY KEY (sock, id)) STRICT, WITHOUT ROWID",
    "CREATE INDEX live_ids_id ON live_ids (id)",
  ],
];

export const SCHEMA_VERSION = SCHEMA.length;
