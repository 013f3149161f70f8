/**
 * Rows of text cells gathered into Frames of at most `batchRows` rows, for the CSV and JSON
 * readers. Dtypes come from the schema, else from the first batch: later batches keep them, so
 * every Frame of one stream has the same columns' dtypes (a new column is inferred when it
 * first appears).
 */
import { buildColumn, buildIndex, type Cell, DEFAULT_LIMITS, quoted, type TextLimits } from "./cells.ts";
import { type DType, type Frame, FrameError, type FrameIndex, type Schema } from "./model.ts";

export interface ReadOptions extends TextLimits {
  /** Declared types (a stored item's); columns it lacks are inferred. */
  readonly schema?: Schema;
  /** IANA zone for zoneless timestamps. */
  readonly zone?: string;
  /** Name of the index field ("index" by default, or the schema's). */
  readonly indexName?: string;
}

export class Batcher {
  readonly names: string[] = [];
  private readonly cells: Cell[][] = [];
  private index: Cell[] = [];
  private lines: number[] = [];
  private readonly locked = new Map<string, DType>();
  private indexKind: FrameIndex["kind"] | undefined;
  private total = 0;
  /** The index field's name; a CSV header may name it. */
  indexName: string;
  private readonly maxRows: number;
  private readonly maxColumns: number;

  constructor(
    private readonly opts: ReadOptions,
    private readonly text: boolean,
    private readonly unit: "line" | "row",
  ) {
    this.indexName = opts.indexName ?? opts.schema?.index.name ?? "index";
    this.indexKind = opts.schema?.index.kind;
    for (const f of opts.schema?.fields ?? []) this.locked.set(f.name, f.dtype);
    this.maxRows = opts.maxRows ?? DEFAULT_LIMITS.maxRows;
    this.maxColumns = opts.maxColumns ?? DEFAULT_LIMITS.maxColumns;
  }

  get rows(): number {
    return this.index.length;
  }

  /** Position of a column, added (null in earlier rows of the batch) when new. */
  column(name: string): number {
    let k = this.names.indexOf(name);
    if (k >= 0) return k;
    if (name === this.indexName) {
      throw new FrameError("duplicate_column", `column ${quoted(name)} is also the index's name`, name);
    }
    if (this.names.length >= this.maxColumns) {
      throw new FrameError("too_large", `more than ${this.maxColumns} columns`);
    }
    k = this.names.push(name) - 1;
    this.cells.push(new Array<Cell>(this.index.length).fill(null));
    return k;
  }

  /** Adds a row; `values[k]` is column k's cell (missing ones are null). */
  add(indexCell: Cell, values: readonly Cell[], line: number): void {
    if (++this.total > this.maxRows)
      throw new FrameError("too_large", `${this.unit} ${line}: more than ${this.maxRows} rows`);
    this.index.push(indexCell);
    this.lines.push(line);
    for (let k = 0; k < this.cells.length; k++) (this.cells[k] as Cell[]).push(values[k] ?? null);
  }

  /** The rows gathered so far as a Frame; the batch starts empty again. */
  flush(): Frame {
    const opts = { zone: this.opts.zone, text: this.text };
    const lines = this.lines;
    const where = (i: number): string => `${this.unit} ${lines[i]}`;
    const index = buildIndex(this.indexName, this.index, this.indexKind, opts, where);
    this.indexKind = index.kind;
    const columns = this.names.map((name, k) => {
      const col = buildColumn(name, this.cells[k] as Cell[], this.locked.get(name), opts, where);
      this.locked.set(name, col.dtype);
      return col;
    });
    this.index = [];
    this.lines = [];
    for (let k = 0; k < this.cells.length; k++) this.cells[k] = [];
    return { index, columns };
  }
}

/** Counts input bytes against maxBytes. */
export function byteBudget(opts: TextLimits): (n: number) => void {
  const max = opts.maxBytes ?? DEFAULT_LIMITS.maxBytes;
  let used = 0;
  return (n) => {
    used += n;
    if (used > max) throw new FrameError("too_large", `input over ${max} bytes`);
  };
}
