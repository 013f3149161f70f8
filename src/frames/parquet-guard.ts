/**
 * Checks the structure of a Parquet file before hyparquet reads any of it. hyparquet trusts what a
 * file declares: a damaged footer or page header (a huge value count, a page size past the end, a
 * bit width of 255, a run length of two billion) makes it allocate without bound or spin at full
 * CPU. So the footer (PAR1 magic, length, FileMetaData) and every page header of every column
 * chunk are parsed here with a bounded reader (src/frames/thrift-compact.ts) and refused with
 * FrameError "invalid" unless they are consistent: flat columns only, each chunk inside the data
 * area, its pages tiling it, page sizes inside the chunk, value counts adding up to the row
 * group's rows, known encodings and codecs (UNCOMPRESSED, SNAPPY), dictionary pages first and
 * within bounds. What a page holds is checked page by page just before decoding, by
 * src/frames/parquet-pages.ts. Field numbers are those of parquet.thrift (parquet-format 2.x).
 */
import { FrameError } from "./model.ts";
import { CompactReader, ThriftError, type TStruct, type TValue } from "./thrift-compact.ts";

/** Physical types, by their parquet.thrift number. */
export const PHYSICAL = [
  "BOOLEAN",
  "INT32",
  "INT64",
  "INT96",
  "FLOAT",
  "DOUBLE",
  "BYTE_ARRAY",
  "FIXED_LEN_BYTE_ARRAY",
] as const;
export type Physical = (typeof PHYSICAL)[number];

/** Encodings, by their parquet.thrift number (1 and 4 are deprecated and refused). */
const ENCODINGS = [
  "PLAIN",
  "GROUP_VAR_INT",
  "PLAIN_DICTIONARY",
  "RLE",
  "BIT_PACKED",
  "DELTA_BINARY_PACKED",
  "DELTA_LENGTH_BYTE_ARRAY",
  "DELTA_BYTE_ARRAY",
  "RLE_DICTIONARY",
  "BYTE_STREAM_SPLIT",
] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** Which value encodings a data page of each physical type may use. */
const VALUE_ENCODINGS: Record<Physical, readonly Encoding[]> = {
  BOOLEAN: ["PLAIN", "RLE"],
  INT32: ["PLAIN", "PLAIN_DICTIONARY", "RLE_DICTIONARY", "DELTA_BINARY_PACKED", "BYTE_STREAM_SPLIT"],
  INT64: ["PLAIN", "PLAIN_DICTIONARY", "RLE_DICTIONARY", "DELTA_BINARY_PACKED", "BYTE_STREAM_SPLIT"],
  INT96: ["PLAIN", "PLAIN_DICTIONARY", "RLE_DICTIONARY"],
  FLOAT: ["PLAIN", "PLAIN_DICTIONARY", "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"],
  DOUBLE: ["PLAIN", "PLAIN_DICTIONARY", "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"],
  BYTE_ARRAY: ["PLAIN", "PLAIN_DICTIONARY", "RLE_DICTIONARY", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY"],
  FIXED_LEN_BYTE_ARRAY: ["PLAIN", "PLAIN_DICTIONARY", "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"],
};

export type Codec = "UNCOMPRESSED" | "SNAPPY";

/** Most leaf columns a file may have. */
export const MAX_COLUMNS = 10_000;
/** Most row groups a file may have. */
export const MAX_ROW_GROUPS = 100_000;
/** Most rows one row group may declare (hyparquet counts rows in 32-bit loops). */
export const MAX_GROUP_ROWS = 2 ** 31 - 1;
/** Snappy turns 3 input bytes into at most 64 output bytes; a page claiming more is lying. */
const SNAPPY_MAX_RATIO = 22;
const MAGIC = 0x31524150; // "PAR1" little-endian

/** One flat leaf column. */
export interface Leaf {
  readonly name: string;
  readonly type: Physical;
  /** Bytes per value of a FIXED_LEN_BYTE_ARRAY; 0 otherwise. */
  readonly typeLength: number;
  /** OPTIONAL (one definition level, bit width 1) rather than REQUIRED. */
  readonly optional: boolean;
}

/** One page of a column chunk, as its header declares it (after the checks here). */
export interface PageRef {
  readonly kind: "dictionary" | "v1" | "v2";
  /** File offset of the page body (just after its header). */
  readonly offset: number;
  readonly compressed: number;
  readonly uncompressed: number;
  /** Values in the page, nulls included (entries, for a dictionary page). */
  readonly values: number;
  /** Nulls a v2 page declares; 0 for the others (a v1 page's come from its levels). */
  readonly nulls: number;
  readonly encoding: Encoding;
  /** Bytes of definition levels at the start of a v2 page (stored uncompressed); 0 otherwise. */
  readonly defBytes: number;
  /** Whether the body (of a v2 page: its values) is compressed with the chunk's codec. */
  readonly compressedBody: boolean;
}

export interface ChunkRef {
  readonly codec: Codec;
  readonly pages: readonly PageRef[];
  /** Sum of the pages' uncompressed sizes: what decoding the chunk holds in memory at most. */
  readonly decodedBytes: number;
}

export interface GroupRef {
  readonly rows: number;
  /** One chunk per leaf, in leaf order. */
  readonly chunks: readonly ChunkRef[];
}

export interface GuardedParquet {
  readonly leaves: readonly Leaf[];
  readonly groups: readonly GroupRef[];
}

function bad(msg: string): FrameError {
  return new FrameError("invalid", `not a readable parquet file: ${msg}`);
}

// Typed field access: a wrong type or a missing required field is a corrupt file.
function int(s: TStruct, id: number, what: string): number {
  const v = s.get(id);
  if (typeof v === "number") return v;
  if (typeof v === "bigint" && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) {
    return Number(v);
  }
  throw bad(`${what} is missing or not an integer`);
}

function optInt(s: TStruct, id: number, what: string): number | undefined {
  return s.has(id) ? int(s, id, what) : undefined;
}

function struct(s: TStruct, id: number, what: string): TStruct {
  const v = s.get(id);
  if (v instanceof Map) return v;
  throw bad(`${what} is missing`);
}

function list(s: TStruct, id: number, what: string): readonly TValue[] {
  const v = s.get(id);
  if (Array.isArray(v)) return v;
  throw bad(`${what} is missing`);
}

const utf8 = new TextDecoder();

function text(v: TValue | undefined, what: string): string {
  if (v instanceof Uint8Array) return utf8.decode(v);
  throw bad(`${what} is missing`);
}

function parse(bytes: Uint8Array, what: string): { s: TStruct; length: number } {
  const r = new CompactReader(bytes);
  try {
    return { s: r.struct(), length: r.pos };
  } catch (e) {
    if (e instanceof ThriftError) throw bad(`${what}: ${e.message}`);
    throw e;
  }
}

function leaves(meta: TStruct): Leaf[] {
  const schema = list(meta, 2, "schema");
  const [root, ...rest] = schema;
  if (!(root instanceof Map)) throw bad("schema has no root");
  if (rest.length > MAX_COLUMNS) throw new FrameError("too_large", `${rest.length} columns exceed ${MAX_COLUMNS}`);
  if ((optInt(root, 5, "root children") ?? 0) !== rest.length) {
    throw new FrameError("dtype_mismatch", "nested parquet schemas are not supported");
  }
  return rest.map((el) => {
    if (!(el instanceof Map)) throw bad("schema element is not a struct");
    const name = text(el.get(4), "column name");
    if ((optInt(el, 5, "children") ?? 0) !== 0) {
      throw new FrameError("dtype_mismatch", "nested parquet schemas are not supported", name);
    }
    const type = PHYSICAL[int(el, 1, "column type")];
    if (type === undefined) throw bad(`column ${JSON.stringify(name)} has an unknown type`);
    const rep = optInt(el, 3, "repetition") ?? 0;
    if (rep === 2) throw new FrameError("dtype_mismatch", `column ${JSON.stringify(name)} is repeated`, name);
    if (rep !== 0 && rep !== 1) throw bad(`column ${JSON.stringify(name)} has an unknown repetition`);
    const typeLength = type === "FIXED_LEN_BYTE_ARRAY" ? int(el, 2, "type length") : 0;
    if (typeLength < 0 || (type === "FIXED_LEN_BYTE_ARRAY" && typeLength === 0)) {
      throw bad(`column ${JSON.stringify(name)} has a bad type length`);
    }
    return { name, type, typeLength, optional: rep === 1 };
  });
}

/**
 * Validates `file` (a whole Parquet file) and returns its leaves, row groups and every column
 * chunk's pages. Throws FrameError: "invalid" for anything inconsistent, "dtype_mismatch" for a
 * nested schema, "too_large" beyond MAX_COLUMNS.
 */
export function guardParquet(file: Uint8Array): GuardedParquet {
  if (file.length < 12) throw bad("too short");
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (dv.getUint32(0, true) !== MAGIC || dv.getUint32(file.length - 4, true) !== MAGIC) {
    throw bad("no PAR1 magic at both ends");
  }
  const footerLength = dv.getUint32(file.length - 8, true);
  const footerStart = file.length - 8 - footerLength;
  if (footerLength === 0 || footerStart < 4) throw bad(`footer length ${footerLength} does not fit the file`);
  const { s: meta } = parse(file.subarray(footerStart, file.length - 8), "footer");
  const cols = leaves(meta);
  const groupsRaw = list(meta, 4, "row groups");
  if (groupsRaw.length > MAX_ROW_GROUPS) throw bad(`${groupsRaw.length} row groups exceed ${MAX_ROW_GROUPS}`);
  let total = 0;
  const groups = groupsRaw.map((g, i) => {
    if (!(g instanceof Map)) throw bad(`row group ${i} is not a struct`);
    const group = rowGroup(file, footerStart, g, cols, i);
    total += group.rows;
    return group;
  });
  if (int(meta, 3, "file row count") !== total) throw bad("the file's row count disagrees with its row groups");
  return { leaves: cols, groups };
}

function rowGroup(file: Uint8Array, dataEnd: number, g: TStruct, cols: readonly Leaf[], index: number): GroupRef {
  const rows = int(g, 3, "row group rows");
  if (rows < 0 || rows > MAX_GROUP_ROWS) throw bad(`row group ${index} declares ${rows} rows`);
  const raw = list(g, 1, "column chunks");
  if (raw.length !== cols.length) throw bad(`row group ${index} has ${raw.length} chunks for ${cols.length} columns`);
  const chunks = raw.map((c, k) => {
    const leaf = cols[k] as Leaf;
    if (!(c instanceof Map)) throw bad("column chunk is not a struct");
    try {
      return columnChunk(file, dataEnd, c, leaf, rows);
    } catch (e) {
      if (e instanceof FrameError) {
        throw new FrameError(e.code, `${e.message} (row group ${index}, column ${JSON.stringify(leaf.name)})`);
      }
      throw e;
    }
  });
  return { rows, chunks };
}

function columnChunk(file: Uint8Array, dataEnd: number, c: TStruct, leaf: Leaf, rows: number): ChunkRef {
  if (c.has(1)) throw bad("column chunks in other files are not supported");
  if (c.has(8) || c.has(9)) throw bad("encrypted columns are not supported");
  const m = struct(c, 3, "column metadata");
  if (PHYSICAL[int(m, 1, "chunk type")] !== leaf.type) throw bad("chunk type differs from the schema");
  const path = list(m, 3, "chunk path");
  if (path.length !== 1 || text(path[0], "chunk path") !== leaf.name) throw bad("chunk path differs from the schema");
  const codecNo = int(m, 4, "codec");
  const codec: Codec | undefined = codecNo === 0 ? "UNCOMPRESSED" : codecNo === 1 ? "SNAPPY" : undefined;
  if (codec === undefined) throw bad(`compression codec ${codecNo} is not supported (UNCOMPRESSED, SNAPPY)`);
  // Flat columns: one value (null or not) per row.
  if (int(m, 5, "chunk values") !== rows) throw bad("chunk value count differs from the row group's rows");
  const size = int(m, 7, "chunk size");
  const dataOffset = int(m, 9, "data page offset");
  const dictOffset = optInt(m, 11, "dictionary page offset") ?? 0;
  // As hyparquet locates a chunk: its dictionary page when the offset is set, else its first data page.
  const start = dictOffset > 0 ? dictOffset : dataOffset;
  if (start < 4 || dataOffset < start || size < 0 || start + size > dataEnd) throw bad("chunk lies outside the data");
  const pages = walkPages(file.subarray(start, start + size), start, codec, leaf, rows);
  let decodedBytes = 0;
  for (const p of pages) decodedBytes += p.uncompressed;
  return { codec, pages, decodedBytes };
}

/** Parses the page headers of one chunk (`bytes`, at file offset `base`) until its rows are covered. */
function walkPages(bytes: Uint8Array, base: number, codec: Codec, leaf: Leaf, rows: number): PageRef[] {
  const pages: PageRef[] = [];
  let pos = 0;
  let seen = 0;
  while (seen < rows) {
    if (pos >= bytes.length) throw bad(`pages cover ${seen} of ${rows} rows`);
    const { s: h, length } = parse(bytes.subarray(pos), "page header");
    pos += length;
    const compressed = int(h, 3, "compressed page size");
    const uncompressed = int(h, 2, "uncompressed page size");
    if (compressed < 0 || compressed > bytes.length - pos) throw bad("page runs past its chunk");
    if (uncompressed < 0) throw bad("negative page size");
    const at = {
      offset: base + pos,
      compressed,
      uncompressed,
      codec,
      leaf,
      rowsLeft: rows - seen,
      first: pages.length === 0,
    };
    const page = pageRef(h, at);
    if (page.kind !== "dictionary") seen += page.values;
    pages.push(page);
    pos += compressed;
  }
  return pages;
}

function encoding(n: number, what: string): Encoding {
  const e = ENCODINGS[n];
  if (e === undefined || e === "GROUP_VAR_INT" || e === "BIT_PACKED") {
    throw bad(`${what} encoding ${n} is not supported`);
  }
  return e;
}

/** Where a page sits and what the chunk around it allows. */
interface PageAt {
  readonly offset: number;
  readonly compressed: number;
  readonly uncompressed: number;
  readonly codec: Codec;
  readonly leaf: Leaf;
  readonly rowsLeft: number;
  readonly first: boolean;
}

/** A page body of `body` bytes may decompress to `raw` bytes: exactly, or within snappy's ratio. */
function sized(body: number, raw: number, compressedBody: boolean): void {
  const ok = compressedBody ? raw <= body * SNAPPY_MAX_RATIO + 64 : raw === body;
  if (!ok) throw bad(`page claims ${raw} bytes from ${body}`);
}

function pageRef(h: TStruct, at: PageAt): PageRef {
  const type = int(h, 1, "page type");
  if (type === 2) return dictionaryPage(struct(h, 7, "dictionary page header"), at);
  if (type === 0) return dataPageV1(struct(h, 5, "data page header"), at);
  if (type === 3) return dataPageV2(struct(h, 8, "data page v2 header"), at);
  throw bad(`page type ${type} is not supported`);
}

/** Only as the chunk's first page, PLAIN, never more entries than the rows it serves. */
function dictionaryPage(d: TStruct, at: PageAt): PageRef {
  const values = int(d, 1, "dictionary size");
  const enc = encoding(int(d, 2, "dictionary encoding"), "dictionary");
  if (!at.first) throw bad("a dictionary page after the first page");
  if (values < 0 || values > at.rowsLeft) throw bad(`dictionary of ${values} entries for ${at.rowsLeft} rows`);
  if (enc !== "PLAIN" && enc !== "PLAIN_DICTIONARY") throw bad(`dictionary page encoded ${enc}`);
  const compressedBody = at.codec !== "UNCOMPRESSED";
  sized(at.compressed, at.uncompressed, compressedBody);
  const { offset, compressed, uncompressed } = at;
  return {
    kind: "dictionary",
    offset,
    compressed,
    uncompressed,
    values,
    nulls: 0,
    encoding: enc,
    defBytes: 0,
    compressedBody,
  };
}

function dataPageV1(d: TStruct, at: PageAt): PageRef {
  const values = int(d, 1, "page values");
  const enc = valueEncoding(int(d, 2, "page encoding"), at.leaf);
  if (values < 0 || values > at.rowsLeft) throw bad(`page of ${values} values with ${at.rowsLeft} rows left`);
  // Levels must be the RLE/bit-packed hybrid (BIT_PACKED is deprecated; hyparquet reads only the hybrid).
  if (at.leaf.optional && int(d, 3, "definition level encoding") !== 3) throw bad("definition levels not RLE");
  const compressedBody = at.codec !== "UNCOMPRESSED";
  sized(at.compressed, at.uncompressed, compressedBody);
  const { offset, compressed, uncompressed } = at;
  return { kind: "v1", offset, compressed, uncompressed, values, nulls: 0, encoding: enc, defBytes: 0, compressedBody };
}

/** Levels uncompressed ahead of the values; in a flat column, definition levels only. */
function dataPageV2(d: TStruct, at: PageAt): PageRef {
  const { offset, compressed, uncompressed, leaf } = at;
  const values = int(d, 1, "page values");
  const nulls = int(d, 2, "page nulls");
  const enc = valueEncoding(int(d, 4, "page encoding"), leaf);
  const defBytes = int(d, 5, "definition levels length");
  const repBytes = int(d, 6, "repetition levels length");
  const compressedBody = at.codec !== "UNCOMPRESSED" && d.get(7) !== false;
  if (values < 0 || values > at.rowsLeft) throw bad(`page of ${values} values with ${at.rowsLeft} rows left`);
  if (int(d, 3, "page rows") !== values) throw bad("flat page rows differ from its values");
  if (nulls < 0 || nulls > values || (!leaf.optional && nulls !== 0)) {
    throw bad(`page of ${values} claims ${nulls} nulls`);
  }
  if (repBytes !== 0) throw bad("repetition levels in a flat column");
  if (defBytes < 0 || defBytes > compressed || defBytes > uncompressed) throw bad("definition levels past the page");
  if (!leaf.optional && defBytes !== 0) throw bad("definition levels in a required column");
  sized(compressed - defBytes, uncompressed - defBytes, compressedBody);
  return { kind: "v2", offset, compressed, uncompressed, values, nulls, encoding: enc, defBytes, compressedBody };
}

function valueEncoding(n: number, leaf: Leaf): Encoding {
  const e = encoding(n, "value");
  if (!VALUE_ENCODINGS[leaf.type].includes(e)) throw bad(`${leaf.type} values encoded ${e}`);
  return e;
}
