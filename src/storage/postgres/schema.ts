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
