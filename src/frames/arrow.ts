/**
 * Frames as Arrow IPC: `frameToArrow` writes a stream, `framesFromArrow` reads a stream or file,
 * `framesFromArrowStream` reads a stream arriving in chunks, one frame per record batch, holding
 * one message at a time (for streamed appends). Column types: see arrow-columns.ts.
 *
 * Which column is the index, in order:
 * 1. schema metadata `pandas` (as pyarrow writes it): `index_columns` holding one column name;
 *    pandas' `__index_level_0__` takes its name from the `columns` entry, else "index". A
 *    RangeIndex entry (`{"kind": "range", start, step}`) has no column: it becomes an int64 index.
 *    More than one index column (a MultiIndex) is refused.
 * 2. else a column named "index" (or `__index_level_0__`);
 * 3. else the first Timestamp (or Date) column.
 * The index must be a timestamp (its zone kept in FrameIndex.zone) or an integer, without nulls.
 * Written frames carry pandas metadata naming the index, so pandas restores it.
 *
 * Every input is bounded: bytes (`maxBytes`) and rows per read or per batch (`maxRows`); the
 * metadata is bounds-checked (arrow-guard.ts) before apache-arrow reads it.
 */
import {
  type Data,
  DataType,
  Field,
  Int64,
  makeData,
  RecordBatch,
  RecordBatchReader,
  Schema,
  Struct,
  Table,
  TimestampNanosecond,
  tableFromIPC,
  tableToIPC,
} from "apache-arrow";
import { arrowTypeOf, columnFromArrow, columnToArrow } from "./arrow-columns.ts";
import { checkArrowIpc, checkMessage } from "./arrow-guard.ts";
import { type Column, checkFrame, type Frame, FrameError, type FrameIndex } from "./model.ts";

export interface ArrowLimits {
  /** Rows in one read (`framesFromArrow`) or one record batch (the stream). */
  readonly maxRows: number;
  /** Bytes of input in all. */
  readonly maxBytes: number;
}

export const DEFAULT_ARROW_LIMITS: ArrowLimits = { maxRows: 1_000_000, maxBytes: 64 * 1024 * 1024 };

const FILE_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"
const PANDAS_INDEX = /^__index_level_\d+__$/;

function invalid(msg: string): FrameError {
  return new FrameError("invalid", msg);
}

function pandasType(c: Column): [string, string, Record<string, unknown> | null] {
  switch (c.dtype) {
    case "string":
      return ["unicode", "object", null];
    case "timestamp":
      return ["datetimetz", "datetime64[ns]", { timezone: "UTC" }];
    case "category":
      return ["categorical", "int32", { num_categories: c.values.dictionary.length, ordered: false }];
    default:
      return [c.dtype, c.dtype, null];
  }
}

/** pandas' schema metadata, so `pa.ipc.open_stream(...).read_pandas()` restores the index. */
function pandasMetadata(f: Frame): string {
  const zone = f.index.zone ?? "UTC";
  const index =
    f.index.kind === "timestamp"
      ? { pandas_type: "datetimetz", numpy_type: "datetime64[ns]", metadata: { timezone: zone } }
      : { pandas_type: "int64", numpy_type: "int64", metadata: null };
  return JSON.stringify({
    index_columns: [f.index.name],
    column_indexes: [],
    columns: [
      ...f.columns.map((c) => {
        const [pandas_type, numpy_type, metadata] = pandasType(c);
        return { name: c.name, field_name: c.name, pandas_type, numpy_type, metadata };
      }),
      { name: f.index.name, field_name: f.index.name, ...index },
    ],
    creator: { library: "hayloft" },
  });
}

/**
 * The frame as an Arrow IPC stream of one record batch: the columns, then the index (last, as
 * pandas writes it) as Timestamp(ns, its zone or "UTC") or Int64.
 *
 * @example
 * const bytes = frameToArrow(frame); // pyarrow: pa.ipc.open_stream(bytes).read_pandas()
 */
export function frameToArrow(frame: Frame): Uint8Array {
  checkFrame(frame);
  const n = frame.index.values.length;
  const indexType = frame.index.kind === "timestamp" ? new TimestampNanosecond(frame.index.zone ?? "UTC") : new Int64();
  const fields = [
    ...frame.columns.map((c) => new Field(c.name, arrowTypeOf(c.dtype), c.valid !== undefined)),
    new Field(frame.index.name, indexType, false),
  ];
  const schema = new Schema(fields, new Map([["pandas", pandasMetadata(frame)]]));
  const children = [
    ...frame.columns.map((c, i) => columnToArrow(c, (fields[i] as Field).type)),
    makeData({ type: indexType as Int64, length: n, nullCount: 0, data: frame.index.values }),
  ];
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, nullCount: 0, children }));
  return tableToIPC(new Table(schema, [batch]), "stream");
}

type IndexPlan =
  | { readonly kind: "column"; readonly at: number; readonly name: string }
  | { readonly kind: "range"; readonly start: bigint; readonly step: bigint; readonly name: string };

interface PandasMeta {
  readonly index_columns?: unknown;
  readonly columns?: unknown;
}

function pandasName(meta: PandasMeta, fieldName: string): string {
  const cols = Array.isArray(meta.columns) ? (meta.columns as unknown[]) : [];
  for (const c of cols) {
    if (typeof c === "object" && c !== null && (c as { field_name?: unknown }).field_name === fieldName) {
      const name = (c as { name?: unknown }).name;
      if (typeof name === "string" && name !== "") return name;
    }
  }
  return PANDAS_INDEX.test(fieldName) ? "index" : fieldName;
}

function fromPandas(schema: Schema, raw: string): IndexPlan | undefined {
  let meta: PandasMeta;
  try {
    meta = JSON.parse(raw) as PandasMeta;
  } catch {
    throw invalid("schema metadata `pandas` is not JSON");
  }
  const cols = meta?.index_columns;
  if (!Array.isArray(cols) || cols.length === 0) return undefined;
  if (cols.length > 1) throw invalid(`a MultiIndex of ${cols.length} columns is not supported: one index column`);
  const entry: unknown = cols[0];
  if (typeof entry === "string") {
    const at = schema.fields.findIndex((f) => f.name === entry);
    if (at < 0) throw invalid(`the pandas index column ${JSON.stringify(entry)} is missing`);
    return { kind: "column", at, name: pandasName(meta, entry) };
  }
  const r = entry as { kind?: unknown; start?: unknown; step?: unknown; name?: unknown } | null;
  if (r?.kind === "range" && Number.isSafeInteger(r.start ?? 0) && Number.isSafeInteger(r.step ?? 1)) {
    const name = typeof r.name === "string" && r.name !== "" ? r.name : "index";
    return { kind: "range", start: BigInt((r.start as number) ?? 0), step: BigInt((r.step as number) ?? 1), name };
  }
  throw invalid("schema metadata `pandas` has an index entry that is neither a column nor a range");
}

/** Where the index is (see the module comment for the rule). */
function indexPlan(schema: Schema): IndexPlan {
  const raw = schema.metadata.get("pandas");
  const fromMeta = raw === undefined ? undefined : fromPandas(schema, raw);
  if (fromMeta !== undefined) return fromMeta;
  const fields = schema.fields;
  let at = fields.findIndex((f) => f.name === "index");
  if (at < 0) at = fields.findIndex((f) => PANDAS_INDEX.test(f.name));
  if (at < 0) at = fields.findIndex((f) => DataType.isTimestamp(f.type) || DataType.isDate(f.type));
  if (at < 0) throw invalid(`no index column: name it "index", or give a timestamp column`);
  const name = fields[at]?.name as string;
  return { kind: "column", at, name: PANDAS_INDEX.test(name) ? "index" : name };
}

function checkNames(schema: Schema): void {
  const seen = new Set<string>();
  for (const f of schema.fields) {
    if (seen.has(f.name))
      throw new FrameError("duplicate_column", `column ${JSON.stringify(f.name)} appears twice`, f.name);
    seen.add(f.name);
  }
}

function indexOf(plan: IndexPlan, schema: Schema, chunks: readonly Data[], n: number, rowOffset: number): FrameIndex {
  if (plan.kind === "range") {
    const values = new BigInt64Array(n);
    for (let i = 0; i < n; i++) values[i] = plan.start + plan.step * BigInt(rowOffset + i);
    return { kind: "int64", name: plan.name, values };
  }
  const field = schema.fields[plan.at] as Field;
  const col = columnFromArrow(plan.name, field.type, chunks, n);
  if (col.valid !== undefined) {
    throw invalid(`the index ${JSON.stringify(plan.name)} has a null at row ${col.valid.indexOf(0) + rowOffset}`);
  }
  if (col.dtype === "timestamp") {
    const tz = DataType.isTimestamp(field.type) ? field.type.timezone : null;
    return { kind: "timestamp", name: plan.name, values: col.values, ...(tz ? { zone: tz } : {}) };
  }
  if (col.dtype === "int64") return { kind: "int64", name: plan.name, values: col.values };
  if (col.dtype === "int32") return { kind: "int64", name: plan.name, values: BigInt64Array.from(col.values, BigInt) };
  throw new FrameError(
    "dtype_mismatch",
    `the index ${JSON.stringify(plan.name)} is ${field.type}: expected a timestamp or integer`,
    plan.name,
  );
}

/** A frame from a schema and each field's chunks. */
function frameOf(schema: Schema, chunksOf: (i: number) => readonly Data[], n: number, rowOffset: number): Frame {
  checkNames(schema);
  const plan = indexPlan(schema);
  const index = indexOf(plan, schema, plan.kind === "column" ? chunksOf(plan.at) : [], n, rowOffset);
  const columns: Column[] = [];
  schema.fields.forEach((f, i) => {
    if (plan.kind === "column" && i === plan.at) return;
    columns.push(columnFromArrow(f.name, f.type, chunksOf(i), n));
  });
  const frame = { index, columns };
  checkFrame(frame);
  return frame;
}

/**
 * apache-arrow decodes lazily and trusts buffers: data that contradicts its metadata can throw
 * from inside it. That is bad input, not a fault of ours.
 */
function converting<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw asFrameError(e);
  }
}

function asFrameError(e: unknown): FrameError {
  if (e instanceof FrameError) return e;
  const reason = e instanceof Error ? e.message.slice(0, 160) : String(e);
  return invalid(`not a readable Arrow IPC stream or file: ${reason}`);
}

/**
 * One frame from a whole Arrow IPC stream or file (all record batches).
 *
 * @example
 * const frame = framesFromArrow(await request.bytes(), { maxRows: 100_000, maxBytes: 8 << 20 });
 */
export function framesFromArrow(bytes: Uint8Array, limits: Partial<ArrowLimits> = {}): Frame {
  const { maxRows, maxBytes } = { ...DEFAULT_ARROW_LIMITS, ...limits };
  if (bytes.length > maxBytes) throw new FrameError("too_large", `more than ${maxBytes} bytes of Arrow`);
  if (bytes.length === 0) throw invalid("an empty body is not Arrow IPC");
  checkArrowIpc(bytes, maxRows);
  return converting(() => {
    const table = tableFromIPC(bytes);
    if (table.numRows > maxRows) throw new FrameError("too_large", `more than ${maxRows} rows`);
    return frameOf(table.schema, (i) => table.getChildAt(i)?.data ?? [], table.numRows, 0);
  });
}

/** Chunks joined into one buffer (only when a whole message is there, so each byte is copied once). */
function join(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(total);
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

/**
 * Whole IPC messages (prefix, metadata, body) cut from arbitrary chunks, each one's metadata
 * checked before it passes on, so apache-arrow never reads an unchecked message.
 */
async function* messages(chunks: AsyncIterable<Uint8Array>, limits: ArrowLimits): AsyncGenerator<Uint8Array> {
  let parts: Uint8Array[] = [];
  let pending = 0;
  let need = 8;
  let total = 0;
  let first = true;
  for await (const chunk of chunks) {
    total += chunk.length;
    if (total > limits.maxBytes) throw new FrameError("too_large", `more than ${limits.maxBytes} bytes of Arrow`);
    parts.push(chunk);
    pending += chunk.length;
    if (pending < need) continue;
    let buf = join(parts, pending);
    if (first && buf.length >= 6 && FILE_MAGIC.every((c, i) => buf[i] === c)) {
      throw invalid("the Arrow file format cannot be streamed: send the IPC stream format");
    }
    first = false;
    for (;;) {
      const cut = nextMessage(buf, limits, total - buf.length);
      if (cut === "eos") return;
      if (typeof cut === "object") {
        need = cut.need;
        break;
      }
      yield buf.slice(0, cut);
      buf = buf.subarray(cut);
      need = 8;
    }
    parts = buf.length === 0 ? [] : [buf];
    pending = buf.length;
  }
  // A pre-0.15 end marker is four zero bytes, shorter than the eight a message needs first.
  const tail = join(parts, pending);
  if (!(pending === 0 || (pending === 4 && tail.every((b) => b === 0)))) {
    throw invalid("the Arrow stream ends inside a message");
  }
}

/** The length of the whole message at the start of `buf`, the bytes needed first, or "eos". */
function nextMessage(buf: Uint8Array, limits: ArrowLimits, consumed: number): number | "eos" | { need: number } {
  if (buf.length < 8) return { need: 8 };
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  // Streams before Arrow 0.15 lack the 0xFFFFFFFF continuation marker.
  const marked = dv.getInt32(0, true) === -1;
  const prefix = marked ? 8 : 4;
  const metaLength = dv.getInt32(marked ? 4 : 0, true);
  if (metaLength === 0) return "eos";
  if (metaLength < 0 || consumed + prefix + metaLength > limits.maxBytes)
    throw invalid("a message longer than allowed");
  if (buf.length < prefix + metaLength) return { need: prefix + metaLength };
  const room = limits.maxBytes - consumed - prefix - metaLength;
  const bodyLength = checkMessage(buf.subarray(prefix, prefix + metaLength), room, limits.maxRows);
  const whole = prefix + metaLength + bodyLength;
  return buf.length < whole ? { need: whole } : whole;
}

/**
 * Frames from an Arrow IPC stream arriving in chunks: one per record batch, as each completes.
 * Rows are bounded per batch, bytes in all; the file format is refused (its footer comes last).
 *
 * @example
 * for await (const part of framesFromArrowStream(request.body)) await append(part);
 */
export async function* framesFromArrowStream(
  chunks: AsyncIterable<Uint8Array>,
  limits: Partial<ArrowLimits> = {},
): AsyncGenerator<Frame> {
  const all = { ...DEFAULT_ARROW_LIMITS, ...limits };
  let rows = 0;
  try {
    const reader = await RecordBatchReader.from(messages(chunks, all));
    for await (const batch of reader) {
      const n = batch.numRows;
      const frame = converting(() => frameOf(batch.schema, (i) => [batch.data.children[i] as Data], n, rows));
      rows += n;
      yield frame;
    }
  } catch (e) {
    throw asFrameError(e);
  }
}
