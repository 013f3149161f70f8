/**
 * Row predicates for frame reads: PyStore's DNF filters (pyarrow's convention) parsed from JSON,
 * checked against a Schema, and evaluated over a Frame into a row selection. Chunk pruning by
 * statistics lives in stats.ts and shares this module's value order.
 *
 * Semantics, chosen once and tested:
 * - SQL-like nulls: every comparison and `in` / `not in` with a null row is false, so `!=` and
 *   `not in` never select nulls; only `is null` does.
 * - NaN follows pandas and pyarrow (IEEE 754): `==`, `<`, `<=`, `>`, `>=` with NaN are false and
 *   `!=` is true (so `x != 5` selects NaN rows, as `df[df.x != 5]` does). `in` / `not in` match NaN
 *   against NaN, as pandas' `isin` and pyarrow's `is_in` do (SameValueZero, like a JS Set).
 *   NaN is not null: `is null` does not select it (pyarrow's view; pandas' `isna` would).
 * - Strings and categories order by UTF-16 code units; categories compare by their values, never
 *   their codes; booleans order false < true.
 * - A float32 column is compared with the filter value rounded to float32 (NumPy 2's weak-scalar
 *   rule), so `x == 0.1` finds the rows written as 0.1.
 */

import { daysFromCivil, daysInMonth } from "../haystack/kinds/calendar.ts";
import { type Column, type DType, type Frame, FrameError, type Schema } from "./model.ts";

/** A filter value after validation: number (floats, int32), bigint (int64, timestamp), string, boolean. */
export type Scalar = number | bigint | string | boolean;

export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";

export type Term =
  | {
      readonly kind: "compare";
      readonly column: string;
      readonly dtype: DType;
      readonly op: CompareOp;
      readonly value: Scalar;
    }
  | {
      readonly kind: "in";
      readonly column: string;
      readonly dtype: DType;
      readonly negated: boolean;
      readonly values: readonly Scalar[];
    }
  | { readonly kind: "null"; readonly column: string; readonly dtype: DType; readonly negated: boolean };

/** An OR of ANDs; `{ anyOf: [[]] }` selects every row. */
export interface Predicate {
  readonly anyOf: readonly (readonly Term[])[];
}

export const MATCH_ALL: Predicate = { anyOf: [[]] };

export interface FilterLimits {
  /** Terms over all conjunctions. */
  readonly maxTerms: number;
  /** Values in one `in` / `not in` list. */
  readonly maxListValues: number;
  /** Characters in one string value (a filter is a query, not a payload). */
  readonly maxStringLength: number;
}

export const DEFAULT_FILTER_LIMITS: FilterLimits = { maxTerms: 256, maxListValues: 10_000, maxStringLength: 4096 };

const OPS: Readonly<Record<string, CompareOp | "in" | "not in" | "is null" | "is not null">> = {
  "==": "==",
  "=": "==",
  "!=": "!=",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
  in: "in",
  "not in": "not in",
  "is null": "is null",
  "is not null": "is not null",
};

/**
 * Parses PyStore / pyarrow DNF filters: `[[col, op, value], ...]` is an AND of terms and
 * `[[[col, op, value], ...], ...]` an OR of such ANDs. `null`, `undefined` and `[]` mean no filter.
 * `is null` / `is not null` take no value (`["x", "is null"]`). The index may be filtered by name.
 * Values by dtype: floats a number or "nan" / "inf" / "-inf"; int32 an integer; int64 a safe integer
 * or a decimal string; timestamp an ISO 8601 string (no offset = UTC), a decimal string of epoch
 * ns or a safe integer of epoch ns; bool true / false; string and category a string.
 *
 * @example parseFilters([["price", ">", 100], ["sym", "in", ["A", "B"]]], schema)
 */
export function parseFilters(input: unknown, schema: Schema, limits: FilterLimits = DEFAULT_FILTER_LIMITS): Predicate {
  if (input === null || input === undefined) return MATCH_ALL;
  if (!Array.isArray(input)) throw new FrameError("invalid", "filters must be a list");
  if (input.length === 0) return MATCH_ALL;
  const nested = Array.isArray(input[0]) && Array.isArray(input[0][0]);
  const groups: unknown[] = nested ? input : [input];
  if (groups.length > limits.maxTerms) throw tooLarge(limits);
  let terms = 0;
  const fields = fieldTypes(schema);
  const anyOf = groups.map((group) => {
    if (!Array.isArray(group) || group.length === 0) {
      throw new FrameError("invalid", "each OR branch of filters must be a non-empty list of terms");
    }
    terms += group.length;
    if (terms > limits.maxTerms) throw tooLarge(limits);
    return group.map((t) => parseTerm(t, fields, limits));
  });
  return { anyOf };
}

function tooLarge(limits: FilterLimits): FrameError {
  return new FrameError("too_large", `filters may hold at most ${limits.maxTerms} terms`);
}

function fieldTypes(schema: Schema): Map<string, DType> {
  const m = new Map<string, DType>();
  for (const f of schema.fields) m.set(f.name, f.dtype);
  m.set(schema.index.name, schema.index.kind === "timestamp" ? "timestamp" : "int64");
  return m;
}

function parseTerm(t: unknown, fields: ReadonlyMap<string, DType>, limits: FilterLimits): Term {
  if (!Array.isArray(t) || t.length < 2 || t.length > 3 || typeof t[0] !== "string" || typeof t[1] !== "string") {
    throw new FrameError("invalid", `a filter term must be [column, op, value], got ${shown(t)}`);
  }
  const [column, opText, raw] = t as [string, string, unknown];
  const op = OPS[opText.trim().toLowerCase()];
  if (op === undefined) throw new FrameError("invalid", `unknown filter operator ${JSON.stringify(opText)}`, column);
  const dtype = fields.get(column);
  if (dtype === undefined) {
    throw new FrameError("unknown_column", `filter on unknown column ${JSON.stringify(column)}`, column);
  }
  if (op === "is null" || op === "is not null") {
    if (t.length === 3 && raw !== null) throw new FrameError("invalid", `${op} takes no value`, column);
    return { kind: "null", column, dtype, negated: op === "is not null" };
  }
  if (t.length !== 3)
    throw new FrameError("invalid", `filter ${op} on ${JSON.stringify(column)} needs a value`, column);
  if (op === "in" || op === "not in") {
    if (!Array.isArray(raw)) throw new FrameError("invalid", `${op} needs a list of values`, column);
    if (raw.length > limits.maxListValues) {
      throw new FrameError("too_large", `an ${op} list may hold at most ${limits.maxListValues} values`, column);
    }
    const values = raw.map((v) => toScalar(v, dtype, column, limits));
    return { kind: "in", column, dtype, negated: op === "not in", values };
  }
  return { kind: "compare", column, dtype, op, value: toScalar(raw, dtype, column, limits) };
}

/** A bounded rendering of bad input for an error message: long lists and strings are cut. */
function shown(v: unknown): string {
  const s =
    JSON.stringify(v, (_k, x: unknown) =>
      typeof x === "bigint"
        ? x.toString()
        : Array.isArray(x) && x.length > 4
          ? [...x.slice(0, 4), "..."]
          : typeof x === "string" && x.length > 80
            ? `${x.slice(0, 80)}...`
            : x,
    ) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function mismatch(column: string, dtype: DType, v: unknown, why = ""): FrameError {
  return new FrameError(
    "dtype_mismatch",
    `filter value ${shown(v)} does not fit ${JSON.stringify(column)} (${dtype})${why}`,
    column,
  );
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const FLOAT_WORDS: Readonly<Record<string, number>> = {
  nan: Number.NaN,
  inf: Number.POSITIVE_INFINITY,
  "+inf": Number.POSITIVE_INFINITY,
  infinity: Number.POSITIVE_INFINITY,
  "-inf": Number.NEGATIVE_INFINITY,
  "-infinity": Number.NEGATIVE_INFINITY,
};

/** A JSON filter value as the column's Scalar; null values are refused (SQL: use `is null`). */
function toScalar(v: unknown, dtype: DType, column: string, limits: FilterLimits): Scalar {
  if (v === null) throw mismatch(column, dtype, v, ': compare with null through "is null"');
  if (typeof v === "string" && v.length > limits.maxStringLength) {
    throw new FrameError("too_large", `a filter string may hold at most ${limits.maxStringLength} characters`, column);
  }
  switch (dtype) {
    case "float64":
    case "float32": {
      // JSON has no NaN or infinities, so pandas' spellings are accepted as strings.
      const x = typeof v === "number" ? v : typeof v === "string" ? FLOAT_WORDS[v.toLowerCase()] : undefined;
      if (x === undefined) throw mismatch(column, dtype, v);
      if (dtype === "float64") return x;
      const f = Math.fround(x);
      if (Number.isFinite(x) && !Number.isFinite(f)) throw mismatch(column, dtype, v, ": beyond float32's range");
      return f;
    }
    case "int32":
      if (typeof v === "number" && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) return v;
      throw mismatch(column, dtype, v);
    case "int64": {
      const b = toInt64(v);
      if (b === undefined)
        throw mismatch(column, dtype, v, typeof v === "number" ? ": give large int64 as a string" : "");
      return b;
    }
    case "timestamp": {
      const b = typeof v === "string" && !/^[+-]?\d+$/.test(v) ? parseIsoNs(v) : toInt64(v);
      if (b === undefined) throw mismatch(column, dtype, v, ": give ISO 8601 or epoch ns");
      return b;
    }
    case "bool":
      if (typeof v === "boolean") return v;
      throw mismatch(column, dtype, v);
    case "string":
    case "category":
      if (typeof v === "string") return v;
      throw mismatch(column, dtype, v);
  }
}

/** A safe JSON integer or a decimal string inside int64; beyond 2^53 a JSON number has lost digits. */
function toInt64(v: unknown): bigint | undefined {
  if (typeof v === "number") return Number.isSafeInteger(v) ? BigInt(v) : undefined;
  if (typeof v !== "string" || !/^[+-]?\d{1,19}$/.test(v)) return undefined;
  const b = BigInt(v);
  return b >= INT64_MIN && b <= INT64_MAX ? b : undefined;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * ISO 8601 to ns since the epoch, UTC; a time with no offset is UTC (what the store keeps).
 * Written here rather than with Date because Date stops at milliseconds.
 */
export function parseIsoNs(text: string): bigint | undefined {
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const [y, mo, d, h = 0, mi = 0, s = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => Number(x ?? 0)) as number[];
  if (y === undefined || mo === undefined || d === undefined) return undefined;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  let offsetMin = 0;
  const zone = m[8];
  if (zone !== undefined && zone.toUpperCase() !== "Z") {
    const digits = zone.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || "0");
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (zone[0] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const seconds = BigInt(daysFromCivil(y, mo, d)) * 86_400n + BigInt(h * 3600 + (mi - offsetMin) * 60 + s);
  const ns = seconds * 1_000_000_000n + BigInt((m[7] ?? "").padEnd(9, "0") || "0");
  return ns >= INT64_MIN && ns <= INT64_MAX ? ns : undefined;
}

/** The columns a predicate reads (the index by its name too), sorted: what a read must fetch. */
export function columnsOf(p: Predicate): string[] {
  const names = new Set<string>();
  for (const group of p.anyOf) for (const t of group) names.add(t.column);
  return [...names].sort();
}

/**
 * The order shared by evaluation and chunk pruning: negative, zero or positive, and NaN when the
 * two are unordered (a NaN, or values of different kinds, which validation rules out).
 */
export function compareScalars(a: Scalar, b: Scalar): number {
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (typeof a !== typeof b) return Number.NaN;
  return a < b ? -1 : a > b ? 1 : a === b ? 0 : Number.NaN;
}

/** A term as a test of one value (null for a null row), with SQL null and IEEE NaN semantics. */
export function termTest(t: Term): (v: Scalar | null) => boolean {
  switch (t.kind) {
    case "null":
      return t.negated ? (v) => v !== null : (v) => v === null;
    case "in": {
      const set = new Set<Scalar>(t.values);
      return t.negated ? (v) => v !== null && !set.has(v) : (v) => v !== null && set.has(v);
    }
    case "compare": {
      const { op, value } = t;
      return (v) => {
        if (v === null) return false;
        const c = compareScalars(v, value);
        switch (op) {
          case "==":
            return c === 0;
          case "!=":
            return c !== 0;
          case "<":
            return c < 0;
          case "<=":
            return c <= 0;
          case ">":
            return c > 0;
          case ">=":
            return c >= 0;
        }
      };
    }
  }
}

/** A column (or the index) as it is read by a predicate. */
export type Source = { readonly dtype: DType; readonly length: number; at(i: number): Scalar | null };

/** Finds a predicate's column in a frame (the index by its name) or throws unknown_column. */
export function sourceOf(frame: Frame, name: string): Source {
  if (name === frame.index.name) {
    const v = frame.index.values;
    return {
      dtype: frame.index.kind === "timestamp" ? "timestamp" : "int64",
      length: v.length,
      at: (i) => v[i] as bigint,
    };
  }
  const c = frame.columns.find((x) => x.name === name);
  if (c === undefined) throw new FrameError("unknown_column", `no column ${JSON.stringify(name)} to filter`, name);
  return columnSource(c);
}

function columnSource(c: Column): Source {
  const valid = c.valid;
  const ok = (i: number): boolean => valid === undefined || valid[i] === 1;
  switch (c.dtype) {
    case "bool": {
      const v = c.values;
      return { dtype: c.dtype, length: v.length, at: (i) => (ok(i) ? v[i] === 1 : null) };
    }
    case "category": {
      const { codes, dictionary } = c.values;
      return {
        dtype: c.dtype,
        length: codes.length,
        at: (i) => (ok(i) ? (dictionary[codes[i] as number] ?? null) : null),
      };
    }
    default: {
      const v: ArrayLike<Scalar> = c.values;
      return { dtype: c.dtype, length: v.length, at: (i) => (ok(i) ? (v[i] as Scalar) : null) };
    }
  }
}

/**
 * The rows of `frame` in [start, end) that match: one byte per row of the range, 1 where selected.
 * The frame need only hold the predicate's columns (see columnsOf). A column whose dtype differs
 * from the one the predicate was parsed against throws dtype_mismatch.
 */
export function evaluate(p: Predicate, frame: Frame, start = 0, end = frame.index.values.length): Uint8Array {
  const n = frame.index.values.length;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > n || start > end) {
    throw new FrameError("invalid", `row range [${start}, ${end}) outside a frame of ${n} rows`);
  }
  const out = new Uint8Array(end - start);
  const group = new Uint8Array(end - start);
  for (const terms of p.anyOf) {
    group.fill(1);
    for (const t of terms) {
      const src = sourceOf(frame, t.column);
      if (src.dtype !== t.dtype) {
        throw new FrameError(
          "dtype_mismatch",
          `column ${JSON.stringify(t.column)} is ${src.dtype}, the filter expects ${t.dtype}`,
          t.column,
        );
      }
      const test = termTest(t);
      for (let i = start; i < end; i++) if (group[i - start] === 1 && !test(src.at(i))) group[i - start] = 0;
    }
    for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) | (group[i] as number);
  }
  return out;
}

/** Row numbers (relative to the mask) where a selection mask is 1. */
export function selectedRows(mask: Uint8Array): Uint32Array {
  let count = 0;
  for (const b of mask) count += b;
  const rows = new Uint32Array(count);
  let k = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] === 1) rows[k++] = i;
  return rows;
}
