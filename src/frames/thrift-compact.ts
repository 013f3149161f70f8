/**
 * A bounded reader of Thrift's compact protocol, for the Parquet guard (src/frames/parquet-guard.ts):
 * Parquet's footer and page headers are compact-protocol structs. Every read is checked against the
 * buffer, varints stop at 10 bytes, nesting stops at MAX_DEPTH and a list may not claim more
 * elements than bytes remain (each element takes at least one), so parsing ends in time linear in
 * the input whatever it holds. Values are kept generic (field id -> value); the guard picks the
 * fields it needs. Layout: https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md
 */

/** A decoded struct: field id -> value. */
export type TStruct = Map<number, TValue>;
/** i8/i16/i32 as numbers, i64 as bigint, binary as a view, lists as arrays. */
export type TValue = boolean | number | bigint | Uint8Array | TValue[] | TStruct;

/** Deeper than any Parquet struct (FileMetaData > RowGroup > ColumnChunk > ColumnMetaData > ...). */
const MAX_DEPTH = 16;

const STOP = 0;
const TRUE = 1;
const FALSE = 2;
const BYTE = 3;
const I16 = 4;
const I32 = 5;
const I64 = 6;
const DOUBLE = 7;
const BINARY = 8;
const LIST = 9;
const STRUCT = 12;

/** Thrown for anything that is not a well-formed compact struct; the guard maps it to FrameError. */
export class ThriftError extends Error {
  override readonly name = "ThriftError";
}

export class CompactReader {
  /** Position of the next byte to read, relative to the buffer given. */
  pos = 0;

  constructor(private readonly b: Uint8Array) {}

  private byte(): number {
    if (this.pos >= this.b.length) throw new ThriftError(`thrift: ran out of bytes at ${this.pos}`);
    return this.b[this.pos++] as number;
  }

  /** An unsigned LEB128 varint of at most 10 bytes, as a bigint. */
  private varBig(): bigint {
    let out = 0n;
    for (let i = 0; i < 10; i++) {
      const c = this.byte();
      out |= BigInt(c & 0x7f) << BigInt(7 * i);
      if ((c & 0x80) === 0) return out;
    }
    throw new ThriftError(`thrift: varint longer than 10 bytes at ${this.pos}`);
  }

  /** A varint that must fit 32 bits (lengths, sizes, i32 zigzag). */
  private var32(): number {
    const v = this.varBig();
    if (v > 0xffffffffn) throw new ThriftError(`thrift: 32-bit varint overflows at ${this.pos}`);
    return Number(v);
  }

  private zigzag32(): number {
    const v = this.var32();
    return (v >>> 1) ^ -(v & 1);
  }

  private zigzag64(): bigint {
    const v = this.varBig();
    return (v >> 1n) ^ -(v & 1n);
  }

  /** Reads one struct starting at `pos`. */
  struct(depth = 0): TStruct {
    if (depth > MAX_DEPTH) throw new ThriftError("thrift: structs nested too deeply");
    const out: TStruct = new Map();
    let fid = 0;
    for (;;) {
      const head = this.byte();
      const type = head & 0x0f;
      if (type === STOP) return out;
      const delta = head >> 4;
      fid = delta !== 0 ? fid + delta : this.zigzag32();
      out.set(fid, this.value(type, depth));
    }
  }

  private value(type: number, depth: number): TValue {
    switch (type) {
      case TRUE:
        return true;
      case FALSE:
        return false;
      case BYTE:
        return (this.byte() << 24) >> 24;
      case I16:
      case I32:
        return this.zigzag32();
      case I64:
        return this.zigzag64();
      case DOUBLE: {
        if (this.pos + 8 > this.b.length) throw new ThriftError("thrift: double past the end");
        const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, 8).getFloat64(0, true);
        this.pos += 8;
        return v;
      }
      case BINARY: {
        const n = this.var32();
        if (n > this.b.length - this.pos) throw new ThriftError(`thrift: binary of ${n} bytes past the end`);
        const v = this.b.subarray(this.pos, this.pos + n);
        this.pos += n;
        return v;
      }
      case LIST: {
        const head = this.byte();
        const elem = head & 0x0f;
        const n = head >> 4 === 15 ? this.var32() : head >> 4;
        // Every element takes at least one byte: a larger count is a lie, refused before allocating.
        if (n > this.b.length - this.pos) throw new ThriftError(`thrift: list of ${n} past the end`);
        const out: TValue[] = [];
        for (let i = 0; i < n; i++) {
          // Booleans inside lists are one byte each (1 = true), unlike boolean fields.
          out.push(elem === TRUE || elem === FALSE ? this.byte() === TRUE : this.value(elem, depth + 1));
        }
        return out;
      }
      case STRUCT:
        return this.struct(depth + 1);
      default:
        // SET, MAP and UUID are not used by Parquet's structs.
        throw new ThriftError(`thrift: unexpected type ${type}`);
    }
  }
}
