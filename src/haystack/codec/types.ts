/**
 * The codec contracts. Every format is a reader/writer pair behind these one-method interfaces;
 * grid writers also work row by row so large grids stream (see stream.ts).
 */
import type { HCol, HDict, HGrid, HRow, HVal } from "../kinds/index.ts";

/** Bounds every reader enforces; exceeding one is a LimitError with a position. */
export interface ReadLimits {
  /** Deepest nesting of lists, dicts and grids (default 64). */
  readonly maxDepth?: number;
  /** Most rows in one grid, nested grids included (default unlimited). */
  readonly maxRows?: number;
  /** Most columns in one grid (default 10,000). */
  readonly maxCols?: number;
}

export const DEFAULT_LIMITS: Required<ReadLimits> = {
  maxDepth: 64,
  maxRows: Number.POSITIVE_INFINITY,
  maxCols: 10_000,
};

export interface ValueReader {
  readValue(text: string, limits?: ReadLimits): HVal;
}

export interface GridReader {
  readGrid(text: string, limits?: ReadLimits): HGrid;
}

export interface ValueWriter {
  writeValue(v: HVal): string;
}

/**
 * Writes one grid incrementally: `begin` once, `row` per row, `end` once; each returns the text
 * to emit. The concatenation equals `writeGrid` of the same grid.
 */
export interface GridEncoder {
  begin(meta: HDict, cols: readonly HCol[]): string;
  row(cells: HRow): string;
  end(): string;
  /**
   * Many rows at once as UTF-8 bytes (a fresh array the caller owns), equal to the encoded
   * concatenation of `row` over them. Optional: the byte path skips a string per row.
   */
  rowBytes?(rows: readonly HRow[]): Uint8Array;
}

export interface GridWriter {
  writeGrid(g: HGrid): string;
  /** A fresh incremental encoder (encoders may keep per-grid state such as column names). */
  encoder(): GridEncoder;
}

/** A format: its media type and its reader/writer. CSV has no reader. */
export interface Format {
  readonly name: "zinc" | "json" | "json3" | "csv" | "trio";
  readonly mime: string;
  readonly writer: GridWriter;
  readonly reader?: GridReader;
}
