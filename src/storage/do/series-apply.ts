/**
 * Applies a checked WritePlan to a series store in DO SQLite; call inside `sql.transaction` so a
 * throw anywhere (the cursor check comes last) rolls every statement back. One statement per row
 * with at most 10 bound parameters, so the 100-parameter limit is never near; blobs over the row
 * limit go to parts (series-blobs.ts).
 */
import { StoreError } from "../errors.ts";
import type { WritePlan } from "../series-port.ts";
import { COL_CHUNK, COL_INDEX, COL_VALUES, dropParts, head, putParts } from "./series-blobs.ts";
import type { DoSql } from "./sql.ts";

/**
 * Drops first, then upserts, then the cursor; returns the last seq assigned (`seq` when the plan
 * wrote no chunk). Each written chunk takes the next seq, in plan order.
 */
export function applyPlan(sql: DoSql, plan: WritePlan, seq: number, atUs: number): number {
  for (const d of plan.dropChunks ?? []) {
    sql.run("DELETE FROM ts_chunks WHERE key = ? AND chunk_index = ?", d.key, d.chunkIndex);
    dropParts(sql, COL_CHUNK, d.key, d.chunkIndex);
  }
  for (const d of plan.dropSeries ?? []) {
    if (d.version === undefined) sql.run("DELETE FROM ts_series WHERE key = ?", d.key);
    else sql.run("DELETE FROM ts_series WHERE key = ? AND version = ?", d.key, d.version);
    dropParts(sql, COL_INDEX, d.key, d.version);
    dropParts(sql, COL_VALUES, d.key, d.version);
  }
  let last = seq;
  for (const c of plan.chunks ?? []) {
    last++;
    const h = head(c.data);
    sql.run(
      "INSERT INTO ts_chunks (key, chunk_index, start_ms, dtype, deleted, updated_us, seq, parts, data) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key, chunk_index) DO UPDATE SET " +
        "start_ms = excluded.start_ms, dtype = excluded.dtype, deleted = excluded.deleted, " +
        "updated_us = excluded.updated_us, seq = excluded.seq, parts = excluded.parts, data = excluded.data",
      c.key,
      c.chunkIndex,
      c.startMs,
      c.dtype,
      c.deleted ? 1 : 0,
      c.updatedUs ?? atUs,
      last,
      h.parts,
      h.head,
    );
    putParts(sql, COL_CHUNK, c.key, c.chunkIndex, c.data);
  }
  for (const s of plan.series ?? []) {
    const i = head(s.index);
    const v = head(s.values);
    sql.run(
      "INSERT INTO ts_series (key, version, count, updated_us, index_parts, values_parts, idx, vals) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key, version) DO UPDATE SET count = excluded.count, " +
        "updated_us = excluded.updated_us, index_parts = excluded.index_parts, " +
        "values_parts = excluded.values_parts, idx = excluded.idx, vals = excluded.vals",
      s.key,
      s.version,
      s.count,
      atUs,
      i.parts,
      v.parts,
      i.head,
      v.head,
    );
    putParts(sql, COL_INDEX, s.key, s.version, s.index);
    putParts(sql, COL_VALUES, s.key, s.version, s.values);
  }
  if (plan.cursor) moveCursor(sql, plan.cursor);
  sql.run("UPDATE ts_store SET seq = ?, last_us = ? WHERE one = 1", last, atUs);
  return last;
}

function moveCursor(sql: DoSql, c: NonNullable<WritePlan["cursor"]>): void {
  // `IS` compares NULL with NULL as equal: a first pull expects no cursor.
  const moved = sql.all(
    "UPDATE ts_sources SET cursor = ? WHERE name = ? AND cursor IS ? RETURNING name",
    c.next,
    c.source,
    c.expect,
  );
  if (moved.length > 0) return;
  if (!sql.first("SELECT 1 AS one FROM ts_sources WHERE name = ?", c.source)) {
    throw new StoreError("not_found", `No source ${c.source} in this store`);
  }
  throw new StoreError(
    "conflict",
    `The cursor of source ${c.source} moved since this pull started: another pull got there first`,
  );
}
