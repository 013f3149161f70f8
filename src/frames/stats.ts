/**
 * Per-chunk column statistics and the pruning test on them: a read skips a chunk when
 * `mayMatch` says no row of it can satisfy the predicate (ArcticDB / Parquet row-group style).
 * mayMatch must never say false for a chunk holding a matching row; it may say true needlessly.
 */

import { type Column, columnLength, type DType, type Frame, FrameError, type FrameIndex } from "./model.ts";
import { compareScalars, type Predicate, type Scalar, type Term } from "./predicates.ts";

/**
 * Statistics of a column over a row range. `min` / `max` are over the non-null values, NaN left
 * out (as Parquet does), and absent when there are none; categories give them over the values the
 * rows use, strings by UTF-16 code units, booleans with false < true.
 */
export interface ColumnStats {
  readonly rows: number;
  readonly nullCount: number;
  /** Float columns only: NaN is a value, not a null, and `!=` / `not in` can select it. */
  readonly nanCount?: number;
  readonly min?: Scalar;
  readonly max?: Scalar;
}

function checkRange(n: number, start: number, end: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > n || start > end) {
    throw new FrameError("invalid", `row range [${start}, ${end}) outside ${n} rows`);
  }
}

/** Statistics of rows [start, end) of a column. */
export function columnStats(c: Column, start = 0, end = columnLength(c)): ColumnStats {
  checkRange(columnLength(c), start, end);
  const valid = c.valid;
  let nullCount = 0;
  let nanCount = 0;
  let min: Scalar | undefined;
  let max: Scalar | undefined;
  const see = (v: Scalar): void => {
    if (min === undefined || compareScalars(v, min) < 0) min = v;
    if (max === undefined || compareScalars(v, max) > 0) max = v;
  };
  const isFloat = c.dtype === "float64" || c.dtype === "float32";
  for (let i = start; i < end; i++) {
    if (valid !== undefined && valid[i] !== 1) {
      nullCount++;
      continue;
    }
    const v = valueAt(c, i);
    if (typeof v === "number" && Number.isNaN(v)) nanCount++;
    else see(v === 0 ? 0 : v); // -0 as 0: they compare equal, and JSON cannot tell them apart
  }
  const stats: ColumnStats = { rows: end - start, nullCount, ...(min === undefined ? {} : { min, max }) };
  return isFloat ? { ...stats, nanCount } : stats;
}

function valueAt(c: Column, i: number): Scalar {
  switch (c.dtype) {
    case "bool":
      return c.values[i] === 1;
    case "category":
      return c.values.dictionary[c.values.codes[i] as number] ?? "";
    default:
      return c.values[i] as Scalar;
  }
}

/** Statistics of rows [start, end) of the index (never null). */
export function indexStats(index: FrameIndex, start = 0, end = index.values.length): ColumnStats {
  checkRange(index.values.length, start, end);
  let min: bigint | undefined;
  let max: bigint | undefined;
  for (let i = start; i < end; i++) {
    const v = index.values[i] as bigint;
    if (min === undefined || v < min) min = v;
    if (max === undefined || v > max) max = v;
  }
  return { rows: end - start, nullCount: 0, ...(min === undefined ? {} : { min, max }) };
}

/** Statistics of every column and the index (by its name) over rows [start, end). */
export function frameStats(f: Frame, start = 0, end = f.index.values.length): Map<string, ColumnStats> {
  const m = new Map<string, ColumnStats>([[f.index.name, indexStats(f.index, start, end)]]);
  for (const c of f.columns) m.set(c.name, columnStats(c, start, end));
  return m;
}

/**
 * False only when no row described by the stats can match. A column without stats cannot prune.
 *
 * @example mayMatch(parseFilters([["price", ">", 100]], schema), frameStats(chunk))
 */
export function mayMatch(p: Predicate, stats: ReadonlyMap<string, ColumnStats>): boolean {
  return p.anyOf.some((terms) =>
    terms.every((t) => {
      const s = stats.get(t.column);
      return s === undefined || termMayMatch(t, s);
    }),
  );
}

function isNaNScalar(v: Scalar): boolean {
  return typeof v === "number" && Number.isNaN(v);
}

function termMayMatch(t: Term, s: ColumnStats): boolean {
  const nans = s.nanCount ?? 0;
  if (t.kind === "null") return t.negated ? s.nullCount < s.rows : s.nullCount > 0;
  const { min, max } = s;
  // Stats written under an older dtype (a column since widened, int32 to int64 say) do not order
  // against this term's values; they cannot prune, only a wrong answer could come of it.
  const literals = t.kind === "in" ? t.values : [t.value];
  if (min !== undefined && literals.some((v) => typeof v !== typeof min)) return true;
  // Every non-null, non-NaN row equals `min` when min == max: what `!=` and `not in` can rule out.
  const single = min !== undefined && max !== undefined && compareScalars(min, max) === 0;
  const within = (v: Scalar): boolean =>
    min !== undefined && max !== undefined && compareScalars(min, v) <= 0 && compareScalars(v, max) <= 0;
  if (t.kind === "in") {
    if (!t.negated) return t.values.some((v) => (isNaNScalar(v) ? nans > 0 : within(v)));
    const nanExcluded = t.values.some(isNaNScalar);
    if (nans > 0 && !nanExcluded) return true;
    if (min === undefined) return false;
    return !(single && t.values.some((v) => compareScalars(v, min) === 0));
  }
  const v = t.value;
  switch (t.op) {
    case "==":
      return within(v);
    case "!=":
      return nans > 0 || (min !== undefined && !(single && compareScalars(min, v) === 0));
    case "<":
      return min !== undefined && compareScalars(min, v) < 0;
    case "<=":
      return min !== undefined && compareScalars(min, v) <= 0;
    case ">":
      return max !== undefined && compareScalars(max, v) > 0;
    case ">=":
      return max !== undefined && compareScalars(max, v) >= 0;
  }
}

/** ColumnStats as plain JSON (for version manifests): bigints as decimal strings, infinities as strings. */
export interface ColumnStatsJson {
  readonly rows: number;
  readonly nullCount: number;
  readonly nanCount?: number;
  readonly min?: number | string | boolean;
  readonly max?: number | string | boolean;
}

function scalarToJson(v: Scalar): number | string | boolean {
  if (typeof v === "bigint") return v.toString();
  // JSON.stringify would turn an infinity into null; min/max are never NaN.
  if (typeof v === "number" && !Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}

export function statsToJson(s: ColumnStats): ColumnStatsJson {
  return {
    rows: s.rows,
    nullCount: s.nullCount,
    ...(s.nanCount === undefined ? {} : { nanCount: s.nanCount }),
    ...(s.min === undefined || s.max === undefined ? {} : { min: scalarToJson(s.min), max: scalarToJson(s.max) }),
  };
}

function badStats(dtype: DType, why: string): FrameError {
  return new FrameError("invalid", `stored ${dtype} column stats: ${why}`);
}

function scalarFromJson(v: unknown, dtype: DType): Scalar {
  switch (dtype) {
    case "float64":
    case "float32":
      if (typeof v === "number") return v;
      if (v === "Infinity" || v === "-Infinity") return v === "Infinity" ? Number.POSITIVE_INFINITY : -Infinity;
      break;
    case "int32":
      if (typeof v === "number" && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) return v;
      break;
    case "int64":
    case "timestamp":
      if (typeof v === "string" && /^-?\d{1,19}$/.test(v)) {
        const b = BigInt(v);
        if (b >= -(2n ** 63n) && b < 2n ** 63n) return b;
      }
      break;
    case "bool":
      if (typeof v === "boolean") return v;
      break;
    case "string":
    case "category":
      if (typeof v === "string") return v;
      break;
  }
  throw badStats(dtype, "a min or max of the wrong kind");
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/** Reads stats written by statsToJson for a column of `dtype`, checking them (FrameError "invalid"). */
export function statsFromJson(j: unknown, dtype: DType): ColumnStats {
  if (typeof j !== "object" || j === null) throw badStats(dtype, "not an object");
  const { rows, nullCount, nanCount, min, max } = j as Record<string, unknown>;
  if (!isCount(rows) || !isCount(nullCount) || (nanCount !== undefined && !isCount(nanCount))) {
    throw badStats(dtype, "counts must be non-negative integers");
  }
  if (nullCount + (nanCount ?? 0) > rows) throw badStats(dtype, "more nulls and NaNs than rows");
  const base: ColumnStats = { rows, nullCount, ...(nanCount === undefined ? {} : { nanCount }) };
  if (min === undefined && max === undefined) return base;
  const lo = scalarFromJson(min, dtype);
  const hi = scalarFromJson(max, dtype);
  if (!(compareScalars(lo, hi) <= 0)) throw badStats(dtype, "min above max");
  return { ...base, min: lo, max: hi };
}
