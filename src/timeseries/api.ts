/**
 * What the series face can ask of one store: HoLcStore's three models (versioned curves,
 * attribute series, chunked dense series), its sync endpoints and its sources. The same interface
 * is served by SeriesService over a storage port (Postgres, or inside the store's Durable Object)
 * and by the RPC client of that object (the embedded default), so the routes never know which.
 * Everything here crosses RPC: plain data, typed arrays, no classes.
 */
import type { KeyMatch, Points, SeriesKey, StoreDef } from "../series/model.ts";
import type { ChunkHead, ChunkWrite, Source, SourceDef, StoredChunk } from "../storage/series-port.ts";

export type SetMode = "create" | "update" | "replace";

export interface SetResult {
  /** Chunks (or versions) written and tombstoned (or removed). */
  readonly written: number;
  readonly removed: number;
  /** Points off the grid that were dropped (update and replace; create refuses them). */
  readonly offGrid: number;
  /** The version written (versioned stores). */
  readonly version?: number;
  /** The store's sequence after the commit (0 when nothing was written). */
  readonly seq: number;
}

/** One series of a multi-series answer: its key values in declaration order. */
export interface KeyedPoints {
  readonly key: SeriesKey;
  readonly points: Points;
  readonly version?: number;
  /** When it was last written (epoch ms), where the model keeps it. */
  readonly updatedMs?: number;
}

/** A page of a multi-series scan, and where the next one starts (null: done). */
export interface SeriesPage {
  readonly items: KeyedPoints[];
  readonly next: string | null;
}

export interface VersionedGet {
  /** combined (default), one version, or every version. */
  readonly version?: number | "all";
  /** Trimmed off the start of each version before combining (HoLcStore's combined_delay). */
  readonly combinedDelayMs?: number;
  readonly startMs?: number;
  readonly endMs?: number;
}

export interface Hole {
  readonly key: SeriesKey;
  readonly startMs: number;
  readonly endMs: number;
}

export interface SourceRun {
  readonly source: string;
  readonly pages: number;
  readonly applied: number;
  readonly tombstones: number;
  readonly skipped: number;
  readonly cursor: string | null;
  readonly done: boolean;
}

export interface SeriesApi {
  definition(): Promise<StoreDef | null>;
  /** True when this call created the store; a different existing definition is a conflict. */
  define(def: StoreDef): Promise<boolean>;
  drop(): Promise<void>;

  // chunked (TimeseriesChunkStore) ---------------------------------------------------------
  set(key: SeriesKey, points: Points, mode: SetMode): Promise<SetResult>;
  /** Creates every series or none. */
  setMany(items: readonly { readonly key: SeriesKey; readonly points: Points }[]): Promise<SetResult>;
  /** Inclusive bounds; null when the series has no live chunk. */
  get(key: SeriesKey, startMs?: number, endMs?: number): Promise<Points | null>;
  /** One page of yield_many: whole series, in key order, after `after`. */
  scan(
    match: KeyMatch,
    startMs: number | undefined,
    endMs: number | undefined,
    after: string | null,
  ): Promise<SeriesPage>;
  /** The last non-missing instant among the matching series, or null. */
  maxHorodate(match: KeyMatch): Promise<number | null>;
  /** Deletes every matching series (tombstones on a sync store); how many series. */
  delete(match: KeyMatch): Promise<SetResult>;

  // versioned (Store) ----------------------------------------------------------------------
  setVersioned(key: SeriesKey, points: Points, versioning: boolean): Promise<SetResult>;
  getVersioned(key: SeriesKey, opts: VersionedGet): Promise<KeyedPoints[] | null>;
  /** Missing runs (inclusive) of each series on the grid from start at `freq` (e.g. "30min"). */
  findHoles(keys: readonly SeriesKey[], startMs: number, endMs: number, freq: string): Promise<Hole[]>;
  deleteVersion(key: SeriesKey, version?: number): Promise<SetResult>;

  // series (TimeseriesStore) ---------------------------------------------------------------
  setSeries(key: SeriesKey, points: Points, mode: "set" | "update" | "replace"): Promise<SetResult>;
  /** Every series the partial key matches (newest version each), a page at a time. */
  getSeries(match: KeyMatch, after: string | null): Promise<SeriesPage>;

  // sync server ----------------------------------------------------------------------------
  updates(
    sinceUs: number,
    limit: number,
    offset: number,
    match: KeyMatch,
  ): Promise<{ count: number; rows: ChunkHead[] }>;
  pack(refs: readonly { readonly key: string; readonly chunkIndex: number }[]): Promise<StoredChunk[]>;
  feed(after: number, limit: number, match: KeyMatch, withData: boolean): Promise<(StoredChunk | ChunkHead)[]>;
  /** Applies a pulled page and moves the source's cursor, atomically (sync client target). */
  applyPulled(source: string, expect: string | null, next: string, chunks: readonly ChunkWrite[]): Promise<void>;
  /** The `updatedUs` of each local chunk (tombstones too), null where there is none. */
  localUpdatedUs(refs: readonly { readonly key: string; readonly chunkIndex: number }[]): Promise<(number | null)[]>;

  // sources ---------------------------------------------------------------------------------
  sources(): Promise<Source[]>;
  putSource(def: SourceDef): Promise<Source>;
  dropSource(name: string): Promise<boolean>;
  recordPull(
    name: string,
    outcome: { readonly ok: boolean; readonly error?: string; readonly nextDueMs: number | null },
  ): Promise<Source>;
}
