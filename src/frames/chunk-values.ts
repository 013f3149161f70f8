/**
 * The values section of a column chunk: the values of the valid rows only (nulls cost nothing
 * here), as one tag byte naming the layout and then the layout's bytes. Encoders pick the smallest
 * layout before compression; decoders check every declared count against the bytes left before
 * allocating, and throw FrameError("invalid") for anything that does not add up.
 *
 * Layouts (tag: bytes):
 * - floats    0: raw little-endian;  1: byte-shuffled (byte j of every value, then byte j+1), which
 *             groups the slowly changing sign/exponent bytes of a reading so LZ4 finds runs;
 *             2: decimal (a byte e; uvarint count of -0 values and their positions as uvarint gaps;
 *             then the integers v * 10^e as an int64 section below), used only when every v is
 *             exactly m / 10^e again (so not for NaN or ±Infinity). A meter reading with one decimal
 *             then costs about 1 byte instead of 8 (chunk-codec.test.ts). The -0 list is there
 *             because rounding a small negative reading gives -0, and one must not cost the chunk
 *             its layout.
 * - int32     0: raw little-endian;  1: zigzag varint deltas (first from 0, wrapping at 32 bits).
 * - int64/ts  0: raw little-endian;  1: zigzag varint deltas;  2: zigzag varint delta-of-deltas
 *             (first value, first delta, then the change of delta; wrapping at 64 bits);
 *             3: regular (at least two values, every delta the same: zigzag varints of the first
 *             value and the step). A regular 15-minute index or a row counter is two varints.
 * - bool      0: bit-packed.
 * - string    0: plain (uvarint total bytes, uvarint byte length per value, WTF-8 bytes);
 *             1: dictionary (uvarint size, the entries as plain, then a uvarint code per value).
 * - category  0: the dictionary as plain (after its uvarint size), then a uvarint code per value.
 */
import { packBits, packedSize, unpackBits } from "./bitmap.ts";
import {
  type ByteReader,
  type ByteWriter,
  bigUvarintSize,
  unzigzag32,
  unzigzag64,
  uvarintSize,
  zigzag32,
  zigzag64,
} from "./bytes.ts";
import { FrameError } from "./model.ts";
import { wtf8Decode, wtf8Size, wtf8Write } from "./wtf8.ts";

/** "auto": decimal when every value is exactly a decimal of at most MAX_DECIMALS places, else shuffled. */
export type FloatLayout = "auto" | "raw" | "shuffled";

/** Readings carry a few decimals; past 6 the scaled integers stop being small. */
const MAX_DECIMALS = 6;

function bad(message: string): FrameError {
  return new FrameError("invalid", `chunk: ${message}`);
}

/** Throws unless `count` items of at least `width` bytes each fit in what the reader has left. */
function fits(r: ByteReader, count: number, width: number, what: string): void {
  if (count * width > r.remaining) throw bad(`${count} ${what} declared, ${r.remaining} bytes left`);
}

// ---- floats

export function writeFloats(w: ByteWriter, vals: ArrayLike<number>, width: 4 | 8, layout: FloatLayout): void {
  const decimals = layout === "auto" ? decimalScale(vals, width) : undefined;
  if (decimals !== undefined) {
    w.u8(2);
    w.u8(decimals.e);
    w.uvarint(decimals.negZeros.length);
    let prev = 0;
    for (const i of decimals.negZeros) {
      w.uvarint(i - prev);
      prev = i;
    }
    writeInt64s(w, decimals.ints);
    return;
  }
  const bytes = new Uint8Array(vals.length * width);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < vals.length; i++) {
    if (width === 8) view.setFloat64(i * 8, vals[i] as number, true);
    else view.setFloat32(i * 4, vals[i] as number, true);
  }
  if (layout === "raw") {
    w.u8(0);
    w.bytes(bytes);
    return;
  }
  w.u8(1);
  w.bytes(shuffle(bytes, width, vals.length));
}

interface Decimals {
  readonly e: number;
  readonly ints: BigInt64Array;
  readonly negZeros: number[];
}

/** The fewest decimals e with every value exactly round(v * 10^e) / 10^e, if there is one. */
function decimalScale(vals: ArrayLike<number>, width: 4 | 8): Decimals | undefined {
  if (vals.length === 0) return undefined;
  for (let e = 0; e <= MAX_DECIMALS; e++) {
    const d = { e, ints: new BigInt64Array(vals.length), negZeros: [] };
    if (fillDecimals(vals, width, 10 ** e, d)) return d;
  }
  return undefined;
}

function fillDecimals(vals: ArrayLike<number>, width: 4 | 8, p: number, d: Decimals): boolean {
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i] as number;
    if (Object.is(v, -0)) {
      d.negZeros.push(i);
      continue;
    }
    // + 0 turns a -0 from rounding into the 0 a bigint stores; the check below then sees the loss.
    const m = Math.round(v * p) + 0;
    if (!Number.isSafeInteger(m) || !Object.is(fromDecimal(m, p, width), v)) return false;
    d.ints[i] = BigInt(m);
  }
  return true;
}

/** Division by an exact power of ten is correctly rounded, so every platform gets the same float. */
function fromDecimal(m: number, p: number, width: 4 | 8): number {
  return width === 8 ? m / p : Math.fround(m / p);
}

function shuffle(bytes: Uint8Array, width: number, n: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let j = 0; j < width; j++) for (let i = 0; i < n; i++) out[j * n + i] = bytes[i * width + j] as number;
  return out;
}

function unshuffle(bytes: Uint8Array, width: number, n: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  unshuffleInto(bytes, width, n, out);
  return out;
}

function unshuffleInto(bytes: Uint8Array, width: number, n: number, out: Uint8Array): void {
  for (let j = 0; j < width; j++) {
    const plane = bytes.subarray(j * n, (j + 1) * n);
    for (let i = 0, o = j; i < n; i++, o += width) out[o] = plane[i] as number;
  }
}

/** Typed arrays use the platform's byte order; raw values are little-endian on disk. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reads k floats as a dense array of the valid values, in order. */
export function readFloatArray(r: ByteReader, k: number, width: 4 | 8): Float64Array | Float32Array {
  const make = () => (width === 8 ? new Float64Array(k) : new Float32Array(k));
  const tag = r.u8();
  if (tag === 2) {
    const e = r.u8();
    if (e > MAX_DECIMALS) throw bad(`float decimals ${e} above ${MAX_DECIMALS}`);
    const p = 10 ** e;
    const negZeros = readPositions(r, k);
    const { his, los } = readInt64Halves(r, k);
    const out = make();
    for (let i = 0; i < k; i++) {
      const hi = his[i] as number;
      const lo = los[i] as number;
      // Exact while |m| < 2^53, which the encoder guarantees; anything else goes through a bigint.
      const m = hi >= -SAFE_HI && hi < SAFE_HI ? hi * TWO_32 + lo : Number((BigInt(hi) << 32n) | BigInt(lo));
      out[i] = fromDecimal(m, p, width);
    }
    for (const i of negZeros) out[i] = -0;
    return out;
  }
  if (tag !== 0 && tag !== 1) throw bad(`unknown float layout ${tag}`);
  fits(r, k, width, "floats");
  const bytes = r.take(k * width, "floats");
  const out = make();
  if (LITTLE_ENDIAN) {
    const dst = new Uint8Array(out.buffer);
    if (tag === 1) unshuffleInto(bytes, width, k, dst);
    else dst.set(bytes);
    return out;
  }
  const plain = tag === 1 ? unshuffle(bytes, width, k) : bytes;
  const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  for (let i = 0; i < k; i++) out[i] = width === 8 ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true);
  return out;
}

/** Reads k floats; `put(i, v)` stores the i-th valid value. */
export function readFloats(r: ByteReader, k: number, width: 4 | 8, put: (i: number, v: number) => void): void {
  const vals = readFloatArray(r, k, width);
  for (let i = 0; i < k; i++) put(i, vals[i] as number);
}

/** Ascending positions below k, written as gaps (the first from 0); each at least one byte. */
function readPositions(r: ByteReader, k: number): number[] {
  const count = r.uvarint();
  if (count > k) throw bad(`${count} positions among ${k} values`);
  fits(r, count, 1, "positions");
  const out = new Array<number>(count);
  let at = 0;
  for (let j = 0; j < count; j++) {
    const gap = r.uvarint();
    if (j > 0 && gap === 0) throw bad("positions not ascending");
    at += gap;
    if (at >= k) throw bad(`position ${at} past ${k} values`);
    out[j] = at;
  }
  return out;
}

// ---- int32

export function writeInt32s(w: ByteWriter, vals: ArrayLike<number>): void {
  let deltaSize = 0;
  let prev = 0;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i] as number;
    deltaSize += uvarintSize(zigzag32((v - prev) | 0));
    prev = v;
  }
  if (deltaSize >= vals.length * 4) {
    w.u8(0);
    for (let i = 0; i < vals.length; i++) w.i32(vals[i] as number);
    return;
  }
  w.u8(1);
  prev = 0;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i] as number;
    w.uvarint(zigzag32((v - prev) | 0));
    prev = v;
  }
}

export function readInt32s(r: ByteReader, k: number, put: (i: number, v: number) => void): void {
  const tag = r.u8();
  if (tag === 0) {
    fits(r, k, 4, "int32 values");
    for (let i = 0; i < k; i++) put(i, r.i32());
  } else if (tag === 1) {
    fits(r, k, 1, "int32 deltas");
    let prev = 0;
    for (let i = 0; i < k; i++) {
      prev = (prev + unzigzag32(r.uvarint())) | 0;
      put(i, prev);
    }
  } else throw bad(`unknown int32 layout ${tag}`);
}

// ---- int64 and timestamps

function deltas(vals: ArrayLike<bigint>): bigint[] {
  const out = new Array<bigint>(vals.length);
  let prev = 0n;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i] as bigint;
    out[i] = BigInt.asIntN(64, v - prev);
    prev = v;
  }
  return out;
}

function zigzagSize(vals: readonly bigint[]): number {
  let n = 0;
  for (const v of vals) n += bigUvarintSize(zigzag64(v));
  return n;
}

/** The common step when every delta after the first is the same (at least two values), else undefined. */
function regularStep(vals: ArrayLike<bigint>): bigint | undefined {
  if (vals.length < 2) return undefined;
  const step = BigInt.asIntN(64, (vals[1] as bigint) - (vals[0] as bigint));
  for (let i = 2; i < vals.length; i++) {
    if (BigInt.asIntN(64, (vals[i] as bigint) - (vals[i - 1] as bigint)) !== step) return undefined;
  }
  return step;
}

export function writeInt64s(w: ByteWriter, vals: ArrayLike<bigint>): void {
  const step = regularStep(vals);
  if (step !== undefined) {
    // A regular index (every 15 minutes, a row counter): two varints whatever the length.
    w.u8(3);
    w.bigUvarint(zigzag64(vals[0] as bigint));
    w.bigUvarint(zigzag64(step));
    return;
  }
  const d1 = deltas(vals);
  // The delta sequence's own deltas, except the first, which stays the first value: d2[0] = v0.
  const d2 = deltas(d1);
  const sizes = [vals.length * 8, zigzagSize(d1), zigzagSize(d2)];
  const best = sizes.indexOf(Math.min(...(sizes as [number, number, number])));
  w.u8(best);
  if (best === 0) for (let i = 0; i < vals.length; i++) w.i64(vals[i] as bigint);
  else for (const d of best === 1 ? d1 : d2) w.bigUvarint(zigzag64(d));
}

/**
 * Reads k int64 values as their two's complement halves: `his[i]` signed, `los[i]` unsigned 32-bit.
 * Deltas that fit in 49 bits (nearly all) are added as numbers on the two halves, so no bigint is
 * made per value; a larger one switches the rest of the section to bigints, with the same wrapping
 * at 64 bits.
 */
export function readInt64Halves(r: ByteReader, k: number): { his: Int32Array; los: Uint32Array } {
  const tag = r.u8();
  if (tag === 3) return readRegular(r, k);
  // Every other layout holds at least a byte per value: checked before anything is allocated.
  if (tag !== 0 && tag !== 1 && tag !== 2) throw bad(`unknown int64 layout ${tag}`);
  fits(r, k, tag === 0 ? 8 : 1, tag === 0 ? "int64 values" : "int64 deltas");
  const his = new Int32Array(k);
  const los = new Uint32Array(k);
  if (tag === 0) {
    const bytes = r.take(k * 8, "int64 values");
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < k; i++) {
      los[i] = view.getUint32(i * 8, true);
      his[i] = view.getInt32(i * 8 + 4, true);
    }
    return { his, los };
  }
  let hi = 0;
  let lo = 0;
  let delta = 0;
  // The running delta while it is past the exact range of a number (a delta-of-deltas section's
  // first delta is the first value itself), else null.
  let big: bigint | null = null;
  for (let i = 0; i < k; i++) {
    const u = r.uvarintMixed();
    let z = typeof u === "bigint" ? 0 : unzig(u);
    if (tag === 2 && big === null && typeof u !== "bigint" && Math.abs(delta + z) > MAX_FAST_DELTA) {
      big = BigInt(delta);
    }
    if (typeof u === "bigint" || big !== null) {
      const zb = typeof u === "bigint" ? unzigzag64(u) : BigInt(z);
      const d: bigint = tag === 1 ? zb : BigInt.asIntN(64, (big ?? BigInt(delta)) + zb);
      const v = BigInt.asIntN(64, ((BigInt(hi) << 32n) | BigInt(lo)) + d);
      hi = Number(BigInt.asIntN(32, v >> 32n));
      lo = Number(BigInt.asUintN(32, v));
      his[i] = hi;
      los[i] = lo;
      if (tag === 2) {
        const small: boolean = d <= BIG_FAST_DELTA && d >= -BIG_FAST_DELTA;
        big = small ? null : d;
        delta = small ? Number(d) : 0;
      }
      continue;
    }
    if (tag === 2) {
      delta += z;
      z = delta;
    }
    // (hi, lo) += z, wrapping at 64 bits as the bigint arithmetic above does.
    const dHi = Math.floor(z / TWO_32);
    let nlo = lo + (z - dHi * TWO_32);
    let carry = 0;
    if (nlo >= TWO_32) {
      nlo -= TWO_32;
      carry = 1;
    }
    hi = (hi + dHi + carry) | 0;
    lo = nlo;
    his[i] = hi;
    los[i] = lo;
  }
  return { his, los };
}

/** k values first, first + step, ... (wrapping at 64 bits), as halves. */
function readRegular(r: ByteReader, k: number): { his: Int32Array; los: Uint32Array } {
  const first = unzigzag64(r.bigUvarint());
  const step = unzigzag64(r.bigUvarint());
  if (k < 2) throw bad(`a regular int64 section of ${k} values`);
  const his = new Int32Array(k);
  const los = new Uint32Array(k);
  let hi = Number(BigInt.asIntN(32, first >> 32n));
  let lo = Number(BigInt.asUintN(32, first));
  // The step as halves: adding them with a carry wraps at 64 bits, as bigint arithmetic would.
  const sHi = Number(BigInt.asIntN(32, step >> 32n));
  const sLo = Number(BigInt.asUintN(32, step));
  for (let i = 0; i < k; i++) {
    his[i] = hi;
    los[i] = lo;
    let nlo = lo + sLo;
    let carry = 0;
    if (nlo >= TWO_32) {
      nlo -= TWO_32;
      carry = 1;
    }
    hi = (hi + sHi + carry) | 0;
    lo = nlo;
  }
  return { his, los };
}

const TWO_32 = 4_294_967_296;
/** hi halves whose value hi * 2^32 + lo stays below 2^53 in magnitude. */
const SAFE_HI = 2 ** 20;
/** Past this a delta-of-deltas running delta leaves the exact range of a number. */
const MAX_FAST_DELTA = 2 ** 52;
const BIG_FAST_DELTA = BigInt(MAX_FAST_DELTA);

/** Zigzag decoding of a number below 2^49. */
function unzig(u: number): number {
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}

/** Reads k int64 values; `put(i, v)` stores the i-th valid value. */
export function readInt64s(r: ByteReader, k: number, put: (i: number, v: bigint) => void): void {
  const { his, los } = readInt64Halves(r, k);
  for (let i = 0; i < k; i++) put(i, (BigInt(his[i] as number) << 32n) | BigInt(los[i] as number));
}

// ---- bool

export function writeBools(w: ByteWriter, vals: Uint8Array): void {
  w.u8(0);
  w.bytes(packBits(vals));
}

export function readBools(r: ByteReader, k: number): Uint8Array {
  const tag = r.u8();
  if (tag !== 0) throw bad(`unknown bool layout ${tag}`);
  return unpackBits(r.take(packedSize(k), "bool bits"), k);
}

// ---- strings

/** Plain layout: total bytes, each length, then the WTF-8 bytes of all values in order. */
function writePlain(w: ByteWriter, strs: readonly string[]): void {
  const sizes = strs.map(wtf8Size);
  let total = 0;
  for (const s of sizes) total += s;
  w.uvarint(total);
  for (const s of sizes) w.uvarint(s);
  const blob = new Uint8Array(total);
  let o = 0;
  for (const s of strs) o = wtf8Write(s, blob, o);
  w.bytes(blob);
}

function readPlain(r: ByteReader, k: number): string[] {
  const total = r.uvarint();
  fits(r, k, 1, "string lengths");
  const lengths = new Array<number>(k);
  let sum = 0;
  for (let i = 0; i < k; i++) {
    const len = r.uvarint();
    lengths[i] = len;
    sum += len;
  }
  if (sum !== total) throw bad(`string lengths add to ${sum}, declared ${total}`);
  const blob = r.take(total, "string bytes");
  const out = new Array<string>(k);
  let o = 0;
  for (let i = 0; i < k; i++) {
    const len = lengths[i] as number;
    out[i] = wtf8Decode(blob, o, o + len);
    o += len;
  }
  return out;
}

function plainSize(strs: Iterable<string>): number {
  let n = 0;
  let total = 0;
  for (const s of strs) {
    const len = wtf8Size(s);
    total += len;
    n += len + uvarintSize(len);
  }
  return n + uvarintSize(total);
}

/** Writes the valid strings, as a dictionary when that is smaller than the plain layout. */
export function writeStrings(w: ByteWriter, vals: readonly string[]): void {
  const codes = new Map<string, number>();
  let codeBytes = 0;
  for (const s of vals) {
    let c = codes.get(s);
    if (c === undefined) {
      c = codes.size;
      codes.set(s, c);
    }
    codeBytes += uvarintSize(c);
  }
  const dictSize = uvarintSize(codes.size) + plainSize(codes.keys()) + codeBytes;
  if (dictSize >= plainSize(vals)) {
    w.u8(0);
    writePlain(w, vals);
    return;
  }
  w.u8(1);
  w.uvarint(codes.size);
  writePlain(w, [...codes.keys()]);
  for (const s of vals) w.uvarint(codes.get(s) as number);
}

export function readStrings(r: ByteReader, k: number): string[] {
  const tag = r.u8();
  if (tag === 0) return readPlain(r, k);
  if (tag !== 1) throw bad(`unknown string layout ${tag}`);
  const dict = readDictionary(r);
  fits(r, k, 1, "string codes");
  const out = new Array<string>(k);
  for (let i = 0; i < k; i++) out[i] = dict[r.uvarint(dict.length - 1)] as string;
  return out;
}

// ---- category

function readDictionary(r: ByteReader): string[] {
  const size = r.uvarint();
  fits(r, size, 1, "dictionary entries");
  return readPlain(r, size);
}

export function writeCategory(w: ByteWriter, dictionary: readonly string[], codes: ArrayLike<number>): void {
  w.u8(0);
  w.uvarint(dictionary.length);
  writePlain(w, dictionary);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i] as number;
    if (!Number.isInteger(c) || c < 0 || c >= dictionary.length) throw bad(`category code ${c} outside its dictionary`);
    w.uvarint(c);
  }
}

export function readCategory(r: ByteReader, k: number): { dictionary: string[]; codes: Int32Array } {
  const tag = r.u8();
  if (tag !== 0) throw bad(`unknown category layout ${tag}`);
  const dictionary = readDictionary(r);
  if (k > 0 && dictionary.length === 0) throw bad("category codes without a dictionary");
  fits(r, k, 1, "category codes");
  const codes = new Int32Array(k);
  for (let i = 0; i < k; i++) codes[i] = r.uvarint(dictionary.length - 1);
  return { dictionary, codes };
}
