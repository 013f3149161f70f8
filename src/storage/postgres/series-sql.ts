/**
 * SQL pieces of the series port on Postgres: numbered parameters, partial-key matches, and rows
 * back as the port's shapes.
 */
import type { Dtype, KeyMatch } from "../../series/model.ts";
import { checkMatch } from "../rules/series-plan.ts";
import type { ChunkHead, StoredChunk, StoredSeries } from "../series-port.ts";

/** Values of one statement, each added where the text needs it and named `$n`. */
export class Params {
  readonly values: unknown[] = [];

  constructor(...first: unknown[]) {
    this.values.push(...first);
  }

  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/**
 * `AND ...` conditions on the key column `col` (our identifier, never input): position `pos` of
 * the key's JSON array equals the value as JSON, so true, 1 and "1" stay distinct (jsonb equality
 * compares type and value).
 */
export function matchWhere(match: KeyMatch, p: Params, col = "key"): string {
  checkMatch(match);
  return match
    .map((m) => ` AND (${col}::jsonb -> ${p.add(m.pos)}::int) = ${p.add(JSON.stringify(m.value))}::jsonb`)
    .join("");
}

export const HEAD = "key, chunk_index, start_ms, dtype, deleted, updated_us, seq";
export const FULL = `${HEAD}, data`;
export const SERIES = "key, version, count, updated_us, idx, vals";

export interface HeadRow {
  key: string;
  chunk_index: number;
  start_ms: string;
  dtype: string;
  deleted: boolean;
  updated_us: string;
  seq: string;
  [col: string]: unknown;
}

export interface ChunkRow extends HeadRow {
  data: Uint8Array;
}

export interface SeriesRow {
  key: string;
  version: number;
  count: number;
  updated_us: string;
  idx: Uint8Array;
  vals: Uint8Array;
  [col: string]: unknown;
}

/** The driver's Buffer as a plain Uint8Array view (no copy). */
export function plain(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function headOf(r: HeadRow): ChunkHead {
  return {
    key: r.key,
    chunkIndex: r.chunk_index,
    startMs: Number(r.start_ms),
    dtype: r.dtype as Dtype,
    deleted: r.deleted,
    updatedUs: Number(r.updated_us),
    seq: Number(r.seq),
  };
}

export function chunkOf(r: ChunkRow): StoredChunk {
  return { ...headOf(r), data: plain(r.data) };
}

export function seriesOf(r: SeriesRow): StoredSeries {
  return {
    key: r.key,
    version: r.version,
    count: r.count,
    index: plain(r.idx),
    values: plain(r.vals),
    updatedUs: Number(r.updated_us),
  };
}
