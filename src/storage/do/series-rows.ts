/**
 * Rows of a series store in DO SQLite and the reads over them (do/series.ts assembles the port).
 * Everything here is synchronous: inside the object no other request runs between statements.
 */
import type { Dtype } from "../../series/model.ts";
import type { ChunkHead, StoredChunk, StoredSeries } from "../series-port.ts";
import { COL_CHUNK, COL_INDEX, COL_VALUES, joined } from "./series-blobs.ts";
import type { DoSql, SqlRow } from "./sql.ts";

/** Columns of a chunk without its bytes; FULL adds them (blobs last: see series-schema.ts). */
export const HEAD = "key, chunk_index, start_ms, dtype, deleted, updated_us, seq";
export const FULL = `${HEAD}, parts, data`;
export const SERIES = "key, version, count, updated_us, index_parts, values_parts, idx, vals";

interface HeadRow extends SqlRow {
  key: string;
  chunk_index: number;
  start_ms: number;
  dtype: string;
  deleted: number;
  updated_us: number;
  seq: number;
}

export interface ChunkRow extends HeadRow {
  parts: number;
  data: ArrayBuffer;
}

export interface SeriesRow extends SqlRow {
  key: string;
  version: number;
  count: number;
  updated_us: number;
  index_parts: number;
  values_parts: number;
  idx: ArrayBuffer;
  vals: ArrayBuffer;
}

export function headOf(r: HeadRow): ChunkHead {
  return {
    key: r.key,
    chunkIndex: r.chunk_index,
    startMs: r.start_ms,
    dtype: r.dtype as Dtype,
    deleted: r.deleted !== 0,
    updatedUs: r.updated_us,
    seq: r.seq,
  };
}

export function chunkOf(sql: DoSql, r: ChunkRow): StoredChunk {
  return { ...headOf(r), data: joined(sql, COL_CHUNK, r.key, r.chunk_index, r.data, r.parts) };
}

export function seriesOf(sql: DoSql, r: SeriesRow): StoredSeries {
  return {
    key: r.key,
    version: r.version,
    count: r.count,
    index: joined(sql, COL_INDEX, r.key, r.version, r.idx, r.index_parts),
    values: joined(sql, COL_VALUES, r.key, r.version, r.vals, r.values_parts),
    updatedUs: r.updated_us,
  };
}

/** The store's one row. */
export interface StoreRow extends SqlRow {
  def: string | null;
  seq: number;
  last_us: number;
}

export function storeRow(sql: DoSql): StoreRow {
  const row = sql.first<StoreRow>("SELECT def, seq, last_us FROM ts_store WHERE one = 1");
  if (!row) throw new Error("ts_store has no row: the series schema did not run");
  return row;
}

export function chunksOf(sql: DoSql, key: string, from: number, to: number): StoredChunk[] {
  return sql
    .all<ChunkRow>(
      `SELECT ${FULL} FROM ts_chunks WHERE key = ? AND chunk_index BETWEEN ? AND ? ORDER BY chunk_index`,
      key,
      from,
      to,
    )
    .map((r) => chunkOf(sql, r));
}

export function hasSeries(sql: DoSql, key: string): boolean {
  return !!sql.first(
    "SELECT 1 AS one WHERE EXISTS (SELECT 1 FROM ts_chunks WHERE key = ? AND deleted = 0) " +
      "OR EXISTS (SELECT 1 FROM ts_series WHERE key = ?)",
    key,
    key,
  );
}

export function versionsOf(sql: DoSql, key: string, version?: number): StoredSeries[] {
  const rows =
    version === undefined
      ? sql.all<SeriesRow>(`SELECT ${SERIES} FROM ts_series WHERE key = ? ORDER BY version DESC`, key)
      : sql.all<SeriesRow>(`SELECT ${SERIES} FROM ts_series WHERE key = ? AND version = ?`, key, version);
  return rows.map((r) => seriesOf(sql, r));
}

export function maxVersion(sql: DoSql, key: string): number {
  const row = sql.first<{ v: number | null }>("SELECT max(version) AS v FROM ts_series WHERE key = ?", key);
  return row?.v ?? -1;
}
