/**
 * Points <-> dense chunks on a store's grid. Writing reindexes, never resamples: a point that is
 * not exactly on its chunk's grid is dropped (and counted), NaN is missing and never stored.
 * Reading trims missing values at both edges and keeps interior ones, as HoLcStore's get_ts does.
 */
import {
  type ChunkLayout,
  checkInstant,
  chunkIndexOf,
  chunkLayout,
  dailyTimes,
  type Grid,
  localDay,
  MAX_MS,
  MIN_MS,
  tzOf,
} from "./calendar.ts";
import { SeriesError } from "./errors.ts";
import { isSubDaily } from "./freq.ts";
import type { DenseChunk, Points } from "./model.ts";

/**
 * Splits `points` (ascending, distinct: see normalisePoints) into dense chunks of `grid`.
 * NaN values are dropped; a value off its chunk's grid is dropped and counted in `offGrid`.
 * Chunks come out ascending, and only chunks holding at least one value are made.
 * Example (Paris, 1h, months): one value at 2024-10-31T23:00+01:00 gives chunk 24297 starting
 * 2024-09-30T22:00Z with 745 values, the last one set.
 */
export function toChunks(points: Points, grid: Grid): { readonly chunks: DenseChunk[]; readonly offGrid: number } {
  const { index, values } = points;
  if (index.length !== values.length) {
    throw new SeriesError("invalid", `index and values differ in length (${index.length} and ${values.length})`);
  }
  const step = isSubDaily(grid.freq) ? grid.freq.stepMs : 0;
  // Locals, not imported bindings: a transpiled import is a property read per point.
  const minMs = MIN_MS;
  const maxMs = MAX_MS;
  const chunks: DenseChunk[] = [];
  let offGrid = 0;
  let layout: ChunkLayout | undefined;
  let dense: Float64Array | undefined;
  let cursor = 0;
  let prev = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < index.length; i++) {
    const t = index[i] as number;
    if (!(t > prev)) throw notAscending(i, t, prev);
    if (!(t >= minMs && t <= maxMs)) throw new SeriesError("invalid", `timestamp out of range (years 1 to 9999): ${t}`);
    prev = t;
    const v = values[i] as number;
    if (Number.isNaN(v)) continue;
    if (layout === undefined || t >= layout.endMs) {
      if (layout !== undefined && dense !== undefined) chunks.push(chunkOf(layout, dense));
      layout = chunkLayout(grid, chunkIndexOf(grid, t));
      dense = undefined;
      cursor = 0;
    }
    let pos: number;
    if (step > 0) {
      // Division, not %: V8 computes a float remainder with a C call, and this loop runs per point.
      const d = t - layout.startMs;
      pos = d / step;
      if (!Number.isInteger(pos) || pos * step !== d) {
        offGrid++;
        continue;
      }
    } else {
      const times = layout.times as Float64Array;
      while (cursor < times.length && (times[cursor] as number) < t) cursor++;
      if (cursor >= times.length || times[cursor] !== t) {
        offGrid++;
        continue;
      }
      // A skipped day shares its instant with the next day: the value belongs to the real day.
      while (cursor + 1 < times.length && times[cursor + 1] === t) cursor++;
      pos = cursor;
    }
    if (dense === undefined) dense = new Float64Array(layout.length).fill(Number.NaN);
    dense[pos] = v;
  }
  if (layout !== undefined && dense !== undefined) chunks.push(chunkOf(layout, dense));
  return { chunks, offGrid };
}

function chunkOf(layout: ChunkLayout, values: Float64Array): DenseChunk {
  return { chunkIndex: layout.chunkIndex, startMs: layout.startMs, values };
}

function notAscending(i: number, t: number, prev: number): SeriesError {
  if (Number.isNaN(t)) return new SeriesError("invalid", `timestamp ${i} is not a number`);
  return new SeriesError("invalid", `timestamps must be ascending and distinct: ${t} at ${i} follows ${prev}`);
}

/** The part of one chunk a read returns: positions lo..hi, at t0 + k * step or times[k]. */
interface Segment {
  readonly values: Float64Array;
  readonly lo: number;
  readonly hi: number;
  readonly t0: number;
  readonly step: number;
  readonly times?: Float64Array;
}

function timeOf(s: Segment, k: number): number {
  return s.times ? (s.times[k] as number) : s.t0 + k * s.step;
}

/**
 * The series held by `chunks` (ascending by chunk index; missing chunks between them are simply
 * absent from the output, as in HoLcStore's get_ts), within [startMs, endMs] inclusive.
 * Each chunk's grid is rebuilt from its own `startMs` and length, as HoLcStore rebuilds it from
 * start_ts and n, so chunks pulled from another server read back as they were written.
 * Missing values at both edges are trimmed; interior ones are kept. Empty Points when nothing.
 */
export function fromChunks(chunks: readonly DenseChunk[], grid: Grid, startMs?: number, endMs?: number): Points {
  const lo = bound(startMs, Number.NEGATIVE_INFINITY, "start");
  const hi = bound(endMs, Number.POSITIVE_INFINITY, "end");
  const segments: Segment[] = [];
  let last = Number.NEGATIVE_INFINITY;
  let prevIndex = Number.NEGATIVE_INFINITY;
  for (const c of chunks) {
    if (!(c.chunkIndex > prevIndex)) {
      throw new SeriesError("invalid", `chunks must be ascending by chunk index: ${c.chunkIndex} after ${prevIndex}`);
    }
    prevIndex = c.chunkIndex;
    // Never step back in time, even if a stored chunk overruns the next one's start.
    const s = segmentOf(c, grid, lo, hi, last);
    if (s === undefined) continue;
    segments.push(s);
    last = timeOf(s, s.hi);
  }
  return assemble(segments);
}

function bound(v: number | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  if (Number.isNaN(v)) throw new SeriesError("invalid", `${name} is not a number`);
  return v;
}

/** The positions of chunk `c` within [from, to] and strictly after `after`. */
function segmentOf(c: DenseChunk, grid: Grid, from: number, to: number, after: number): Segment | undefined {
  checkInstant(c.startMs, `start of chunk ${c.chunkIndex}`);
  const n = c.values.length;
  if (n === 0) return undefined;
  const f = grid.freq;
  if (isSubDaily(f)) {
    const step = f.stepMs;
    let lo = Math.max(0, Math.ceil((from - c.startMs) / step));
    if (after > Number.NEGATIVE_INFINITY) lo = Math.max(lo, Math.floor((after - c.startMs) / step) + 1);
    const hi = Math.min(n - 1, Math.floor((to - c.startMs) / step));
    return lo <= hi ? { values: c.values, lo, hi, t0: c.startMs, step } : undefined;
  }
  const tz = tzOf(grid);
  const days = f.days ?? 1;
  const all = dailyTimes(tz, localDay(tz, c.startMs), n * days, days);
  const times: number[] = [];
  const vals: number[] = [];
  for (let k = 0; k < n; k++) {
    const t = all[k] as number;
    // A skipped day (same instant as the next) has no instant of its own.
    if (t < from || t > to || t <= after || (k + 1 < n && all[k + 1] === t)) continue;
    times.push(t);
    vals.push(c.values[k] as number);
  }
  if (times.length === 0) return undefined;
  return {
    values: Float64Array.from(vals),
    lo: 0,
    hi: times.length - 1,
    t0: 0,
    step: 0,
    times: Float64Array.from(times),
  };
}

/** Concatenates the segments, trimming missing values at both edges. */
function assemble(segments: readonly Segment[]): Points {
  let firstSeg = -1;
  let firstPos = 0;
  for (let s = 0; s < segments.length && firstSeg < 0; s++) {
    const seg = segments[s] as Segment;
    for (let k = seg.lo; k <= seg.hi; k++) {
      if (!Number.isNaN(seg.values[k] as number)) {
        firstSeg = s;
        firstPos = k;
        break;
      }
    }
  }
  if (firstSeg < 0) return { index: new Float64Array(0), values: new Float64Array(0) };
  let lastSeg = -1;
  let lastPos = 0;
  for (let s = segments.length - 1; s >= firstSeg && lastSeg < 0; s--) {
    const seg = segments[s] as Segment;
    for (let k = seg.hi; k >= seg.lo; k--) {
      if (!Number.isNaN(seg.values[k] as number)) {
        lastSeg = s;
        lastPos = k;
        break;
      }
    }
  }
  let total = 0;
  for (let s = firstSeg; s <= lastSeg; s++) {
    const seg = segments[s] as Segment;
    total += (s === lastSeg ? lastPos : seg.hi) - (s === firstSeg ? firstPos : seg.lo) + 1;
  }
  const index = new Float64Array(total);
  const values = new Float64Array(total);
  let o = 0;
  for (let s = firstSeg; s <= lastSeg; s++) {
    const seg = segments[s] as Segment;
    const a = s === firstSeg ? firstPos : seg.lo;
    const b = s === lastSeg ? lastPos : seg.hi;
    values.set(seg.values.subarray(a, b + 1), o);
    if (seg.times) index.set(seg.times.subarray(a, b + 1), o);
    else for (let k = a; k <= b; k++) index[o + k - a] = seg.t0 + k * seg.step;
    o += b - a + 1;
  }
  return { index, values };
}
