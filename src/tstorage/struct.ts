/**
 * Python `struct` format strings, as the vendor's Python client packs payloads with them
 * (`TuplePayloadType("if?")` is `struct.Struct("if?")`). Sizes, alignment, value checks and
 * error wording follow CPython 3.11's `_struct.c`.
 *
 * Byte order (first character only, as in Python):
 * - none or `@`: native mode as on x86-64 Linux, the platform the Python client runs on against a
 *   real server: little-endian, C alignment (each item aligned to its size, no trailing padding),
 *   `l`/`L`/`n`/`N` 8 bytes. So `"?i"` is 8 bytes, `"<?i"` 5.
 * - `=` and `<`: little-endian, standard sizes, no alignment (`l`/`L` 4 bytes).
 * - `>` and `!`: big-endian, standard sizes, no alignment.
 * `P` (a C pointer) is not supported: a pointer is meaningless in a stored payload.
 *
 * Values in JS: integers of up to 4 bytes are numbers, 8-byte integers bigints (a number that is a
 * safe integer is accepted when packing); `?` is a boolean (strict: Python takes any truthy object,
 * a JS caller passing 0/1 is more likely a bug); `e` `f` `d` numbers; `c` `s` `p` Uint8Arrays
 * (bytes, not text: payloads are binary and Python gives bytes too). Unpacked byte values are
 * copies, so a value never pins the response buffer it came from.
 *
 * Errors: TypeError for a value of the wrong type, RangeError for a bad format, a value out of
 * range, a wrong value count or a wrong buffer length.
 */

/** The largest payload TStorage accepts (TSTORAGE.md, PUT): also the largest struct we lay out. */
export const MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;

export type StructValue = number | bigint | boolean | Uint8Array;

export type ByteOrderMode = "native" | "little" | "big";

export interface StructField {
  /** The format letter. */
  readonly code: string;
  /** Repeat count; for `s` and `p` the byte length of the one value. */
  readonly count: number;
  /** Byte offset of the first item. */
  readonly offset: number;
  /** Bytes per item (1 for `s`, `p`, `x`). */
  readonly itemSize: number;
}

export interface StructLayout {
  readonly format: string;
  readonly mode: ByteOrderMode;
  readonly littleEndian: boolean;
  /** Fields that carry bytes, in order; zero-count fields (other than `s`/`p`) are left out. */
  readonly fields: readonly StructField[];
  /** Packed size in bytes (`struct.calcsize`). */
  readonly size: number;
  /** Number of values `pack` takes and `unpack` returns. */
  readonly valueCount: number;
  /** Bytes that carry no value: `x` pad bytes and native alignment gaps. */
  readonly padBytes: number;
}

const STANDARD_SIZES: Readonly<Record<string, number>> = {
  x: 1,
  c: 1,
  b: 1,
  B: 1,
  "?": 1,
  h: 2,
  H: 2,
  i: 4,
  I: 4,
  l: 4,
  L: 4,
  q: 8,
  Q: 8,
  e: 2,
  f: 4,
  d: 8,
  s: 1,
  p: 1,
};

const NATIVE_SIZES: Readonly<Record<string, number>> = { ...STANDARD_SIZES, l: 8, L: 8, n: 8, N: 8 };

const SIGNED = new Set(["b", "h", "i", "l", "q", "n"]);
const INTEGER = new Set(["b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "n", "N"]);

const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);

/**
 * Lays out a format string (`struct.calcsize` and more). RangeError for an unknown letter, a
 * count without a letter, or a struct larger than MAX_PAYLOAD_BYTES.
 */
export function parseFormat(format: string): StructLayout {
  if (typeof format !== "string") throw new TypeError(`struct format must be a string, got ${typeof format}`);
  let i = 0;
  let mode: ByteOrderMode = "native";
  let littleEndian = true;
  const first = format[0];
  if (first === "@") i = 1;
  else if (first === "=" || first === "<") [i, mode] = [1, "little"];
  else if (first === ">" || first === "!") [i, mode, littleEndian] = [1, "big", false];
  const sizes = mode === "native" ? NATIVE_SIZES : STANDARD_SIZES;
  const fields: StructField[] = [];
  let size = 0;
  let valueCount = 0;
  let valueBytes = 0;
  while (i < format.length) {
    const c = format.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const at = i;
    let count = 1;
    if (isDigit(c)) {
      count = 0;
      while (i < format.length && isDigit(format.charCodeAt(i))) {
        count = count * 10 + (format.charCodeAt(i) - 48);
        if (count > MAX_PAYLOAD_BYTES)
          throw new RangeError(`struct format too large (over ${MAX_PAYLOAD_BYTES} bytes) at ${at}`);
        i++;
      }
      if (i >= format.length) throw new RangeError(`repeat count given without format specifier at ${at}`);
    }
    const code = format[i] as string;
    i++;
    const itemSize = sizes[code];
    if (itemSize === undefined) throw new RangeError(`bad char in struct format: ${JSON.stringify(code)} at ${i - 1}`);
    // Native mode aligns each item to its own size, zero counts included (CPython's align()).
    if (mode === "native" && itemSize > 1 && size > 0) size += (itemSize - (size % itemSize)) % itemSize;
    if (code === "s" || code === "p") {
      fields.push({ code, count, offset: size, itemSize });
      valueCount++;
    } else if (count > 0) {
      fields.push({ code, count, offset: size, itemSize });
      if (code !== "x") valueCount += count;
    }
    size += count * itemSize;
    if (code !== "x") valueBytes += count * itemSize;
    if (size > MAX_PAYLOAD_BYTES)
      throw new RangeError(`struct format too large (over ${MAX_PAYLOAD_BYTES} bytes) at ${at}`);
  }
  return { format, mode, littleEndian, fields, size, valueCount, padBytes: size - valueBytes };
}

const BOUNDS = new Map<string, readonly [bigint, bigint, number, number]>();

/** [lo, hi] as bigints and as numbers (exact below 2^53), cached per letter and size. */
function intBounds(code: string, bytes: number): readonly [bigint, bigint, number, number] {
  const key = code + bytes;
  let b = BOUNDS.get(key);
  if (b === undefined) {
    const bits = BigInt(bytes * 8);
    const [lo, hi] = SIGNED.has(code) ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
    b = [lo, hi, Number(lo), Number(hi)];
    BOUNDS.set(key, b);
  }
  return b;
}

function checkInteger(code: string, bytes: number, v: StructValue, index: number): bigint | number {
  const [lo, hi, loN, hiN] = intBounds(code, bytes);
  // Numbers for small integers stay numbers: this is the per-value hot path of a large put.
  if (bytes < 8 && typeof v === "number" && Number.isInteger(v) && v >= loN && v <= hiN) return v;
  let n: bigint;
  if (typeof v === "bigint") n = v;
  else if (typeof v === "number" && Number.isInteger(v)) n = BigInt(v);
  else throw new TypeError(`value ${index} for '${code}': required argument is not an integer (got ${describe(v)})`);
  if (n < lo || n > hi)
    throw new RangeError(`value ${index}: '${code}' format requires ${lo} <= number <= ${hi}, got ${n}`);
  return bytes === 8 ? n : Number(n);
}

function describe(v: unknown): string {
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (typeof v === "bigint") return `${v}n`;
  return typeof v === "number" || typeof v === "boolean" ? String(v) : typeof v;
}

function checkBytes(code: string, v: StructValue, index: number): Uint8Array {
  if (!(v instanceof Uint8Array))
    throw new TypeError(`value ${index}: argument for '${code}' must be a Uint8Array, got ${describe(v)}`);
  return v;
}

function checkFloat(code: string, v: StructValue, index: number): number {
  if (typeof v !== "number")
    throw new TypeError(`value ${index}: required argument for '${code}' is not a number (got ${describe(v)})`);
  return v;
}

/**
 * Checks one value for a format letter and returns it normalised (bigint for 8-byte integers);
 * the errors `pack` throws. Exposed so JSON input can be validated before anything is packed.
 */
export function checkValue(code: string, itemSize: number, v: StructValue, index: number): StructValue {
  if (INTEGER.has(code)) return checkInteger(code, itemSize, v, index);
  switch (code) {
    case "?":
      if (typeof v !== "boolean") throw new TypeError(`value ${index}: '?' requires a boolean, got ${describe(v)}`);
      return v;
    case "c": {
      const b = checkBytes(code, v, index);
      if (b.length !== 1)
        throw new RangeError(`value ${index}: char format requires a bytes object of length 1, got ${b.length}`);
      return b;
    }
    case "s":
    case "p":
      return checkBytes(code, v, index);
    case "f": {
      const x = checkFloat(code, v, index);
      if (Number.isFinite(x) && !Number.isFinite(Math.fround(x)))
        throw new RangeError(`value ${index}: float too large to pack with f format`);
      return x;
    }
    case "e": {
      const x = checkFloat(code, v, index);
      if (Number.isFinite(x) && Math.abs(x) >= 65520)
        throw new RangeError(`value ${index}: float too large to pack with e format`);
      return x;
    }
    case "d":
      return checkFloat(code, v, index);
    default:
      throw new RangeError(`bad char in struct format: ${JSON.stringify(code)}`);
  }
}

/** `struct.pack(format, *values)`: a new buffer of `layout.size` bytes. */
export function pack(layout: StructLayout, values: readonly StructValue[]): Uint8Array {
  const out = new Uint8Array(layout.size);
  packInto(layout, values, new DataView(out.buffer), 0);
  return out;
}

/**
 * `struct.pack_into`: writes `layout.size` bytes at `offset` of `view` and returns that size.
 * A request encoder packs records straight into its batch buffer this way; allocating a small
 * buffer per record costs more than packing it. A rejected value may leave earlier items
 * written: callers discard the target on error.
 */
export function packInto(layout: StructLayout, values: readonly StructValue[], view: DataView, offset: number): number {
  if (!Array.isArray(values)) throw new TypeError(`pack expects an array of values, got ${typeof values}`);
  if (values.length !== layout.valueCount) {
    throw new RangeError(`pack expected ${layout.valueCount} items for packing (got ${values.length})`);
  }
  if (!Number.isInteger(offset) || offset < 0 || offset + layout.size > view.byteLength) {
    throw new RangeError(
      `pack_into requires ${layout.size} bytes at offset ${offset} of a ${view.byteLength}-byte buffer`,
    );
  }
  // Pad bytes and alignment gaps are zero, as CPython clears the region before packing.
  if (layout.padBytes > 0) new Uint8Array(view.buffer, view.byteOffset + offset, layout.size).fill(0);
  const le = layout.littleEndian;
  let vi = 0;
  for (const f of layout.fields) {
    const at = offset + f.offset;
    if (f.code === "x") continue;
    if (f.code === "s" || f.code === "p") {
      const b = checkValue(f.code, 1, values[vi] as StructValue, vi) as Uint8Array;
      vi++;
      if (f.count === 0) continue;
      const out = new Uint8Array(view.buffer, view.byteOffset + at, f.count);
      out.fill(0);
      if (f.code === "s") out.set(b.subarray(0, f.count));
      else {
        // Pascal string: all bytes that fit after the length byte, the length byte capped at 255.
        const n = Math.min(b.length, f.count - 1);
        out.set(b.subarray(0, n), 1);
        out[0] = Math.min(n, 255);
      }
      continue;
    }
    for (let k = 0; k < f.count; k++, vi++) {
      const v = checkValue(f.code, f.itemSize, values[vi] as StructValue, vi);
      writeItem(view, f.code, f.itemSize, at + k * f.itemSize, v, le);
    }
  }
  return layout.size;
}

function writeItem(view: DataView, code: string, size: number, at: number, v: StructValue, le: boolean): void {
  switch (code) {
    case "?":
      view.setUint8(at, v ? 1 : 0);
      return;
    case "c":
      view.setUint8(at, (v as Uint8Array)[0] as number);
      return;
    case "e":
      view.setUint16(at, toHalf(v as number), le);
      return;
    case "f":
      view.setFloat32(at, v as number, le);
      return;
    case "d":
      view.setFloat64(at, v as number, le);
      return;
  }
  const signed = SIGNED.has(code);
  if (size === 8) {
    if (signed) view.setBigInt64(at, v as bigint, le);
    else view.setBigUint64(at, v as bigint, le);
  } else if (size === 4) {
    if (signed) view.setInt32(at, v as number, le);
    else view.setUint32(at, v as number, le);
  } else if (size === 2) {
    if (signed) view.setInt16(at, v as number, le);
    else view.setUint16(at, v as number, le);
  } else view.setUint8(at, (v as number) & 0xff);
}

/** `struct.unpack(format, bytes)`; RangeError unless `bytes.length === layout.size`. */
export function unpack(layout: StructLayout, bytes: Uint8Array): StructValue[] {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("unpack expects a Uint8Array");
  if (bytes.length !== layout.size)
    throw new RangeError(`unpack requires a buffer of ${layout.size} bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = layout.littleEndian;
  const out: StructValue[] = [];
  for (const f of layout.fields) {
    switch (f.code) {
      case "x":
        continue;
      case "s":
        out.push(bytes.slice(f.offset, f.offset + f.count));
        continue;
      case "p": {
        if (f.count === 0) {
          out.push(new Uint8Array(0));
          continue;
        }
        const n = Math.min(bytes[f.offset] as number, f.count - 1);
        out.push(bytes.slice(f.offset + 1, f.offset + 1 + n));
        continue;
      }
    }
    for (let k = 0; k < f.count; k++)
      out.push(readItem(view, bytes, f.code, f.itemSize, f.offset + k * f.itemSize, le));
  }
  return out;
}

function readItem(view: DataView, bytes: Uint8Array, code: string, size: number, at: number, le: boolean): StructValue {
  switch (code) {
    case "?":
      return bytes[at] !== 0;
    case "c":
      return bytes.slice(at, at + 1);
    case "e":
      return fromHalf(view.getUint16(at, le));
    case "f":
      return view.getFloat32(at, le);
    case "d":
      return view.getFloat64(at, le);
  }
  const signed = SIGNED.has(code);
  if (size === 8) return signed ? view.getBigInt64(at, le) : view.getBigUint64(at, le);
  if (size === 4) return signed ? view.getInt32(at, le) : view.getUint32(at, le);
  if (size === 2) return signed ? view.getInt16(at, le) : view.getUint16(at, le);
  return signed ? view.getInt8(at) : (bytes[at] as number);
}

const f64 = new DataView(new ArrayBuffer(8));

/** Round half to even, for an x >= 0 whose integer part is small. */
function roundHalfEven(x: number): number {
  const fl = Math.floor(x);
  const diff = x - fl;
  return diff > 0.5 || (diff === 0.5 && fl % 2 === 1) ? fl + 1 : fl;
}

/**
 * IEEE 754 binary16 bits of a double, rounded to nearest even straight from the double (going
 * through float32 first would round twice). NaN becomes the quiet NaN 0x7e00 with its sign, as
 * CPython 3.11 packs it. The caller has rejected finite values that round past 65504.
 */
export function toHalf(x: number): number {
  f64.setFloat64(0, x);
  const sign = (f64.getUint8(0) & 0x80) << 8;
  if (Number.isNaN(x)) return sign | 0x7e00;
  const a = Math.abs(x);
  if (a === Number.POSITIVE_INFINITY) return sign | 0x7c00;
  // Subnormal range: a multiple of 2^-24; 2^24 * a is exact, and rounding up to 1024 lands on the
  // smallest normal's bit pattern.
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24);
  f64.setFloat64(0, a);
  const e = ((f64.getUint16(0) >> 4) & 0x7ff) - 1023;
  let mant = roundHalfEven((a / 2 ** e - 1) * 1024);
  let exp = e + 15;
  if (mant === 1024) {
    mant = 0;
    exp++;
  }
  if (exp >= 31) throw new RangeError("float too large to pack with e format");
  return sign | (exp << 10) | mant;
}

/** The double a binary16 bit pattern stands for. */
export function fromHalf(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
