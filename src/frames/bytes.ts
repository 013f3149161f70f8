/**
 * A growing byte writer and a bounds-checked reader for the chunk codec: LEB128 varints (unsigned,
 * and zigzag for signed), fixed little-endian numbers and raw runs. Every read past the end or
 * malformed varint throws FrameError("invalid"), so a decoder built on it cannot run off its input.
 */
import { FrameError } from "./model.ts";

function bad(message: string): FrameError {
  return new FrameError("invalid", `chunk: ${message}`);
}

/** Zigzag for a 32-bit signed integer: small magnitudes of either sign become small unsigned numbers. */
export function zigzag32(v: number): number {
  return ((v << 1) ^ (v >> 31)) >>> 0;
}

export function unzigzag32(u: number): number {
  return (u >>> 1) ^ -(u & 1);
}

const MASK64 = (1n << 64n) - 1n;

/** Zigzag for a 64-bit signed integer, as an unsigned 64-bit bigint. */
export function zigzag64(v: bigint): bigint {
  return ((v << 1n) ^ (v >> 63n)) & MASK64;
}

export function unzigzag64(u: bigint): bigint {
  return BigInt.asIntN(64, (u >> 1n) ^ -(u & 1n));
}

/** Bytes a LEB128 varint of `v` takes (v an unsigned integer below 2^53). */
export function uvarintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Bytes a LEB128 varint of the unsigned 64-bit `v` takes. */
export function bigUvarintSize(v: bigint): number {
  if (v < 0x100000000n) return uvarintSize(Number(v));
  let n = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    n++;
  }
  return n;
}

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(Math.max(16, capacity));
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.len;
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v & 255;
  }

  /** An unsigned integer below 2^53 as a LEB128 varint. */
  uvarint(v: number): void {
    this.ensure(8);
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.len++] = v;
  }

  /** An unsigned 64-bit bigint as a LEB128 varint (at most 10 bytes). */
  bigUvarint(v: bigint): void {
    if (v < 0x100000000n) {
      this.uvarint(Number(v));
      return;
    }
    this.ensure(10);
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.len, v, true);
    this.len += 8;
  }

  f32(v: number): void {
    this.ensure(4);
    this.view.setFloat32(this.len, v, true);
    this.len += 4;
  }

  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.len, v, true);
    this.len += 4;
  }

  i64(v: bigint): void {
    this.ensure(8);
    this.view.setBigInt64(this.len, v, true);
    this.len += 8;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** The bytes written so far (a view; the writer must not be used afterwards). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

export class ByteReader {
  private readonly view: DataView;
  private pos: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (n > this.buf.length - this.pos) throw bad(`truncated ${what} at byte ${this.pos}`);
  }

  u8(): number {
    this.need(1, "byte");
    return this.buf[this.pos++] as number;
  }

  /** A LEB128 varint no larger than `max` (default 2^32 - 1); longer or larger is invalid. */
  uvarint(max = 0xffffffff): number {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      this.need(1, "varint");
      const b = this.buf[this.pos++] as number;
      v += (b & 0x7f) * scale;
      if (v > max) throw bad(`varint ${v} above ${max} at byte ${this.pos - 1}`);
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) throw bad(`overlong varint at byte ${this.pos - 1}`);
        return v;
      }
      scale *= 128;
    }
    throw bad(`varint too long at byte ${this.pos}`);
  }

  /** A LEB128 varint of an unsigned 64-bit integer (at most 10 bytes, canonical). */
  bigUvarint(): bigint {
    let v = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      this.need(1, "varint");
      const b = this.buf[this.pos++] as number;
      if (i === 9 && b > 1) throw bad(`varint above 2^64 at byte ${this.pos - 1}`);
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) throw bad(`overlong varint at byte ${this.pos - 1}`);
        return v;
      }
      shift += 7n;
    }
    throw bad(`varint too long at byte ${this.pos}`);
  }

  /**
   * The same varint as `bigUvarint`, as a number when it takes at most 7 bytes (below 2^49, so
   * exact), else as a bigint: the int64 decoders' fast path, which avoids a bigint per value.
   */
  uvarintMixed(): number | bigint {
    const buf = this.buf;
    const start = this.pos;
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= buf.length) throw bad(`truncated varint at byte ${this.pos}`);
      const b = buf[this.pos++] as number;
      v += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) throw bad(`overlong varint at byte ${this.pos - 1}`);
        return v;
      }
      scale *= 128;
    }
    this.pos = start;
    return this.bigUvarint();
  }

  f64(): number {
    this.need(8, "float64");
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  f32(): number {
    this.need(4, "float32");
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i32(): number {
    this.need(4, "int32");
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i64(): bigint {
    this.need(8, "int64");
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** The next n bytes as a view (no copy). */
  take(n: number, what = "bytes"): Uint8Array {
    this.need(n, what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Throws unless every byte was read: trailing bytes mean the lengths did not add up. */
  end(): void {
    if (this.pos !== this.buf.length) throw bad(`${this.buf.length - this.pos} trailing bytes`);
  }
}
