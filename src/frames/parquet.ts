/**
 * Parquet <-> Frame with hyparquet (reader) and hyparquet-writer: pure JavaScript, so it runs in
 * workerd as well as Node.
 *
 * Files written here: the index first (INT64, TIMESTAMP(NANOS, UTC) for a timestamp index), then
 * one flat column per frame column; a column with a validity mask is OPTIONAL, every other one
 * REQUIRED. Timestamps are TIMESTAMP(NANOS, isAdjustedToUTC); categories are UTF8 strings forced
 * to dictionary encoding, marked `categorical` in the pandas metadata, and their exact dictionaries
 * kept under the `hayloft` key. Compression is SNAPPY (the writer's built-in, pure JS).
 *
 * Files read here: flat schemas of BOOLEAN, INT32 (signed, 8/16-bit and unsigned 8/16-bit
 * annotations), INT64 (signed), FLOAT, DOUBLE, UTF8/STRING/ENUM byte arrays, and timestamps as
 * TIMESTAMP(MILLIS|MICROS|NANOS) or INT96, all converted exactly to ns. Anything else (nested,
 * repeated, DECIMAL, DATE, binary, unsigned 32/64-bit) is `dtype_mismatch`.
 *
 * The index, in order of preference: the first entry of the pandas metadata's `index_columns`
 * when it names a column (kept under that name); a pandas RangeIndex descriptor (rebuilt as int64
 * start, start+step, ...); a column named `__index_level_0__` (read as "index"); otherwise the
 * row positions 0..n-1 as an int64 index named "index". Categories read back as category when the
 * pandas metadata says `categorical`; their dictionary is the `hayloft` one when present (values
 * missing from it are appended), else the distinct values in order of first appearance. Any other string column reads
 * back as string.
 */
// The packages' runtime-neutral entry points: their Node entries also pull in `fs`.
import { type FileMetaData, parquetMetadata, parquetScan, type SchemaElement } from "hyparquet/src/index.js";
import { type ColumnSource, parquetWriteBuffer } from "hyparquet-writer/src/index.js";
import {
  type Column,
  checkFrame,
  type DType,
  type Frame,
  FrameError,
  type FrameIndex,
  frameLength,
  isValid,
} from "./model.ts";

export interface ParquetWriteOptions {
  /** Rows per row group (default 100,000): the unit a reader can select or skip. */
  readonly rowGroupRows?: number;
  /** SNAPPY (default) or none. */
  readonly compression?: "snappy" | "none";
}

export interface ParquetReadOptions {
  /** Columns to read (the index is always read); all when absent. */
  readonly columns?: readonly string[];
  /** Row groups to read, by position in the file; all when absent. */
  readonly rowGroups?: readonly number[];
  /** Largest file accepted (default 256 MiB). */
  readonly maxBytes?: number;
  /** Most rows a read may produce (default 5,000,000). */
  readonly maxRows?: number;
  /** Most uncompressed bytes the selected row groups may declare (default 1 GiB). */
  readonly maxDecodedBytes?: number;
}

export const PARQUET_DEFAULTS = {
  rowGroupRows: 100_000,
  maxBytes: 256 * 1024 * 1024,
  maxRows: 5_000_000,
  maxDecodedBytes: 1024 * 1024 * 1024,
} as const;

/** Key-value metadata key holding what pandas metadata cannot say exactly (category dictionaries). */
export const HAYLOFT_KEY = "hayloft";

interface HayloftMeta {
  readonly categories: Record<string, readonly string[]>;
}

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * The writer's own SchemaElement: hyparquet-writer pins an older hyparquet whose types differ
 * slightly from the reader's.
 */
type WriterElement = NonNullable<Parameters<typeof parquetWriteBuffer>[0]["schema"]>[number];

const TS_NANOS: WriterElement["logical_type"] = { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "NANOS" };

function element(name: string, dtype: DType | "int64-index" | "timestamp-index", nullable: boolean): WriterElement {
  const repetition_type = nullable ? "OPTIONAL" : "REQUIRED";
  switch (dtype) {
    case "float64":
      return { name, type: "DOUBLE", repetition_type };
    case "float32":
      return { name, type: "FLOAT", repetition_type };
    case "int64":
    case "int64-index":
      return { name, type: "INT64", repetition_type };
    case "int32":
      return { name, type: "INT32", repetition_type };
    case "bool":
      return { name, type: "BOOLEAN", repetition_type };
    case "string":
    case "category":
      return { name, type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" }, repetition_type };
    case "timestamp":
    case "timestamp-index":
      return { name, type: "INT64", logical_type: TS_NANOS, repetition_type };
  }
}

/** The column's values as the writer takes them: nulls in place when the column has a mask. */
function writerData(c: Column): ColumnSource["data"] {
  const n = c.dtype === "category" ? c.values.codes.length : c.values.length;
  const masked = c.valid !== undefined;
  if (c.dtype === "bool") return Array.from(c.values, (v, i) => (masked && !isValid(c, i) ? null : v === 1));
  if (c.dtype === "category") {
    const { codes, dictionary } = c.values;
    return Array.from({ length: n }, (_, i) => (isValid(c, i) ? (dictionary[codes[i] as number] as string) : null));
  }
  if (!masked) return c.values;
  const out: unknown[] = Array.from(c.values as ArrayLike<unknown>);
  for (let i = 0; i < n; i++) if (!isValid(c, i)) out[i] = null;
  return out;
}

function pandasColumn(name: string, dtype: DType, zone?: string): Record<string, unknown> {
  const base = { name, field_name: name };
  switch (dtype) {
    case "float64":
      return { ...base, pandas_type: "float64", numpy_type: "float64", metadata: null };
    case "float32":
      return { ...base, pandas_type: "float32", numpy_type: "float32", metadata: null };
    case "int64":
      return { ...base, pandas_type: "int64", numpy_type: "int64", metadata: null };
    case "int32":
      return { ...base, pandas_type: "int32", numpy_type: "int32", metadata: null };
    case "bool":
      return { ...base, pandas_type: "bool", numpy_type: "bool", metadata: null };
    case "string":
      return { ...base, pandas_type: "unicode", numpy_type: "object", metadata: null };
    case "category":
      return { ...base, pandas_type: "categorical", numpy_type: "int32", metadata: { ordered: false } };
    case "timestamp":
      return zone === undefined
        ? { ...base, pandas_type: "datetime", numpy_type: "datetime64[ns]", metadata: null }
        : { ...base, pandas_type: "datetimetz", numpy_type: "datetime64[ns]", metadata: { timezone: zone } };
  }
}

/** Encodes a frame as one Parquet file (SNAPPY, row groups of `rowGroupRows`). */
export function frameToParquet(frame: Frame, options: ParquetWriteOptions = {}): Uint8Array {
  checkFrame(frame);
  const rowGroupRows = options.rowGroupRows ?? PARQUET_DEFAULTS.rowGroupRows;
  if (!Number.isSafeInteger(rowGroupRows) || rowGroupRows < 1) {
    throw new FrameError("invalid", "rowGroupRows must be a positive integer");
  }
  const { index } = frame;
  const idxDtype = index.kind === "timestamp" ? "timestamp-index" : "int64-index";
  const schema: WriterElement[] = [
    { name: "root", num_children: frame.columns.length + 1 },
    element(index.name, idxDtype, false),
  ];
  const columnData: ColumnSource[] = [{ name: index.name, data: index.values }];
  const categories: Record<string, readonly string[]> = {};
  for (const c of frame.columns) {
    schema.push(element(c.name, c.dtype, c.valid !== undefined));
    columnData.push(
      c.dtype === "category"
        ? { name: c.name, data: writerData(c), encoding: "RLE_DICTIONARY" }
        : { name: c.name, data: writerData(c) },
    );
    if (c.dtype === "category") categories[c.name] = c.values.dictionary;
  }
  const pandas = {
    index_columns: [index.name],
    column_indexes: [],
    columns: [
      ...frame.columns.map((c) => pandasColumn(c.name, c.dtype)),
      pandasColumn(index.name, index.kind === "timestamp" ? "timestamp" : "int64", index.zone),
    ],
    creator: { library: "hayloft", version: "1" },
    pandas_version: "2.2.0",
  };
  const hayloft: HayloftMeta = { categories };
  try {
    const buffer = parquetWriteBuffer({
      columnData,
      schema,
      codec: options.compression === "none" ? "UNCOMPRESSED" : "SNAPPY",
      rowGroupSize: rowGroupRows,
      // Dictionaries are forced for categories only; elsewhere the writer chooses when it pays.
      kvMetadata: [
        { key: "pandas", value: JSON.stringify(pandas) },
        { key: HAYLOFT_KEY, value: JSON.stringify(hayloft) },
      ],
      createdBy: "hayloft (hyparquet-writer)",
    });
    return new Uint8Array(buffer);
  } catch (e) {
    throw new FrameError("invalid", `parquet write failed: ${(e as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

type Decoded = ArrayLike<unknown>;

/** What a file column reads as, decided from its schema element (and pandas metadata). */
function dtypeOf(el: SchemaElement, categorical: boolean): DType {
  const { type, converted_type: ct, logical_type: lt } = el;
  const bad = (): never => {
    throw new FrameError(
      "dtype_mismatch",
      `column ${JSON.stringify(el.name)}: unsupported parquet type ${type}${ct ? `/${ct}` : ""}${lt ? `/${lt.type}` : ""}`,
      el.name,
    );
  };
  switch (type) {
    case "BOOLEAN":
      return "bool";
    case "FLOAT":
      return lt === undefined && ct === undefined ? "float32" : bad();
    case "DOUBLE":
      return lt === undefined && ct === undefined ? "float64" : bad();
    case "INT32": {
      if (lt?.type === "INTEGER") return lt.isSigned || lt.bitWidth < 32 ? "int32" : bad();
      if (lt !== undefined) return bad();
      return ct === undefined || ["INT_8", "INT_16", "INT_32", "UINT_8", "UINT_16"].includes(ct) ? "int32" : bad();
    }
    case "INT64": {
      if (lt?.type === "TIMESTAMP" || ct === "TIMESTAMP_MILLIS" || ct === "TIMESTAMP_MICROS") return "timestamp";
      if (lt?.type === "INTEGER") return lt.isSigned ? "int64" : bad();
      if (lt !== undefined) return bad();
      return ct === undefined || ct === "INT_64" ? "int64" : bad();
    }
    case "INT96":
      return ct === undefined && lt === undefined ? "timestamp" : bad();
    case "BYTE_ARRAY": {
      const text = ct === "UTF8" || ct === "ENUM" || lt?.type === "STRING" || lt?.type === "ENUM";
      if (!text) return bad();
      return categorical ? "category" : "string";
    }
    default:
      return bad();
  }
}

interface PandasMeta {
  readonly index: string | { start: bigint; step: bigint; name: string } | undefined;
  readonly categorical: ReadonlySet<string>;
  readonly zones: ReadonlyMap<string, string>;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // Foreign metadata that is not JSON is ignored, not fatal: the file's own schema still reads.
    return undefined;
  }
}

function pandasMeta(meta: FileMetaData): PandasMeta {
  const kv = meta.key_value_metadata ?? [];
  const p = record(parseJson(kv.find((e) => e.key === "pandas")?.value));
  const categorical = new Set<string>();
  const zones = new Map<string, string>();
  let index: PandasMeta["index"];
  if (p !== undefined) {
    const cols = Array.isArray(p.columns) ? p.columns : [];
    for (const raw of cols) {
      const c = record(raw);
      const field = typeof c?.field_name === "string" ? c.field_name : typeof c?.name === "string" ? c.name : undefined;
      if (c === undefined || field === undefined) continue;
      if (c.pandas_type === "categorical") categorical.add(field);
      const tz = record(c.metadata)?.timezone;
      if (c.pandas_type === "datetimetz" && typeof tz === "string") zones.set(field, tz);
    }
    const first = Array.isArray(p.index_columns) ? p.index_columns[0] : undefined;
    if (typeof first === "string") index = first;
    const range = record(first);
    if (range?.kind === "range" && Number.isSafeInteger(range.start) && Number.isSafeInteger(range.step)) {
      index = {
        start: BigInt(range.start as number),
        step: BigInt(range.step as number),
        name: typeof range.name === "string" ? range.name : "index",
      };
    }
  }
  return { index, categorical, zones };
}

function hayloftMeta(meta: FileMetaData): Record<string, readonly string[]> {
  const h = record(parseJson(meta.key_value_metadata?.find((e) => e.key === HAYLOFT_KEY)?.value));
  const cats = record(h?.categories) ?? {};
  const out: Record<string, readonly string[]> = {};
  for (const [k, v] of Object.entries(cats)) {
    if (Array.isArray(v) && v.every((s) => typeof s === "string")) out[k] = v as string[];
  }
  return out;
}

function ns(v: unknown, name: string): bigint {
  if (typeof v === "bigint") return v;
  throw new FrameError("invalid", `column ${JSON.stringify(name)}: timestamp is not an integer`, name);
}

/** Builds a column from decoded values (typed arrays when REQUIRED, arrays with nulls when OPTIONAL). */
function toColumn(name: string, dtype: DType, data: Decoded, dictionary: readonly string[] | undefined): Column {
  const n = data.length;
  let valid: Uint8Array | undefined;
  const isNull = (i: number): boolean => {
    const v = data[i];
    if (v !== null && v !== undefined) return false;
    valid ??= new Uint8Array(n).fill(1);
    valid[i] = 0;
    return true;
  };
  const mask = (): Uint8Array | undefined => valid;
  switch (dtype) {
    case "float64":
    case "float32": {
      const values = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
      for (let i = 0; i < n; i++) if (!isNull(i)) values[i] = Number(data[i]);
      return dtype === "float64"
        ? { name, dtype, values: values as Float64Array, valid: mask() }
        : { name, dtype, values: values as Float32Array, valid: mask() };
    }
    case "int32": {
      const values = new Int32Array(n);
      for (let i = 0; i < n; i++) if (!isNull(i)) values[i] = Number(data[i]);
      return { name, dtype, values, valid: mask() };
    }
    case "int64":
    case "timestamp": {
      const values = new BigInt64Array(n);
      for (let i = 0; i < n; i++) if (!isNull(i)) values[i] = ns(data[i], name);
      return { name, dtype, values, valid: mask() };
    }
    case "bool": {
      const values = new Uint8Array(n);
      for (let i = 0; i < n; i++) if (!isNull(i)) values[i] = data[i] ? 1 : 0;
      return { name, dtype, values, valid: mask() };
    }
    case "string": {
      const values: string[] = new Array(n);
      for (let i = 0; i < n; i++) values[i] = isNull(i) ? "" : String(data[i]);
      return { name, dtype, values, valid: mask() };
    }
    case "category": {
      const codes = new Int32Array(n);
      const seen = new Map<string, number>();
      const given = dictionary ?? [];
      given.forEach((s, k) => {
        if (!seen.has(s)) seen.set(s, k);
      });
      const dict = [...given];
      for (let i = 0; i < n; i++) {
        if (isNull(i)) continue;
        const s = String(data[i]);
        let code = seen.get(s);
        if (code === undefined) {
          code = dict.length;
          dict.push(s);
          seen.set(s, code);
        }
        codes[i] = code;
      }
      return { name, dtype, values: { codes, dictionary: dict }, valid: mask() };
    }
  }
}

function parseBigInt(v: bigint | number | undefined): number {
  const n = Number(v ?? -1);
  return Number.isSafeInteger(n) && n >= 0 ? n : -1;
}

/**
 * Decodes a Parquet file into a frame. Bad or oversized input rejects with FrameError: "invalid"
 * (not Parquet, truncated, inconsistent), "dtype_mismatch" (a column type frames cannot hold),
 * "unknown_column" (a requested column absent) or "too_large" (over the read bounds).
 */
export async function parquetToFrame(bytes: Uint8Array, options: ParquetReadOptions = {}): Promise<Frame> {
  const maxBytes = options.maxBytes ?? PARQUET_DEFAULTS.maxBytes;
  const maxRows = options.maxRows ?? PARQUET_DEFAULTS.maxRows;
  const maxDecoded = options.maxDecodedBytes ?? PARQUET_DEFAULTS.maxDecodedBytes;
  if (bytes.byteLength > maxBytes) {
    throw new FrameError("too_large", `parquet file of ${bytes.byteLength} bytes exceeds ${maxBytes}`);
  }
  // A private copy: hyparquet may hold views into it, and the caller's buffer may be a larger pool.
  const file = bytes.slice().buffer;
  let meta: FileMetaData;
  try {
    meta = parquetMetadata(file, { parsers: NS_PARSERS, geoparquet: false });
  } catch (e) {
    throw new FrameError("invalid", `not a readable parquet file: ${(e as Error).message}`);
  }

  const [root, ...leaves] = meta.schema;
  if (root === undefined || (root.num_children ?? 0) !== leaves.length) {
    throw new FrameError("dtype_mismatch", "nested parquet schemas are not supported");
  }
  for (const el of leaves) {
    if ((el.num_children ?? 0) > 0 || el.repetition_type === "REPEATED") {
      throw new FrameError("dtype_mismatch", `column ${JSON.stringify(el.name)} is nested or repeated`, el.name);
    }
  }
  const byName = new Map(leaves.map((el) => [el.name, el]));
  if (byName.size !== leaves.length) throw new FrameError("duplicate_column", "a parquet column name appears twice");

  const pandas = pandasMeta(meta);
  let indexColumn: string | undefined;
  let indexName = "index";
  if (typeof pandas.index === "string" && byName.has(pandas.index)) {
    indexColumn = pandas.index;
    // pandas' name for an unnamed index; frames call it "index".
    indexName = pandas.index === "__index_level_0__" ? "index" : pandas.index;
  } else if (pandas.index === undefined && byName.has("__index_level_0__")) {
    indexColumn = "__index_level_0__";
  }
  if (typeof pandas.index === "object") indexName = pandas.index.name;

  const wanted = options.columns ?? leaves.map((el) => el.name).filter((n) => n !== indexColumn);
  for (const c of wanted) {
    if (!byName.has(c) || c === indexColumn) {
      throw new FrameError("unknown_column", `column ${JSON.stringify(c)} is not in the file`, c);
    }
  }
  if (new Set(wanted).size !== wanted.length) throw new FrameError("duplicate_column", "a column is requested twice");
  const dtypes = wanted.map((c) => dtypeOf(byName.get(c) as SchemaElement, pandas.categorical.has(c)));

  // Row groups and their place in the file's row numbering.
  const groups = meta.row_groups.map((g) => ({ rows: parseBigInt(g.num_rows), bytes: parseBigInt(g.total_byte_size) }));
  const starts: number[] = [];
  let total = 0;
  for (const g of groups) {
    if (g.rows < 0 || g.bytes < 0) throw new FrameError("invalid", "parquet row group sizes are corrupt");
    starts.push(total);
    total += g.rows;
  }
  const selected = options.rowGroups ?? groups.map((_, i) => i);
  let rows = 0;
  let decoded = 0;
  for (const g of selected) {
    const group = Number.isInteger(g) ? groups[g] : undefined;
    if (group === undefined) throw new FrameError("invalid", `row group ${g} is not in the file (${groups.length})`);
    rows += group.rows;
    decoded += group.bytes;
  }
  if (rows > maxRows) throw new FrameError("too_large", `${rows} rows exceed ${maxRows}`);
  if (decoded > maxDecoded) throw new FrameError("too_large", `${decoded} decoded bytes exceed ${maxDecoded}`);

  const read = [...(indexColumn === undefined ? [] : [indexColumn]), ...wanted];
  const parts = new Map<string, Decoded[]>(read.map((c) => [c, []]));
  try {
    const scan = await parquetScan({ file, metadata: meta, columns: read, parsers: NS_PARSERS, geoparquet: false });
    for (const g of selected) {
      const rowStart = starts[g] as number;
      const rowEnd = rowStart + (groups[g] as { rows: number }).rows;
      if (rowEnd === rowStart) continue;
      for (const c of read) {
        const data = await scan.readColumn({ column: c, rowStart, rowEnd });
        if (data.length !== rowEnd - rowStart) {
          throw new FrameError("invalid", `column ${JSON.stringify(c)}: row group ${g} decodes to the wrong length`, c);
        }
        parts.get(c)?.push(data);
      }
    }
  } catch (e) {
    if (e instanceof FrameError) throw e;
    throw new FrameError("invalid", `parquet decode failed: ${(e as Error).message}`);
  }
  const joined = (c: string): Decoded => {
    const ps = parts.get(c) ?? [];
    if (ps.length === 1) return ps[0] as Decoded;
    const out: unknown[] = new Array(rows);
    let k = 0;
    for (const p of ps) for (let i = 0; i < p.length; i++) out[k++] = p[i];
    return out;
  };

  let index: FrameIndex;
  if (indexColumn !== undefined) {
    const el = byName.get(indexColumn) as SchemaElement;
    const dt = dtypeOf(el, false);
    if (dt !== "timestamp" && dt !== "int64" && dt !== "int32") {
      throw new FrameError("dtype_mismatch", `index ${JSON.stringify(indexColumn)} must be an integer or timestamp`);
    }
    const col = toColumn(indexName, dt === "int32" ? "int64" : dt, joined(indexColumn), undefined);
    if (col.valid !== undefined) throw new FrameError("invalid", "the index holds a null");
    const zone = pandas.zones.get(indexColumn);
    index = {
      kind: dt === "timestamp" ? "timestamp" : "int64",
      name: indexName,
      values: col.values as BigInt64Array,
      ...(dt === "timestamp" && zone !== undefined ? { zone } : {}),
    };
  } else {
    // No named index: row positions, or the pandas RangeIndex they stand for.
    const values = new BigInt64Array(rows);
    const range = typeof pandas.index === "object" ? pandas.index : { start: 0n, step: 1n };
    let k = 0;
    for (const g of selected) {
      const start = BigInt(starts[g] as number);
      for (let i = 0; i < (groups[g] as { rows: number }).rows; i++) {
        values[k++] = range.start + (start + BigInt(i)) * range.step;
      }
    }
    index = { kind: "int64", name: indexName, values };
  }

  const dictionaries = hayloftMeta(meta);
  const columns = wanted.map((c, i) => toColumn(c, dtypes[i] as DType, joined(c), dictionaries[c]));
  const frame: Frame = { index, columns };
  if (frameLength(frame) !== rows) throw new FrameError("invalid", "the index and row groups disagree");
  checkFrame(frame);
  return frame;
}

/** Timestamps as exact ns bigints, not hyparquet's default millisecond Dates. */
const NS_PARSERS = {
  timestampFromMilliseconds: (v: bigint): bigint => BigInt(v) * 1_000_000n,
  timestampFromMicroseconds: (v: bigint): bigint => BigInt(v) * 1_000n,
  timestampFromNanoseconds: (v: bigint): bigint => BigInt(v),
};
