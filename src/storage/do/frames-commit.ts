/**
 * A frames commit (CommitPlan) applied to DO SQLite in one transaction: the fields in the plan's
 * order, each failure a StoreError that rolls back everything before it. Segment lists are written
 * and checked in slices so no statement binds more than DO SQLite's 100 values.
 */
import { StoreError } from "../errors.ts";
import type { CommitPlan, CommitResult, SnapshotRecord, VersionWrite } from "../frames-port.ts";
import { dropBlobs } from "./frames-blobs.ts";
import { collectionOf, indexMetadata, itemRow } from "./frames-rows.ts";
import { FRAMES_TABLES } from "./frames-schema.ts";
import type { DoSql } from "./sql.ts";

/** Ids per `IN (...)` list, with the item bound beside them. */
const IDS_PER_STATEMENT = 90;
/** fr_version_segments rows per INSERT: 4 values each. */
const LINKS_PER_INSERT = 24;

/** Segments a commit unlinked, by item: freed at its end when no version lists them any more. */
type Candidates = Map<string, Set<string>>;

function slices<T>(all: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < all.length; i += size) out.push(all.slice(i, i + size));
  return out;
}

const marks = (n: number): string => new Array(n).fill("?").join(", ");

/** Applies `plan` at `nowMs`, all or nothing. */
export function applyCommit(sql: DoSql, plan: CommitPlan, nowMs: number): CommitResult {
  return sql.transaction(() => {
    const unlinked: Candidates = new Map();
    openCollection(sql, plan);
    if (plan.collectionRules)
      sql.run("UPDATE fr_collection SET rules = ? WHERE one = 1", JSON.stringify(plan.collectionRules));
    if (plan.collectionMetadata) {
      sql.run("UPDATE fr_collection SET metadata = ? WHERE one = 1", JSON.stringify(plan.collectionMetadata));
    }
    for (const e of plan.expect ?? []) {
      const latest = itemRow(sql, e.item)?.latest ?? null;
      if (latest !== e.latest) {
        throw new StoreError("conflict", `Item ${e.item} is at version ${latest}, not ${e.latest}: it changed, retry`);
      }
    }
    for (const v of plan.versions ?? []) writeVersion(sql, v, nowMs);
    for (const s of plan.strategies ?? []) {
      if (!itemRow(sql, s.item)) throw new StoreError("not_found", `No item ${s.item}`);
      sql.run("UPDATE fr_items SET strategy = ? WHERE name = ?", s.strategy, s.item);
    }
    for (const name of plan.deleteItems ?? []) deleteItem(sql, name, nowMs, unlinked);
    for (const d of plan.dropVersions ?? []) dropVersions(sql, d.item, d.versions, unlinked);
    if (plan.createSnapshot) createSnapshot(sql, plan.createSnapshot);
    if (plan.dropSnapshot !== undefined) dropSnapshot(sql, plan.dropSnapshot, unlinked);
    return { atMs: nowMs, freedSegments: freeUnlisted(sql, unlinked) };
  });
}

function openCollection(sql: DoSql, plan: CommitPlan): void {
  const exists = collectionOf(sql) !== null;
  const create = plan.createCollection;
  if (!create) {
    if (!exists) throw new StoreError("not_found", "The collection does not exist");
    return;
  }
  if (exists && !create.overwrite) throw new StoreError("conflict", "The collection exists already");
  if (exists) for (const t of FRAMES_TABLES) sql.run(`DELETE FROM ${t}`);
  const r = create.record;
  sql.run(
    "INSERT INTO fr_collection (one, created_ms, rules, metadata) VALUES (1, ?, ?, ?)",
    r.createdMs,
    JSON.stringify(r.rules),
    JSON.stringify(r.metadata),
  );
}

function writeVersion(sql: DoSql, v: VersionWrite, nowMs: number): void {
  const head = itemRow(sql, v.item);
  const next = head?.next_version ?? 0;
  if (v.version !== next) throw new StoreError("invalid", `The next version of ${v.item} is ${next}, not ${v.version}`);
  for (const ids of slices(v.segments, IDS_PER_STATEMENT)) {
    const found = sql.all<{ id: string }>(
      `SELECT id FROM fr_segments WHERE item = ? AND id IN (${marks(ids.length)})`,
      v.item,
      ...ids,
    );
    if (found.length !== ids.length) {
      const have = new Set(found.map((f) => f.id));
      const missing = ids.find((id) => !have.has(id));
      throw new StoreError(
        "invalid",
        `${v.item} v${v.version} lists segment ${missing}, which is neither staged nor kept`,
      );
    }
    sql.run(
      `UPDATE fr_segments SET listed = 1 WHERE item = ? AND listed = 0 AND id IN (${marks(ids.length)})`,
      v.item,
      ...ids,
    );
  }
  sql.run(
    "INSERT INTO fr_versions (item, version, created_ms, op, rows, schema, zone, metadata, pruned) " +
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
    v.item,
    v.version,
    nowMs,
    v.op,
    v.rows,
    JSON.stringify(v.schema),
    v.zone ?? null,
    JSON.stringify(v.metadata),
  );
  const links = v.segments.map((id, ord) => [v.item, v.version, ord, id] as const);
  for (const rows of slices(links, LINKS_PER_INSERT)) {
    sql.run(
      `INSERT INTO fr_version_segments (item, version, ord, segment) VALUES ${rows.map(() => "(?, ?, ?, ?)").join(", ")}`,
      ...rows.flat(),
    );
  }
  sql.run(
    "INSERT INTO fr_items (name, latest, next_version, strategy, metadata, updated_ms) VALUES (?, ?, ?, 'strict', ?, ?) " +
      "ON CONFLICT (name) DO UPDATE SET latest = excluded.latest, next_version = excluded.next_version, " +
      "metadata = excluded.metadata, updated_ms = excluded.updated_ms",
    v.item,
    v.version,
    v.version + 1,
    JSON.stringify(v.metadata),
    nowMs,
  );
  indexMetadata(sql, v.item, v.metadata);
}

/**
 * Prunes one version: kept (flagged) while a snapshot names it, else removed with its segment
 * links, whose segments become candidates for freeing.
 */
function prune(sql: DoSql, item: string, version: number, unlinked: Candidates): void {
  if (sql.first("SELECT 1 AS one FROM fr_snapshot_versions WHERE item = ? AND version = ? LIMIT 1", item, version)) {
    sql.run("UPDATE fr_versions SET pruned = 1 WHERE item = ? AND version = ?", item, version);
    return;
  }
  const segs = sql.all<{ segment: string }>(
    "SELECT segment FROM fr_version_segments WHERE item = ? AND version = ?",
    item,
    version,
  );
  const set = unlinked.get(item) ?? new Set<string>();
  unlinked.set(item, set);
  for (const s of segs) set.add(s.segment);
  sql.run("DELETE FROM fr_version_segments WHERE item = ? AND version = ?", item, version);
  sql.run("DELETE FROM fr_versions WHERE item = ? AND version = ?", item, version);
}

function deleteItem(sql: DoSql, name: string, nowMs: number, unlinked: Candidates): void {
  if (!itemRow(sql, name)) throw new StoreError("not_found", `No item ${name}`);
  sql.run("UPDATE fr_items SET latest = NULL, metadata = '{}', updated_ms = ? WHERE name = ?", nowMs, name);
  indexMetadata(sql, name, {});
  const live = sql.all<{ version: number }>("SELECT version FROM fr_versions WHERE item = ? AND pruned = 0", name);
  for (const v of live) prune(sql, name, v.version, unlinked);
}

function dropVersions(sql: DoSql, item: string, versions: readonly number[], unlinked: Candidates): void {
  const head = itemRow(sql, item);
  if (!head) throw new StoreError("not_found", `No item ${item}`);
  for (const v of versions) {
    if (v === head.latest)
      throw new StoreError("invalid", `Version ${v} is the latest of ${item}: it cannot be dropped`);
    const row = sql.first<{ pruned: number }>("SELECT pruned FROM fr_versions WHERE item = ? AND version = ?", item, v);
    if (!row || row.pruned === 1) throw new StoreError("not_found", `No retained version ${v} of ${item}`);
    prune(sql, item, v, unlinked);
  }
}

function createSnapshot(sql: DoSql, s: SnapshotRecord): void {
  if (sql.first("SELECT 1 AS one FROM fr_snapshots WHERE name = ?", s.name)) {
    throw new StoreError("conflict", `Snapshot ${s.name} exists already`);
  }
  const entries = Object.entries(s.versions);
  for (const [item, version] of entries) {
    if (!sql.first("SELECT 1 AS one FROM fr_versions WHERE item = ? AND version = ?", item, version)) {
      throw new StoreError("invalid", `Snapshot ${s.name} names version ${version} of ${item}, which is gone`);
    }
    sql.run("INSERT INTO fr_snapshot_versions (snapshot, item, version) VALUES (?, ?, ?)", s.name, item, version);
  }
  sql.run(
    "INSERT INTO fr_snapshots (name, created_ms, metadata, items) VALUES (?, ?, ?, ?)",
    s.name,
    s.createdMs,
    JSON.stringify(s.metadata),
    entries.length,
  );
}

function dropSnapshot(sql: DoSql, name: string, unlinked: Candidates): void {
  if (!sql.first("SELECT 1 AS one FROM fr_snapshots WHERE name = ?", name)) {
    throw new StoreError("not_found", `No snapshot ${name}`);
  }
  const named = sql.all<{ item: string; version: number }>(
    "SELECT item, version FROM fr_snapshot_versions WHERE snapshot = ?",
    name,
  );
  sql.run("DELETE FROM fr_snapshot_versions WHERE snapshot = ?", name);
  sql.run("DELETE FROM fr_snapshots WHERE name = ?", name);
  for (const n of named) {
    const row = sql.first<{ pruned: number }>(
      "SELECT pruned FROM fr_versions WHERE item = ? AND version = ?",
      n.item,
      n.version,
    );
    // A pruned version another snapshot still names stays flagged: prune() checks that.
    if (row?.pruned === 1) prune(sql, n.item, n.version, unlinked);
  }
}

/** Frees the candidates no version lists any more; returns how many. */
function freeUnlisted(sql: DoSql, unlinked: Candidates): number {
  let freed = 0;
  for (const [item, ids] of unlinked) {
    for (const id of ids) {
      if (sql.first("SELECT 1 AS one FROM fr_version_segments WHERE item = ? AND segment = ? LIMIT 1", item, id))
        continue;
      sql.run("DELETE FROM fr_segments WHERE item = ? AND id = ?", item, id);
      dropBlobs(sql, item, id);
      freed++;
    }
  }
  return freed;
}
