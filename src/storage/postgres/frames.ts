/**
 * The frames port (frames-port.ts) on Postgres: every collection of every project shares the fr_*
 * tables, keyed by (project, collection) first. Reads are single statements, so each sees one
 * committed state; commits, sweeps and drops run in one transaction each, serialised per
 * collection by an advisory lock (frames-sql.ts `lockCollection`).
 */
import type { Pool } from "@neondatabase/serverless";
import type {
  BlobRef,
  CollectionRecord,
  CommitPlan,
  CommitResult,
  FramesPort,
  ItemQuery,
  ItemRecord,
  SegmentPut,
  SnapshotHead,
  SnapshotRecord,
  VersionHead,
  VersionRecord,
} from "../frames-port.ts";
import { checkLimit } from "../rules/frames-plan.ts";
import { applyCommit } from "./frames-commit.ts";
import { discardStaged, readBlobs, stageSegments, sweepStaged } from "./frames-segments.ts";
import {
  COLLECTION_COLS,
  type CollectionKey,
  type CollectionRow,
  collectionOf,
  emptyCollection,
  HEAD_COLS,
  type HeadRow,
  headOf,
  ITEM_COLS,
  type ItemRow,
  itemOf,
  jsonParam,
  lockCollection,
  params,
  RECORD_COLS,
  type RecordRow,
  recordOf,
  SNAPSHOT_COLS,
  type SnapshotRow,
  snapshotHeadOf,
} from "./frames-sql.ts";
import { inTx, type Querier, run } from "./sql.ts";

/** The collection `collection` of `project` over `pool`. */
export function pgFramesPort(pool: Pool, project: string, collection: string): FramesPort {
  return new PgFrames(pool, { project, collection });
}

/**
 * Names of `project`'s collections after `after`, in name order (byte order, as on every
 * backend), at most `limit` (0 to MAX_FRAMES_PAGE).
 */
export async function pgCollections(q: Querier, project: string, after: string, limit: number): Promise<string[]> {
  checkLimit(limit);
  const rows = await run<{ collection: string }>(
    q,
    "SELECT collection FROM fr_collections WHERE project = $1 AND collection > $2 ORDER BY collection LIMIT $3",
    [project, after, limit],
  );
  return rows.map((r) => r.collection);
}

/**
 * The statement and values of an item listing. Metadata equalities become one containment test
 * (`metadata @> $n`), which the GIN index answers; containment also holds for a superset object
 * or array value, so non-scalar values are compared exactly too (jsonb `=` ignores key order and
 * takes 1 = 1.0, the canonical JSON comparison the port asks for).
 */
export function itemsQuery(k: CollectionKey, iq: ItemQuery): { text: string; values: unknown[] } {
  checkLimit(iq.limit);
  const p = params(k);
  let where = "";
  const eq = iq.where ?? {};
  if (Object.keys(eq).length > 0) {
    where += ` AND i.metadata @> ${p.add(jsonParam(eq))}::jsonb`;
    for (const [key, value] of Object.entries(eq)) {
      if (value !== null && typeof value === "object") {
        where += ` AND i.metadata -> ${p.add(key)}::text = ${p.add(jsonParam(value))}::jsonb`;
      }
    }
  }
  if (iq.after !== undefined) where += ` AND i.name > ${p.add(iq.after)}`;
  where += iq.deleted
    ? " AND (i.latest IS NOT NULL OR (SELECT 1 FROM fr_versions v WHERE v.project = i.project " +
      "AND v.collection = i.collection AND v.item = i.name LIMIT 1) IS NOT NULL)"
    : " AND i.latest IS NOT NULL";
  return {
    text: `SELECT ${ITEM_COLS} FROM fr_items i WHERE i.project = $1 AND i.collection = $2${where} ORDER BY i.name LIMIT ${p.add(iq.limit)}`,
    values: p.values,
  };
}

class PgFrames implements FramesPort {
  readonly #pool: Pool;
  readonly #q: Querier;
  readonly #k: CollectionKey;

  constructor(pool: Pool, k: CollectionKey) {
    this.#pool = pool;
    this.#q = pool as unknown as Querier;
    this.#k = k;
  }

  #tx<T>(fn: (q: Querier) => Promise<T>): Promise<T> {
    return inTx(this.#pool, (c) => fn(c as unknown as Querier));
  }

  async collection(): Promise<CollectionRecord | null> {
    const [row] = await run<CollectionRow>(
      this.#q,
      `SELECT ${COLLECTION_COLS} FROM fr_collections WHERE project = $1 AND collection = $2`,
      params(this.#k).values,
    );
    return row ? collectionOf(row) : null;
  }

  async drop(): Promise<void> {
    await this.#tx(async (q) => {
      await lockCollection(q, this.#k);
      await emptyCollection(q, this.#k);
    });
  }

  async items(iq: ItemQuery): Promise<ItemRecord[]> {
    const { text, values } = itemsQuery(this.#k, iq);
    return (await run<ItemRow>(this.#q, text, values)).map(itemOf);
  }

  async item(name: string): Promise<ItemRecord | null> {
    const [row] = await run<ItemRow>(
      this.#q,
      `SELECT ${ITEM_COLS} FROM fr_items WHERE project = $1 AND collection = $2 AND name = $3`,
      params(this.#k, name).values,
    );
    return row ? itemOf(row) : null;
  }

  async versions(item: string): Promise<VersionHead[]> {
    const rows = await run<HeadRow>(
      this.#q,
      `SELECT ${HEAD_COLS} FROM fr_versions v WHERE v.project = $1 AND v.collection = $2 AND v.item = $3 ` +
        "AND NOT v.pruned ORDER BY v.version DESC",
      params(this.#k, item).values,
    );
    return rows.map(headOf);
  }

  async version(item: string, version: number): Promise<VersionRecord | null> {
    if (!Number.isSafeInteger(version)) return null;
    const [row] = await run<RecordRow>(
      this.#q,
      `SELECT ${RECORD_COLS} FROM fr_versions v WHERE v.project = $1 AND v.collection = $2 AND v.item = $3 ` +
        "AND v.version = $4::bigint",
      params(this.#k, item, version).values,
    );
    return row ? recordOf(row) : null;
  }

  async versionAt(item: string, atMs: number): Promise<VersionRecord | null> {
    const [row] = await run<RecordRow>(
      this.#q,
      `SELECT ${RECORD_COLS} FROM fr_versions v WHERE v.project = $1 AND v.collection = $2 AND v.item = $3 ` +
        "AND NOT v.pruned AND v.created_ms <= $4::float8 ORDER BY v.version DESC LIMIT 1",
      params(this.#k, item, atMs).values,
    );
    return row ? recordOf(row) : null;
  }

  async snapshots(): Promise<SnapshotHead[]> {
    const rows = await run<SnapshotRow>(
      this.#q,
      `SELECT ${SNAPSHOT_COLS} FROM fr_snapshots s WHERE s.project = $1 AND s.collection = $2 ORDER BY s.name`,
      params(this.#k).values,
    );
    return rows.map(snapshotHeadOf);
  }

  async snapshot(name: string): Promise<SnapshotRecord | null> {
    const [row] = await run<SnapshotRow & { versions: string }>(
      this.#q,
      `SELECT ${SNAPSHOT_COLS}, (SELECT coalesce(jsonb_object_agg(sv.item, sv.version), '{}'::jsonb) ` +
        "FROM fr_snapshot_versions sv WHERE sv.project = s.project AND sv.collection = s.collection " +
        "AND sv.snapshot = s.name)::text AS versions FROM fr_snapshots s " +
        "WHERE s.project = $1 AND s.collection = $2 AND s.name = $3",
      params(this.#k, name).values,
    );
    return row ? { ...snapshotHeadOf(row), versions: JSON.parse(row.versions) } : null;
  }

  async putSegments(segments: readonly SegmentPut[], nowMs: number): Promise<void> {
    await this.#tx((q) => stageSegments(q, this.#k, segments, nowMs));
  }

  async blobs(refs: readonly BlobRef[]): Promise<Uint8Array[][]> {
    return readBlobs(this.#q, this.#k, refs);
  }

  async commit(plan: CommitPlan, nowMs: number): Promise<CommitResult> {
    return this.#tx((q) => applyCommit(q, this.#k, plan, nowMs));
  }

  async discard(segments: readonly { readonly item: string; readonly id: string }[]): Promise<void> {
    await this.#tx(async (q) => {
      await lockCollection(q, this.#k);
      await discardStaged(q, this.#k, segments);
    });
  }

  async sweep(nowMs: number, graceMs: number): Promise<number> {
    return this.#tx(async (q) => {
      await lockCollection(q, this.#k);
      return sweepStaged(q, this.#k, nowMs, graceMs);
    });
  }
}
