/**
 * Blobs of a series store in DO SQLite, which refuses a string, blob or row over 2 MB
 * (Cloudflare's documented limit for SQLite-backed Durable Objects). A chunk is one LZ4 frame of
 * a month or a year of values, and a year of 1-minute float64 is 4 MB raw, so a blob is split:
 * its first PART_BYTES stay in its row (all of it, nearly always), the rest go to `ts_parts`, one
 * row per PART_BYTES, and are joined back on read. The whole blob is bounded by
 * MAX_SERIES_BLOB_BYTES (rules/series-plan.ts), checked before a write starts.
 */
import type { DoSql } from "./sql.ts";

/** 1 MiB: under the 2 MB row limit with room for the key and the other columns. */
export const PART_BYTES = 1 << 20;

/** Which blob of a row a part belongs to (`ts_parts.col`). */
export const COL_CHUNK = 0;
export const COL_INDEX = 1;
export const COL_VALUES = 2;

/** The bytes as an ArrayBuffer of exactly their length (what DO SQLite binds as a BLOB). */
export function own(b: Uint8Array): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer;
  return b.slice().buffer as ArrayBuffer;
}

/** The part of a blob kept in its row, and how many parts follow it in `ts_parts`. */
export function head(b: Uint8Array): { head: ArrayBuffer; parts: number } {
  if (b.byteLength <= PART_BYTES) return { head: own(b), parts: 0 };
  return { head: own(b.subarray(0, PART_BYTES)), parts: Math.ceil(b.byteLength / PART_BYTES) - 1 };
}

/** Replaces the parts of blob (col, key, n) after its head with those of `b`; call in a transaction. */
export function putParts(sql: DoSql, col: number, key: string, n: number, b: Uint8Array): void {
  dropParts(sql, col, key, n);
  for (let part = 1, at = PART_BYTES; at < b.byteLength; part++, at += PART_BYTES) {
    sql.run(
      "INSERT INTO ts_parts (col, key, n, part, bytes) VALUES (?, ?, ?, ?, ?)",
      col,
      key,
      n,
      part,
      own(b.subarray(at, at + PART_BYTES)),
    );
  }
}

/** Removes the parts of one blob, or of every `n` of the key when `n` is undefined. */
export function dropParts(sql: DoSql, col: number, key: string, n?: number): void {
  if (n === undefined) sql.run("DELETE FROM ts_parts WHERE col = ? AND key = ?", col, key);
  else sql.run("DELETE FROM ts_parts WHERE col = ? AND key = ? AND n = ?", col, key, n);
}

/** A blob back from its head and its parts. */
export function joined(sql: DoSql, col: number, key: string, n: number, first: ArrayBuffer, parts: number): Uint8Array {
  if (parts === 0) return new Uint8Array(first);
  const rest = sql.all<{ bytes: ArrayBuffer }>(
    "SELECT bytes FROM ts_parts WHERE col = ? AND key = ? AND n = ? ORDER BY part",
    col,
    key,
    n,
  );
  if (rest.length !== parts) throw new Error(`blob ${col}/${n} of ${key}: ${rest.length} of ${parts} parts stored`);
  const size = rest.reduce((s, r) => s + r.bytes.byteLength, first.byteLength);
  const out = new Uint8Array(size);
  out.set(new Uint8Array(first), 0);
  let at = first.byteLength;
  for (const r of rest) {
    out.set(new Uint8Array(r.bytes), at);
    at += r.bytes.byteLength;
  }
  return out;
}
