/**
 * Snappy block decompression (https://github.com/google/snappy/blob/main/format_description.txt)
 * with every length checked, for Parquet pages. hyparquet's own decoder trusts a literal's 4-byte
 * length: one with the top bit set turns negative and moves the input position backwards, so a
 * damaged page can loop forever. Here every element moves forward, writes stay inside the output
 * whose size the caller knows in advance, and anything else is an error.
 */

/** The unsigned little-endian integer of `n` (1..4) bytes at `at`; the caller checked they exist. */
function le(b: Uint8Array, at: number, n: number): number {
  let v = b[at] as number;
  if (n > 1) v |= (b[at + 1] as number) << 8;
  if (n > 2) v |= (b[at + 2] as number) << 16;
  if (n > 3) v |= (b[at + 3] as number) << 24;
  // Unsigned: a length or offset with the top bit set must not turn negative.
  return v >>> 0;
}

export class SnappyError extends Error {
  override readonly name = "SnappyError";
}

/**
 * Decompresses `input` into exactly `size` bytes (the page header's uncompressed size); the
 * stream's own preamble must agree. Throws SnappyError on anything malformed.
 */
export function snappyDecompress(input: Uint8Array, size: number): Uint8Array {
  let pos = 0;
  let declared = 0;
  for (let shift = 0; ; shift += 7) {
    if (shift > 28 || pos >= input.length) throw new SnappyError("snappy: bad length preamble");
    const c = input[pos++] as number;
    declared += (c & 0x7f) * 2 ** shift;
    if ((c & 0x80) === 0) break;
  }
  if (declared !== size) throw new SnappyError(`snappy: stream holds ${declared} bytes, the page says ${size}`);
  const out = new Uint8Array(size);
  let at = 0;
  while (pos < input.length) {
    const tag = input[pos++] as number;
    if ((tag & 3) === 0) {
      let len = (tag >>> 2) + 1;
      if (len > 60) {
        const extra = len - 60;
        if (pos + extra > input.length) throw new SnappyError("snappy: literal length past the end");
        len = le(input, pos, extra) + 1;
        pos += extra;
      }
      if (len > input.length - pos || len > size - at) throw new SnappyError("snappy: literal overruns");
      // Short literals dominate: a loop beats creating a subarray for each.
      if (len < 32) for (let i = 0; i < len; i++) out[at + i] = input[pos + i] as number;
      else out.set(input.subarray(pos, pos + len), at);
      pos += len;
      at += len;
      continue;
    }
    let len: number;
    let offset: number;
    if ((tag & 3) === 1) {
      if (pos + 1 > input.length) throw new SnappyError("snappy: copy past the end");
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | (input[pos] as number);
      pos += 1;
    } else {
      const n = (tag & 3) === 2 ? 2 : 4;
      if (pos + n > input.length) throw new SnappyError("snappy: copy past the end");
      len = (tag >>> 2) + 1;
      offset = le(input, pos, n);
      pos += n;
    }
    if (offset === 0 || offset > at) throw new SnappyError("snappy: copy from before the start");
    if (len > size - at) throw new SnappyError("snappy: copy overruns");
    // Byte by byte: a copy may overlap its own output (offset < len repeats a pattern).
    for (let i = 0; i < len; i++, at++) out[at] = out[at - offset] as number;
  }
  if (at !== size) throw new SnappyError(`snappy: decoded ${at} of ${size} bytes`);
  return out;
}
