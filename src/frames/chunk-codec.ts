/**
 * A column chunk (a row range of one column, or of the index) as one self-describing byte string,
 * sized for a Durable Object SQLite row (values up to about 1 MiB), and back, exactly: every dtype,
 * nulls, NaN payloads, -0, empty chunks, and strings with lone surrogates (written as WTF-8, see
 * wtf8.ts, rather than refused or replaced).
 *
 * Layout, version 1:
 *   0  "HC" (0x48 0x43)
 *   2  format version (1)
 *   3  dtype code (DTYPE_CODES; stable on disk, independent of DTYPES' order)
 *   4  flags: 1 = a validity bitmap leads the body, 2 = the body is an LZ4 frame (src/series/lz4.ts)
 *   5  uvarint rows, uvarint body bytes (after LZ4 decoding), then the body
 * Body: the validity bitmap (rows bits, LSB first) when some row is null; then the values of the
 * valid rows only (chunk-values.ts). The body is LZ4-compressed only when that makes it smaller.
 *
 * A null row decodes with the dtype's zero (0, 0n, false, "", code 0): the model leaves the value
 * under a null unspecified, so only valid rows round-trip. A `valid` array with no zero encodes
 * as no bitmap and decodes as `valid` absent.
 */
import { LZ4_MAX_BYTES, lz4FrameDecode, lz4FrameEncode } from "../series/lz4.ts";
import { countBits, packBits, packedSize, unpackBits } from "./bitmap.ts";
import { ByteReader, ByteWriter } from "./bytes.ts";
import {
  type FloatLayout,
  LITTLE_ENDIAN,
  readBools,
  readCategory,
  readFloatArray,
  readInt32s,
  readInt64Halves,
  readStrings,
  writeBools,
  writeCategory,
  writeFloats,
  writeInt32s,
  writeInt64s,
  writeStrings,
} from "./chunk-values.ts";
import { type ColumnOf, type DType, FrameError, type ValuesOf } from "./model.ts";

export const CHUNK_VERSION = 1;

/** A column's rows without its name: what a chunk holds. A Column is one. */
export type Chunk = { [T in DType]: Omit<ColumnOf<T>, "name"> }[DType];

/** On-disk dtype codes. Never renumber; add new dtypes at the end. */
export const DTYPE_CODES: Readonly<Record<DType, number>> = {
  float64: 1,
  float32: 2,
  int64: 3,
  int32: 4,
  bool: 5,
  string: 6,
  timestamp: 7,
  category: 8,
};

const DTYPE_OF = new Map<number, DType>(Object.entries(DTYPE_CODES).map(([d, c]) => [c, d as DType]));
const MAGIC0 = 0x48;
const MAGIC1 = 0x43;
/** Rows of one chunk at most (a segment is 64 Ki rows): what a decode may allocate per column. */
export const MAX_CHUNK_ROWS = 1 << 20;

const FLAG_VALIDITY = 1;
const FLAG_LZ4 = 2;
/** Below this a body is not worth an LZ4 frame's 15 bytes of header and end mark. */
const MIN_COMPRESS = 64;

export interface EncodeOptions {
  /** Float layout; "auto" by default (decimal when exact, else shuffled: see chunk-codec.test.ts). */
  readonly floats?: FloatLayout;
  /** Try LZ4 on the body (default true). */
  readonly compress?: boolean;
}

/** What a chunk's header says, read without decoding the body. */
export interface ChunkInfo {
  readonly version: number;
  readonly dtype: DType;
  readonly rows: number;
  readonly hasNulls: boolean;
  readonly compressed: boolean;
}

function bad(message: string): FrameError {
  return new FrameError("invalid", `chunk: ${message}`);
}

function rowsOf(c: Chunk): number {
  return c.dtype === "category" ? c.values.codes.length : c.values.length;
}

const ARRAY_TYPES: Record<Exclude<DType, "string" | "category">, abstract new (...a: never[]) => unknown> = {
  float64: Float64Array,
  float32: Float32Array,
  int64: BigInt64Array,
  int32: Int32Array,
  bool: Uint8Array,
  timestamp: BigInt64Array,
};

function allStrings(a: unknown): boolean {
  return Array.isArray(a) && a.every((s) => typeof s === "string");
}

/** Throws FrameError("invalid") unless the values have the dtype's runtime type. */
function checkShape(c: Chunk): void {
  if (!Object.hasOwn(DTYPE_CODES, c.dtype)) throw bad(`unknown dtype ${String(c.dtype)}`);
  const ok =
    c.dtype === "string"
      ? allStrings(c.values)
      : c.dtype === "category"
        ? c.values.codes instanceof Int32Array && allStrings(c.values.dictionary)
        : c.values instanceof ARRAY_TYPES[c.dtype];
  if (!ok) throw bad(`values do not match dtype ${c.dtype}`);
  if (c.valid !== undefined && (!(c.valid instanceof Uint8Array) || c.valid.length !== rowsOf(c))) {
    throw bad("validity length differs from the rows");
  }
  if (rowsOf(c) > MAX_CHUNK_ROWS) throw new FrameError("too_large", `a chunk holds at most ${MAX_CHUNK_ROWS} rows`);
}

/** The valid rows' values, in order (the input itself when nothing is null). */
function compact<T>(vals: ArrayLike<T>, valid: Uint8Array | undefined, k: number): ArrayLike<T> {
  if (valid === undefined) return vals;
  const out = new Array<T>(k);
  let j = 0;
  for (let i = 0; i < valid.length; i++) if (valid[i] === 1) out[j++] = vals[i] as T;
  return out;
}

function writeValues(w: ByteWriter, c: Chunk, valid: Uint8Array | undefined, k: number, floats: FloatLayout): void {
  switch (c.dtype) {
    case "float64":
    case "float32":
      writeFloats(w, compact(c.values, valid, k), c.dtype === "float64" ? 8 : 4, floats);
      return;
    case "int32":
      writeInt32s(w, compact(c.values, valid, k));
      return;
    case "int64":
    case "timestamp":
      writeInt64s(w, compact(c.values, valid, k));
      return;
    case "bool":
      writeBools(w, Uint8Array.from(compact(c.values, valid, k)));
      return;
    case "string":
      writeStrings(w, Array.from(compact(c.values, valid, k)));
      return;
    case "category":
      writeCategory(w, c.values.dictionary, compact(c.values.codes, valid, k));
      return;
  }
}

/**
 * Encodes a column chunk. Throws FrameError("invalid") when the values do not fit the dtype, the
 * validity is not one 0/1 byte per row, or a valid category code is outside the dictionary.
 *
 * @example encodeChunk({ dtype: "timestamp", values: index.values }) // an index chunk
 */
export function encodeChunk(c: Chunk, opts?: EncodeOptions): Uint8Array {
  checkShape(c);
  const rows = rowsOf(c);
  const bitmap = c.valid === undefined ? undefined : packBits(c.valid);
  const k = bitmap === undefined ? rows : countBits(bitmap);
  const valid = k === rows ? undefined : c.valid;
  const body = new ByteWriter(64 + rows * 2);
  if (valid !== undefined && bitmap !== undefined) body.bytes(bitmap);
  writeValues(body, c, valid, k, opts?.floats ?? "auto");
  const raw = body.finish();
  let payload = raw;
  if (opts?.compress !== false && raw.length >= MIN_COMPRESS) {
    const z = lz4FrameEncode(raw);
    if (z.length < raw.length) payload = z;
  }
  const out = new ByteWriter(payload.length + 16);
  out.u8(MAGIC0);
  out.u8(MAGIC1);
  out.u8(CHUNK_VERSION);
  out.u8(DTYPE_CODES[c.dtype]);
  out.u8((valid !== undefined ? FLAG_VALIDITY : 0) | (payload !== raw ? FLAG_LZ4 : 0));
  out.uvarint(rows);
  out.uvarint(raw.length);
  out.bytes(payload);
  return out.finish().slice();
}

function readHeader(bytes: Uint8Array): { info: ChunkInfo; bodyLength: number; at: number } {
  if (!(bytes instanceof Uint8Array)) throw bad("not bytes");
  const r = new ByteReader(bytes);
  if (r.u8() !== MAGIC0 || r.u8() !== MAGIC1) throw bad("not a column chunk (bad magic)");
  const version = r.u8();
  if (version !== CHUNK_VERSION) throw bad(`format version ${version}, this reader knows ${CHUNK_VERSION}`);
  const code = r.u8();
  const dtype = DTYPE_OF.get(code);
  if (dtype === undefined) throw bad(`unknown dtype code ${code}`);
  const flags = r.u8();
  if ((flags & ~(FLAG_VALIDITY | FLAG_LZ4)) !== 0) throw bad(`unknown flags ${flags}`);
  // Bounded because a regular int64 section makes any number of values from two varints.
  const rows = r.uvarint(MAX_CHUNK_ROWS);
  const bodyLength = r.uvarint(LZ4_MAX_BYTES);
  const info = { version, dtype, rows, hasNulls: (flags & FLAG_VALIDITY) !== 0, compressed: (flags & FLAG_LZ4) !== 0 };
  return { info, bodyLength, at: r.offset };
}

/** The header of a chunk, without decoding its body. Throws FrameError("invalid") on a bad header. */
export function chunkInfo(bytes: Uint8Array): ChunkInfo {
  return readHeader(bytes).info;
}

function body(bytes: Uint8Array, at: number, info: ChunkInfo, bodyLength: number): Uint8Array {
  const payload = bytes.subarray(at);
  if (!info.compressed) {
    if (payload.length !== bodyLength) throw bad(`body is ${payload.length} bytes, header says ${bodyLength}`);
    return payload;
  }
  let raw: Uint8Array;
  try {
    raw = lz4FrameDecode(payload, { maxBytes: bodyLength });
  } catch (e) {
    throw bad(`LZ4 body: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (raw.length !== bodyLength) throw bad(`body decodes to ${raw.length} bytes, header says ${bodyLength}`);
  return raw;
}

/** Row positions of the valid rows, from the bitmap at the body's start. */
function readValidity(r: ByteReader, rows: number): { valid: Uint8Array; pos: Int32Array } {
  const valid = unpackBits(r.take(packedSize(rows), "validity"), rows);
  let k = 0;
  for (const v of valid) k += v;
  const pos = new Int32Array(k);
  let j = 0;
  for (let i = 0; i < rows; i++) if (valid[i] === 1) pos[j++] = i;
  if (j === rows) throw bad("validity bitmap present without a null row");
  return { valid, pos };
}

function readValues(r: ByteReader, dtype: DType, rows: number, pos: Int32Array | undefined): ValuesOf[DType] {
  const k = pos === undefined ? rows : pos.length;
  const at = (i: number) => (pos === undefined ? i : (pos[i] as number));
  // Every reader checks k against the bytes left before this output of `rows` is allocated.
  switch (dtype) {
    case "float64":
    case "float32": {
      const width = dtype === "float64" ? 8 : 4;
      // The layout's reader checks its values against the bytes left before allocating.
      if (r.remaining < 1) throw bad(`${k} floats declared, ${r.remaining} bytes left`);
      const vals = readFloatArray(r, k, width);
      if (pos === undefined) return vals;
      const out = dtype === "float64" ? new Float64Array(rows) : new Float32Array(rows);
      for (let i = 0; i < k; i++) out[pos[i] as number] = vals[i] as number;
      return out;
    }
    case "int32": {
      if (r.remaining < 1 + k) throw bad(`${k} int32 values declared, ${r.remaining} bytes left`);
      const out = new Int32Array(rows);
      readInt32s(r, k, (i, v) => {
        out[at(i)] = v;
      });
      return out;
    }
    case "int64":
    case "timestamp": {
      // The layout's reader checks its values against the bytes left before allocating.
      if (r.remaining < 1) throw bad(`${k} int64 values declared, ${r.remaining} bytes left`);
      const out = new BigInt64Array(rows);
      // Written as 32-bit halves through views of the same memory (both in platform byte order).
      const { his, los } = readInt64Halves(r, k);
      const halves = new Uint32Array(out.buffer, out.byteOffset, rows * 2);
      const highs = new Int32Array(out.buffer, out.byteOffset, rows * 2);
      const lo = LITTLE_ENDIAN ? 0 : 1;
      for (let i = 0; i < k; i++) {
        const j = at(i) * 2;
        halves[j + lo] = los[i] as number;
        highs[j + 1 - lo] = his[i] as number;
      }
      return out;
    }
    case "bool":
      return scatter(readBools(r, k), pos, rows, (n) => new Uint8Array(n));
    case "string":
      return scatter(readStrings(r, k), pos, rows, (n) => new Array<string>(n).fill(""));
    case "category": {
      const { dictionary, codes } = readCategory(r, k);
      return { dictionary, codes: scatter(codes, pos, rows, (n) => new Int32Array(n)) };
    }
  }
}

/** Spreads the valid rows' values to their rows; null rows keep `make`'s zero. */
function scatter<A extends { [i: number]: V; length: number }, V>(
  vals: A,
  pos: Int32Array | undefined,
  rows: number,
  make: (n: number) => A,
): A {
  if (pos === undefined) return vals;
  const out = make(rows);
  for (let i = 0; i < pos.length; i++) out[pos[i] as number] = vals[i] as V;
  return out;
}

/**
 * Decodes a chunk written by encodeChunk. Throws FrameError("invalid") for another format version,
 * an unknown dtype or flag, truncation, trailing bytes, or lengths that do not add up; it never
 * allocates more than the bytes present can justify.
 */
export function decodeChunk(bytes: Uint8Array): Chunk {
  const { info, bodyLength, at } = readHeader(bytes);
  const r = new ByteReader(body(bytes, at, info, bodyLength));
  const validity = info.hasNulls ? readValidity(r, info.rows) : undefined;
  const values = readValues(r, info.dtype, info.rows, validity?.pos);
  r.end();
  return (validity === undefined
    ? { dtype: info.dtype, values }
    : { dtype: info.dtype, values, valid: validity.valid }) as unknown as Chunk;
}
