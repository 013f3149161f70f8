import { HDict, newTags } from "./dict.ts";
import type { HVal } from "./value.ts";

/** A grid column: a name and its meta. */
export interface HCol {
  readonly name: string;
  readonly meta: HDict;
}

/** One row: cells aligned with the grid's columns; null for an empty cell. */
export type HRow = readonly HVal[];

/**
 * An immutable grid. Rows are cell arrays aligned with `cols` (cheap to build and to stream);
 * `dicts()` and `rowDict()` give the dict view.
 */
export class HGrid {
  readonly kind = "grid" as const;
  private colIndex: Map<string, number> | undefined;

  constructor(
    readonly meta: HDict,
    readonly cols: readonly HCol[],
    readonly rows: readonly HRow[],
  ) {}

  /** Builds a grid from dicts: columns are the union of tag names in first-seen order. */
  static fromDicts(rows: readonly HDict[], meta: HDict = HDict.EMPTY): HGrid {
    const index = new Map<string, number>();
    for (const r of rows) for (const n of r.names()) if (!index.has(n)) index.set(n, index.size);
    const names = [...index.keys()];
    const out: HRow[] = rows.map((r) => names.map((n) => r.get(n) ?? null));
    return new HGrid(
      meta,
      names.map((n) => col(n)),
      out,
    );
  }

  /** Builds a grid from column names and row arrays. */
  static of(colNames: readonly string[], rows: readonly HRow[], meta: HDict = HDict.EMPTY): HGrid {
    return new HGrid(
      meta,
      colNames.map((n) => col(n)),
      rows,
    );
  }

  /** The empty grid (one column `empty`, no rows), as the spec writes it. */
  static empty(meta: HDict = HDict.EMPTY): HGrid {
    return new HGrid(meta, [col("empty")], []);
  }

  colNames(): string[] {
    return this.cols.map((c) => c.name);
  }

  /** Index of column `name`, or -1. */
  colIdx(name: string): number {
    if (!this.colIndex) {
      const index = new Map<string, number>();
      for (let i = 0; i < this.cols.length; i++) index.set((this.cols[i] as HCol).name, i);
      this.colIndex = index;
    }
    return this.colIndex.get(name) ?? -1;
  }

  has(name: string): boolean {
    return this.colIdx(name) >= 0;
  }

  get size(): number {
    return this.rows.length;
  }

  /** Cell of column `name` in row `i` (undefined for no such column, null for an empty cell). */
  cell(i: number, name: string): HVal | undefined {
    const c = this.colIdx(name);
    return c < 0 ? undefined : (this.rows[i]?.[c] ?? null);
  }

  rowDict(i: number): HDict {
    const row = this.rows[i];
    if (!row) throw new RangeError(`row ${i} out of range`);
    const tags = newTags();
    for (let j = 0; j < this.cols.length; j++) {
      const v = row[j];
      if (v !== null && v !== undefined) tags[(this.cols[j] as HCol).name] = v;
    }
    return HDict.unsafeOf(tags);
  }

  dicts(): HDict[] {
    return this.rows.map((_, i) => this.rowDict(i));
  }
}

export function col(name: string, meta: HDict = HDict.EMPTY): HCol {
  return { name, meta };
}
