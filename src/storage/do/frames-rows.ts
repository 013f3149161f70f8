/**
 * Reads of a frames collection's tables (do/frames-schema.ts) and their rows as port records.
 * Statements bind at most a where clause's 2 values per key (MAX_WHERE_KEYS) plus 3, under DO
 * SQLite's 100.
 */
import type { Schema } from "../../frames/model.ts";
import { StoreError } from "../errors.ts";
import type {
  CollectionRecord,
  ItemQuery,
  ItemRecord,
  Json,
  SegmentRecord,
  SnapshotHead,
  SnapshotRecord,
  Strategy,
  VersionHead,
  VersionOp,
  VersionRecord,
} from "../frames-port.ts";
import { canonicalJson } from "../rules/frames-plan.ts";
import type { DoSql, SqlValue } from "./sql.ts";

/** Most metadata keys one listing may match on: two bound values each, under the 100 allowed. */
export const MAX_WHERE_KEYS = 40;

type JsonObject = { readonly [k: string]: Json };

export type ItemRow = {
  name: string;
  latest: number | null;
  next_version: number;
  strategy: string;
  metadata: string;
  updated_ms: number;
};

type VersionRow = {
  item: string;
  version: number;
  created_ms: number;
  op: string;
  rows: number;
  schema: string;
  zone: string | null;
  metadata: string;
  pruned: number;
};

const VERSION_COLS = "item, version, created_ms, op, rows, schema, zone, metadata, pruned";
const ITEM_COLS = "name, latest, next_version, strategy, metadata, updated_ms";

export function collectionOf(sql: DoSql): CollectionRecord | null {
  const r = sql.first<{ created_ms: number; rules: string; metadata: string }>(
    "SELECT created_ms, rules, metadata FROM fr_collection WHERE one = 1",
  );
  if (!r) return null;
  return {
    createdMs: r.created_ms,
    rules: JSON.parse(r.rules) as Json[],
    metadata: JSON.parse(r.metadata) as JsonObject,
  };
}

export function itemRow(sql: DoSql, name: string): ItemRow | undefined {
  return sql.first<ItemRow>(`SELECT ${ITEM_COLS} FROM fr_items WHERE name = ?`, name);
}

export function itemOf(r: ItemRow): ItemRecord {
  return {
    name: r.name,
    latest: r.latest,
    nextVersion: r.next_version,
    strategy: r.strategy as Strategy,
    metadata: JSON.parse(r.metadata) as JsonObject,
    updatedMs: r.updated_ms,
  };
}

/**
 * The statement listing items in name order (SQLite's BINARY collation: UTF-8 bytes, i.e. code
 * points). With `where`, the first equality walks the (key, value, item) index in item order and
 * the rest are probes of the same index, so no item outside the first key's matches is read.
 */
export function itemsStatement(q: ItemQuery): { readonly query: string; readonly params: SqlValue[] } {
  const where = Object.entries(q.where ?? {});
  if (where.length > MAX_WHERE_KEYS) {
    throw new StoreError("invalid", `A listing may match at most ${MAX_WHERE_KEYS} metadata keys`);
  }
  const after = q.after ?? "";
  // A deleted item is listed (when asked) while a snapshot keeps one of its versions: every
  // version of a deleted item is pruned, so any row left is one a snapshot keeps.
  const live = q.deleted
    ? "(i.latest IS NOT NULL OR EXISTS (SELECT 1 FROM fr_versions v WHERE v.item = i.name))"
    : "i.latest IS NOT NULL";
  const cols = ITEM_COLS.split(", ")
    .map((c) => `i.${c}`)
    .join(", ");
  if (where.length === 0) {
    return {
      query: `SELECT ${cols} FROM fr_items i WHERE i.name > ? AND ${live} ORDER BY i.name LIMIT ?`,
      params: [after, q.limit],
    };
  }
  const [first, ...rest] = where as [[string, Json], ...[string, Json][]];
  const probes = rest.map((_, n) => {
    const m = `m${n + 1}`;
    return ` AND EXISTS (SELECT 1 FROM fr_item_meta ${m} WHERE ${m}.key = ? AND ${m}.value = ? AND ${m}.item = m0.item)`;
  });
  return {
    query:
      `SELECT ${cols} FROM fr_item_meta m0 JOIN fr_items i ON i.name = m0.item ` +
      `WHERE m0.key = ? AND m0.value = ? AND m0.item > ?${probes.join("")} AND ${live} ORDER BY m0.item LIMIT ?`,
    params: [first[0], canonicalJson(first[1]), after, ...rest.flatMap(([k, v]) => [k, canonicalJson(v)]), q.limit],
  };
}

export function listItems(sql: DoSql, q: ItemQuery): ItemRow[] {
  const { query, params } = itemsStatement(q);
  return sql.all<ItemRow>(query, ...params);
}

/** Replaces an item's indexed metadata with `metadata` (none for a deleted item); call in a transaction. */
export function indexMetadata(sql: DoSql, item: string, metadata: JsonObject): void {
  sql.run("DELETE FROM fr_item_meta WHERE item = ?", item);
  for (const [key, value] of Object.entries(metadata)) {
    sql.run("INSERT INTO fr_item_meta (item, key, value) VALUES (?, ?, ?)", item, key, canonicalJson(value));
  }
}

/** Snapshot names by version of one item (one version, or all). */
function snapshotsOf(sql: DoSql, item: string, version?: number): Map<number, string[]> {
  const rows =
    version === undefined
      ? sql.all<{ version: number; snapshot: string }>(
          "SELECT version, snapshot FROM fr_snapshot_versions WHERE item = ? ORDER BY snapshot",
          item,
        )
      : sql.all<{ version: number; snapshot: string }>(
          "SELECT version, snapshot FROM fr_snapshot_versions WHERE item = ? AND version = ? ORDER BY snapshot",
          item,
          version,
        );
  const out = new Map<number, string[]>();
  for (const r of rows) {
    const names = out.get(r.version);
    if (names) names.push(r.snapshot);
    else out.set(r.version, [r.snapshot]);
  }
  return out;
}

function headOf(r: VersionRow, snapshots: Map<number, string[]>): VersionHead {
  return {
    item: r.item,
    version: r.version,
    createdMs: r.created_ms,
    op: r.op as VersionOp,
    rows: r.rows,
    snapshots: snapshots.get(r.version) ?? [],
  };
}

/** The item's retained (unpruned) versions, newest first. */
export function versionHeads(sql: DoSql, item: string): VersionHead[] {
  const rows = sql.all<VersionRow>(
    `SELECT ${VERSION_COLS} FROM fr_versions WHERE item = ? AND pruned = 0 ORDER BY version DESC`,
    item,
  );
  if (rows.length === 0) return [];
  const snapshots = snapshotsOf(sql, item);
  return rows.map((r) => headOf(r, snapshots));
}

/** A version's segments in index order. */
export function segmentsOf(sql: DoSql, item: string, version: number): SegmentRecord[] {
  return sql
    .all<{ record: string }>(
      "SELECT s.record FROM fr_version_segments l JOIN fr_segments s ON s.item = l.item AND s.id = l.segment " +
        "WHERE l.item = ? AND l.version = ? ORDER BY l.ord",
      item,
      version,
    )
    .map((r) => JSON.parse(r.record) as SegmentRecord);
}

function recordOf(sql: DoSql, r: VersionRow): VersionRecord {
  return {
    ...headOf(r, snapshotsOf(sql, r.item, r.version)),
    schema: JSON.parse(r.schema) as Schema,
    ...(r.zone === null ? {} : { zone: r.zone }),
    metadata: JSON.parse(r.metadata) as JsonObject,
    segments: segmentsOf(sql, r.item, r.version),
  };
}

/** One stored version (a pruned one a snapshot keeps included), or null. */
export function versionOf(sql: DoSql, item: string, version: number): VersionRecord | null {
  const r = sql.first<VersionRow>(
    `SELECT ${VERSION_COLS} FROM fr_versions WHERE item = ? AND version = ?`,
    item,
    version,
  );
  return r ? recordOf(sql, r) : null;
}

/** The newest retained version made at or before `atMs`, or null. */
export function versionAt(sql: DoSql, item: string, atMs: number): VersionRecord | null {
  const r = sql.first<VersionRow>(
    `SELECT ${VERSION_COLS} FROM fr_versions WHERE item = ? AND pruned = 0 AND created_ms <= ? ` +
      "ORDER BY created_ms DESC, version DESC LIMIT 1",
    item,
    atMs,
  );
  return r ? recordOf(sql, r) : null;
}

type SnapshotRow = { name: string; created_ms: number; metadata: string; items: number };

function snapshotHead(r: SnapshotRow): SnapshotHead {
  return { name: r.name, createdMs: r.created_ms, metadata: JSON.parse(r.metadata) as JsonObject, items: r.items };
}

export function snapshotHeads(sql: DoSql): SnapshotHead[] {
  return sql
    .all<SnapshotRow>("SELECT name, created_ms, metadata, items FROM fr_snapshots ORDER BY name")
    .map(snapshotHead);
}

export function snapshotOf(sql: DoSql, name: string): SnapshotRecord | null {
  const r = sql.first<SnapshotRow>("SELECT name, created_ms, metadata, items FROM fr_snapshots WHERE name = ?", name);
  if (!r) return null;
  // fromEntries makes own properties, so an item named "__proto__" is an entry like any other.
  const versions = Object.fromEntries(
    sql
      .all<{ item: string; version: number }>(
        "SELECT item, version FROM fr_snapshot_versions WHERE snapshot = ? ORDER BY item",
        name,
      )
      .map((v) => [v.item, v.version]),
  );
  return { ...snapshotHead(r), versions };
}
