/**
 * The schema of a frames collection's Durable Object (one object per project and collection), as
 * append-only steps for SqlObject. Step 1 is the meta table every Hayloft object has.
 *
 * Step 2, the collection (do/frames.ts):
 * - `fr_collection`: one row while the collection exists.
 * - `fr_items`: each item's head; `latest` is null once deleted, `next_version` never goes back.
 * - `fr_versions`: every stored version; `pruned` = 1 for one kept only because a snapshot names it.
 * - `fr_version_segments`: a version's segment list, one row per segment in index order. Not one
 *   JSON row: 10,000 segment ids would pass DO SQLite's 2 MB row limit.
 * - `fr_segments`: segment records by (item, id). `listed` turns 1 when a version first lists it:
 *   from then on the versions free it, and only never-listed (staged) ones are sweep's.
 * - `fr_blobs`: a segment's blobs by ordinal, in 1 MiB parts (part 0 always exists, empty for an
 *   empty blob), since a row may not pass 2 MB.
 * - `fr_item_meta`: the latest version's metadata of each live item, one row per top-level key
 *   with its value as canonical JSON, indexed by (key, value) so `items(where)` reads the index.
 * - `fr_snapshots` and `fr_snapshot_versions`: snapshots and the (item, version) each names.
 */
export const FRAMES_SCHEMA: readonly (readonly string[])[] = [
  ["CREATE TABLE hayloft_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT"],
  [
    "CREATE TABLE fr_collection (one INTEGER PRIMARY KEY CHECK (one = 1), created_ms INTEGER NOT NULL, " +
      "rules TEXT NOT NULL, metadata TEXT NOT NULL) STRICT",
    "CREATE TABLE fr_items (name TEXT PRIMARY KEY, latest INTEGER, next_version INTEGER NOT NULL, " +
      "strategy TEXT NOT NULL, metadata TEXT NOT NULL, updated_ms INTEGER NOT NULL) STRICT",
    "CREATE TABLE fr_versions (item TEXT NOT NULL, version INTEGER NOT NULL, created_ms INTEGER NOT NULL, " +
      "op TEXT NOT NULL, rows INTEGER NOT NULL, schema TEXT NOT NULL, zone TEXT, metadata TEXT NOT NULL, " +
      "pruned INTEGER NOT NULL, PRIMARY KEY (item, version)) STRICT",
    "CREATE INDEX fr_versions_at ON fr_versions (item, created_ms) WHERE pruned = 0",
    "CREATE TABLE fr_version_segments (item TEXT NOT NULL, version INTEGER NOT NULL, ord INTEGER NOT NULL, " +
      "segment TEXT NOT NULL, PRIMARY KEY (item, version, ord)) STRICT",
    "CREATE INDEX fr_version_segments_segment ON fr_version_segments (item, segment)",
    "CREATE TABLE fr_segments (item TEXT NOT NULL, id TEXT NOT NULL, record TEXT NOT NULL, " +
      "staged_ms INTEGER NOT NULL, listed INTEGER NOT NULL, PRIMARY KEY (item, id)) STRICT",
    "CREATE INDEX fr_segments_staged ON fr_segments (staged_ms) WHERE listed = 0",
    "CREATE TABLE fr_blobs (item TEXT NOT NULL, segment TEXT NOT NULL, ordinal INTEGER NOT NULL, " +
      "part INTEGER NOT NULL, bytes BLOB NOT NULL, PRIMARY KEY (item, segment, ordinal, part)) STRICT",
    "CREATE TABLE fr_item_meta (item TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, " +
      "PRIMARY KEY (item, key)) STRICT",
    "CREATE INDEX fr_item_meta_match ON fr_item_meta (key, value, item)",
    "CREATE TABLE fr_snapshots (name TEXT PRIMARY KEY, created_ms INTEGER NOT NULL, metadata TEXT NOT NULL, " +
      "items INTEGER NOT NULL) STRICT",
    "CREATE TABLE fr_snapshot_versions (snapshot TEXT NOT NULL, item TEXT NOT NULL, version INTEGER NOT NULL, " +
      "PRIMARY KEY (snapshot, item)) STRICT",
    "CREATE INDEX fr_snapshot_versions_version ON fr_snapshot_versions (item, version, snapshot)",
  ],
];

/** Every table of a collection, in the order a drop empties them. */
export const FRAMES_TABLES = [
  "fr_snapshot_versions",
  "fr_snapshots",
  "fr_item_meta",
  "fr_blobs",
  "fr_segments",
  "fr_version_segments",
  "fr_versions",
  "fr_items",
  "fr_collection",
] as const;
