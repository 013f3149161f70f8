/**
 * Applies a checked WritePlan to a series store in Postgres, inside the write's transaction
 * (after its `FOR UPDATE` on the store's row). Rows go in multi-row upserts, their blobs as binary
 * parameters (no hex text); a batch stops at BATCH_ROWS rows or BATCH_BYTES of blobs, so neither
 * Postgres's 65,535 parameters nor one message's size is ever near.
 */
import { StoreError } from "../errors.ts";
import type { ChunkWrite, SeriesWrite, WritePlan } from "../series-port.ts";
import { Params } from "./series-sql.ts";
import { type Querier, run } from "./sql.ts";

const BATCH_ROWS = 500;
const BATCH_BYTES = 16 * 1024 * 1024;

/** Slices of `items` no longer than BATCH_ROWS nor (after their first) heavier than BATCH_BYTES. */
export function batches<T>(items: readonly T[], weight: (t: T) => number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const it of items) {
    const w = weight(it);
    if (cur.length > 0 && (cur.length >= BATCH_ROWS || bytes + w > BATCH_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(it);
    bytes += w;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * Drops first, then upserts, then the cursor (last, so a conflict there rolls back rows already
 * written), then the store's counters; returns the last seq assigned, in plan order.
 */
export async function applyPlan(
  q: Querier,
  project: string,
  store: string,
  plan: WritePlan,
  seq: number,
  atUs: number,
): Promise<number> {
  await dropRows(q, project, store, plan);
  let last = seq;
  for (const batch of batches(plan.chunks ?? [], (c) => c.data.byteLength)) {
    await upsertChunks(q, project, store, batch, last, atUs);
    last += batch.length;
  }
  for (const batch of batches(plan.series ?? [], (s) => s.index.byteLength + s.values.byteLength)) {
    await upsertSeries(q, project, store, batch, atUs);
  }
  if (plan.cursor) await moveCursor(q, project, store, plan.cursor);
  await run(q, "UPDATE ts_stores SET seq = $3, last_us = $4 WHERE project = $1 AND store = $2", [
    project,
    store,
    last,
    atUs,
  ]);
  return last;
}

async function dropRows(q: Querier, project: string, store: string, plan: WritePlan): Promise<void> {
  const chunks = plan.dropChunks ?? [];
  if (chunks.length > 0) {
    await run(
      q,
      "DELETE FROM ts_chunks WHERE project = $1 AND store = $2 AND (key, chunk_index) IN " +
        "(SELECT * FROM unnest($3::text[], $4::int[]))",
      [project, store, chunks.map((c) => c.key), chunks.map((c) => c.chunkIndex)],
    );
  }
  const some = (plan.dropSeries ?? []).filter((d) => d.version !== undefined);
  const every = (plan.dropSeries ?? []).filter((d) => d.version === undefined);
  if (some.length > 0) {
    await run(
      q,
      "DELETE FROM ts_series WHERE project = $1 AND store = $2 AND (key, version) IN " +
        "(SELECT * FROM unnest($3::text[], $4::int[]))",
      [project, store, some.map((d) => d.key), some.map((d) => d.version)],
    );
  }
  if (every.length > 0) {
    await run(q, "DELETE FROM ts_series WHERE project = $1 AND store = $2 AND key = ANY($3::text[])", [
      project,
      store,
      every.map((d) => d.key),
    ]);
  }
}

async function upsertChunks(
  q: Querier,
  project: string,
  store: string,
  rows: readonly ChunkWrite[],
  seq: number,
  atUs: number,
): Promise<void> {
  const p = new Params(project, store);
  const values = rows.map(
    (c, i) =>
      `($1, $2, ${p.add(c.key)}, ${p.add(c.chunkIndex)}::int, ${p.add(c.startMs)}::bigint, ${p.add(c.dtype)}, ` +
      `${p.add(c.deleted)}::boolean, ${p.add(c.updatedUs ?? atUs)}::bigint, ${p.add(seq + i + 1)}::bigint, ` +
      `${p.add(c.data)}::bytea)`,
  );
  await run(
    q,
    "INSERT INTO ts_chunks (project, store, key, chunk_index, start_ms, dtype, deleted, updated_us, seq, data) " +
      `VALUES ${values.join(", ")} ON CONFLICT (project, store, key, chunk_index) DO UPDATE SET ` +
      "start_ms = excluded.start_ms, dtype = excluded.dtype, deleted = excluded.deleted, " +
      "updated_us = excluded.updated_us, seq = excluded.seq, data = excluded.data",
    p.values,
  );
}

async function upsertSeries(
  q: Querier,
  project: string,
  store: string,
  rows: readonly SeriesWrite[],
  atUs: number,
): Promise<void> {
  const p = new Params(project, store, atUs);
  const values = rows.map(
    (s) =>
      `($1, $2, ${p.add(s.key)}, ${p.add(s.version)}::int, ${p.add(s.count)}::int, $3::bigint, ` +
      `${p.add(s.index)}::bytea, ${p.add(s.values)}::bytea)`,
  );
  await run(
    q,
    "INSERT INTO ts_series (project, store, key, version, count, updated_us, idx, vals) " +
      `VALUES ${values.join(", ")} ON CONFLICT (project, store, key, version) DO UPDATE SET ` +
      "count = excluded.count, updated_us = excluded.updated_us, idx = excluded.idx, vals = excluded.vals",
    p.values,
  );
}

async function moveCursor(
  q: Querier,
  project: string,
  store: string,
  c: NonNullable<WritePlan["cursor"]>,
): Promise<void> {
  const moved = await run(
    q,
    "UPDATE ts_sources SET cursor = $4 WHERE project = $1 AND store = $2 AND name = $3 " +
      "AND cursor IS NOT DISTINCT FROM $5::text RETURNING name",
    [project, store, c.source, c.next, c.expect],
  );
  if (moved.length > 0) return;
  const there = await run(q, "SELECT 1 FROM ts_sources WHERE project = $1 AND store = $2 AND name = $3", [
    project,
    store,
    c.source,
  ]);
  if (there.length === 0) throw new StoreError("not_found", `No source ${c.source} in this store`);
  throw new StoreError(
    "conflict",
    `The cursor of source ${c.source} moved since this pull started: another pull got there first`,
  );
}
