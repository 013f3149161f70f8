/**
 * What a set does to a series' chunks, decided without storage: create refuses live chunks,
 * update merges per chunk (HoLcStore's new.combine_first(existing): a new value wins, NaN never
 * erases, a tombstone is revived), replace writes the new chunks and tombstones every other live
 * chunk of the series.
 */
import { SeriesError } from "./errors.ts";
import type { DenseChunk } from "./model.ts";

/**
 * `incoming` combined first with `existing`, position by position on the chunk's grid: incoming
 * wins where it holds a value, existing fills the rest. The result is as long as the longer of
 * the two (a chunk pulled from an older server may be a point short). Both must be the same chunk
 * on the same grid start, or SeriesError `invalid`.
 */
export function updateChunk(existing: DenseChunk | null, incoming: DenseChunk): DenseChunk {
  if (existing === null) return incoming;
  if (existing.chunkIndex !== incoming.chunkIndex || existing.startMs !== incoming.startMs) {
    throw new SeriesError(
      "invalid",
      `cannot merge chunk ${incoming.chunkIndex} starting ${incoming.startMs} into chunk ${existing.chunkIndex} starting ${existing.startMs}`,
    );
  }
  const a = existing.values;
  const b = incoming.values;
  const out = new Float64Array(Math.max(a.length, b.length));
  if (a.length < out.length) out.fill(Number.NaN, a.length);
  out.set(a);
  for (let i = 0; i < b.length; i++) {
    const v = b[i] as number;
    if (!Number.isNaN(v)) out[i] = v;
  }
  return { chunkIndex: incoming.chunkIndex, startMs: incoming.startMs, values: out };
}

/** True when no value is present (every one NaN, or none at all). */
export function isAllMissing(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i] as number)) return false;
  return true;
}

export type SetMode = "create" | "update" | "replace";

/** A series' stored chunk as planSet sees it: its values, or null for a tombstone. */
export interface ExistingChunk {
  readonly chunkIndex: number;
  readonly values: Float64Array | null;
  /** Its grid start when known: update refuses to merge chunks on different starts. */
  readonly startMs?: number;
}

export interface SetPlan {
  /** Chunks to upsert (live), ascending by chunk index. */
  readonly write: DenseChunk[];
  /** Chunk indexes of live chunks to tombstone, ascending (a non-sync store may delete them). */
  readonly tombstone: number[];
}

/**
 * The chunk writes one set of a series makes. `incoming` is the new data's chunks (toChunks);
 * `existing` every stored chunk of the series (only those at incoming indexes matter, except for
 * replace). Incoming chunks holding no value are ignored, so replace with no values tombstones
 * every live chunk.
 * - create: a live chunk at an incoming index -> SeriesError `conflict`; a tombstone is recreated.
 * - update: per chunk, updateChunk(existing live chunk, incoming); tombstones are revived with
 *   the incoming values alone.
 * - replace: incoming chunks as they are; every other live chunk is tombstoned.
 */
export function planSet(mode: SetMode, incoming: readonly DenseChunk[], existing: readonly ExistingChunk[]): SetPlan {
  if (mode !== "create" && mode !== "update" && mode !== "replace") {
    throw new SeriesError("invalid", `invalid set mode '${String(mode).slice(0, 20)}'`);
  }
  const stored = new Map<number, ExistingChunk>();
  for (const e of existing) {
    if (stored.has(e.chunkIndex)) throw new SeriesError("invalid", `chunk ${e.chunkIndex} listed twice`);
    stored.set(e.chunkIndex, e);
  }
  const live = incoming.filter((c) => !isAllMissing(c.values)).sort((a, b) => a.chunkIndex - b.chunkIndex);
  for (let i = 1; i < live.length; i++) {
    const c = live[i] as DenseChunk;
    if (c.chunkIndex === (live[i - 1] as DenseChunk).chunkIndex) {
      throw new SeriesError("invalid", `incoming chunk ${c.chunkIndex} given twice`);
    }
  }
  if (mode === "create") {
    const taken = live.filter((c) => isLive(stored.get(c.chunkIndex))).map((c) => c.chunkIndex);
    if (taken.length > 0) {
      throw new SeriesError("conflict", `the series already has data in chunk(s) ${taken.slice(0, 10).join(", ")}`);
    }
    return { write: live, tombstone: [] };
  }
  if (mode === "update") {
    const write = live.map((c) => {
      const old = stored.get(c.chunkIndex);
      if (old?.values == null) return c;
      return updateChunk({ chunkIndex: c.chunkIndex, startMs: old.startMs ?? c.startMs, values: old.values }, c);
    });
    return { write, tombstone: [] };
  }
  const covered = new Set(live.map((c) => c.chunkIndex));
  const tombstone = [...stored.values()]
    .filter((e) => isLive(e) && !covered.has(e.chunkIndex))
    .map((e) => e.chunkIndex)
    .sort((a, b) => a - b);
  return { write: live, tombstone };
}

function isLive(e: ExistingChunk | undefined): boolean {
  return e !== undefined && e.values !== null;
}
