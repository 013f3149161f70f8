/**
 * SQL pieces of the frames port on Postgres (frames.ts): a collection's key, its commit lock, JSON
 * in and out of jsonb, and rows back as the port's shapes. Every statement starts `project = $1
 * AND collection = $2`, the leading columns of every fr_* key.
 */
import type { Schema } from "../../frames/model.ts";
import type {
  CollectionRecord,
  ItemRecord,
  Json,
  SegmentRecord,
  SnapshotHead,
  Strategy,
  VersionHead,
  VersionOp,
  VersionRecord,
} from "../frames-port.ts";
import { fromJsonb, toJsonb } from "./nul.ts";
import { Params } from "./series-sql.ts";
import { type Querier, run } from "./sql.ts";

/** Which collection of which project: the first two columns of every frames table. */
export interface CollectionKey {
  readonly project: string;
  readonly collection: string;
}

/** Parameters of a statement on `k`: `$1` the project, `$2` the collection. */
export function params(k: CollectionKey, ...more: unknown[]): Params {
  return new Params(k.project, k.collection, ...more);
}

export type JsonObject = { readonly [k: string]: Json };

/** JSON as text for a `$n::jsonb` parameter (a string holding U+0000 wrapped, see nul.ts). */
export function jsonParam(v: Json | JsonObject | Schema | SegmentRecord): string {
  return toJsonb(JSON.stringify(v));
}

/** A jsonb column read as `col::text`, back as the JSON that was stored. */
export function jsonOf<T>(text: string): T {
  return JSON.parse(fromJsonb(text)) as T;
}

/**
 * `ctid = ANY(...)`: the rows of `table` whose two last key columns `cols` hold the pairs
 * (`a[i]`, `b[i]`), each found by one lookup of its whole key. Written so because Postgres never
 * turns a scalar subquery into a join, and a join of the table with `unnest` is planned, when
 * statistics are missing or the key's columns fool them (a new table, a new item, one collection
 * among many), as a nested loop that scans the other side for every row: quadratic, seconds for
 * ten thousand segments. The condition must be the statement's only one on the key columns, or
 * the planner may prefer an index on those and test `ctid` row by row. Only for statements under
 * `lockCollection`, so no row moves meanwhile.
 */
export function keyedRows(
  p: Params,
  table: "fr_versions" | "fr_segments",
  cols: readonly [string, string],
  a: readonly string[],
  b: readonly (string | number)[],
): string {
  const bType = table === "fr_versions" ? "int" : "text";
  return (
    `ctid = ANY(ARRAY(SELECT (SELECT x.ctid FROM ${table} x WHERE x.project = $1 AND x.collection = $2 ` +
    `AND x.${cols[0]} = u.a AND x.${cols[1]} = u.b) FROM unnest(${p.add(a)}::text[], ${p.add(b)}::${bType}[]) AS u(a, b)))`
  );
}

/**
 * Serialises every commit, sweep and drop of one collection, across Workers, until the
 * transaction ends. An advisory lock rather than `FOR UPDATE` on the collection's row: a commit
 * that creates the collection has no row to lock yet. Distinct collections hashing alike only
 * wait for each other.
 */
export async function lockCollection(q: Querier, k: CollectionKey): Promise<void> {
  await run(q, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
    `hayloft.frames:${JSON.stringify([k.project, k.collection])}`,
  ]);
}

/**
 * Removes everything in the collection and its row, in the order the NO ACTION keys need
 * (schema.ts); returns how many segments versions still listed. Runs under `lockCollection`.
 */
export async function emptyCollection(q: Querier, k: CollectionKey): Promise<number> {
  const p = [k.project, k.collection];
  const [listed] = await run<{ n: string }>(
    q,
    "SELECT count(*) AS n FROM fr_segments WHERE project = $1 AND collection = $2 AND staged_ms IS NULL",
    p,
  );
  for (const t of ["fr_snapshot_versions", "fr_snapshots", "fr_items", "fr_segments", "fr_collections"]) {
    await run(q, `DELETE FROM ${t} WHERE project = $1 AND collection = $2`, p);
  }
  return Number(listed?.n ?? 0);
}

export const COLLECTION_COLS = "created_ms, rules::text AS rules, metadata::text AS metadata";

export interface CollectionRow {
  created_ms: string;
  rules: string;
  metadata: string;
  [col: string]: unknown;
}

export function collectionOf(r: CollectionRow): CollectionRecord {
  return { createdMs: Number(r.created_ms), rules: jsonOf(r.rules), metadata: jsonOf(r.metadata) };
}

export const ITEM_COLS = "name, latest, next_version, strategy, metadata::text AS metadata, updated_ms";

export interface ItemRow {
  name: string;
  latest: number | null;
  next_version: number;
  strategy: string;
  metadata: string;
  updated_ms: string;
  [col: string]: unknown;
}

export function itemOf(r: ItemRow): ItemRecord {
  return {
    name: r.name,
    latest: r.latest,
    nextVersion: r.next_version,
    strategy: r.strategy as Strategy,
    metadata: jsonOf(r.metadata),
    updatedMs: Number(r.updated_ms),
  };
}

/** A version's head columns on alias `v`, with the names of the snapshots naming it. */
export const HEAD_COLS =
  "v.item, v.version, v.created_ms, v.op, v.rows, ARRAY(SELECT sv.snapshot FROM fr_snapshot_versions sv " +
  "WHERE sv.project = v.project AND sv.collection = v.collection AND sv.item = v.item AND sv.version = v.version " +
  "ORDER BY sv.snapshot) AS snapshots";

/**
 * The head, the rest of the record, and its segments' records in order, in one statement: one
 * snapshot of the database, so a commit between two reads can never show half of a version.
 * Each link's record is a scalar subquery on the segment's whole key: a join here is planned as
 * a nested loop over the item's segments when statistics are missing (a new table or item), which
 * is quadratic (11 s for 10,000 segments); the subquery is one key lookup per link whatever the
 * statistics say.
 */
export const RECORD_COLS =
  `${HEAD_COLS}, v.schema::text AS schema, v.zone, v.metadata::text AS metadata, ` +
  "(SELECT coalesce(jsonb_agg((SELECT s.record FROM fr_segments s WHERE s.project = vs.project " +
  "AND s.collection = vs.collection AND s.item = vs.item AND s.id = vs.segment) ORDER BY vs.ord), '[]'::jsonb) " +
  "FROM fr_version_segments vs WHERE vs.project = v.project AND vs.collection = v.collection " +
  "AND vs.item = v.item AND vs.version = v.version)::text AS segments";

export interface HeadRow {
  item: string;
  version: number;
  created_ms: string;
  op: string;
  rows: string;
  snapshots: string[];
  [col: string]: unknown;
}

export interface RecordRow extends HeadRow {
  schema: string;
  zone: string | null;
  metadata: string;
  segments: string;
}

export function headOf(r: HeadRow): VersionHead {
  return {
    item: r.item,
    version: r.version,
    createdMs: Number(r.created_ms),
    op: r.op as VersionOp,
    rows: Number(r.rows),
    snapshots: r.snapshots,
  };
}

export function recordOf(r: RecordRow): VersionRecord {
  return {
    ...headOf(r),
    schema: jsonOf(r.schema),
    ...(r.zone === null ? {} : { zone: r.zone }),
    metadata: jsonOf(r.metadata),
    segments: jsonOf(r.segments),
  };
}

/**
 * A snapshot's head on alias `s`. The counts of items come from one pass over the collection's
 * snapshot names, an uncorrelated subquery that runs once per statement (an InitPlan), not once
 * per snapshot (fr_snapshot_versions has no index by snapshot, see schema.ts).
 */
export const SNAPSHOT_COLS =
  "s.name, s.created_ms, s.metadata::text AS metadata, coalesce(((SELECT jsonb_object_agg(g.snapshot, g.n) " +
  "FROM (SELECT sv.snapshot, count(*) AS n FROM fr_snapshot_versions sv WHERE sv.project = $1 " +
  "AND sv.collection = $2 GROUP BY sv.snapshot) g) ->> s.name)::bigint, 0) AS items";

export interface SnapshotRow {
  name: string;
  created_ms: string;
  metadata: string;
  items: string;
  [col: string]: unknown;
}

export function snapshotHeadOf(r: SnapshotRow): SnapshotHead {
  return { name: r.name, createdMs: Number(r.created_ms), metadata: jsonOf(r.metadata), items: Number(r.items) };
}
