/** Hand-built frames for the tests, written field by field so they do not share the encoders' code. */
import type { Key } from "../../src/tstorage/key.ts";

export class Frame {
  private readonly parts: number[] = [];

  i32(v: number): this {
    const b = new DataView(new ArrayBuffer(4));
    b.setInt32(0, v, true);
    this.parts.push(...new Uint8Array(b.buffer));
    return this;
  }

  i64(v: bigint): this {
    const b = new DataView(new ArrayBuffer(8));
    b.setBigInt64(0, v, true);
    this.parts.push(...new Uint8Array(b.buffer));
    return this;
  }

  u64(v: bigint): this {
    const b = new DataView(new ArrayBuffer(8));
    b.setBigUint64(0, v, true);
    this.parts.push(...new Uint8Array(b.buffer));
    return this;
  }

  raw(bytes: ArrayLike<number>): this {
    this.parts.push(...Array.from(bytes));
    return this;
  }

  header(statusOrCommand: number, size: number): this {
    return this.i32(statusOrCommand).u64(BigInt(size));
  }

  key(k: Key): this {
    return this.i32(k.cid).i64(k.mid).i32(k.moid).i64(k.cap).i64(k.acq);
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export const key = (cid: number, mid: number, moid: number, cap: number, acq: number): Key => ({
  cid,
  mid: BigInt(mid),
  moid,
  cap: BigInt(cap),
  acq: BigInt(acq),
});
