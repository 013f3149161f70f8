/**
 * Applies a frames CommitPlan (frames-port.ts) inside one transaction, under the collection's
 * lock, in the order of the plan's fields. Any throw rolls the whole transaction back, so a
 * failed commit changes nothing. Rows go in set-based statements over `unnest` arrays: one
 * statement per kind of change, not one per row. Pruning and snapshots are in frames-prune.ts.
 */
import { StoreError } from "../errors.ts";
import type { CommitPlan, CommitResult, VersionWrite } from "../frames-port.ts";
import { checkPlan } from "../rules/frames-plan.ts";
import { createSnapshot, deleteItems, dropSnapshot, dropVersions } from "./frames-prune.ts";
import { freeUnlisted } from "./frames-segments.ts";
import {
  type CollectionKey,
  emptyCollection,
  type JsonObject,
  jsonParam,
  keyedRows,
  lockCollection,
  params,
} from "./frames-sql.ts";
import { type Querier, run } from "./sql.ts";

/** Most links (version -> segment) one insert carries. */
const LINKS_PER_INSERT = 10_000;

/**
 * Applies `plan` on `q`, a transaction's client; its checks (rules/frames-plan.ts, shared with DO SQLite) run before the lock
 * is taken. `freedSegments` counts segments no version lists any more, those an overwrite emptied
 * out included; staged ones are never counted (they are `sweep`'s).
 */
export async function applyCommit(
  q: Querier,
  k: CollectionKey,
  plan: CommitPlan,
  nowMs: number,
): Promise<CommitResult> {
  checkPlan(plan);
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
  const [missing] = await run<{ item: string; id: string }>(
    q,
    "SELECT u.item, u.id FROM unnest($3::text[], $4::text[]) AS u(item, id) WHERE (SELECT 1 FROM fr_segments s " +
      "WHERE s.project = $1 AND s.collection = $2 AND s.item = u.item AND s.id = u.id) IS NULL LIMIT 1",
    [k.project, k.collection, pairs.map((x) => x.item), pairs.map((x) => x.id)],
  );
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
    const p = params(k);
    const staged = keyedRows(p, "fr_segments", ["item", "id"], items, ids);
    await run(q, `UPDATE fr_segments SET staged_ms = NULL WHERE ${staged} AND staged_ms IS NOT NULL`, p.values);
  }
}

async function setStrategies(q: Querier, k: CollectionKey, plan: CommitPlan): Promise<void> {
  const changes = plan.strategies ?? [];
  if (changes.length === 0) return;
  // The last change of an item wins, as if applied one by one.
  const last = new Map(changes.map((c) => [c.item, c.strategy]));
  const names = [...last.keys()];
  // Rows by key (`name = ANY`), each one's strategy looked up: no join to plan badly (keyedRows).
  const set = await run<{ name: string }>(
    q,
    "UPDATE fr_items i SET strategy = (SELECT u.strategy FROM unnest($3::text[], $4::text[]) AS u(name, strategy) " +
      "WHERE u.name = i.name) WHERE i.project = $1 AND i.collection = $2 AND i.name = ANY($3::text[]) " +
      "AND i.latest IS NOT NULL RETURNING i.name",
    [k.project, k.collection, names, names.map((n) => last.get(n))],
  );
  const done = new Set(set.map((r) => r.name));
  const missing = names.find((n) => !done.has(n));
  if (missing !== undefined) throw new StoreError("not_found", `No item ${missing}`);
}
