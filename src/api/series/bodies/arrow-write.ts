/**
 * Arrow IPC stream response bodies: `time` as Timestamp(ms, store zone) and `value` as Float64
 * with nulls for missing (a float32 or int64 store answers in float64 too). Many series in long
 * format: the key columns first (int -> Int64, str -> Utf8, date -> Date32, bool -> Bool), then
 * `version` (Int64) when asked, time and value; one record batch per series, or per 64K rows of it.
 *
 * apache-arrow writes whole streams; each batch is written as a one-batch stream and cut: the
 * schema message is sent once at the start, the end-of-stream marker once at the end.
 */
import {
  Bool,
  type Data,
  DateDay,
  Field,
  Float64,
  Int64,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import type { KeyDecl, KeyValue, Points } from "../../../series/model.ts";
import { epochDays } from "./keys.ts";
import type { ManyItem } from "./types.ts";

const BATCH_ROWS = 65_536;
/** Continuation marker and zero length: the end of an IPC stream. */
const EOS = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

function keyType(decl: KeyDecl) {
  switch (decl.type) {
    case "int":
      return new Int64();
    case "str":
      return new Utf8();
    case "date":
      return new DateDay();
    case "bool":
      return new Bool();
  }
}

/** The schema of a body: key columns (if any), version (if asked), time, value. */
export function arrowSchema(
  zone: string,
  decls: readonly KeyDecl[],
  versions: boolean,
  meta?: Readonly<Record<string, unknown>>,
): Schema {
  const fields = [
    ...decls.map((d) => new Field(d.name, keyType(d), false)),
    ...(versions ? [new Field("version", new Int64(), true)] : []),
    new Field("time", new TimestampMillisecond(zone), false),
    new Field("value", new Float64(), true),
  ];
  const metadata = new Map(Object.entries(meta ?? {}).map(([k, v]) => [k, JSON.stringify(v) ?? "null"]));
  return new Schema(fields, metadata);
}

/** Epoch ms as int64 bits, written through 32-bit halves (no BigInt per row). */
function timeData(index: Float64Array, from: number, n: number, type: TimestampMillisecond): Data {
  const words = new Uint32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const ms = index[from + i] as number;
    const hi = Math.floor(ms / 4294967296);
    words[2 * i] = ms - hi * 4294967296;
    words[2 * i + 1] = hi >>> 0;
  }
  return makeData({ type, length: n, nullCount: 0, data: new BigInt64Array(words.buffer) });
}

function valueData(values: Float64Array, from: number, n: number, type: Float64): Data {
  const data = values.slice(from, from + n);
  let nulls = 0;
  const bitmap = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(data[i] as number)) nulls++;
    else bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7));
  }
  return nulls === 0
    ? makeData({ type, length: n, nullCount: 0, data })
    : makeData({ type, length: n, nullCount: nulls, nullBitmap: bitmap, data });
}

function repeated(field: Field, v: KeyValue | undefined, n: number): Data {
  const t = field.type;
  if (t instanceof Int64)
    return makeData({ type: t, length: n, nullCount: 0, data: new BigInt64Array(n).fill(BigInt(v as number)) });
  if (t instanceof DateDay)
    return makeData({ type: t, length: n, nullCount: 0, data: new Int32Array(n).fill(epochDays(v as string)) });
  return vectorFromArray(new Array<KeyValue | undefined>(n).fill(v), t).data[0] as Data;
}

/** The record batches of one series; the schema's fields are keys (`decls`), [version], time, value. */
function batches(
  schema: Schema,
  decls: readonly KeyDecl[],
  p: Points,
  keys: ManyItem["keys"],
  version: number | undefined,
): RecordBatch[] {
  const out: RecordBatch[] = [];
  const fields = schema.fields;
  const versions = fields.length === decls.length + 3;
  const total = p.index.length;
  for (let from = 0; from === 0 || from < total; from += BATCH_ROWS) {
    const n = Math.min(BATCH_ROWS, total - from);
    const children: Data[] = decls.map((d, k) => repeated(fields[k] as Field, keys[d.name], n));
    if (versions) {
      const type = new Int64();
      children.push(
        version === undefined
          ? makeData({
              type,
              length: n,
              nullCount: n,
              nullBitmap: new Uint8Array((n + 7) >> 3),
              data: new BigInt64Array(n),
            })
          : makeData({ type, length: n, nullCount: 0, data: new BigInt64Array(n).fill(BigInt(version)) }),
      );
    }
    children.push(timeData(p.index, from, n, fields[fields.length - 2]?.type as TimestampMillisecond));
    children.push(valueData(p.values, from, n, new Float64()));
    out.push(new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, nullCount: 0, children })));
  }
  return out;
}

/** The IPC messages of `batch`: a one-batch stream without its schema message and end marker. */
function batchMessages(batch: RecordBatch): Uint8Array {
  const stream = RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true);
  return stream.subarray(schemaLength(stream), stream.length - EOS.length);
}

/** Bytes of the first message (the schema): continuation marker, int32 length, metadata. */
function schemaLength(stream: Uint8Array): number {
  return 8 + new DataView(stream.buffer, stream.byteOffset, 8).getInt32(4, true);
}

/** The schema message that starts every stream of `schema`. */
function schemaMessage(schema: Schema): Uint8Array {
  const empty = RecordBatchStreamWriter.writeAll(new Table(schema)).toUint8Array(true);
  return empty.subarray(0, schemaLength(empty));
}

/** One series as an Arrow IPC stream. */
export function* arrowPoints(p: Points, zone: string, meta?: Readonly<Record<string, unknown>>): Generator<Uint8Array> {
  const schema = arrowSchema(zone, [], false, meta);
  yield schemaMessage(schema);
  for (const b of batches(schema, [], p, {}, undefined)) yield batchMessages(b);
  yield EOS;
}

/** Many series as one Arrow IPC stream, a record batch per series as they arrive. */
export async function* arrowMany(
  items: AsyncIterable<ManyItem>,
  zone: string,
  decls: readonly KeyDecl[],
  versions: boolean,
): AsyncGenerator<Uint8Array> {
  const schema = arrowSchema(zone, decls, versions);
  yield schemaMessage(schema);
  for await (const it of items) {
    for (const b of batches(schema, decls, it.points, it.keys, it.version)) yield batchMessages(b);
  }
  yield EOS;
}
