/**
 * Parquet columns -> frame columns: which dtype a file column reads as (its schema element and the
 * pandas metadata decide), what the pandas and hayloft key-value metadata say, and building a
 * typed column from hyparquet's decoded values. Used by src/frames/parquet.ts.
 */
import type { FileMetaData, SchemaElement } from "hyparquet/src/index.js";
import { type Column, type DType, FrameError } from "./model.ts";
import { HAYLOFT_KEY } from "./parquet-write.ts";

/** Decoded values of a column: a typed array, or an array with null for each null. */
export type Decoded = ArrayLike<unknown>;

/** What a file column reads as, decided from its schema element (and pandas metadata). */
export function dtypeOf(el: SchemaElement, categorical: boolean): DType {
  const { type, converted_type: ct, logical_type: lt } = el;
  const bad = (): never => {
    throw new FrameError(
      "dtype_mismatch",
      `column ${JSON.stringify(el.name)}: unsupported parquet type ${type}${ct ? `/${ct}` : ""}${lt ? `/${lt.type}` : ""}`,
      el.name,
    );
  };
  switch (type) {
    case "BOOLEAN":
      return "bool";
    case "FLOAT":
      return lt === undefined && ct === undefined ? "float32" : bad();
    case "DOUBLE":
      return lt === undefined && ct === undefined ? "float64" : bad();
    case "INT32": {
      if (lt?.type === "INTEGER") return lt.isSigned || lt.bitWidth < 32 ? "int32" : bad();
      if (lt !== undefined) return bad();
      return ct === undefined || ["INT_8", "INT_16", "INT_32", "UINT_8", "UINT_16"].includes(ct) ? "int32" : bad();
    }
    case "INT64": {
      if (lt?.type === "TIMESTAMP" || ct === "TIMESTAMP_MILLIS" || ct === "TIMESTAMP_MICROS") return "timestamp";
      if (lt?.type === "INTEGER") return lt.isSigned ? "int64" : bad();
      if (lt !== undefined) return bad();
      return ct === undefined || ct === "INT_64" ? "int64" : bad();
    }
    case "INT96":
      return ct === undefined && lt === undefined ? "timestamp" : bad();
    case "BYTE_ARRAY": {
      const text = ct === "UTF8" || ct === "ENUM" || lt?.type === "STRING" || lt?.type === "ENUM";
      if (!text) return bad();
      return categorical ? "category" : "string";
    }
    default:
      return bad();
  }
}

export interface PandasMeta {
  readonly index: string | { start: bigint; step: bigint; name: string } | undefined;
  readonly categorical: ReadonlySet<string>;
  readonly zones: ReadonlyMap<string, string>;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // Foreign metadata that is not JSON is ignored, not fatal: the file's own schema still reads.
    return undefined;
  }
}

export function pandasMeta(meta: FileMetaData): PandasMeta {
  const kv = meta.key_value_metadata ?? [];
  const p = record(parseJson(kv.find((e) => e.key === "pandas")?.value));
  const categorical = new Set<string>();
  const zones = new Map<string, string>();
  let index: PandasMeta["index"];
  if (p !== undefined) {
    const cols = Array.isArray(p.columns) ? p.columns : [];
    for (const raw of cols) {
      const c = record(raw);
      const field = typeof c?.field_name === "string" ? c.field_name : typeof c?.name === "string" ? c.name : undefined;
      if (c === undefined || field === undefined) continue;
      if (c.pandas_type === "categorical") categorical.add(field);
      const tz = record(c.metadata)?.timezone;
      if (c.pandas_type === "datetimetz" && typeof tz === "string") zones.set(field, tz);
    }
    const first = Array.isArray(p.index_columns) ? p.index_columns[0] : undefined;
    if (typeof first === "string") index = first;
    const range = record(first);
    if (range?.kind === "range" && Number.isSafeInteger(range.start) && Number.isSafeInteger(range.step)) {
      index = {
        start: BigInt(range.start as number),
        step: BigInt(range.step as number),
        name: typeof range.name === "string" ? range.name : "index",
      };
    }
  }
  return { index, categorical, zones };
}

export function hayloftMeta(meta: FileMetaData): Record<string, readonly string[]> {
  const h = record(parseJson(meta.key_value_metadata?.find((e) => e.key === HAYLOFT_KEY)?.value));
  const cats = record(h?.categories) ?? {};
  const out: Record<string, readonly string[]> = {};
  for (const [k, v] of Object.entries(cats)) {
    if (Array.isArray(v) && v.every((s) => typeof s === "string")) out[k] = v as string[];
  }
  return out;
}

function ns(v: unknown, name: string): bigint {
  if (typeof v === "bigint") return v;
  throw new FrameError("invalid", `column ${JSON.stringify(name)}: timestamp is not an integer`, name);
}

/**
 * Builds a column from decoded values (typed arrays when REQUIRED, arrays with nulls when
 * OPTIONAL). hyparquet leaves `undefined` where a page's data is short of its levels or a
 * dictionary index points past the dictionary: corrupt, never a null. So is a null in a REQUIRED
 * (not `nullable`) column.
 */
export function toColumn(
  name: string,
  dtype: DType,
  data: Decoded,
  dictionary: readonly string[] | undefined,
  nullable: boolean,
): Column {
  const n = data.length;
  let valid: Uint8Array | undefined;
  const isNull = (i: number): boolean => {
    const v = data[i];
    if (v !== null && v !== undefined) return false;
    if (v === undefined || !nullable) {
      throw new FrameError("invalid", `column ${JSON.stringify(name)}: row ${i} has no value`, name);
    }
    valid ??= new Uint8Array(n).fill(1);
    valid[i] = 0;
    return true;
  };
  const mask = (): Uint8Array | undefined => valid;
  switch (dtype) {
    case "float64":
    case "float32": {
      const values = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
      for (let i = 0; i < n; i++) if (!isNull(i)) values[i] = Number(data[i]);
      return dtype === "float64"
        ? { name, dtype, values: values as Float64Array, valid: mask() }
        : { name, dtype, values: values as Float32Array, valid: mask() };
    }
    case "int32": {
      const values = new Int32Array(n);
      for (let i = 0; i < n; i++) if (!isNull(i)) values[i] = Number(data[i]);
      return { name, dtype, values, valid: mask() };
    }
    case "int64":
    case "timestamp": {
      const values = new BigInt64Array(n);
      for (let i = 0; i < n; i++) if (!isNull(i)) values[i] = ns(data[i], name);
      return { name, dtype, values, valid: mask() };
    }
    case "bool": {
      const values = new Uint8Array(n);
      for (let i = 0; i < n; i++) if (!isNull(i)) values[i] = data[i] ? 1 : 0;
      return { name, dtype, values, valid: mask() };
    }
    case "string": {
      const values: string[] = new Array(n);
      for (let i = 0; i < n; i++) values[i] = isNull(i) ? "" : String(data[i]);
      return { name, dtype, values, valid: mask() };
    }
    case "category": {
      const codes = new Int32Array(n);
      const seen = new Map<string, number>();
      const given = dictionary ?? [];
      given.forEach((s, k) => {
        if (!seen.has(s)) seen.set(s, k);
      });
      const dict = [...given];
      for (let i = 0; i < n; i++) {
        if (isNull(i)) continue;
        const s = String(data[i]);
        let code = seen.get(s);
        if (code === undefined) {
          code = dict.length;
          dict.push(s);
          seen.set(s, code);
        }
        codes[i] = code;
      }
      return { name, dtype, values: { codes, dictionary: dict }, valid: mask() };
    }
  }
}
