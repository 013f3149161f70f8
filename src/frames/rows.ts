/**
 * Row helpers: build a frame from rows picked out of one or more frames of the same schema.
 * Every row operation (take, slice, concat, sort, the merges) is one `gather`, so the per-dtype
 * copying and the category dictionary merge live in one place.
 */

import {
  type Column,
  type ColumnOf,
  type DType,
  type Frame,
  FrameError,
  frameLength,
  isSorted,
  type ValuesOf,
} from "./model.ts";

/**
 * Picks for `gather`: output row k is row `row[k]` of frame `source[k]` (source absent: frame 0).
 * Kept as two flat arrays so a merge of millions of rows allocates two typed arrays, not objects.
 */
export interface Picks {
  readonly source?: Uint8Array | Uint16Array;
  readonly row: Int32Array;
}

/** Throws FrameError("schema_changed") unless the frames have the same index and columns in order. */
export function assertSameSchema(frames: readonly Frame[]): void {
  const first = frames[0];
  if (first === undefined) return;
  for (const f of frames) {
    if (f.index.kind !== first.index.kind || f.index.name !== first.index.name) {
      throw new FrameError(
        "schema_changed",
        `index ${JSON.stringify(f.index.name)} (${f.index.kind}) differs from ${JSON.stringify(first.index.name)} (${first.index.kind})`,
        f.index.name,
      );
    }
    if (f.columns.length !== first.columns.length) {
      const names = new Set(first.columns.map((c) => c.name));
      const odd =
        f.columns.find((c) => !names.has(c.name))?.name ??
        first.columns.find((c) => !f.columns.some((d) => d.name === c.name))?.name ??
        "";
      throw new FrameError("schema_changed", `column ${JSON.stringify(odd)} is not in every frame`, odd);
    }
    f.columns.forEach((c, i) => {
      const want = first.columns[i] as Column;
      if (c.name !== want.name || c.dtype !== want.dtype) {
        throw new FrameError(
          "schema_changed",
          `column ${i} is ${JSON.stringify(c.name)} (${c.dtype}), expected ${JSON.stringify(want.name)} (${want.dtype})`,
          want.name,
        );
      }
    });
  }
}

/**
 * The frame made of the picked rows. Frames must share a schema (assertSameSchema); picks must be
 * in range (internal callers guarantee it; `takeRows` checks user input).
 */
export function gather(frames: readonly Frame[], picks: Picks): Frame {
  const first = frames[0];
  if (first === undefined) throw new FrameError("invalid", "gather needs at least one frame");
  const { source, row } = picks;
  const src = (k: number): number => (source === undefined ? 0 : (source[k] as number));
  const index = new BigInt64Array(row.length);
  const idx = frames.map((f) => f.index.values);
  for (let k = 0; k < row.length; k++) index[k] = (idx[src(k)] as BigInt64Array)[row[k] as number] as bigint;
  const columns = first.columns.map((_, i) =>
    gatherColumn(
      frames.map((f) => f.columns[i] as Column),
      src,
      row,
    ),
  );
  return { index: { ...first.index, values: index }, columns };
}

function valuesOf<T extends DType>(c: Column, dtype: T): ValuesOf[T] {
  if (c.dtype !== dtype) {
    throw new FrameError("dtype_mismatch", `column ${JSON.stringify(c.name)} is ${c.dtype}, not ${dtype}`, c.name);
  }
  return c.values as ValuesOf[T];
}

function gatherArray<E>(
  vs: readonly ArrayLike<E>[],
  out: { [k: number]: E },
  src: (k: number) => number,
  row: Int32Array,
): void {
  for (let k = 0; k < row.length; k++) out[k] = (vs[src(k)] as ArrayLike<E>)[row[k] as number] as E;
}

/** Validity bytes for the picks, or undefined when every picked row has a value. */
function gatherValid(cols: readonly Column[], src: (k: number) => number, row: Int32Array): Uint8Array | undefined {
  if (cols.every((c) => c.valid === undefined)) return undefined;
  const out = new Uint8Array(row.length);
  let nulls = 0;
  for (let k = 0; k < row.length; k++) {
    const v = (cols[src(k)] as Column).valid;
    const bit = v === undefined ? 1 : (v[row[k] as number] as number);
    out[k] = bit;
    if (bit === 0) nulls++;
  }
  return nulls === 0 ? undefined : out;
}

/** Adds `valid` only when some row is null, so an all-valid column never carries the bytes. */
export function withValid<C extends Column>(c: C, valid: Uint8Array | undefined): C {
  return valid === undefined ? c : { ...c, valid };
}

function gatherColumn(cols: readonly Column[], src: (k: number) => number, row: Int32Array): Column {
  const first = cols[0] as Column;
  const n = row.length;
  const name = first.name;
  const valid = gatherValid(cols, src, row);
  const typed = <T extends Exclude<DType, "category">>(dtype: T, out: ValuesOf[T]): Column => {
    gatherArray(
      cols.map((c) => valuesOf(c, dtype) as ArrayLike<unknown>),
      out as { [k: number]: unknown },
      src,
      row,
    );
    return withValid({ name, dtype, values: out } as ColumnOf<T> as Column, valid);
  };
  switch (first.dtype) {
    case "float64":
      return typed("float64", new Float64Array(n));
    case "float32":
      return typed("float32", new Float32Array(n));
    case "int64":
      return typed("int64", new BigInt64Array(n));
    case "int32":
      return typed("int32", new Int32Array(n));
    case "bool":
      return typed("bool", new Uint8Array(n));
    case "timestamp":
      return typed("timestamp", new BigInt64Array(n));
    case "string":
      return typed("string", new Array<string>(n).fill(""));
    case "category":
      return gatherCategory(cols, src, row, valid);
  }
}

/** Categories from frames with different dictionaries: one union dictionary, codes remapped. */
function gatherCategory(
  cols: readonly Column[],
  src: (k: number) => number,
  row: Int32Array,
  valid: Uint8Array | undefined,
): Column {
  const first = cols[0] as Column;
  const dictionary: string[] = [];
  const seen = new Map<string, number>();
  const parts = cols.map((c) => {
    const v = valuesOf(c, "category");
    const remap = new Int32Array(v.dictionary.length);
    v.dictionary.forEach((word, i) => {
      let code = seen.get(word);
      if (code === undefined) {
        code = dictionary.length;
        dictionary.push(word);
        seen.set(word, code);
      }
      remap[i] = code;
    });
    return { codes: v.codes, remap, valid: c.valid };
  });
  const codes = new Int32Array(row.length);
  for (let k = 0; k < row.length; k++) {
    const p = parts[src(k)] as (typeof parts)[number];
    const r = row[k] as number;
    // A null row's code is unspecified and may lie outside the dictionary: write 0, never read it.
    codes[k] =
      p.valid !== undefined && p.valid[r] === 0 ? 0 : ((p.remap[p.codes[r] as number] as number | undefined) ?? 0);
  }
  return withValid({ name: first.name, dtype: "category", values: { codes, dictionary } }, valid);
}

/** The rows at the given row numbers, in that order (repeats allowed). */
export function takeRows(f: Frame, rows: ArrayLike<number>): Frame {
  const n = frameLength(f);
  const row = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k] as number;
    if (!Number.isInteger(r) || r < 0 || r >= n) {
      throw new FrameError("invalid", `row ${r} is outside the frame's ${n} rows`);
    }
    row[k] = r;
  }
  return gather([f], { row });
}

/** Rows [start, end), clamped to the frame like Array.prototype.slice with non-negative bounds. */
export function sliceRows(f: Frame, start: number, end: number = frameLength(f)): Frame {
  const n = frameLength(f);
  const lo = Math.min(Math.max(0, Math.trunc(start)), n);
  const hi = Math.max(lo, Math.min(Math.max(0, Math.trunc(end)), n));
  return gather([f], { row: range(lo, hi) });
}

/** The most frames one concat takes: a source number per row fits 16 bits. */
export const MAX_CONCAT = 65_536;

/** The frames' rows one after another. Frames must share a schema (else "schema_changed"). */
export function concatFrames(frames: readonly Frame[]): Frame {
  if (frames.length === 0) throw new FrameError("invalid", "concat needs at least one frame");
  if (frames.length > MAX_CONCAT)
    throw new FrameError("too_large", `concat takes at most ${MAX_CONCAT} frames at once`);
  assertSameSchema(frames);
  const total = frames.reduce((s, f) => s + frameLength(f), 0);
  const source = frames.length > 256 ? new Uint16Array(total) : new Uint8Array(total);
  const row = new Int32Array(total);
  let k = 0;
  frames.forEach((f, s) => {
    for (let r = 0; r < frameLength(f); r++, k++) {
      source[k] = s;
      row[k] = r;
    }
  });
  return gather(frames, { source, row });
}

/** Row numbers that sort the index ascending; ties keep their order (appends rely on it). */
export function sortPermutation(index: BigInt64Array): Int32Array {
  const perm = range(0, index.length);
  if (isSorted(index)) return perm;
  return perm.sort((a, b) => {
    const x = index[a] as bigint;
    const y = index[b] as bigint;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
}

/** The frame sorted by index, stably. */
export function sortByIndex(f: Frame): Frame {
  if (isSorted(f.index.values)) return f;
  return gather([f], { row: sortPermutation(f.index.values) });
}

/** First row whose index value is >= v (`after`: > v), by binary search on a sorted index. */
export function lowerBound(index: BigInt64Array, v: bigint, after = false): number {
  let lo = 0;
  let hi = index.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = index[mid] as bigint;
    if (x < v || (after && x === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** An index value as messages show it: ISO 8601 for timestamps, the integer otherwise. */
export function showIndexValue(kind: "timestamp" | "int64", v: bigint): string {
  if (kind === "int64") return String(v);
  const d = new Date(Number(v / 1_000_000n));
  return Number.isNaN(d.getTime()) ? `${v} ns` : d.toISOString();
}

export function range(lo: number, hi: number): Int32Array {
  const out = new Int32Array(Math.max(0, hi - lo));
  for (let i = 0; i < out.length; i++) out[i] = lo + i;
  return out;
}
