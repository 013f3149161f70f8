/**
 * A frames segment's blobs in DO SQLite, which refuses a row over 2 MB: each blob is stored as
 * PART_BYTES parts (do/series-blobs.ts's size), one row each, part 0 always present so an empty
 * blob is still there to be read. Blobs are bounded by MAX_BLOB_BYTES (64 MiB, 64 parts).
 */
import { StoreError } from "../errors.ts";
import { own, PART_BYTES } from "./series-blobs.ts";
import type { DoSql } from "./sql.ts";

/** Stores one segment's blobs by ordinal; call in a transaction. */
export function putBlobs(sql: DoSql, item: string, segment: string, blobs: readonly Uint8Array[]): void {
  blobs.forEach((b, ordinal) => {
    let part = 0;
    for (let at = 0; part === 0 || at < b.byteLength; part++, at += PART_BYTES) {
      sql.run(
        "INSERT INTO fr_blobs (item, segment, ordinal, part, bytes) VALUES (?, ?, ?, ?, ?)",
        item,
        segment,
        ordinal,
        part,
        own(b.subarray(at, at + PART_BYTES)),
      );
    }
  });
}

/**
 * One blob joined from its parts; `not_found` when the segment has no such ordinal. Parts are
 * stepped through one at a time into an array of the blob's size, so a 64 MiB blob costs 64 MiB
 * and one part, not twice its size.
 */
export function readBlob(sql: DoSql, item: string, segment: string, ordinal: number): Uint8Array {
  const size = sql.first<{ parts: number; size: number | null }>(
    "SELECT COUNT(*) AS parts, SUM(length(bytes)) AS size FROM fr_blobs WHERE item = ? AND segment = ? AND ordinal = ?",
    item,
    segment,
    ordinal,
  );
  if (!size || size.parts === 0) {
    throw new StoreError("not_found", `No blob ${ordinal} of segment ${segment} of item ${item}`);
  }
  const out = new Uint8Array(size.size ?? 0);
  let at = 0;
  for (const p of sql.iterate<{ bytes: ArrayBuffer }>(
    "SELECT bytes FROM fr_blobs WHERE item = ? AND segment = ? AND ordinal = ? ORDER BY part",
    item,
    segment,
    ordinal,
  )) {
    out.set(new Uint8Array(p.bytes), at);
    at += p.bytes.byteLength;
  }
  return out;
}

/** Removes a segment's blobs; call in a transaction. */
export function dropBlobs(sql: DoSql, item: string, segment: string): void {
  sql.run("DELETE FROM fr_blobs WHERE item = ? AND segment = ?", item, segment);
}
