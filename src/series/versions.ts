/**
 * Irregular series and their versions (HoLcStore's `Store`): the combined read folds versions
 * newest first with pandas' combine_first, so the newest version wins and older ones only fill
 * its gaps; `combined_delay` first trims that much off the start of every version.
 */
import { SeriesError } from "./errors.ts";
import type { Points } from "./model.ts";

const EMPTY: Points = Object.freeze({ index: new Float64Array(0), values: new Float64Array(0) });

/** Largest magnitude an epoch-ms index may have (the JavaScript Date range). */
const MAX_ABS_MS = 8.64e15;

/**
 * pandas `newer.combine_first(older)`: the union of both indexes; at each one newer's value
 * unless it is NaN or absent, then older's (which may be NaN: such points are kept).
 * Example: newer {1: 5, 2: NaN}, older {2: 7, 3: 8} -> {1: 5, 2: 7, 3: 8}.
 */
export function combineFirst(newer: Points, older: Points): Points {
  const a = newer.index;
  const b = older.index;
  if (a.length === 0) return older;
  if (b.length === 0) return newer;
  const index = new Float64Array(a.length + b.length);
  const values = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let o = 0;
  let last = Number.NEGATIVE_INFINITY;
  while (i < a.length || j < b.length) {
    const ta = i < a.length ? (a[i] as number) : Number.POSITIVE_INFINITY;
    const tb = j < b.length ? (b[j] as number) : Number.POSITIVE_INFINITY;
    let t: number;
    let v: number;
    if (ta < tb) {
      t = ta;
      v = newer.values[i++] as number;
    } else if (tb < ta) {
      t = tb;
      v = older.values[j++] as number;
    } else {
      t = ta;
      const va = newer.values[i++] as number;
      v = Number.isNaN(va) ? (older.values[j] as number) : va;
      j++;
    }
    if (!(t > last)) throw new SeriesError("invalid", `series index must be ascending and distinct at ${t}`);
    last = t;
    index[o] = t;
    values[o] = v;
    o++;
  }
  return { index: index.subarray(0, o), values: values.subarray(0, o) };
}

/**
 * HoLcStore's combined read of a series' versions, given newest first. With `delayMs`, each
 * version first loses everything before its own first timestamp + delayMs (HoLcStore's
 * slice_with_delay: `ds[ds.index.min() + delay:]`, so the new start is kept, NaN points count
 * for the minimum, and a delay <= 0 trims nothing); empty versions are skipped; the rest fold
 * with combineFirst. Empty Points when no version holds a point.
 */
export function combineVersions(newestFirst: readonly Points[], delayMs?: number): Points {
  if (delayMs !== undefined && !Number.isFinite(delayMs)) {
    throw new SeriesError("invalid", `combined_delay must be a finite duration, got ${delayMs}`);
  }
  let acc: Points | undefined;
  for (const version of newestFirst) {
    const v = delayMs === undefined ? version : trimStart(version, delayMs);
    if (v.index.length === 0) continue;
    acc = acc === undefined ? v : combineFirst(acc, v);
  }
  return acc ?? EMPTY;
}

/** The points of `p` at or after its first timestamp + delayMs. */
export function trimStart(p: Points, delayMs: number): Points {
  const n = p.index.length;
  if (n === 0 || delayMs <= 0) return p;
  const cut = (p.index[0] as number) + delayMs;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((p.index[mid] as number) < cut) lo = mid + 1;
    else hi = mid;
  }
  return { index: p.index.subarray(lo), values: p.values.subarray(lo) };
}

/** True when every instant is valid and each is later than the one before. */
function inOrder(index: Float64Array): boolean {
  let prev = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < index.length; i++) {
    const t = index[i] as number;
    if (!(t > prev) || !(Math.abs(t) <= MAX_ABS_MS)) return false;
    prev = t;
  }
  return true;
}

/**
 * Points from raw columns: sorted by time (stable), duplicate timestamps refused (SeriesError
 * `invalid`: which one should win is not ours to guess), NaN values kept. A non-number value
 * (null from JSON) is read as NaN, i.e. missing. Float64Arrays already in order (what the body
 * readers give for most bodies) come back as they are; anything else is copied.
 */
export function normalisePoints(index: ArrayLike<number>, values: ArrayLike<number>): Points {
  const n = index.length;
  if (values.length !== n) {
    throw new SeriesError("invalid", `index and values differ in length (${n} and ${values.length})`);
  }
  if (index instanceof Float64Array && values instanceof Float64Array && inOrder(index)) return { index, values };
  const idx = new Float64Array(n);
  const vals = new Float64Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const t = index[i];
    if (typeof t !== "number" || !(Math.abs(t) <= MAX_ABS_MS)) {
      throw new SeriesError("invalid", `timestamp ${i} is not a valid instant: ${String(t).slice(0, 40)}`);
    }
    idx[i] = t;
    const v = values[i];
    vals[i] = typeof v === "number" ? v : Number.NaN;
    if (i > 0 && !(t > (idx[i - 1] as number))) sorted = false;
  }
  if (sorted) return { index: idx, values: vals };
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (idx[a] as number) - (idx[b] as number));
  const outIdx = new Float64Array(n);
  const outVals = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const from = order[k] as number;
    outIdx[k] = idx[from] as number;
    outVals[k] = vals[from] as number;
    if (k > 0 && outIdx[k] === outIdx[k - 1]) {
      throw new SeriesError("invalid", `duplicate timestamp ${outIdx[k]}`);
    }
  }
  return { index: outIdx, values: outVals };
}
