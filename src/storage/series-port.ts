/**
 * The storage seam of the series face (HoLcStore's three models), beside the Haystack one in
 * ports.ts. One `SeriesPort` is one store of one project. Every backend (Durable Object SQLite,
 * Postgres) implements it, and test/contract/series/ runs one suite against each.
 *
 * Rules every implementation keeps:
 * - `write` is all-or-nothing: when it throws (or its work throws), nothing changed.
 * - Writes to one store are serialised: the work's reads see every earlier commit and no other
 *   write to the store commits between them and the plan being applied.
 * - Every chunk a commit writes gets the next number of the store's change sequence, in commit
 *   order, so a reader paging `feed` by `seq` never misses or repeats a change.
 * - Blobs are opaque here (LZ4 frames made by the series core); a backend stores and returns bytes.
 */
import type { Dtype, KeyMatch, StoreDef } from "../series/model.ts";

/** A chunk as stored. `key` is the series' canonical key text (series/model.ts keyText). */
export interface StoredChunk {
  readonly key: string;
  readonly chunkIndex: number;
  readonly startMs: number;
  /** Values on the grid from `startMs`; an empty frame for a tombstone. */
  readonly dtype: Dtype;
  readonly data: Uint8Array;
  readonly deleted: boolean;
  /** HoLcStore's `updated_at`, in microseconds since the epoch. */
  readonly updatedUs: number;
  /** The store's change sequence number of the commit that last wrote this chunk. */
  readonly seq: number;
}

/** A chunk without its bytes: what listings (updates/, the feed without data) return. */
export type ChunkHead = Omit<StoredChunk, "data">;

/** A chunk to upsert on (key, chunkIndex). */
export interface ChunkWrite {
  readonly key: string;
  readonly chunkIndex: number;
  readonly startMs: number;
  readonly dtype: Dtype;
  readonly data: Uint8Array;
  readonly deleted: boolean;
  /** Keep this `updated_at` (a pulled chunk keeps its server's); otherwise the commit's time. */
  readonly updatedUs?: number;
}

/** One version of an irregular series (versioned stores: 0, 1, ...; series stores: always 0). */
export interface StoredSeries {
  readonly key: string;
  readonly version: number;
  /** Number of points. */
  readonly count: number;
  /** LZ4 frame of the float64 epoch-ms index. */
  readonly index: Uint8Array;
  /** LZ4 frame of the values in the store's dtype. */
  readonly values: Uint8Array;
  readonly updatedUs: number;
}

export type SeriesWrite = Omit<StoredSeries, "updatedUs">;

/** A sync source of the store: where a scheduled pull reads from. */
export interface SourceDef {
  readonly name: string;
  /** The remote store's base URL (ending in `/`): another Hayloft's `/ts/{p}/{s}/` or HoLcStore's. */
  readonly url: string;
  readonly protocol: "hayloft" | "holcstore";
  /** The NAME of a Worker secret holding the token sent to the remote; never the token. */
  readonly tokenSecret?: string;
  /** Key filters sent to the remote (`name=value` query parameters). */
  readonly filters: Readonly<Record<string, string>>;
  /** Seconds between scheduled pulls; 0 = manual only. */
  readonly everySeconds: number;
  /** Items per listing page (HoLcStore's page_size), and chunks per `pack/` (its batch); client defaults when unset. */
  readonly pageSize?: number;
  readonly batch?: number;
}

/** What a source has done: the cursor and the outcome of its pulls. */
export interface SourceState {
  /** Native: the last applied seq; HoLcStore: the max updated_at applied (ISO). Null before the first. */
  readonly cursor: string | null;
  readonly lastSuccessMs: number | null;
  readonly lastErrorMs: number | null;
  readonly lastError: string | null;
  /** Failures since the last success (for backoff). */
  readonly failures: number;
  /** When the next scheduled pull is due (epoch ms), or null when none is. */
  readonly nextDueMs: number | null;
}

export interface Source extends SourceDef {
  readonly state: SourceState;
}

/** Everything one commit changes. */
export interface WritePlan {
  readonly chunks?: readonly ChunkWrite[];
  /** Chunks removed outright (stores without sync; a sync store tombstones instead). */
  readonly dropChunks?: readonly { readonly key: string; readonly chunkIndex: number }[];
  readonly series?: readonly SeriesWrite[];
  /** Versions removed; `version` undefined removes every version of the series. */
  readonly dropSeries?: readonly { readonly key: string; readonly version?: number }[];
  /**
   * A sync cursor moved in the same commit as the page it covers. `expect` is the cursor the
   * pull started from: when the stored one differs, another pull got there first and the write
   * fails with `conflict`, changing nothing.
   */
  readonly cursor?: { readonly source: string; readonly expect: string | null; readonly next: string };
}

/** What `write` reports. */
export interface Committed {
  /** The last seq the commit assigned (the store's sequence after it). */
  readonly seq: number;
  /** When it committed, in microseconds (the `updatedUs` of chunks written without one). */
  readonly atUs: number;
}

/** Reads of a store; inside `write` they see the store as the transaction does. */
export interface SeriesReads {
  /** The series' chunks (tombstones included) with `from <= chunkIndex <= to`, in index order. */
  chunks(key: string, from: number, to: number): Promise<StoredChunk[]>;
  /** Whether the series has any live chunk or any version. */
  hasSeries(key: string): Promise<boolean>;
  /** Versions of an irregular series, newest first; one when `version` is given (or none). */
  series(key: string, version?: number): Promise<StoredSeries[]>;
  /** The highest version of a series, or -1. */
  maxVersion(key: string): Promise<number>;
}

/** A key-ordered page position: the last (key, chunkIndex or version) a previous page returned. */
export interface After {
  readonly key: string;
  readonly n: number;
}

export interface SeriesPort extends SeriesReads {
  /** The store's definition, or null when it was never defined. */
  definition(): Promise<StoreDef | null>;
  /**
   * Defines the store. Idempotent for the same definition; a different one fails with `conflict`
   * and changes nothing. Returns true when it was created by this call.
   */
  define(def: StoreDef, nowMs: number): Promise<boolean>;
  /** Removes the store and everything in it (definition, data, sources). */
  drop(): Promise<void>;

  /**
   * Runs `work` against the store's current state, then applies its plan, all in one
   * serialised, atomic step. `work` may read through `reads` only. Returns the work's result.
   */
  write<T>(
    nowMs: number,
    work: (reads: SeriesReads) => Promise<{ plan: WritePlan; result: T }>,
  ): Promise<T & Committed>;

  /** Live chunks of the series matching `match`, with chunkIndex in [from, to], by (key, chunkIndex), after `after`. */
  scanChunks(match: KeyMatch, from: number, to: number, after: After | null, limit: number): Promise<StoredChunk[]>;
  /** The live chunk with the highest index among the matching series, or null. */
  lastChunk(match: KeyMatch): Promise<StoredChunk | null>;
  /** Irregular series (each version when `allVersions`, else only the newest), by (key, version desc). */
  scanSeries(match: KeyMatch, allVersions: boolean, after: After | null, limit: number): Promise<StoredSeries[]>;
  /** Keys of the matching series in key order after `after`, at most `limit`. */
  keys(match: KeyMatch, after: string | null, limit: number): Promise<string[]>;

  /** Native sync: chunks (tombstones too) with seq > after, by seq; bytes only when `withData`. */
  feed(after: number, limit: number, match: KeyMatch, withData: boolean): Promise<(StoredChunk | ChunkHead)[]>;
  /** The store's sequence: the seq of its last commit (0 before any). */
  sequence(): Promise<number>;
  /** HoLcStore sync: chunks with updatedUs >= sinceUs, by (updatedUs, key, chunkIndex), and how many match. */
  updates(
    sinceUs: number,
    limit: number,
    offset: number,
    match: KeyMatch,
  ): Promise<{ count: number; rows: ChunkHead[] }>;
  /** One chunk with its bytes (tombstones too), or null. */
  chunk(key: string, chunkIndex: number): Promise<StoredChunk | null>;

  sources(): Promise<Source[]>;
  /** Adds or replaces a source's definition; its state is kept when it existed. */
  putSource(def: SourceDef, nowMs: number): Promise<Source>;
  /** Removes a source; false when there was none. */
  dropSource(name: string): Promise<boolean>;
  /** Records a pull's outcome (the cursor moves only through `write`'s plan). */
  recordPull(
    name: string,
    outcome: {
      readonly okMs?: number;
      readonly error?: string;
      readonly atMs: number;
      readonly nextDueMs: number | null;
    },
  ): Promise<void>;
}
