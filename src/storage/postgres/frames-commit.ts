/**
 * Applies a frames CommitPlan (frames-port.ts) inside one transaction, under the collection's
 * lock, in the order of the plan's fields. Any throw rolls the whole transaction back, so a
 * failed commit changes nothing. Rows go in set-based statements over `unnest` arrays: one
 * statement per kind of change, not one per row.
 */
import { StoreError } from "../errors.ts";
import type { CommitPlan, CommitResult, VersionWrite } from "../frames-port.ts";
import { checkCommitPlan } from "./frames-checks.ts";
import { freeUnlisted } from "./frames-segments.ts";
import {
  type CollectionKey,
  emptyCollection,
  type JsonObject,
  jsonParam,
  lockCollection,
  params,
} from "./frames-sql.ts";
import { type Querier, run } from "./sql.ts";

/** Most links (version -> segment) one insert carries. */
const LINKS_PER_INSERT = 10_000;

/** `(item, version) IN (...)` over two array parameters; `at` qualifies the columns (`v.`). */
function pairsIn(p: ReturnType<typeof params>, pairs: readonly { item: string; version: number }[], at = ""): string {
  return (
    `(${at}item, ${at}version) IN (SELECT * FROM unnest(${p.add(pairs.map((x) => x.item))}::text[], ` +
    `${p.add(pairs.map((x) => x.version))}::int[]))`
  );
}

export async function applyCommit(
  q: Querier,
  k: CollectionKey,
  plan: CommitPlan,
  nowMs: number,
): Promise<CommitResult> {
  checkCommitPlan(plan);
  await lockCollection(q, k);
  let freed = await ensureCollection(q, k, plan);
  if (plan.collectionRules !== undefined || plan.collectionMetadata !== undefined) {
    await run(
      q,
      "UPDATE fr_collections SET rules = coalesce($3::jsonb, rules), metadata = coalesce($4::jsonb, metadata) " +
        "WHERE project = $1 AND collection = $2",
      [
        k.project,
        k.collection,
        plan.collectionRules === undefined ? null : jsonParam(plan.collectionRules),
        plan.collectionMetadata === undefined ? null : jsonParam(plan.collectionMetadata),
      ],
    );
  }
  await checkExpect(q, k, plan);
  await writeVersions(q, k, plan.versions ?? [], nowMs);
  await setStrategies(q, k, plan);
  const touched = new Set<string>();
  for (const item of await deleteItems(q, k, plan.deleteItems ?? [], nowMs)) touched.add(item);
  for (const item of await dropVersions(q, k, plan)) touched.add(item);
  await createSnapshot(q, k, plan);
  for (const item of await dropSnapshot(q, k, plan)) touched.add(item);
  freed += await freeUnlisted(q, k, [...touched]);
  return { atMs: nowMs, freedSegments: freed };
}

/** Creates (or empties and re-creates) the collection, or checks that it exists. */
async function ensureCollection(q: Querier, k: CollectionKey, plan: CommitPlan): Promise<number> {
  const there =
    (await run(q, "SELECT 1 FROM fr_collections WHERE project = $1 AND collection = $2", [k.project, k.collection]))
      .length > 0;
  const create = plan.createCollection;
  if (!create) {
    if (!there) throw new StoreError("not_found", "No such collection");
    return 0;
  }
  if (there && !create.overwrite) throw new StoreError("conflict", "The collection exists already");
  const freed = there ? await emptyCollection(q, k) : 0;
  await run(
    q,
    "INSERT INTO fr_collections (project, collection, created_ms, rules, metadata) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb)",
    [
      k.project,
      k.collection,
      create.record.createdMs,
      jsonParam(create.record.rules),
      jsonParam(create.record.metadata),
    ],
  );
  return freed;
}

async function latestOf(q: Querier, k: CollectionKey, items: readonly string[]) {
  const rows = await run<{ name: string; latest: number | null; next_version: number }>(
    q,
    "SELECT name, latest, next_version FROM fr_items WHERE project = $1 AND collection = $2 AND name = ANY($3::text[])",
    [k.project, k.collection, items],
  );
  return new Map(rows.map((r) => [r.name, { latest: r.latest, nextVersion: r.next_version }]));
}

async function checkExpect(q: Querier, k: CollectionKey, plan: CommitPlan): Promise<void> {
  const expect = plan.expect ?? [];
  if (expect.length === 0) return;
  const now = await latestOf(
    q,
    k,
    expect.map((e) => e.item),
  );
  for (const e of expect) {
    const latest = now.get(e.item)?.latest ?? null;
    if (latest !== e.latest) {
      throw new StoreError(
        "conflict",
        `${e.item} changed since this write read it (latest ${latest ?? "none"}, expected ${e.latest ?? "none"}): retry`,
      );
    }
  }
}

/** Item heads after `writes`, in plan order; each must be numbered its item's nextVersion. */
function nextHeads(
  before: ReadonlyMap<string, { latest: number | null; nextVersion: number }>,
  writes: readonly VersionWrite[],
): Map<string, { latest: number; nextVersion: number; metadata: JsonObject }> {
  const heads = new Map<string, { latest: number; nextVersion: number; metadata: JsonObject }>();
  for (const w of writes) {
    const next = heads.get(w.item)?.nextVersion ?? before.get(w.item)?.nextVersion ?? 0;
    // The writer numbers from the head it read, and `expect` guards that head: a number other
    // than nextVersion is a bug in the writer, not a race.
    if (w.version !== next) {
      throw new StoreError("invalid", `${w.item} takes version ${next} next, not ${w.version}`);
    }
    heads.set(w.item, { latest: w.version, nextVersion: w.version + 1, metadata: w.metadata });
  }
  return heads;
}

async function checkSegmentsKnown(q: Querier, k: CollectionKey, writes: readonly VersionWrite[]): Promise<void> {
  const wanted = new Map<string, { item: string; id: string }>();
  for (const w of writes) for (const id of w.segments) wanted.set(JSON.stringify([w.item, id]), { item: w.item, id });
  if (wanted.size === 0) return;
  const pairs = [...wanted.values()];
  const known = await run<{ item: string; id: string }>(
    q,
    "SELECT item, id FROM fr_segments WHERE project = $1 AND collection = $2 AND (item, id) IN " +
      "(SELECT * FROM unnest($3::text[], $4::text[]))",
    [k.project, k.collection, pairs.map((x) => x.item), pairs.map((x) => x.id)],
  );
  for (const r of known) wanted.delete(JSON.stringify([r.item, r.id]));
  const missing = wanted.values().next().value;
  if (missing) {
    throw new StoreError(
      "invalid",
      `Segment ${missing.id} of ${missing.item} is neither staged nor listed by a version of that item`,
    );
  }
}

async function writeVersions(q: Querier, k: CollectionKey, writes: readonly VersionWrite[], nowMs: number) {
  if (writes.length === 0) return;
  const heads = nextHeads(
    await latestOf(
      q,
      k,
      writes.map((w) => w.item),
    ),
    writes,
  );
  await checkSegmentsKnown(q, k, writes);
  const names = [...heads.keys()];
  await run(
    q,
    "INSERT INTO fr_items (project, collection, name, latest, next_version, strategy, metadata, updated_ms) " +
      "SELECT $1, $2, u.name, u.latest, u.next, 'strict', u.metadata::jsonb, $7::bigint " +
      "FROM unnest($3::text[], $4::int[], $5::int[], $6::text[]) AS u(name, latest, next, metadata) " +
      "ON CONFLICT (project, collection, name) DO UPDATE SET latest = excluded.latest, " +
      "next_version = excluded.next_version, metadata = excluded.metadata, updated_ms = excluded.updated_ms",
    [
      k.project,
      k.collection,
      names,
      names.map((n) => heads.get(n)?.latest),
      names.map((n) => heads.get(n)?.nextVersion),
      names.map((n) => jsonParam(heads.get(n)?.metadata ?? {})),
      nowMs,
    ],
  );
  await run(
    q,
    "INSERT INTO fr_versions (project, collection, item, version, created_ms, op, rows, schema, zone, metadata) " +
      "SELECT $1, $2, u.item, u.version, $10::bigint, u.op, u.rows, u.schema::jsonb, u.zone, u.metadata::jsonb " +
      "FROM unnest($3::text[], $4::int[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[]) " +
      "AS u(item, version, op, rows, schema, zone, metadata)",
    [
      k.project,
      k.collection,
      writes.map((w) => w.item),
      writes.map((w) => w.version),
      writes.map((w) => w.op),
      writes.map((w) => w.rows),
      writes.map((w) => jsonParam(w.schema)),
      writes.map((w) => w.zone ?? null),
      writes.map((w) => jsonParam(w.metadata)),
      nowMs,
    ],
  );
  await linkSegments(q, k, writes);
}

/** Lists each version's segments in order, and marks the staged ones listed. */
async function linkSegments(q: Querier, k: CollectionKey, writes: readonly VersionWrite[]): Promise<void> {
  const links = writes.flatMap((w) =>
    w.segments.map((segment, ord) => ({ item: w.item, version: w.version, ord, segment })),
  );
  for (let i = 0; i < links.length; i += LINKS_PER_INSERT) {
    const part = links.slice(i, i + LINKS_PER_INSERT);
    const items = part.map((l) => l.item);
    const ids = part.map((l) => l.segment);
    await run(
      q,
      "INSERT INTO fr_version_segments (project, collection, item, version, ord, segment) " +
        "SELECT $1, $2, * FROM unnest($3::text[], $4::int[], $5::int[], $6::text[])",
      [k.project, k.collection, items, part.map((l) => l.version), part.map((l) => l.ord), ids],
    );
    await run(
      q,
      "UPDATE fr_segments SET staged_ms = NULL WHERE project = $1 AND collection = $2 AND staged_ms IS NOT NULL " +
        "AND (item, id) IN (SELECT * FROM unnest($3::text[], $4::text[]))",
      [k.project, k.collection, items, ids],
    );
  }
}

async function setStrategies(q: Querier, k: CollectionKey, plan: CommitPlan): Promise<void> {
  const changes = plan.strategies ?? [];
  if (changes.length === 0) return;
  // The last change of an item wins, as if applied one by one.
  const last = new Map(changes.map((c) => [c.item, c.strategy]));
  const names = [...last.keys()];
  const set = await run<{ name: string }>(
    q,
    "UPDATE fr_items i SET strategy = u.strategy FROM unnest($3::text[], $4::text[]) AS u(name, strategy) " +
      "WHERE i.project = $1 AND i.collection = $2 AND i.name = u.name AND i.latest IS NOT NULL RETURNING i.name",
    [k.project, k.collection, names, names.map((n) => last.get(n))],
  );
  const done = new Set(set.map((r) => r.name));
  const missing = names.find((n) => !done.has(n));
  if (missing !== undefined) throw new StoreError("not_found", `No item ${missing}`);
}

/**
 * Prunes versions in `scope` (an SQL condition on fr_versions built on `p`): those a snapshot
 * names are kept, marked pruned; the rest go, with their links.
 */
async function prune(q: Querier, p: ReturnType<typeof params>, scope: string): Promise<void> {
  const named =
    "EXISTS (SELECT 1 FROM fr_snapshot_versions sv WHERE sv.project = v.project AND sv.collection = v.collection " +
    "AND sv.item = v.item AND sv.version = v.version)";
  await run(
    q,
    `UPDATE fr_versions v SET pruned = true WHERE project = $1 AND collection = $2 AND ${scope} AND NOT pruned AND ${named}`,
    p.values,
  );
  await run(
    q,
    `DELETE FROM fr_versions v WHERE project = $1 AND collection = $2 AND ${scope} AND NOT ${named}`,
    p.values,
  );
}

async function deleteItems(q: Querier, k: CollectionKey, names: readonly string[], nowMs: number): Promise<string[]> {
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
  await prune(q, p, `item = ANY(${p.add(unique)}::text[])`);
  return unique;
}

async function dropVersions(q: Querier, k: CollectionKey, plan: CommitPlan): Promise<string[]> {
  const pairs = (plan.dropVersions ?? []).flatMap((d) => d.versions.map((version) => ({ item: d.item, version })));
  if (pairs.length === 0) return [];
  const p = params(k);
  const rows = await run<{ item: string; version: number; latest: number | null }>(
    q,
    "SELECT v.item, v.version, i.latest FROM fr_versions v JOIN fr_items i ON i.project = v.project " +
      `AND i.collection = v.collection AND i.name = v.item WHERE v.project = $1 AND v.collection = $2 AND NOT v.pruned AND ${pairsIn(p, pairs, "v.")}`,
    p.values,
  );
  const kept = new Map(rows.map((r) => [JSON.stringify([r.item, r.version]), r]));
  for (const x of pairs) {
    const r = kept.get(JSON.stringify([x.item, x.version]));
    if (!r) throw new StoreError("not_found", `No version ${x.version} of ${x.item}`);
    if (r.latest === x.version) {
      throw new StoreError("invalid", `Version ${x.version} is the latest of ${x.item}: delete the item instead`);
    }
  }
  const scope = params(k);
  await prune(q, scope, pairsIn(scope, pairs));
  return [...new Set(pairs.map((x) => x.item))];
}

async function createSnapshot(q: Querier, k: CollectionKey, plan: CommitPlan): Promise<void> {
  const s = plan.createSnapshot;
  if (!s) return;
  const made = await run(
    q,
    "INSERT INTO fr_snapshots (project, collection, name, created_ms, metadata) VALUES ($1, $2, $3, $4, $5::jsonb) " +
      "ON CONFLICT DO NOTHING RETURNING 1",
    [k.project, k.collection, s.name, s.createdMs, jsonParam(s.metadata)],
  );
  if (made.length === 0) throw new StoreError("conflict", `Snapshot ${s.name} exists already`);
  const pairs = Object.entries(s.versions).map(([item, version]) => ({ item, version }));
  if (pairs.length === 0) return;
  const p = params(k, s.name);
  const named = await run(
    q,
    "INSERT INTO fr_snapshot_versions (project, collection, snapshot, item, version) " +
      `SELECT project, collection, $3, item, version FROM fr_versions WHERE project = $1 AND collection = $2 AND ${pairsIn(p, pairs)} ` +
      "RETURNING 1",
    p.values,
  );
  if (named.length < pairs.length) {
    throw new StoreError("invalid", `Snapshot ${s.name} names a version that is gone`);
  }
}

/** Drops the snapshot; returns the items it named, whose pruned versions it alone kept are gone now. */
async function dropSnapshot(q: Querier, k: CollectionKey, plan: CommitPlan): Promise<string[]> {
  const name = plan.dropSnapshot;
  if (name === undefined) return [];
  const there = await run(q, "SELECT 1 FROM fr_snapshots WHERE project = $1 AND collection = $2 AND name = $3", [
    k.project,
    k.collection,
    name,
  ]);
  if (there.length === 0) throw new StoreError("not_found", `No snapshot ${name}`);
  const named = await run<{ item: string; version: number }>(
    q,
    "DELETE FROM fr_snapshot_versions WHERE project = $1 AND collection = $2 AND snapshot = $3 RETURNING item, version",
    [k.project, k.collection, name],
  );
  await run(q, "DELETE FROM fr_snapshots WHERE project = $1 AND collection = $2 AND name = $3", [
    k.project,
    k.collection,
    name,
  ]);
  if (named.length === 0) return [];
  const p = params(k);
  const unnamed =
    "NOT EXISTS (SELECT 1 FROM fr_snapshot_versions sv WHERE sv.project = v.project AND sv.collection = v.collection " +
    "AND sv.item = v.item AND sv.version = v.version)";
  await run(
    q,
    `DELETE FROM fr_versions v WHERE project = $1 AND collection = $2 AND ${pairsIn(p, named)} AND pruned AND ${unnamed}`,
    p.values,
  );
  return [...new Set(named.map((r) => r.item))];
}
