/**
 * The pruning half of a frames commit (frames-commit.ts): deleting items, dropping versions, and
 * snapshots, which keep the versions they name. A pruned version a snapshot names stays, marked
 * `pruned`; the rest go with their links, and the caller then frees the segments no version lists
 * (frames-segments.ts `freeUnlisted`). Runs inside the commit's transaction, under its lock.
 */
import { StoreError } from "../errors.ts";
import type { CommitPlan } from "../frames-port.ts";
import { type CollectionKey, jsonParam, keyedRows, params } from "./frames-sql.ts";
import type { Params } from "./series-sql.ts";
import { type Querier, run } from "./sql.ts";

/**
 * Whether a snapshot names version `v`: a scalar subquery, one key lookup per version, which
 * Postgres never plans as a join (frames-sql.ts `keyedRows` says why that matters).
 */
const NAMED =
  "(SELECT 1 FROM fr_snapshot_versions sv WHERE sv.project = v.project AND sv.collection = v.collection " +
  "AND sv.item = v.item AND sv.version = v.version LIMIT 1) IS NOT NULL";

/** `(item, version)` pairs as two arrays, for `unnest` and `keyedRows`. */
function columns(pairs: readonly { item: string; version: number }[]): [string[], number[]] {
  return [pairs.map((x) => x.item), pairs.map((x) => x.version)];
}

/** Prunes the versions `scope` (a condition on fr_versions `v`, built on `p`) selects. */
async function prune(q: Querier, p: Params, scope: string): Promise<void> {
  await run(q, `UPDATE fr_versions v SET pruned = true WHERE ${scope} AND NOT pruned AND ${NAMED}`, p.values);
  await run(q, `DELETE FROM fr_versions v WHERE ${scope} AND NOT ${NAMED}`, p.values);
}

/** Deletes live items (`not_found` for any other); returns their names. */
export async function deleteItems(
  q: Querier,
  k: CollectionKey,
  names: readonly string[],
  nowMs: number,
): Promise<string[]> {
  if (names.length === 0) return [];
  const unique = [...new Set(names)];
  const gone = await run<{ name: string }>(
    q,
    "UPDATE fr_items SET latest = NULL, metadata = '{}'::jsonb, updated_ms = $4::bigint " +
      "WHERE project = $1 AND collection = $2 AND name = ANY($3::text[]) AND latest IS NOT NULL RETURNING name",
    [k.project, k.collection, unique, nowMs],
  );
  if (gone.length < unique.length) {
    const done = new Set(gone.map((r) => r.name));
    throw new StoreError("not_found", `No item ${unique.find((n) => !done.has(n))}`);
  }
  const p = params(k);
  await prune(q, p, `project = $1 AND collection = $2 AND item = ANY(${p.add(unique)}::text[])`);
  return unique;
}

/** Prunes retained versions other than their item's latest; returns the items touched. */
export async function dropVersions(q: Querier, k: CollectionKey, plan: CommitPlan): Promise<string[]> {
  const pairs = (plan.dropVersions ?? []).flatMap((d) => d.versions.map((version) => ({ item: d.item, version })));
  if (pairs.length === 0) return [];
  const [items, versions] = columns(pairs);
  const found = await run<{ item: string; version: number; retained: boolean | null; latest: number | null }>(
    q,
    "SELECT u.item, u.version, (SELECT NOT v.pruned FROM fr_versions v WHERE v.project = $1 AND v.collection = $2 " +
      "AND v.item = u.item AND v.version = u.version) AS retained, (SELECT i.latest FROM fr_items i " +
      "WHERE i.project = $1 AND i.collection = $2 AND i.name = u.item) AS latest " +
      "FROM unnest($3::text[], $4::int[]) AS u(item, version)",
    [k.project, k.collection, items, versions],
  );
  for (const r of found) {
    if (r.retained !== true) throw new StoreError("not_found", `No version ${r.version} of ${r.item}`);
    if (r.latest === r.version) {
      throw new StoreError("invalid", `Version ${r.version} is the latest of ${r.item}: delete the item instead`);
    }
  }
  const p = params(k);
  await prune(q, p, keyedRows(p, "fr_versions", ["item", "version"], items, versions));
  return [...new Set(items)];
}

/** Creates the plan's snapshot: `conflict` when the name is taken, `invalid` naming a version that is gone. */
export async function createSnapshot(q: Querier, k: CollectionKey, plan: CommitPlan): Promise<void> {
  const s = plan.createSnapshot;
  if (!s) return;
  const made = await run(
    q,
    "INSERT INTO fr_snapshots (project, collection, name, created_ms, metadata) VALUES ($1, $2, $3, $4, $5::jsonb) " +
      "ON CONFLICT DO NOTHING RETURNING 1",
    [k.project, k.collection, s.name, s.createdMs, jsonParam(s.metadata)],
  );
  if (made.length === 0) throw new StoreError("conflict", `Snapshot ${s.name} exists already`);
  const [items, versions] = columns(Object.entries(s.versions).map(([item, version]) => ({ item, version })));
  if (items.length === 0) return;
  const named = await run(
    q,
    "INSERT INTO fr_snapshot_versions (project, collection, snapshot, item, version) " +
      "SELECT $1, $2, $3, u.item, u.version FROM unnest($4::text[], $5::int[]) AS u(item, version) " +
      "WHERE (SELECT 1 FROM fr_versions v WHERE v.project = $1 AND v.collection = $2 AND v.item = u.item " +
      "AND v.version = u.version) IS NOT NULL RETURNING 1",
    [k.project, k.collection, s.name, items, versions],
  );
  if (named.length < items.length) throw new StoreError("invalid", `Snapshot ${s.name} names a version that is gone`);
}

/** Drops the plan's snapshot (`not_found` when missing); returns the items it named. */
export async function dropSnapshot(q: Querier, k: CollectionKey, plan: CommitPlan): Promise<string[]> {
  const name = plan.dropSnapshot;
  if (name === undefined) return [];
  const key = [k.project, k.collection, name];
  const there = await run(q, "SELECT 1 FROM fr_snapshots WHERE project = $1 AND collection = $2 AND name = $3", key);
  if (there.length === 0) throw new StoreError("not_found", `No snapshot ${name}`);
  const named = await run<{ item: string; version: number }>(
    q,
    "DELETE FROM fr_snapshot_versions WHERE project = $1 AND collection = $2 AND snapshot = $3 RETURNING item, version",
    key,
  );
  await run(q, "DELETE FROM fr_snapshots WHERE project = $1 AND collection = $2 AND name = $3", key);
  if (named.length === 0) return [];
  // Versions pruned earlier that it alone kept go now.
  const [items, versions] = columns(named);
  const p = params(k);
  const scope = keyedRows(p, "fr_versions", ["item", "version"], items, versions);
  await run(q, `DELETE FROM fr_versions v WHERE ${scope} AND pruned AND NOT ${NAMED}`, p.values);
  return [...new Set(items)];
}
