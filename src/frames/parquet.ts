/**
 * Parquet <-> Frame with hyparquet (reader) and hyparquet-writer: pure JavaScript, so it runs in
 * workerd as well as Node.
 *
 * Files written here: the index first (INT64, TIMESTAMP(NANOS, UTC) for a timestamp index), then
 * one flat column per frame column; a column with a validity mask is OPTIONAL, every other one
 * REQUIRED. Timestamps are TIMESTAMP(NANOS, isAdjustedToUTC); categories are UTF8 strings forced
 * to dictionary encoding, marked `categorical` in the pandas metadata, and their exact dictionaries
 * kept under the `hayloft` key. Compression is SNAPPY (the writer's built-in, pure JS).
 * `frameToParquetChunks` yields the same bytes row group by row group, for streamed responses.
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
 * missing from it are appended), else the distinct values in order of first appearance. Any other
 * string column reads back as string.
 *
 * Reading is guarded: hyparquet trusts what a file declares and can spin or allocate without
 * bound on damaged bytes, so the footer and every page header are checked first
 * (src/frames/parquet-guard.ts) and each page's runs and lengths just before it is decoded
 * (src/frames/parquet-pages.ts, driven by src/frames/parquet-chunks.ts). Damaged input of any kind
 * ends, quickly, in a frame or a FrameError.
 */
// hyparquet's runtime-neutral modules: its Node entry also pulls in `fs`.
import { DEFAULT_PARSERS } from "hyparquet/src/convert.js";
import { type FileMetaData, parquetMetadata, parquetSchema, type SchemaElement } from "hyparquet/src/index.js";
import { getTreePath } from "hyparquet/src/schema.js";
import { checkFrame, type DType, type Frame, FrameError, type FrameIndex, frameLength } from "./model.ts";
import { type ColumnDecoder, type DecodeBudget, decodeChunk } from "./parquet-chunks.ts";
import { type Decoded, dtypeOf, hayloftMeta, type PandasMeta, pandasMeta, toColumn } from "./parquet-columns.ts";
import { type GuardedParquet, guardParquet } from "./parquet-guard.ts";
import { DEFAULT_ROW_GROUP_ROWS } from "./parquet-write.ts";

export {
  framesToParquetChunks,
  frameToParquet,
  frameToParquetChunks,
  HAYLOFT_KEY,
  type ParquetWriteOptions,
} from "./parquet-write.ts";

export interface ParquetReadOptions {
  /** Columns to read (the index is always read); all when absent. Other columns are not decoded. */
  readonly columns?: readonly string[];
  /** Row groups to read, by position in the file; all when absent. */
  readonly rowGroups?: readonly number[];
  /** Largest file accepted (default 256 MiB). */
  readonly maxBytes?: number;
  /** Most rows a read may produce (default 5,000,000). */
  readonly maxRows?: number;
  /** Most bytes the selected pages may decompress to, plus what decoding rebuilds (default 1 GiB). */
  readonly maxDecodedBytes?: number;
}

export const PARQUET_DEFAULTS = {
  rowGroupRows: DEFAULT_ROW_GROUP_ROWS,
  maxBytes: 256 * 1024 * 1024,
  maxRows: 5_000_000,
  maxDecodedBytes: 1024 * 1024 * 1024,
} as const;

/** Timestamps as exact ns bigints, not hyparquet's default millisecond Dates. */
const NS_PARSERS = {
  ...DEFAULT_PARSERS,
  timestampFromMilliseconds: (v: bigint): bigint => BigInt(v) * 1_000_000n,
  timestampFromMicroseconds: (v: bigint): bigint => BigInt(v) * 1_000n,
  timestampFromNanoseconds: (v: bigint): bigint => BigInt(v),
};

/** What to read: the index column (if the file has one), the wanted columns and their dtypes. */
interface ReadPlan {
  readonly pandas: PandasMeta;
  readonly indexColumn: string | undefined;
  readonly indexName: string;
  readonly wanted: readonly string[];
  readonly dtypes: readonly DType[];
}

function plan(leaves: readonly SchemaElement[], meta: FileMetaData, options: ParquetReadOptions): ReadPlan {
  const names = new Set(leaves.map((el) => el.name));
  if (names.size !== leaves.length) throw new FrameError("duplicate_column", "a parquet column name appears twice");
  const pandas = pandasMeta(meta);
  let indexColumn: string | undefined;
  let indexName = "index";
  if (typeof pandas.index === "string" && names.has(pandas.index)) {
    indexColumn = pandas.index;
    // pandas' name for an unnamed index; frames call it "index".
    indexName = pandas.index === "__index_level_0__" ? "index" : pandas.index;
  } else if (pandas.index === undefined && names.has("__index_level_0__")) {
    indexColumn = "__index_level_0__";
  }
  if (typeof pandas.index === "object") indexName = pandas.index.name;
  const wanted = options.columns ?? leaves.map((el) => el.name).filter((n) => n !== indexColumn);
  for (const c of wanted) {
    if (!names.has(c) || c === indexColumn) {
      throw new FrameError("unknown_column", `column ${JSON.stringify(c)} is not in the file`, c);
    }
  }
  if (new Set(wanted).size !== wanted.length) throw new FrameError("duplicate_column", "a column is requested twice");
  const byName = new Map(leaves.map((el) => [el.name, el]));
  const dtypes = wanted.map((c) => dtypeOf(byName.get(c) as SchemaElement, pandas.categorical.has(c)));
  return { pandas, indexColumn, indexName, wanted, dtypes };
}

/** The selected row groups with their first row in the file, checked against the read bounds. */
function selectGroups(
  guarded: GuardedParquet,
  leafIndexes: readonly number[],
  options: ParquetReadOptions,
): { groups: { index: number; start: number; rows: number }[]; rows: number } {
  const starts: number[] = [];
  let total = 0;
  for (const g of guarded.groups) {
    starts.push(total);
    total += g.rows;
  }
  const maxRows = options.maxRows ?? PARQUET_DEFAULTS.maxRows;
  const maxDecoded = options.maxDecodedBytes ?? PARQUET_DEFAULTS.maxDecodedBytes;
  const selected = options.rowGroups ?? guarded.groups.map((_, i) => i);
  let rows = 0;
  let decoded = 0;
  const groups = selected.map((g) => {
    const group = Number.isInteger(g) ? guarded.groups[g] : undefined;
    if (group === undefined) {
      throw new FrameError("invalid", `row group ${g} is not in the file (${guarded.groups.length})`);
    }
    rows += group.rows;
    for (const k of leafIndexes) decoded += group.chunks[k]?.decodedBytes ?? 0;
    return { index: g, start: starts[g] as number, rows: group.rows };
  });
  if (rows > maxRows) throw new FrameError("too_large", `${rows} rows exceed ${maxRows}`);
  if (decoded > maxDecoded) throw new FrameError("too_large", `${decoded} decoded bytes exceed ${maxDecoded}`);
  return { groups, rows };
}

/** Decodes the chosen columns of the chosen groups, each to one array of `rows` values. */
function decodeColumns(
  file: Uint8Array,
  guarded: GuardedParquet,
  meta: FileMetaData,
  read: readonly string[],
  selection: ReturnType<typeof selectGroups>,
  budget: DecodeBudget,
): Map<string, Decoded> {
  const tree = parquetSchema(meta);
  const out = new Map<string, Decoded>();
  for (const c of read) {
    const k = guarded.leaves.findIndex((l) => l.name === c);
    const leaf = guarded.leaves[k];
    const schemaPath = getTreePath(tree, [c]);
    const element = schemaPath[schemaPath.length - 1]?.element;
    if (leaf === undefined || element === undefined) throw new FrameError("unknown_column", `no column ${c}`, c);
    const decoder: ColumnDecoder = {
      pathInSchema: [c],
      type: leaf.type,
      element,
      schemaPath,
      codec: "UNCOMPRESSED",
      parsers: NS_PARSERS,
    };
    const parts: Decoded[] = [];
    for (const g of selection.groups) {
      const chunk = guarded.groups[g.index]?.chunks[k];
      if (chunk === undefined || g.rows === 0) continue;
      const pages = decodeChunk(file, chunk, leaf, decoder, budget);
      let n = 0;
      for (const p of pages) n += p.length;
      if (n !== g.rows) {
        throw new FrameError("invalid", `column ${JSON.stringify(c)}: row group ${g.index} decodes to ${n} rows`, c);
      }
      parts.push(...pages);
    }
    out.set(c, joined(parts, selection.rows));
  }
  return out;
}

function joined(parts: readonly Decoded[], rows: number): Decoded {
  if (parts.length === 1) return parts[0] as Decoded;
  const out: unknown[] = new Array(rows);
  let k = 0;
  for (const p of parts) for (let i = 0; i < p.length; i++) out[k++] = p[i];
  return out;
}

function buildIndex(
  p: ReadPlan,
  byName: ReadonlyMap<string, SchemaElement>,
  data: ReadonlyMap<string, Decoded>,
  selection: ReturnType<typeof selectGroups>,
): FrameIndex {
  const { indexColumn, indexName, pandas } = p;
  if (indexColumn !== undefined) {
    const dt = dtypeOf(byName.get(indexColumn) as SchemaElement, false);
    if (dt !== "timestamp" && dt !== "int64" && dt !== "int32") {
      throw new FrameError("dtype_mismatch", `index ${JSON.stringify(indexColumn)} must be an integer or timestamp`);
    }
    const col = toColumn(indexName, dt === "int32" ? "int64" : dt, data.get(indexColumn) ?? [], undefined, true);
    if (col.valid !== undefined) throw new FrameError("invalid", "the index holds a null");
    const zone = pandas.zones.get(indexColumn);
    return {
      kind: dt === "timestamp" ? "timestamp" : "int64",
      name: indexName,
      values: col.values as BigInt64Array,
      ...(dt === "timestamp" && zone !== undefined ? { zone } : {}),
    };
  }
  // No named index: row positions, or the pandas RangeIndex they stand for.
  const values = new BigInt64Array(selection.rows);
  const range = typeof pandas.index === "object" ? pandas.index : { start: 0n, step: 1n };
  let k = 0;
  for (const g of selection.groups) {
    const start = BigInt(g.start);
    for (let i = 0; i < g.rows; i++) values[k++] = range.start + (start + BigInt(i)) * range.step;
  }
  return { kind: "int64", name: indexName, values };
}

/**
 * Decodes a Parquet file into a frame. Bad or oversized input rejects with FrameError: "invalid"
 * (not Parquet, truncated, inconsistent), "dtype_mismatch" (a column type frames cannot hold),
 * "unknown_column" (a requested column absent) or "too_large" (over the read bounds). Only the
 * index and the requested `columns` of the requested `rowGroups` are decompressed and decoded.
 *
 * @example const f = await parquetToFrame(bytes, { columns: ["price"], rowGroups: [0] });
 */
export async function parquetToFrame(bytes: Uint8Array, options: ParquetReadOptions = {}): Promise<Frame> {
  const maxBytes = options.maxBytes ?? PARQUET_DEFAULTS.maxBytes;
  if (bytes.byteLength > maxBytes) {
    throw new FrameError("too_large", `parquet file of ${bytes.byteLength} bytes exceeds ${maxBytes}`);
  }
  // A private copy: decoded values may be views into it, and the caller's buffer may be a larger pool.
  const file = bytes.slice();
  const guarded = guardParquet(file);
  let meta: FileMetaData;
  try {
    // Safe now: the guard parsed the same footer with bounds.
    meta = parquetMetadata(file, { parsers: NS_PARSERS, geoparquet: false });
  } catch (e) {
    throw new FrameError("invalid", `not a readable parquet file: ${(e as Error).message}`);
  }
  const leaves = meta.schema.slice(1);
  const p = plan(leaves, meta, options);
  const read = [...(p.indexColumn === undefined ? [] : [p.indexColumn]), ...p.wanted];
  const leafIndexes = read.map((c) => guarded.leaves.findIndex((l) => l.name === c));
  const selection = selectGroups(guarded, leafIndexes, options);
  const budget = { left: options.maxDecodedBytes ?? PARQUET_DEFAULTS.maxDecodedBytes };
  let data: Map<string, Decoded>;
  try {
    data = decodeColumns(file, guarded, meta, read, selection, budget);
  } catch (e) {
    if (e instanceof FrameError) throw e;
    // hyparquet's own checks (a view past the end, an unknown type) on a page the guard let by.
    throw new FrameError("invalid", `parquet decode failed: ${(e as Error).message}`);
  }
  const byName = new Map(leaves.map((el) => [el.name, el]));
  const index = buildIndex(p, byName, data, selection);
  const dictionaries = hayloftMeta(meta);
  const columns = p.wanted.map((c, i) => {
    const nullable = byName.get(c)?.repetition_type !== "REQUIRED";
    return toColumn(c, p.dtypes[i] as DType, data.get(c) ?? [], dictionaries[c], nullable);
  });
  const frame: Frame = { index, columns };
  if (frameLength(frame) !== selection.rows) throw new FrameError("invalid", "the index and row groups disagree");
  checkFrame(frame);
  return frame;
}
