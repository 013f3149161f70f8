/**
 * The Postgres schema (drizzle), one database for many projects: every table is keyed by project
 * first. Records keep their tags as JSONB in JSON v4 form, so filters compile to JSONB operators.
 * Migrations are generated from this file by drizzle-kit into migrations/.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
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
