/**
 * The series store's model, shared by the pure core, the storage port and the faces: what a store
 * is (HoLcStore's three models as store kinds), how a series is named (its key values), and the
 * shapes series take in memory. Times are UTC epoch milliseconds; a store's zone is an IANA name.
 */

/** HoLcStore's `Store`, `TimeseriesStore` and `TimeseriesChunkStore`. */
export type StoreKind = "versioned" | "series" | "chunked";

/** Types a key may have; a `date` value is an ISO `YYYY-MM-DD` string. */
export type KeyType = "int" | "str" | "date" | "bool";
export type KeyValue = number | string | boolean;

export interface KeyDecl {
  readonly name: string;
  readonly type: KeyType;
}

/** Chunks hold a calendar year, or a calendar month (index year * 12 + month - 1), in the store's zone. */
export type ChunkAxis = "year" | "year,month";

/** How values are stored: little-endian, NaN (or, for int64, the smallest int64) = missing. */
export type Dtype = "float64" | "float32" | "int64";

interface Common {
  /** Declared keys in order; together they name one series (versioned: prm, client_id). */
  readonly keys: readonly KeyDecl[];
  /** IANA zone: naive timestamps are local to it, and output is written in it. */
  readonly zone: string;
  readonly dtype: Dtype;
}

export interface VersionedDef extends Common {
  readonly kind: "versioned";
}

export interface SeriesDef extends Common {
  readonly kind: "series";
}

export interface ChunkedDef extends Common {
  readonly kind: "chunked";
  readonly chunkAxis: ChunkAxis;
  /** Canonical grid step, e.g. "15min", "1h", "1D" (see freq.ts). */
  readonly freq: string;
  /** A sync store: deletions are tombstones, plain create is refused, updates/pack/feed serve it. */
  readonly sync: boolean;
}

/** A store's definition: declared once, then frozen. */
export type StoreDef = VersionedDef | SeriesDef | ChunkedDef;

/** One series' key values, in the order of the store's key declarations. */
export type SeriesKey = readonly KeyValue[];

/** Partial keys: the series whose key at `pos` equals `value`, for every entry; empty = all. */
export type KeyMatch = readonly { readonly pos: number; readonly value: KeyValue }[];

/** An irregular series: ascending, distinct epoch-ms index and its values (NaN = missing). */
export interface Points {
  readonly index: Float64Array;
  readonly values: Float64Array;
}

/** One chunk's dense grid, decoded: `values[i]` is at the i-th grid step from `startMs`. */
export interface DenseChunk {
  readonly chunkIndex: number;
  /** Local midnight of the chunk's first day in the store's zone, as an instant. */
  readonly startMs: number;
  readonly values: Float64Array;
}

/** The canonical text of a series key: what storage stores and compares (JSON of the values). */
export function keyText(key: SeriesKey): string {
  return JSON.stringify(key);
}

/** The key values back from their canonical text. */
export function keyOfText(text: string): SeriesKey {
  return JSON.parse(text) as SeriesKey;
}

/** True when `key` satisfies every position of `match`. */
export function keyMatches(key: SeriesKey, match: KeyMatch): boolean {
  return match.every((m) => key[m.pos] === m.value);
}
