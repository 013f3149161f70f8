/**
 * The shapes the series body codecs share: formats, limits, and one item of a many-series body.
 * Every codec reads into and writes from `Points` (epoch-ms index, NaN = missing), the store
 * model's neutral shape, so handlers never see a format.
 */
import type { KeyValue, Points } from "../../../series/model.ts";

export type SeriesFormat = "json" | "ndjson" | "csv" | "arrow";

/** JSON (and NDJSON items) as `{"index": [...], "values": [...]}` or as `[[t, v], ...]` pairs. */
export type JsonShape = "columnar" | "pairs";

/** Bounds on a request body: bytes first, then points (all series together) and series. */
export interface BodyLimits {
  readonly maxBytes: number;
  readonly maxPoints: number;
  readonly maxSeries: number;
}

/** One series of a many-series body: its key values by name, an optional version, its points. */
export interface ManyItem {
  readonly keys: Readonly<Record<string, KeyValue>>;
  readonly version?: number;
  readonly points: Points;
}

export interface WritePointsOptions {
  /** JSON and NDJSON only; default columnar. */
  readonly shape?: JsonShape;
  /**
   * Extra top-level fields of a columnar JSON body (e.g. keys, version), or Arrow schema metadata
   * (each value as JSON text). Not written in pairs, NDJSON or CSV, which have no place for them.
   */
  readonly meta?: Readonly<Record<string, unknown>>;
}

export interface WriteManyOptions {
  /** JSON and NDJSON only; default columnar. */
  readonly shape?: JsonShape;
  /** Add a `version` column to CSV and Arrow (JSON and NDJSON write an item's version when it has one). */
  readonly versions?: boolean;
}
