/**
 * A chunk's values as bytes: the raw little-endian array HoLcStore keeps (numpy `tobytes()` of the
 * series dtype), and the LZ4 frame of it that storage and the sync wire carry. In memory every
 * dtype is a Float64Array with NaN = missing; int64 marks missing with its smallest value, as it
 * has no NaN.
 */
import { SeriesError } from "./errors.ts";
import { LZ4_MAX_BYTES, lz4FrameDecode, lz4FrameEncode } from "./lz4.ts";
import type { Dtype } from "./model.ts";

const SIZE: Readonly<Record<Dtype, number>> = { float64: 8, float32: 4, int64: 8 };

/** int64 words of the missing marker -2^63: low 0, high 0x80000000. */
const INT64_MISSING_HIGH = -0x80000000;
const TWO_32 = 0x100000000;
const MAX_SAFE = 2 ** 53;
/** The high word of 2^53. */
const SAFE_HIGH = 0x200000;

/** Typed arrays use the platform's byte order; every engine we run on is little-endian, but check. */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Bytes per value of `dtype`. */
export function dtypeSize(dtype: Dtype): number {
  return SIZE[dtype];
}

function invalid(message: string): SeriesError {
  return new SeriesError("invalid", message);
}

/**
 * The raw little-endian bytes of `values` in `dtype`. Throws `invalid` for a value the dtype cannot
 * hold: for float32 a finite value beyond its range; for int64 a non-integer or one beyond ±2^53
 * (the integers a float64 holds exactly), or an infinity.
 *
 * @example encodeValues(Float64Array.of(1, NaN), "int64") // 01 00.. 00 | 00 .. 00 80
 */
export function encodeValues(values: Float64Array, dtype: Dtype): Uint8Array {
  const n = values.length;
  if (dtype === "float64") {
    if (LITTLE_ENDIAN) return new Uint8Array(values.slice().buffer);
    const out = new Uint8Array(n * 8);
    const dv = new DataView(out.buffer);
    for (let i = 0; i < n; i++) dv.setFloat64(i * 8, values[i] as number, true);
    return out;
  }
  const out = new Uint8Array(n * SIZE[dtype]);
  const dv = new DataView(out.buffer);
  if (dtype === "float32") {
    for (let i = 0; i < n; i++) {
      const v = values[i] as number;
      if (Number.isFinite(v) && !Number.isFinite(Math.fround(v))) {
        throw invalid(`value ${v} at position ${i} is beyond the float32 range`);
      }
      dv.setFloat32(i * 4, v, true);
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) {
      dv.setInt32(i * 8 + 4, INT64_MISSING_HIGH, true);
      continue;
    }
    if (!Number.isInteger(v)) throw invalid(`value ${v} at position ${i} is not an integer (dtype int64)`);
    if (Math.abs(v) > MAX_SAFE) throw invalid(`value ${v} at position ${i} is beyond ±2^53 (dtype int64)`);
    const high = Math.floor(v / TWO_32);
    dv.setUint32(i * 8, v - high * TWO_32, true);
    dv.setInt32(i * 8 + 4, high, true);
  }
  return out;
}

/**
 * Values back from raw little-endian `bytes` of `dtype` (a copy: `bytes` may be reused). Throws
 * `bad_frame` when the length is not a whole number of values, and `invalid` for an int64 beyond
 * ±2^53, which a float64 cannot hold exactly.
 */
export function decodeValues(bytes: Uint8Array, dtype: Dtype): Float64Array {
  return decode(bytes, dtype, false);
}

/** `owned`: `bytes` is a fresh buffer of exactly its length, which a float64 result may keep. */
function decode(bytes: Uint8Array, dtype: Dtype, owned: boolean): Float64Array {
  const size = SIZE[dtype];
  if (bytes.length % size !== 0) {
    throw new SeriesError("bad_frame", `${bytes.length} bytes is not a whole number of ${dtype} values`);
  }
  const n = bytes.length / size;
  if (dtype === "float64" && LITTLE_ENDIAN) {
    if (owned && bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length) {
      return new Float64Array(bytes.buffer, 0, n);
    }
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    return new Float64Array(copy.buffer);
  }
  const out = new Float64Array(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (dtype === "float64") {
    for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8, true);
  } else if (dtype === "float32") {
    for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true);
  } else {
    for (let i = 0; i < n; i++) {
      const low = dv.getUint32(i * 8, true);
      const high = dv.getInt32(i * 8 + 4, true);
      if (high === INT64_MISSING_HIGH && low === 0) {
        out[i] = Number.NaN;
        continue;
      }
      // Checked on the words: past 2^53 the float64 sum would round.
      if (high > SAFE_HIGH || (high === SAFE_HIGH && low !== 0) || high < -SAFE_HIGH) {
        throw invalid(`int64 value at position ${i} is beyond ±2^53`);
      }
      out[i] = high * TWO_32 + low;
    }
  }
  return out;
}

/** The LZ4 frame of `values` in `dtype`, as HoLcStore stores a chunk; no values give the tombstone frame. */
export function packValues(values: Float64Array, dtype: Dtype): Uint8Array {
  return lz4FrameEncode(encodeValues(values, dtype));
}

/**
 * Values from a chunk's LZ4 frame. With `expectedCount`, a frame holding any other number of
 * values is `bad_frame`, refused before its output is allocated when it declares its size.
 */
export function unpackValues(blob: Uint8Array, dtype: Dtype, expectedCount?: number): Float64Array {
  const size = SIZE[dtype];
  if (expectedCount === undefined) return decode(lz4FrameDecode(blob), dtype, true);
  const want = expectedCount * size;
  if (!Number.isSafeInteger(want) || want < 0) throw invalid(`bad expected count ${expectedCount}`);
  let bytes: Uint8Array;
  try {
    bytes = lz4FrameDecode(blob, { maxBytes: Math.min(want, LZ4_MAX_BYTES) });
  } catch (e) {
    if (e instanceof SeriesError && e.code === "too_large" && want <= LZ4_MAX_BYTES) {
      throw new SeriesError("bad_frame", `chunk holds more than the expected ${expectedCount} ${dtype} values`);
    }
    throw e;
  }
  if (bytes.length !== want) {
    throw new SeriesError("bad_frame", `chunk holds ${bytes.length} bytes, expected ${expectedCount} ${dtype} values`);
  }
  return decode(bytes, dtype, true);
}
