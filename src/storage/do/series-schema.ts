/**
 * The schema of a series store's Durable Object (one object per project and store), as
 * append-only steps for SqlObject. Step 1 is the meta table every Hayloft object has.
 *
 * Step 2, the store (do/series.ts):
 * - `ts_store`: one row: the definition (null until defined, and again after a drop), the change
 *   sequence and the last commit's time in µs. The sequence and the time survive a drop, so a feed
 *   reader's cursor from before never hides what a re-created store writes.
 * - `ts_chunks`: one row per (series key, chunk index); `seq` is unique (one number per written
 *   chunk). Blobs sit last in the row so listings that skip them never read their overflow pages.
 * - `ts_series`: irregular series by (key, version).
 * - `ts_parts`: what does not fit under DO SQLite's 2 MB row limit (do/series-blobs.ts): the
 *   parts after the first of a blob, by (column, key, n, part); column 0 is a chunk's data
 *   (n = its index), 1 and 2 a series' index and values (n = its version).
 * - `ts_sources`: sync sources, their definition and state.
 */
export const SERIES_SCHEMA: readonly (readonly string[])[] = [
  ["CREATE TABLE hayloft_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT"],
  [
    "CREATE TABLE ts_store (one INTEGER PRIMARY KEY CHECK (one = 1), def TEXT, created_ms INTEGER, " +
      "seq INTEGER NOT NULL, last_us INTEGER NOT NULL) STRICT",
    "INSERT INTO ts_store (one, def, created_ms, seq, last_us) VALUES (1, NULL, NULL, 0, 0)",
    "CREATE TABLE ts_chunks (key TEXT NOT NULL, chunk_index INTEGER NOT NULL, start_ms INTEGER NOT NULL, " +
      "dtype TEXT NOT NULL, deleted INTEGER NOT NULL, updated_us INTEGER NOT NULL, seq INTEGER NOT NULL, " +
      "parts INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (key, chunk_index)) STRICT",
    "CREATE UNIQUE INDEX ts_chunks_seq ON ts_chunks (seq)",
    "CREATE INDEX ts_chunks_updated ON ts_chunks (updated_us, key, chunk_index)",
    "CREATE TABLE ts_series (key TEXT NOT NULL, version INTEGER NOT NULL, count INTEGER NOT NULL, " +
      "updated_us INTEGER NOT NULL, index_parts INTEGER NOT NULL, values_parts INTEGER NOT NULL, " +
      "idx BLOB NOT NULL, vals BLOB NOT NULL, PRIMARY KEY (key, version)) STRICT",
    "CREATE TABLE ts_parts (col INTEGER NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL, part INTEGER NOT NULL, " +
      "bytes BLOB NOT NULL, PRIMARY KEY (col, key, n, part)) STRICT",
    "CREATE TABLE ts_sources (name TEXT PRIMARY KEY, url TEXT NOT NULL, protocol TEXT NOT NULL, " +
      "token_secret TEXT, filters TEXT NOT NULL, every_s INTEGER NOT NULL, page_size INTEGER, batch INTEGER, cursor TEXT, " +
      "last_success_ms INTEGER, last_error_ms INTEGER, last_error TEXT, failures INTEGER NOT NULL, " +
      "next_due_ms INTEGER) STRICT",
  ],
];
