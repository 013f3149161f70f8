/**
 * Append, update and delete-range on frames, ArcticDB's semantics plus PyStore's dedup policies.
 * Each works on any sorted existing slice, so the storage layer can merge only the chunks an append
 * touches (`planAppend` says which) instead of rewriting the item, PyStore's defect.
 *
 * The storage layer's append: schema = evolve(stored, schemaOf(incoming), strategy); rows =
 * sortByIndex(conform(incoming, schema)); for each group of planAppend(chunk stats, rows' index),
 * mergeSorted(conform(concatFrames(its chunks), schema), its rows, onDup) replaces those chunks (or
 * is a new chunk); only when every group succeeded is the new version written, so "error" changes
 * nothing. Update and deleteRange rewrite only the chunks chunksInRange names.
 */

import { checkFrame, type Frame, FrameError, frameLength, isSorted, schemaOf } from "./model.ts";
import { assertSameSchema, gather, lowerBound, range, showIndexValue, sortByIndex } from "./rows.ts";
import { conform, type EvolveStrategy, evolve } from "./rules.ts";

/**
 * What an append does with an index value already present. keep_last: the last incoming row
 * replaces every row at that value. keep_first: existing rows stay, incoming ones there are
 * dropped (and among new values, the first incoming row wins). error: any overlap, or a repeated
 * value within the incoming rows, throws. keep_all: every row is kept, existing first.
 */
export type OnDup = "keep_last" | "keep_first" | "error" | "keep_all";

export const ON_DUP: readonly OnDup[] = ["keep_last", "keep_first", "error", "keep_all"];

function duplicate(f: Frame, v: bigint, why: string): FrameError {
  return new FrameError("duplicate_index", `${f.index.name} ${showIndexValue(f.index.kind, v)} ${why}`, String(v));
}

function requireSorted(f: Frame, what: string): void {
  if (!isSorted(f.index.values)) throw new FrameError("invalid", `${what} is not sorted by index`);
}

/**
 * The merge of a sorted existing slice and sorted incoming rows of the same schema, by `onDup`.
 * Rows are compared by index only: equal values at different index values are different rows
 * (PyStore's drop_duplicates on values loses them).
 *
 * @example mergeSorted(concatFrames(touchedChunks), sliceRows(incoming, g.rows[0], g.rows[1]), "keep_last")
 */
export function mergeSorted(existing: Frame, incoming: Frame, onDup: OnDup): Frame {
  assertSameSchema([existing, incoming]);
  requireSorted(existing, "the existing slice");
  requireSorted(incoming, "the incoming frame");
  const a = existing.index.values;
  const b = incoming.index.values;
  const cap = a.length + b.length;
  const source = new Uint8Array(cap);
  const row = new Int32Array(cap);
  let k = 0;
  const emit = (s: number, lo: number, hi: number): void => {
    for (let r = lo; r < hi; r++, k++) {
      source[k] = s;
      row[k] = r;
    }
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x < y)) {
      emit(0, i, i + 1);
      i++;
      continue;
    }
    const j2 = lowerBound(b, y, true);
    const i2 = x === y ? lowerBound(a, y, true) : i;
    const overlap = i2 > i;
    if (onDup === "error" && (overlap || j2 - j > 1)) {
      throw duplicate(incoming, y, overlap ? "is already in the item" : "appears twice in the incoming rows");
    }
    if (onDup === "keep_all") {
      emit(0, i, i2);
      emit(1, j, j2);
    } else if (onDup === "keep_last") {
      emit(1, j2 - 1, j2);
    } else if (overlap) {
      emit(0, i, i2); // keep_first with rows already there
    } else {
      emit(1, j, j + 1); // keep_first or error, a new value
    }
    i = i2;
    j = j2;
  }
  return gather([existing, incoming], { source: source.subarray(0, k), row: row.subarray(0, k) });
}

/**
 * Appends `incoming` (any order) to `existing` (sorted): columns reconciled by `strategy`, the result
 * sorted by index, ties in existing-then-incoming order. Throws FrameError "schema_changed",
 * "duplicate_index" (onDup "error") or "invalid"; never returns a partial result.
 */
export function append(existing: Frame, incoming: Frame, onDup: OnDup, strategy: EvolveStrategy = "strict"): Frame {
  const [e, i] = reconcile(existing, incoming, strategy);
  return mergeSorted(e, sortByIndex(i), onDup);
}

/** Both frames checked and conformed to their evolved schema. */
function reconcile(existing: Frame, incoming: Frame, strategy: EvolveStrategy): [Frame, Frame] {
  checkFrame(existing);
  checkFrame(incoming);
  requireSorted(existing, "the existing frame");
  const schema = evolve(schemaOf(existing), schemaOf(incoming), strategy);
  return [conform(existing, schema), conform(incoming, schema)];
}

/**
 * ArcticDB's update: existing rows inside [min, max] of incoming's index are replaced by all of
 * incoming's rows (sorted; repeats kept). Empty incoming changes nothing.
 */
export function update(existing: Frame, incoming: Frame, strategy: EvolveStrategy = "strict"): Frame {
  const [e, raw] = reconcile(existing, incoming, strategy);
  const inc = sortByIndex(raw);
  const n = frameLength(inc);
  if (n === 0) return e;
  const lo = lowerBound(e.index.values, inc.index.values[0] as bigint);
  const hi = lowerBound(e.index.values, inc.index.values[n - 1] as bigint, true);
  const total = lo + n + (frameLength(e) - hi);
  const source = new Uint8Array(total);
  source.fill(1, lo, lo + n);
  const row = new Int32Array(total);
  row.set(range(0, lo), 0);
  row.set(range(0, n), lo);
  row.set(range(hi, frameLength(e)), lo + n);
  return gather([e, inc], { source, row });
}

/** The sorted frame without the rows whose index lies in [start, end] (both inclusive). */
export function deleteRange(existing: Frame, start: bigint, end: bigint): Frame {
  if (start > end) throw new FrameError("invalid", `delete range start ${start} is after end ${end}`);
  requireSorted(existing, "the existing frame");
  const idx = existing.index.values;
  const lo = lowerBound(idx, start);
  const hi = lowerBound(idx, end, true);
  if (lo === hi) return existing;
  const row = new Int32Array(idx.length - (hi - lo));
  row.set(range(0, lo), 0);
  row.set(range(hi, idx.length), lo);
  return gather([existing], { row });
}

/** A stored chunk's index bounds (inclusive), as its statistics record them. */
export interface ChunkBounds {
  readonly min: bigint;
  readonly max: bigint;
}

/**
 * One unit of an append's work: incoming rows [rows[0], rows[1]) merge with existing chunks
 * [chunks[0], chunks[1]). An empty chunk range means the rows fall between chunks (or before the
 * first, after the last) and touch no stored chunk: they become a new chunk at position chunks[0].
 */
export interface AppendGroup {
  readonly chunks: readonly [number, number];
  readonly rows: readonly [number, number];
}

/**
 * Which stored chunks an append touches. `chunks` are the item's chunks in order (each min <= max,
 * each max <= the next min); `incoming` is the sorted incoming index. A chunk is touched only when
 * an incoming value lies inside its [min, max]; chunks sharing a boundary value are touched
 * together, so every existing row at an index value meets every incoming row at it in one
 * `mergeSorted` call, which keeps keep_first / keep_last / error exact across chunk edges.
 * Cost O(incoming rows x log chunks).
 */
export function planAppend(chunks: readonly ChunkBounds[], incoming: BigInt64Array): AppendGroup[] {
  checkChunks(chunks);
  if (!isSorted(incoming)) throw new FrameError("invalid", "the incoming index is not sorted");
  // First chunk whose max >= v, and one past the last chunk whose min <= v: the chunks holding v.
  const firstMaxAtLeast = (v: bigint): number => search(chunks.length, (c) => (chunks[c] as ChunkBounds).max >= v);
  const pastMinAtMost = (v: bigint): number => search(chunks.length, (c) => (chunks[c] as ChunkBounds).min > v);
  const groups: { chunks: [number, number]; rows: [number, number] }[] = [];
  for (let r = 0; r < incoming.length; r++) {
    const v = incoming[r] as bigint;
    const from = firstMaxAtLeast(v);
    const to = Math.max(from, pastMinAtMost(v));
    const last = groups[groups.length - 1];
    const joins =
      last !== undefined && (from === to ? last.chunks[0] === from && last.chunks[1] === from : last.chunks[1] > from);
    if (last !== undefined && joins) {
      last.chunks[1] = Math.max(last.chunks[1], to);
      last.rows[1] = r + 1;
    } else {
      groups.push({ chunks: [from, to], rows: [r, r + 1] });
    }
  }
  return groups;
}

/**
 * The chunks [from, to) holding any index value in [start, end]: what an update or deleteRange
 * must rewrite (with `deleteRange` on each; an update then adds its rows as new chunks). Chunks
 * strictly inside the range can be dropped without reading them.
 */
export function chunksInRange(chunks: readonly ChunkBounds[], start: bigint, end: bigint): [number, number] {
  if (start > end) throw new FrameError("invalid", `range start ${start} is after end ${end}`);
  checkChunks(chunks);
  const from = search(chunks.length, (c) => (chunks[c] as ChunkBounds).max >= start);
  const to = search(chunks.length, (c) => (chunks[c] as ChunkBounds).min > end);
  return [from, Math.max(from, to)];
}

/** Binary search over chunks needs them ordered: each min <= max <= the next min. */
function checkChunks(chunks: readonly ChunkBounds[]): void {
  chunks.forEach((c, i) => {
    const next = chunks[i + 1];
    if (c.min > c.max || (next !== undefined && c.max > next.min)) {
      throw new FrameError("invalid", `chunk ${i} bounds are out of order`);
    }
  });
}

/** The first c in [0, n) with pred(c) true, for a predicate false then true; n when none. */
function search(n: number, pred: (c: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
