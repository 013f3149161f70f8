/**
 * The frames face's data model (issue 14): an item is a frame, an index and typed, nullable
 * columns held column by column in typed arrays. Pure types and checks, shared by the codecs,
 * predicates, merges and rules of src/frames/.
 */

/** Column types (pandas / Arrow names). Timestamps are int64 ns since the Unix epoch, UTC. */
export type DType = "float64" | "float32" | "int64" | "int32" | "bool" | "string" | "timestamp" | "category";

export const DTYPES: readonly DType[] = [
  "float64",
  "float32",
  "int64",
  "int32",
  "bool",
  "string",
  "timestamp",
  "category",
];

/** A column's values by dtype: what a reader gets and a writer gives. */
export interface ValuesOf {
  float64: Float64Array;
  float32: Float32Array;
  int64: BigInt64Array;
  int32: Int32Array;
  /** 0 or 1 per row. */
  bool: Uint8Array;
  string: string[];
  /** ns since the Unix epoch, UTC. */
  timestamp: BigInt64Array;
  /** Codes into `dictionary`, one per row. */
  category: { readonly codes: Int32Array; readonly dictionary: readonly string[] };
}

export type ColumnOf<T extends DType> = {
  readonly name: string;
  readonly dtype: T;
  readonly values: ValuesOf[T];
  /**
   * One byte per row, 1 where the row has a value; absent when every row has one. The value under
   * a null row is unspecified (0, "" or code 0) and never read.
   */
  readonly valid?: Uint8Array;
};

/** A column of any dtype, discriminated by `dtype`. */
export type Column = { [T in DType]: ColumnOf<T> }[DType];

/** The index: timestamps (ns UTC) or plain int64, never null. */
export interface FrameIndex {
  readonly kind: "timestamp" | "int64";
  /** Name of the index column in files and bodies ("index" by default, pandas' name). */
  readonly name: string;
  readonly values: BigInt64Array;
  /** For timestamps: the zone the data came in (kept so a client can restore it). */
  readonly zone?: string;
}

export interface Frame {
  readonly index: FrameIndex;
  readonly columns: readonly Column[];
}

/** A column's name and dtype: what schema rules and predicates are checked against. */
export interface Field {
  readonly name: string;
  readonly dtype: DType;
  readonly nullable: boolean;
}

export interface Schema {
  readonly index: { readonly kind: FrameIndex["kind"]; readonly name: string };
  readonly fields: readonly Field[];
}

/** Stable codes for what is wrong with a frame or a request about one. */
export type FrameErrorCode =
  | "invalid"
  | "duplicate_column"
  | "unknown_column"
  | "dtype_mismatch"
  | "duplicate_index"
  | "rule_failed"
  | "schema_changed"
  | "not_found"
  | "conflict"
  | "too_large";

export class FrameError extends Error {
  override readonly name = "FrameError";
  constructor(
    readonly code: FrameErrorCode,
    message: string,
    /** The rule, column or item the error names, when there is one. */
    readonly subject?: string,
  ) {
    super(message);
  }
}

/** Rows in a column. */
export function columnLength(c: Column): number {
  return c.dtype === "category" ? c.values.codes.length : c.values.length;
}

export function frameLength(f: Frame): number {
  return f.index.values.length;
}

/** Whether row i of the column has a value. */
export function isValid(c: Column, i: number): boolean {
  return c.valid === undefined || c.valid[i] === 1;
}

/** The frame's schema: a column is nullable when it holds a null (a stored schema may say more). */
export function schemaOf(f: Frame): Schema {
  return {
    index: { kind: f.index.kind, name: f.index.name },
    fields: f.columns.map((c) => ({
      name: c.name,
      dtype: c.dtype,
      nullable: c.valid?.includes(0) ?? false,
    })),
  };
}

/**
 * Throws FrameError unless the frame is well formed: column names unique, non-empty and not the
 * index's; every column as long as the index; validity bytes 0 or 1; category codes inside the
 * dictionary (or null).
 */
export function checkFrame(f: Frame): void {
  const n = frameLength(f);
  const names = new Set<string>([f.index.name]);
  for (const c of f.columns) {
    if (c.name === "") throw new FrameError("invalid", "a column has an empty name");
    if (names.has(c.name)) {
      throw new FrameError("duplicate_column", `column ${JSON.stringify(c.name)} appears twice`, c.name);
    }
    names.add(c.name);
    if (columnLength(c) !== n) {
      throw new FrameError(
        "invalid",
        `column ${JSON.stringify(c.name)} has ${columnLength(c)} rows, the index ${n}`,
        c.name,
      );
    }
    if (c.valid !== undefined) {
      if (c.valid.length !== n)
        throw new FrameError("invalid", `column ${JSON.stringify(c.name)}: validity length`, c.name);
      for (const v of c.valid) {
        if (v !== 0 && v !== 1)
          throw new FrameError("invalid", `column ${JSON.stringify(c.name)}: validity must be 0 or 1`, c.name);
      }
    }
    if (c.dtype === "category") {
      const size = c.values.dictionary.length;
      c.values.codes.forEach((code, i) => {
        if (isValid(c, i) && (code < 0 || code >= size)) {
          throw new FrameError(
            "invalid",
            `column ${JSON.stringify(c.name)}: code ${code} outside its dictionary`,
            c.name,
          );
        }
      });
    }
  }
}

/** Whether the index is sorted ascending (ties allowed). */
export function isSorted(index: BigInt64Array): boolean {
  for (let i = 1; i < index.length; i++) if ((index[i - 1] as bigint) > (index[i] as bigint)) return false;
  return true;
}
