/**
 * Arrow column data <-> frame columns, one dtype at a time. Writing: float64/32 -> Float64/32,
 * int64/32 -> Int64/32, bool -> Bool, string -> Utf8, timestamp -> Timestamp(ns, "UTC"),
 * category -> Dictionary<Utf8, Int32>. Reading accepts more than is written, each converted
 * exactly: Int8/16 and UInt8/16 widen to int32, UInt32 to int64, UInt64 to int64 when it fits;
 * LargeUtf8 is a string; a Timestamp of any unit and zone is ns UTC (a naive one is read as UTC);
 * Date32/Date64 are UTC midnights; a dictionary of Utf8/LargeUtf8 with any integer codes is a
 * category. Anything else (struct, list, binary, decimal, float16...) is "dtype_mismatch".
 */
import {
  Bool,
  type Data,
  DataType,
  DateUnit,
  Dictionary,
  Float32,
  Float64,
  Int32,
  Int64,
  makeData,
  TimestampNanosecond,
  TimeUnit,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import { type Column, type DType, FrameError } from "./model.ts";

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const NS_PER: Record<TimeUnit, bigint> = {
  [TimeUnit.SECOND]: 1_000_000_000n,
  [TimeUnit.MILLISECOND]: 1_000_000n,
  [TimeUnit.MICROSECOND]: 1_000n,
  [TimeUnit.NANOSECOND]: 1n,
};
const NS_PER_DAY = 86_400_000_000_000n;

function q(name: string): string {
  return JSON.stringify(name);
}

/** The frame dtype an Arrow type reads as, or undefined when it has none. */
export function dtypeOfArrow(t: DataType): DType | undefined {
  if (DataType.isFloat(t)) return t.precision === 2 ? "float64" : t.precision === 1 ? "float32" : undefined;
  if (DataType.isInt(t)) return t.bitWidth === 64 || (t.bitWidth === 32 && !t.isSigned) ? "int64" : "int32";
  if (DataType.isBool(t)) return "bool";
  if (DataType.isUtf8(t) || DataType.isLargeUtf8(t)) return "string";
  if (DataType.isTimestamp(t) || DataType.isDate(t)) return "timestamp";
  if (DataType.isDictionary(t)) {
    const v = t.dictionary;
    return DataType.isUtf8(v) || DataType.isLargeUtf8(v) ? "category" : undefined;
  }
  return undefined;
}

/** The Arrow type a frame dtype is written as. */
export function arrowTypeOf(dtype: DType): DataType {
  switch (dtype) {
    case "float64":
      return new Float64();
    case "float32":
      return new Float32();
    case "int64":
      return new Int64();
    case "int32":
      return new Int32();
    case "bool":
      return new Bool();
    case "string":
      return new Utf8();
    case "timestamp":
      return new TimestampNanosecond("UTC");
    case "category":
      return new Dictionary(new Utf8(), new Int32());
  }
}

/** Validity bytes of a chunk into `valid` from `row`; returns whether any row was null. */
function readValidity(d: Data, valid: Uint8Array, row: number): boolean {
  if (d.nullCount === 0 || d.nullBitmap === undefined || d.nullBitmap.length === 0) {
    valid.fill(1, row, row + d.length);
    return false;
  }
  let any = false;
  for (let i = 0; i < d.length; i++) {
    const ok = d.getValid(i);
    valid[row + i] = ok ? 1 : 0;
    if (!ok) any = true;
  }
  return any;
}

/** An Arrow integer as int64, exactly, or an error naming the row. */
function toI64(x: number | bigint, name: string, row: number): bigint {
  const b = BigInt(x);
  if (b < I64_MIN || b > I64_MAX) throw new FrameError("invalid", `row ${row}: ${q(name)} overflows int64`, name);
  return b;
}

/** Timestamp or date chunk values as ns UTC. */
function nanos(d: Data, name: string, out: BigInt64Array, row: number, valid: Uint8Array): void {
  const t = d.type as DataType;
  const vals = d.values as ArrayLike<number | bigint>;
  let per: bigint;
  if (DataType.isTimestamp(t)) per = NS_PER[t.unit as TimeUnit];
  else if (DataType.isDate(t)) per = t.unit === DateUnit.DAY ? NS_PER_DAY : NS_PER[TimeUnit.MILLISECOND];
  else throw new FrameError("dtype_mismatch", `${q(name)} is ${t}, not a timestamp`, name);
  for (let i = 0; i < d.length; i++) {
    if (valid[row + i] === 0) continue;
    const ns = BigInt(vals[i] as number | bigint) * per;
    if (ns < I64_MIN || ns > I64_MAX)
      throw new FrameError("invalid", `row ${row + i}: ${q(name)} is out of range`, name);
    out[row + i] = ns;
  }
}

/** A chunk's strings (or a dictionary's), decoded from the offsets and bytes. */
function strings(d: Data, out: string[], row: number, valid?: Uint8Array): void {
  const offsets = d.valueOffsets as Int32Array | BigInt64Array;
  const bytes = d.values as Uint8Array;
  const dec = new TextDecoder();
  for (let i = 0; i < d.length; i++) {
    if (valid !== undefined && valid[row + i] === 0) {
      out[row + i] = "";
      continue;
    }
    const a = Number(offsets[i]);
    const b = Number(offsets[i + 1]);
    if (!(a >= 0 && a <= b && b <= bytes.length)) throw new FrameError("invalid", "a string outside its buffer");
    out[row + i] = dec.decode(bytes.subarray(a, b));
  }
}

/** Category codes remapped onto one dictionary shared by every chunk (chunks may carry their own). */
class Categories {
  readonly dictionary: string[] = [];
  private readonly codeOf = new Map<string, number>();

  read(d: Data, name: string, codes: Int32Array, row: number, valid: Uint8Array): void {
    const dictData = (d.dictionary as Vector | undefined)?.data ?? [];
    const local: string[] = [];
    const localValid: boolean[] = [];
    for (const part of dictData) {
      const s = new Array<string>(part.length);
      strings(part, s, 0);
      for (let i = 0; i < part.length; i++) {
        local.push(s[i] as string);
        localValid.push(part.getValid(i));
      }
    }
    const map = local.map((s) => {
      let c = this.codeOf.get(s);
      if (c === undefined) {
        c = this.dictionary.length;
        this.dictionary.push(s);
        this.codeOf.set(s, c);
      }
      return c;
    });
    const vals = d.values as ArrayLike<number | bigint>;
    for (let i = 0; i < d.length; i++) {
      if (valid[row + i] === 0) continue;
      const k = Number(vals[i]);
      const c = map[k];
      if (c === undefined)
        throw new FrameError("invalid", `row ${row + i}: ${q(name)} code ${k} outside its dictionary`, name);
      // A code naming a null dictionary entry is a null row: the model has no null categories.
      if (localValid[k] === false) valid[row + i] = 0;
      else codes[row + i] = c;
    }
  }
}

/**
 * One column from its Arrow chunks, `n` rows in all. Throws FrameError "dtype_mismatch" for a
 * type with no frame dtype.
 */
export function columnFromArrow(name: string, type: DataType, chunks: readonly Data[], n: number): Column {
  const dtype = dtypeOfArrow(type);
  if (dtype === undefined) throw new FrameError("dtype_mismatch", `column ${q(name)} is ${type}: no frame dtype`, name);
  const valid = new Uint8Array(n);
  let anyNull = false;
  let row = 0;
  for (const d of chunks) {
    if (row + d.length > n) throw new FrameError("invalid", `column ${q(name)} is longer than its table`, name);
    anyNull = readValidity(d, valid, row) || anyNull;
    row += d.length;
  }
  if (row !== n) throw new FrameError("invalid", `column ${q(name)} has ${row} rows, its table ${n}`, name);
  const values = readValues(dtype, name, chunks, n, valid);
  // Category remapping may turn rows null, so look again.
  const hasNull = anyNull || valid.includes(0);
  return { name, dtype, values, ...(hasNull ? { valid } : {}) } as Column;
}

function readValues(dtype: DType, name: string, chunks: readonly Data[], n: number, valid: Uint8Array) {
  let row = 0;
  const each = (f: (d: Data, row: number) => void) => {
    row = 0;
    for (const d of chunks) {
      f(d, row);
      row += d.length;
    }
  };
  switch (dtype) {
    case "float64":
    case "float32": {
      const out = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
      each((d, r) => out.set((d.values as Float64Array | Float32Array).subarray(0, d.length), r));
      return out;
    }
    case "int32": {
      const out = new Int32Array(n);
      each((d, r) => out.set((d.values as Int32Array).subarray(0, d.length), r));
      return out;
    }
    case "int64": {
      const out = new BigInt64Array(n);
      each((d, r) => {
        const vals = d.values as ArrayLike<number | bigint>;
        if (vals instanceof BigInt64Array) out.set(vals.subarray(0, d.length), r);
        else
          for (let i = 0; i < d.length; i++) if (valid[r + i] === 1) out[r + i] = toI64(vals[i] as bigint, name, r + i);
      });
      return out;
    }
    case "bool": {
      const out = new Uint8Array(n);
      each((d, r) => {
        const bits = d.values as Uint8Array;
        for (let i = 0; i < d.length; i++) {
          const b = d.offset + i;
          out[r + i] = ((bits[b >> 3] as number) >> (b & 7)) & 1;
        }
      });
      return out;
    }
    case "string": {
      const out = new Array<string>(n);
      each((d, r) => strings(d, out, r, valid));
      return out;
    }
    case "timestamp": {
      const out = new BigInt64Array(n);
      each((d, r) => nanos(d, name, out, r, valid));
      return out;
    }
    case "category": {
      const codes = new Int32Array(n);
      const cats = new Categories();
      each((d, r) => cats.read(d, name, codes, r, valid));
      return { codes, dictionary: cats.dictionary };
    }
  }
}

/** Validity bytes as an Arrow bitmap and the null count. */
function bitmapOf(valid: Uint8Array | undefined, n: number): { nullCount: number; nullBitmap?: Uint8Array } {
  if (valid === undefined) return { nullCount: 0 };
  const nullBitmap = new Uint8Array((n + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    if (valid[i] === 1) nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
    else nullCount++;
  }
  return nullCount === 0 ? { nullCount: 0 } : { nullCount, nullBitmap };
}

/** Utf8 buffers for strings (null rows empty); refuses what Int32 offsets cannot address. */
function utf8Buffers(values: readonly string[], valid?: Uint8Array): { valueOffsets: Int32Array; data: Uint8Array } {
  const enc = new TextEncoder();
  const parts = values.map((s, i) => (valid !== undefined && valid[i] === 0 ? new Uint8Array(0) : enc.encode(s)));
  const valueOffsets = new Int32Array(values.length + 1);
  let total = 0;
  parts.forEach((p, i) => {
    total += p.length;
    if (total > 0x7fffffff) throw new FrameError("too_large", "strings over 2 GiB in one column");
    valueOffsets[i + 1] = total;
  });
  const data = new Uint8Array(total);
  parts.forEach((p, i) => {
    data.set(p, valueOffsets[i] as number);
  });
  return { valueOffsets, data };
}

/** One frame column as Arrow data of `arrowTypeOf(column.dtype)` (pass the field's type). */
export function columnToArrow(c: Column, type: DataType): Data {
  const length = c.dtype === "category" ? c.values.codes.length : c.values.length;
  const nulls = bitmapOf(c.valid, length);
  switch (c.dtype) {
    case "bool": {
      const bits = new Uint8Array((length + 7) >> 3);
      c.values.forEach((v, i) => {
        if (v === 1) bits[i >> 3] = (bits[i >> 3] as number) | (1 << (i & 7));
      });
      return makeData({ type: type as Bool, length, ...nulls, data: bits });
    }
    case "string":
      return makeData({ type: type as Utf8, length, ...nulls, ...utf8Buffers(c.values, c.valid) });
    case "category": {
      const dictionary = vectorFromArray([...c.values.dictionary], new Utf8());
      // Null rows may hold any code; write 0 so readers never see one outside the dictionary.
      const codes = c.valid === undefined ? c.values.codes : c.values.codes.map((k, i) => (c.valid?.[i] === 1 ? k : 0));
      return makeData({ type: type as Dictionary<Utf8, Int32>, length, ...nulls, data: codes, dictionary });
    }
    default:
      return makeData({ type: type as Float64, length, ...nulls, data: c.values as Float64Array });
  }
}
