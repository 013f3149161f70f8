/**
 * The Postgres schema (drizzle), one database for many projects: every table is keyed by project
 * first. Records keep their tags as JSONB in JSON v4 form, so filters compile to JSONB operators.
 * Migrations are generated from this file by drizzle-kit into migrations/.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  customType,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/** Records: `tags` is the record in JSON v4 (`id` included, as `{_kind:"ref",val}`); `mod` epoch ms. */
export const entities = pgTable(
  "entities",
  {
    project: text("project").notNull(),
    id: text("id").notNull(),
    tags: jsonb("tags").notNull(),
    mod: bigint("mod", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.project, t.id] }), index("entities_tags").using("gin", t.tags)],
);

/** A small integer per his point keeps the history key short. */
export const hisPoints = pgTable(
  "his_points",
  {
    pid: integer("pid").primaryKey().generatedAlwaysAsIdentity(),
    project: text("project").notNull(),
    id: text("id").notNull(),
  },
  (t) => [uniqueIndex("his_points_key").on(t.project, t.id)],
);

/** `history.kind`: what a sample holds and which columns carry it. */
export const KIND_NUMBER = 0;
export const KIND_BOOL = 1;
export const KIND_STR = 2;
/** A Str holding U+0000, which Postgres text cannot: kept in `str` as its JSON string literal. */
export const KIND_STR_JSON = 3;

/**
 * Samples: `kind` 0 number (`num`, `unit`), 1 bool (`bool`), 2 str (`str`), 3 a str holding U+0000
 * (which text cannot), kept in `str` as its JSON literal.
 */
export const history = pgTable(
  "history",
  {
    pid: integer("pid").notNull(),
    ts: timestamp("ts", { withTimezone: true, mode: "string", precision: 3 }).notNull(),
    kind: smallint("kind").notNull(),
    num: doublePrecision("num"),
    unit: text("unit"),
    bool: boolean("bool"),
    str: text("str"),
  },
  (t) => [primaryKey({ columns: [t.pid, t.ts] })],
);

/** Priority arrays in their JSON v4 storage form; `next_expiry` the earliest pending level-8 end. */
export const pointArrays = pgTable(
  "point_arrays",
  {
    project: text("project").notNull(),
    id: text("id").notNull(),
    levels: jsonb("levels").notNull(),
    nextExpiry: bigint("next_expiry", { mode: "number" }),
  },
  (t) => [
    primaryKey({ columns: [t.project, t.id] }),
    index("point_arrays_expiry").on(t.nextExpiry).where(sql`${t.nextExpiry} IS NOT NULL`),
  ],
);

/** The change feed: each record's latest change, and each project's sequence. */
export const changes = pgTable(
  "changes",
  {
    project: text("project").notNull(),
    id: text("id").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.project, t.id] })],
);

export const projects = pgTable("projects", {
  project: text("project").primaryKey(),
  seq: bigint("seq", { mode: "number" }).notNull().default(0),
});

/**
 * Series keys (series/model.ts keyText) compare byte by byte, as DO SQLite's BINARY collation
 * does, so key-ordered pages are the same on both backends whatever the database's collation.
 */
const seriesKey = customType<{ data: string; notNull: true }>({ dataType: () => 'text COLLATE "C"' });

/** Chunk frames and series blobs: raw bytes (bytea), opaque to the database. */
const bytes = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => "bytea" });

/**
 * Series stores: the definition (canonical JSON, null before it is defined and after a drop), the
 * change sequence and the last commit's time in µs. A write locks this row (`FOR UPDATE`), so
 * writes to a store are serialised and `seq` follows commit order. The row outlives a drop, so a
 * feed reader's cursor never hides what a re-created store writes.
 */
export const tsStores = pgTable(
  "ts_stores",
  {
    project: text("project").notNull(),
    store: text("store").notNull(),
    def: text("def"),
    createdMs: bigint("created_ms", { mode: "number" }),
    seq: bigint("seq", { mode: "number" }).notNull().default(0),
    lastUs: bigint("last_us", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.project, t.store] })],
);

/** Chunks of chunked stores: one LZ4 frame per (series key, chunk index); `seq` unique per store. */
export const tsChunks = pgTable(
  "ts_chunks",
  {
    project: text("project").notNull(),
    store: text("store").notNull(),
    key: seriesKey("key").notNull(),
    chunkIndex: integer("chunk_index").notNull(),
    startMs: bigint("start_ms", { mode: "number" }).notNull(),
    dtype: text("dtype").notNull(),
    deleted: boolean("deleted").notNull(),
    updatedUs: bigint("updated_us", { mode: "number" }).notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    data: bytes("data").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.project, t.store, t.key, t.chunkIndex] }),
    uniqueIndex("ts_chunks_seq").on(t.project, t.store, t.seq),
    index("ts_chunks_updated").on(t.project, t.store, t.updatedUs, t.key, t.chunkIndex),
  ],
);

/** Irregular series of versioned and series stores, by (key, version): index and values as LZ4 frames. */
export const tsSeries = pgTable(
  "ts_series",
  {
    project: text("project").notNull(),
    store: text("store").notNull(),
    key: seriesKey("key").notNull(),
    version: integer("version").notNull(),
    count: integer("count").notNull(),
    updatedUs: bigint("updated_us", { mode: "number" }).notNull(),
    idx: bytes("idx").notNull(),
    vals: bytes("vals").notNull(),
  },
  (t) => [primaryKey({ columns: [t.project, t.store, t.key, t.version] })],
);

/** Sync sources of a store: where scheduled pulls read from, and what they did. */
export const tsSources = pgTable(
  "ts_sources",
  {
    project: text("project").notNull(),
    store: text("store").notNull(),
    name: text("name").notNull(),
    url: text("url").notNull(),
    protocol: text("protocol").notNull(),
    tokenSecret: text("token_secret"),
    filters: jsonb("filters").notNull(),
    everyS: integer("every_s").notNull(),
    pageSize: integer("page_size"),
    batch: integer("batch"),
    cursor: text("cursor"),
    lastSuccessMs: bigint("last_success_ms", { mode: "number" }),
    lastErrorMs: bigint("last_error_ms", { mode: "number" }),
    lastError: text("last_error"),
    failures: integer("failures").notNull().default(0),
    nextDueMs: bigint("next_due_ms", { mode: "number" }),
  },
  (t) => [primaryKey({ columns: [t.project, t.store, t.name] })],
);

/*
 * Frame collections (storage/frames-port.ts), keyed by (project, collection) first. Names order
 * byte by byte (COLLATE "C"), as DO SQLite's BINARY does, so pages are the same on both backends.
 * Keys cascade down each path (item -> versions -> links, segment -> blobs), but a version a
 * snapshot names cannot be deleted (a NO ACTION key): a bug that drops a kept version fails
 * instead. So emptying a collection goes snapshots' names, snapshots, items, segments, then the
 * collection's row (frames-sql.ts `emptyCollection`). Why no key ties a link to its segment, nor
 * a snapshot's names to the snapshot: see fr_version_segments and fr_snapshot_versions.
 */
const name = customType<{ data: string; notNull: true }>({ dataType: () => 'text COLLATE "C"' });

/** A collection's definition. Commits serialise on an advisory lock of (project, collection). */
export const frCollections = pgTable(
  "fr_collections",
  {
    project: text("project").notNull(),
    collection: name("collection").notNull(),
    createdMs: bigint("created_ms", { mode: "number" }).notNull(),
    rules: jsonb("rules").notNull(),
    metadata: jsonb("metadata").notNull(),
  },
  (t) => [primaryKey({ columns: [t.project, t.collection] })],
);

/**
 * Items' heads. The row outlives a delete (latest null), so version numbers are never reused.
 * `metadata` is the latest version's: list-by-metadata is `metadata @> $1`, served by the GIN
 * index (jsonb_path_ops indexes exactly the containment operator).
 */
export const frItems = pgTable(
  "fr_items",
  {
    project: text("project").notNull(),
    collection: name("collection").notNull(),
    name: name("name").notNull(),
    latest: integer("latest"),
    nextVersion: integer("next_version").notNull(),
    strategy: text("strategy").notNull(),
    metadata: jsonb("metadata").notNull(),
    updatedMs: bigint("updated_ms", { mode: "number" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.project, t.collection, t.name] }),
    foreignKey({
      name: "fr_items_collection_fk",
      columns: [t.project, t.collection],
      foreignColumns: [frCollections.project, frCollections.collection],
    }).onDelete("cascade"),
    index("fr_items_metadata").using("gin", sql`${t.metadata} jsonb_path_ops`),
  ],
);

/** Versions of items; `pruned`: dropped, kept only because a snapshot names it. */
export const frVersions = pgTable(
  "fr_versions",
  {
    project: text("project").notNull(),
    collection: name("collection").notNull(),
    item: name("item").notNull(),
    version: integer("version").notNull(),
    createdMs: bigint("created_ms", { mode: "number" }).notNull(),
    op: text("op").notNull(),
    rows: bigint("rows", { mode: "number" }).notNull(),
    schema: jsonb("schema").notNull(),
    zone: text("zone"),
    metadata: jsonb("metadata").notNull(),
    pruned: boolean("pruned").notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.project, t.collection, t.item, t.version] }),
    foreignKey({
      name: "fr_versions_item_fk",
      columns: [t.project, t.collection, t.item],
      foreignColumns: [frItems.project, frItems.collection, frItems.name],
    }).onDelete("cascade"),
  ],
);

/**
 * Segments of items: the record (bounds, statistics) as JSON. `staged_ms` is set while no version
 * has listed the segment yet (a sweep frees it after its grace), null once one has.
 */
export const frSegments = pgTable(
  "fr_segments",
  {
    project: text("project").notNull(),
    collection: name("collection").notNull(),
    item: name("item").notNull(),
    id: text("id").notNull(),
    record: jsonb("record").notNull(),
    stagedMs: bigint("staged_ms", { mode: "number" }),
  },
  (t) => [
    primaryKey({ columns: [t.project, t.collection, t.item, t.id] }),
    foreignKey({
      name: "fr_segments_collection_fk",
      columns: [t.project, t.collection],
      foreignColumns: [frCollections.project, frCollections.collection],
    }).onDelete("cascade"),
    index("fr_segments_staged").on(t.project, t.collection, t.stagedMs).where(sql`${t.stagedMs} IS NOT NULL`),
  ],
);

/**
 * A version's segments in index order: one row per link, so a version costs no copy of data.
 * Only the primary key, on purpose: a second index led by (project, collection, item) ties with
 * it whenever statistics are stale (a young table, an item that just grew), and Postgres then
 * picks either, for the foreign-key checks and cascades it plans itself too: a version's links
 * scanned through the segment index, or a segment's through the version key, once per row
 * deleted, quadratic in the item's size (ten thousand segments: seconds, past the statement
 * limit). So no key points from a link to its segment either: a commit checks that every segment
 * it lists exists, under the collection's lock, and frees only segments no link names
 * (frames-segments.ts `freeUnlisted`, one hash anti-join per commit).
 */
export const frVersionSegments = pgTable(
  "fr_version_segments",
  {
    project: text("project").notNull(),
    collection: name("collection").notNull(),
    item: name("item").notNull(),
    version: integer("version").notNull(),
    ord: integer("ord").notNull(),
    segment: text("segment").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.project, t.collection, t.item, t.version, t.ord] }),
    foreignKey({
      name: "fr_version_segments_version_fk",
      columns: [t.project, t.collection, t.item, t.version],
      foreignColumns: [frVersions.project, frVersions.collection, frVersions.item, frVersions.version],
    }).onDelete("cascade"),
  ],
);

/** Column chunks of segments: ordinal 0 the index, i + 1 the segment's column i. */
export const frBlobs = pgTable(
  "fr_blobs",
  {
    project: text("project").notNull(),
    collection: name("collection").notNull(),
    item: name("item").notNull(),
    segment: text("segment").notNull(),
    ordinal: integer("ordinal").notNull(),
    bytes: bytes("bytes").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.project, t.collection, t.item, t.segment, t.ordinal] }),
    foreignKey({
      name: "fr_blobs_segment_fk",
      columns: [t.project, t.collection, t.item, t.segment],
      foreignColumns: [frSegments.project, frSegments.collection, frSegments.item, frSegments.id],
    }).onDelete("cascade"),
  ],
);

/** Snapshots: a name for one version of each of some items. */
export const frSnapshots = pgTable(
  "fr_snapshots",
  {
    project: text("project").notNull(),
    collection: name("collection").notNull(),
    name: name("name").notNull(),
    createdMs: bigint("created_ms", { mode: "number" }).notNull(),
    metadata: jsonb("metadata").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.project, t.collection, t.name] }),
    foreignKey({
      name: "fr_snapshots_collection_fk",
      columns: [t.project, t.collection],
      foreignColumns: [frCollections.project, frCollections.collection],
    }).onDelete("cascade"),
  ],
);

/**
 * The versions a snapshot names, keyed by version first: what pruning asks, once per version
 * ("does a snapshot name it?"), and the key a version's delete checks (a named version cannot be
 * deleted), is the primary key's prefix. No second index, for the reason fr_version_segments
 * gives; what is asked by snapshot (its versions, its drop, the counts) reads the collection's
 * rows once per call. No key to fr_snapshots either, whose cascade would read them once per
 * snapshot dropped: dropSnapshot and emptyCollection (frames-sql.ts) delete the rows themselves.
 */
export const frSnapshotVersions = pgTable(
  "fr_snapshot_versions",
  {
    project: text("project").notNull(),
    collection: name("collection").notNull(),
    item: name("item").notNull(),
    version: integer("version").notNull(),
    snapshot: name("snapshot").notNull(),
  },
  (t) => [
    primaryKey({ name: "fr_snapshot_versions_pk", columns: [t.project, t.collection, t.item, t.version, t.snapshot] }),
    foreignKey({
      name: "fr_snapshot_versions_version_fk",
      columns: [t.project, t.collection, t.item, t.version],
      foreignColumns: [frVersions.project, frVersions.collection, frVersions.item, frVersions.version],
    }),
  ],
);
