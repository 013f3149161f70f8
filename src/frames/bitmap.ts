/**
 * Bit packing for bool values and validity: one byte per row (0 or 1, the model's form) to one bit
 * per row, least significant bit first (Arrow's validity layout), and back.
 */
import { FrameError } from "./model.ts";

export function packedSize(rows: number): number {
  return Math.ceil(rows / 8);
}

/** Packs bytes that are 0 or 1; anything else is FrameError("invalid"). */
export function packBits(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(packedSize(bytes.length));
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 1) out[i >>> 3] = (out[i >>> 3] as number) | (1 << (i & 7));
    else if (b !== 0) throw new FrameError("invalid", `bit ${i} is ${b}, not 0 or 1`);
  }
  return out;
}

/**
 * Unpacks `rows` bits. The packed input must be exactly packedSize(rows) bytes with the unused high
 * bits of the last byte zero, so one set of rows has one encoding.
 */
export function unpackBits(packed: Uint8Array, rows: number): Uint8Array {
  if (packed.length !== packedSize(rows)) {
    throw new FrameError("invalid", `chunk: ${packed.length} bitmap bytes for ${rows} rows`);
  }
  const tail = rows & 7;
  if (tail !== 0 && (packed[packed.length - 1] as number) >>> tail !== 0) {
    throw new FrameError("invalid", "chunk: bitmap has bits set past its last row");
  }
  const out = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) out[i] = ((packed[i >>> 3] as number) >>> (i & 7)) & 1;
  return out;
}

/** Set bits in a packed bitmap. */
export function countBits(packed: Uint8Array): number {
  let n = 0;
  for (let b of packed) {
    while (b !== 0) {
      b &= b - 1;
      n++;
    }
  }
  return n;
}
