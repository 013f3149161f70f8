/**
 * Frames to stored segments and back. A segment is a row group of an item: one encoded blob per
 * column chunk (ordinal 0 the index, i + 1 its column i; src/frames/chunk-codec.ts) and a record of
 * its bounds and per-column statistics, which reads prune on without touching the blobs.
 */
import { type Chunk, decodeChunk, encodeChunk } from "../frames/chunk-codec.ts";
import { type Column, type DType, type Frame, FrameError, type FrameIndex, frameLength } from "../frames/model.ts";
import { type ColumnStats, columnStats, statsFromJson, statsToJson } from "../frames/stats.ts";
import type { SegmentPut, SegmentRecord } from "../storage/frames-port.ts";

/**
 * Rows per segment: 64 Ki rows keep a float64 column chunk at 512 KiB before compression (under
 * DO SQLite's row limit without splitting) and give a 1M-row item 16 segments to prune among.
 */
export const SEGMENT_ROWS = 65_536;

/** A frame cut into segments of at most `rows` rows; ids `${version}.${first + n}`. */
export function toSegments(item: string, frame: Frame, version: number, first = 0, rows = SEGMENT_ROWS): SegmentPut[] {
  const n = frameLength(frame);
  const out: SegmentPut[] = [];
  for (let start = 0, k = first; start < n; start += rows, k++) {
    const end = Math.min(n, start + rows);
    out.push(segmentOf(item, `${version}.${k}`, frame, start, end));
  }
  return out;
}

function segmentOf(item: string, id: string, f: Frame, start: number, end: number): SegmentPut {
  const idx = f.index.values.subarray(start, end);
  const blobs: Uint8Array[] = [
    encodeChunk({ dtype: f.index.kind === "timestamp" ? "timestamp" : "int64", values: idx }),
  ];
  const columns = f.columns.map((c) => {
    const bytes = encodeChunk(sliceChunk(c, start, end));
    blobs.push(bytes);
    return { name: c.name, dtype: c.dtype, stats: statsToJson(columnStats(c, start, end)), bytes: bytes.byteLength };
  });
  const record: SegmentRecord = {
    id,
    rows: end - start,
    min: String(idx[0]),
    max: String(idx[idx.length - 1]),
    columns,
  };
  return { item, segment: record, blobs };
}

function sliceChunk(c: Column, start: number, end: number): Chunk {
  const valid = c.valid?.subarray(start, end);
  const v = valid?.includes(0) ? { valid } : {};
  switch (c.dtype) {
    case "string":
      return { dtype: c.dtype, values: c.values.slice(start, end), ...v };
    case "category":
      return {
        dtype: c.dtype,
        values: { codes: c.values.codes.subarray(start, end), dictionary: c.values.dictionary },
        ...v,
      };
    default:
      return { dtype: c.dtype, values: c.values.subarray(start, end), ...v } as Chunk;
  }
}

/** The index bounds of a segment record. */
export function boundsOf(s: SegmentRecord): { min: bigint; max: bigint } {
  return { min: BigInt(s.min), max: BigInt(s.max) };
}

/**
 * The frame of one segment from its blobs: `blobs[k]` is the chunk of `ordinals[k]`. Only the
 * columns fetched are present; the caller conforms to the version's schema.
 */
export function segmentFrame(
  record: SegmentRecord,
  index: { readonly kind: FrameIndex["kind"]; readonly name: string; readonly zone?: string },
  ordinals: readonly number[],
  blobs: readonly Uint8Array[],
): Frame {
  let values: BigInt64Array | undefined;
  const columns: Column[] = [];
  ordinals.forEach((ord, k) => {
    const chunk = decodeChunk(blobs[k] as Uint8Array);
    const rows = chunk.dtype === "category" ? chunk.values.codes.length : chunk.values.length;
    if (rows !== record.rows) {
      throw new FrameError("invalid", `segment ${record.id}: chunk ${ord} holds ${rows} rows, not ${record.rows}`);
    }
    if (ord === 0) {
      if (chunk.dtype !== "int64" && chunk.dtype !== "timestamp")
        throw new FrameError("invalid", `segment ${record.id}: index chunk is ${chunk.dtype}`);
      values = chunk.values;
      return;
    }
    const meta = record.columns[ord - 1];
    if (meta === undefined || meta.dtype !== chunk.dtype)
      throw new FrameError("invalid", `segment ${record.id}: chunk ${ord} does not match its record`);
    columns.push({ name: meta.name, ...chunk } as Column);
  });
  if (values === undefined) throw new FrameError("invalid", `segment ${record.id}: no index chunk fetched`);
  const zone = index.zone === undefined ? {} : { zone: index.zone };
  return { index: { kind: index.kind, name: index.name, values, ...zone }, columns };
}

/** Ordinals of the named columns in a segment (those it has), index first. */
export function ordinalsOf(record: SegmentRecord, names: ReadonlySet<string>): number[] {
  const out = [0];
  record.columns.forEach((c, i) => {
    if (names.has(c.name)) out.push(i + 1);
  });
  return out;
}

/**
 * A segment's statistics by column name, for stats.ts mayMatch: the index from its bounds, each
 * stored column from its record, and a column of `schema` the segment lacks (added later) as all
 * null.
 */
export function segmentStats(
  record: SegmentRecord,
  indexName: string,
  fields: readonly { readonly name: string; readonly dtype: DType }[],
): Map<string, ColumnStats> {
  const m = new Map<string, ColumnStats>();
  const b = boundsOf(record);
  m.set(indexName, { rows: record.rows, nullCount: 0, min: b.min, max: b.max });
  const stored = new Map(record.columns.map((c) => [c.name, c]));
  for (const f of fields) {
    const c = stored.get(f.name);
    if (c === undefined) m.set(f.name, { rows: record.rows, nullCount: record.rows });
    // Stats of an older, narrower dtype do not order against this dtype's values: no pruning.
    else if (c.dtype === f.dtype) m.set(f.name, statsFromJson(c.stats, c.dtype));
  }
  return m;
}
