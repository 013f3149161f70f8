/**
 * Frame -> Parquet with hyparquet-writer (pure JavaScript: runs in workerd as in Node). The layout
 * written is described in src/frames/parquet.ts, the module to import.
 */
// The package's runtime-neutral entry point: its Node entry also pulls in `fs`.
import type { KeyValue } from "hyparquet/src/index.js";
import { ByteWriter } from "hyparquet-writer/src/bytewriter.js";
import type { ColumnSource } from "hyparquet-writer/src/index.js";
import { ParquetWriter } from "hyparquet-writer/src/parquet-writer.js";
import { concatBytes } from "../bytes.ts";
import { type Column, checkFrame, type DType, type Frame, FrameError, frameLength, isValid } from "./model.ts";
import { concatFrames } from "./rows.ts";

export interface ParquetWriteOptions {
  /** Rows per row group (default 100,000): the unit a reader can select or skip, and stream. */
  readonly rowGroupRows?: number;
  /** SNAPPY (default) or none. */
  readonly compression?: "snappy" | "none";
}

export const DEFAULT_ROW_GROUP_ROWS = 100_000;

/** Key-value metadata key holding what pandas metadata cannot say exactly (category dictionaries). */
export const HAYLOFT_KEY = "hayloft";

export interface HayloftMeta {
  readonly categories: Record<string, readonly string[]>;
}

/** The writer's SchemaElement, as its constructor types it. */
type WriterElement = ConstructorParameters<typeof ParquetWriter>[0]["schema"][number];

const TS_NANOS: WriterElement["logical_type"] = { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "NANOS" };

function element(name: string, dtype: DType | "int64-index" | "timestamp-index", nullable: boolean): WriterElement {
  const repetition_type = nullable ? "OPTIONAL" : "REQUIRED";
  switch (dtype) {
    case "float64":
      return { name, type: "DOUBLE", repetition_type };
    case "float32":
      return { name, type: "FLOAT", repetition_type };
    case "int64":
    case "int64-index":
      return { name, type: "INT64", repetition_type };
    case "int32":
      return { name, type: "INT32", repetition_type };
    case "bool":
      return { name, type: "BOOLEAN", repetition_type };
    case "string":
    case "category":
      return { name, type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" }, repetition_type };
    case "timestamp":
    case "timestamp-index":
      return { name, type: "INT64", logical_type: TS_NANOS, repetition_type };
  }
}

/** The column's values as the writer takes them: nulls in place when the column has a mask. */
function writerData(c: Column): ColumnSource["data"] {
  const n = c.dtype === "category" ? c.values.codes.length : c.values.length;
  const masked = c.valid !== undefined;
  if (c.dtype === "bool") return Array.from(c.values, (v, i) => (masked && !isValid(c, i) ? null : v === 1));
  if (c.dtype === "category") {
    const { codes, dictionary } = c.values;
    return Array.from({ length: n }, (_, i) => (isValid(c, i) ? (dictionary[codes[i] as number] as string) : null));
  }
  if (!masked) return c.values;
  const out: unknown[] = Array.from(c.values as ArrayLike<unknown>);
  for (let i = 0; i < n; i++) if (!isValid(c, i)) out[i] = null;
  return out;
}

function pandasColumn(name: string, dtype: DType, zone?: string): Record<string, unknown> {
  const base = { name, field_name: name };
  switch (dtype) {
    case "float64":
      return { ...base, pandas_type: "float64", numpy_type: "float64", metadata: null };
    case "float32":
      return { ...base, pandas_type: "float32", numpy_type: "float32", metadata: null };
    case "int64":
      return { ...base, pandas_type: "int64", numpy_type: "int64", metadata: null };
    case "int32":
      return { ...base, pandas_type: "int32", numpy_type: "int32", metadata: null };
    case "bool":
      return { ...base, pandas_type: "bool", numpy_type: "bool", metadata: null };
    case "string":
      return { ...base, pandas_type: "unicode", numpy_type: "object", metadata: null };
    case "category":
      return { ...base, pandas_type: "categorical", numpy_type: "int32", metadata: { ordered: false } };
    case "timestamp":
      return zone === undefined
        ? { ...base, pandas_type: "datetime", numpy_type: "datetime64[ns]", metadata: null }
        : { ...base, pandas_type: "datetimetz", numpy_type: "datetime64[ns]", metadata: { timezone: zone } };
  }
}

/** The writer's schema, column sources and key-value metadata for a frame. */
function layout(frame: Frame): { schema: WriterElement[]; columnData: ColumnSource[]; kv: KeyValue[] } {
  const { index } = frame;
  const idxDtype = index.kind === "timestamp" ? "timestamp-index" : "int64-index";
  const schema: WriterElement[] = [
    { name: "root", num_children: frame.columns.length + 1 },
    element(index.name, idxDtype, false),
  ];
  const columnData: ColumnSource[] = [{ name: index.name, data: index.values }];
  const categories: Record<string, readonly string[]> = {};
  for (const c of frame.columns) {
    schema.push(element(c.name, c.dtype, c.valid !== undefined));
    // Dictionaries are forced for categories only; elsewhere the writer chooses when it pays.
    columnData.push(
      c.dtype === "category"
        ? { name: c.name, data: writerData(c), encoding: "RLE_DICTIONARY" }
        : { name: c.name, data: writerData(c) },
    );
    if (c.dtype === "category") categories[c.name] = c.values.dictionary;
  }
  const pandas = {
    index_columns: [index.name],
    column_indexes: [],
    columns: [
      ...frame.columns.map((c) => pandasColumn(c.name, c.dtype)),
      pandasColumn(index.name, index.kind === "timestamp" ? "timestamp" : "int64", index.zone),
    ],
    creator: { library: "hayloft", version: "1" },
    pandas_version: "2.2.0",
  };
  const hayloft: HayloftMeta = { categories };
  const kv = [
    { key: "pandas", value: JSON.stringify(pandas) },
    { key: HAYLOFT_KEY, value: JSON.stringify(hayloft) },
  ];
  return { schema, columnData, kv };
}

/** Rows [start, end) of a column source: a view for typed arrays. */
function rowsOf(data: ColumnSource["data"], start: number, end: number): ColumnSource["data"] {
  return Array.isArray(data) ? data.slice(start, end) : (data as Int32Array).subarray(start, end);
}

/** A ByteWriter whose bytes are handed out after each row group, so no more than one is held. */
class DrainingWriter extends ByteWriter {
  drain(): Uint8Array {
    const out = this.getBytes().slice();
    this.index = 0;
    return out;
  }
}

/**
 * Encodes a frame as a Parquet file in pieces: the leading magic, then one piece per row group of
 * `rowGroupRows` (SNAPPY unless `compression: "none"`), then the footer. Concatenated they are
 * exactly `frameToParquet`'s bytes; only one row group's encoding is held at a time, so a
 * response body can stream them.
 *
 * @example new ReadableStream({ start(c) { for (const b of frameToParquetChunks(f)) c.enqueue(b); c.close(); } })
 */
export function* frameToParquetChunks(frame: Frame, options: ParquetWriteOptions = {}): Generator<Uint8Array> {
  checkFrame(frame);
  const rowGroupRows = options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  if (!Number.isSafeInteger(rowGroupRows) || rowGroupRows < 1) {
    throw new FrameError("invalid", "rowGroupRows must be a positive integer");
  }
  const { schema, columnData, kv } = layout(frame);
  const codec = options.compression === "none" ? "UNCOMPRESSED" : "SNAPPY";
  const writer = new DrainingWriter();
  const pq = guarded(
    () => new ParquetWriter({ writer, schema, codec, kvMetadata: kv, createdBy: "hayloft (hyparquet-writer)" }),
  );
  yield writer.drain();
  const n = frameLength(frame);
  for (let start = 0; start < n; start += rowGroupRows) {
    const end = Math.min(n, start + rowGroupRows);
    const part = columnData.map((c) => ({ ...c, data: rowsOf(c.data, start, end) }));
    guarded(() => pq.write({ columnData: part, rowGroupSize: rowGroupRows }));
    yield writer.drain();
  }
  guarded(() => pq.finish());
  yield writer.drain();
}

/** Encodes a frame as one Parquet file (SNAPPY, row groups of `rowGroupRows`). */
export function frameToParquet(frame: Frame, options: ParquetWriteOptions = {}): Uint8Array {
  return concatBytes([...frameToParquetChunks(frame, options)]);
}

/**
 * A Parquet file from frames arriving one at a time (the segments of a read), in pieces: rows are
 * gathered into row groups of `rowGroupRows` and each is written as it fills, so no more than one
 * row group is held. `shape` is an empty frame giving the columns, their dtypes and which are
 * nullable; every frame must match it (same columns, a validity array exactly where it has one).
 * Category dictionaries, which may differ from frame to frame, are merged for the footer.
 */
export async function* framesToParquetChunks(
  shape: Frame,
  frames: AsyncIterable<Frame>,
  options: ParquetWriteOptions = {},
): AsyncGenerator<Uint8Array> {
  checkFrame(shape);
  const rowGroupRows = options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  if (!Number.isSafeInteger(rowGroupRows) || rowGroupRows < 1) {
    throw new FrameError("invalid", "rowGroupRows must be a positive integer");
  }
  const { schema, kv } = layout(shape);
  const codec = options.compression === "none" ? "UNCOMPRESSED" : "SNAPPY";
  const writer = new DrainingWriter();
  const pq = guarded(
    () => new ParquetWriter({ writer, schema, codec, kvMetadata: kv, createdBy: "hayloft (hyparquet-writer)" }),
  );
  yield writer.drain();
  const dictionaries = new Map<string, Map<string, number>>();
  const sameShape = (f: Frame): void => {
    const ok =
      f.index.kind === shape.index.kind &&
      f.columns.length === shape.columns.length &&
      f.columns.every((c, i) => {
        const want = shape.columns[i] as Column;
        return c.name === want.name && c.dtype === want.dtype && (c.valid !== undefined) === (want.valid !== undefined);
      });
    if (!ok) throw new FrameError("invalid", "parquet stream: a frame does not match the file's columns");
  };
  let held: Frame[] = [];
  let rows = 0;
  const flush = (): Uint8Array | undefined => {
    if (rows === 0) return undefined;
    const group = held.length === 1 ? (held[0] as Frame) : concatFrames(held);
    held = [];
    rows = 0;
    const { columnData } = layout(group);
    guarded(() => pq.write({ columnData, rowGroupSize: rowGroupRows }));
    return writer.drain();
  };
  for await (const f of frames) {
    const n = frameLength(f);
    if (n === 0) continue;
    sameShape(f);
    for (const c of f.columns) {
      if (c.dtype !== "category") continue;
      const seen = dictionaries.get(c.name) ?? new Map<string, number>();
      dictionaries.set(c.name, seen);
      for (const v of c.values.dictionary) if (!seen.has(v)) seen.set(v, seen.size);
    }
    for (let start = 0; start < n; ) {
      const take = Math.min(n - start, rowGroupRows - rows);
      held.push(start === 0 && take === n ? f : sliceFrame(f, start, start + take));
      rows += take;
      start += take;
      if (rows >= rowGroupRows) {
        const piece = flush();
        if (piece) yield piece;
      }
    }
  }
  const last = flush();
  if (last) yield last;
  // The footer is written by finish: the merged dictionaries go in its key-value metadata.
  const categories: Record<string, readonly string[]> = {};
  for (const c of shape.columns) {
    if (c.dtype === "category") categories[c.name] = [...(dictionaries.get(c.name)?.keys() ?? c.values.dictionary)];
  }
  const at = kv.findIndex((e) => e.key === HAYLOFT_KEY);
  if (at >= 0) kv[at] = { key: HAYLOFT_KEY, value: JSON.stringify({ categories } satisfies HayloftMeta) };
  guarded(() => pq.finish());
  yield writer.drain();
}

function guarded<T>(step: () => T): T {
  try {
    return step();
  } catch (e) {
    throw new FrameError("invalid", `parquet write failed: ${(e as Error).message}`);
  }
}

/** Rows [start, end) of a frame, as views where the values allow. */
function sliceFrame(f: Frame, start: number, end: number): Frame {
  return {
    index: { ...f.index, values: f.index.values.subarray(start, end) },
    columns: f.columns.map((c) => {
      const valid = c.valid?.subarray(start, end);
      const v = valid === undefined ? {} : { valid };
      if (c.dtype === "category") {
        return {
          name: c.name,
          dtype: c.dtype,
          values: { codes: c.values.codes.subarray(start, end), dictionary: c.values.dictionary },
          ...v,
        };
      }
      if (c.dtype === "string") return { name: c.name, dtype: c.dtype, values: c.values.slice(start, end), ...v };
      return { name: c.name, dtype: c.dtype, values: c.values.subarray(start, end), ...v } as Column;
    }),
  };
}
