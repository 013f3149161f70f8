/**
 * The LZ4 block format (lz4 Block Format Description): a sequence of (literals, match) pairs.
 *
 * The compressor follows liblz4's fast path (LZ4_compress_generic with a 16-bit hash table, as
 * LZ4F uses for blocks of at most 64 KB, acceleration 1, output limited to the input size minus
 * one) step for step, so for a 64 KB-block frame it writes the same bytes python-lz4 does: the
 * frames we send a HoLcStore client are the frames HoLcStore itself would send.
 */

const MINMATCH = 4;
const LASTLITERALS = 5;
const MFLIMIT = 12;
/** Blocks shorter than this are all literals (LZ4_minLength). */
const MIN_LENGTH = MFLIMIT + 1;
const SKIP_TRIGGER = 6;
/** 13-bit hash of 4 bytes: liblz4's byU16 table (LZ4_MEMORY_USAGE 14). */
const HASH_SHIFT = 32 - 13;
const PRIME = 0x9e3779b1 | 0;

/** The largest block the compressor takes: offsets are 16-bit and so are its table entries. */
export const MAX_COMPRESS_BLOCK = 65536;

/** A table reused across calls: compression is synchronous, so no two calls share it at once. */
const table = new Uint16Array(1 << 13);

function hash(sv: DataView, i: number): number {
  return Math.imul(sv.getInt32(i, true), PRIME) >>> HASH_SHIFT;
}

function copy(src: Uint8Array, from: number, dst: Uint8Array, to: number, n: number): void {
  if (n < 32) {
    for (let k = 0; k < n; k++) dst[to + k] = src[from + k] as number;
  } else {
    dst.set(src.subarray(from, from + n), to);
  }
}

/** Writes a length's 255-continuation bytes (the part above the 4-bit nibble); returns the new `op`. */
function writeLength(dst: Uint8Array, op: number, rest: number): number {
  for (; rest >= 255; rest -= 255) dst[op++] = 255;
  dst[op++] = rest;
  return op;
}

/**
 * Compresses `src[start, start + len)` (len <= 64 KB) into `dst` from `dStart`, writing at most
 * `dCap` bytes; `sv` is a DataView over all of `src`. Returns the compressed size, or 0 when it
 * would not fit in `dCap` (the caller then stores the block uncompressed, as LZ4F does).
 */
export function compressBlock(
  src: Uint8Array,
  sv: DataView,
  start: number,
  len: number,
  dst: Uint8Array,
  dStart: number,
  dCap: number,
): number {
  const iend = start + len;
  const olimit = dStart + dCap;
  let op = dStart;
  let anchor = start;
  if (len >= MIN_LENGTH) {
    table.fill(0);
    const mflimitPlusOne = iend - MFLIMIT + 1;
    const matchlimit = iend - LASTLITERALS;
    let ip = start + 1;
    let forwardH = hash(sv, ip);
    main: for (;;) {
      // Find a match, skipping faster the longer nothing is found (LZ4_skipTrigger).
      let match = 0;
      let forwardIp = ip;
      let step = 1;
      let searchMatchNb = 1 << SKIP_TRIGGER;
      for (;;) {
        const h = forwardH;
        const current = forwardIp - start;
        ip = forwardIp;
        forwardIp += step;
        step = searchMatchNb++ >> SKIP_TRIGGER;
        if (forwardIp > mflimitPlusOne) break main;
        match = start + (table[h] as number);
        forwardH = hash(sv, forwardIp);
        table[h] = current;
        if (sv.getInt32(match, true) === sv.getInt32(ip, true)) break;
      }
      while (ip > anchor && match > start && src[ip - 1] === src[match - 1]) {
        ip--;
        match--;
      }
      const litLength = ip - anchor;
      let token = op++;
      if (op + litLength + (2 + 1 + LASTLITERALS) + ((litLength / 255) | 0) > olimit) return 0;
      if (litLength >= 15) {
        dst[token] = 15 << 4;
        op = writeLength(dst, op, litLength - 15);
      } else {
        dst[token] = litLength << 4;
      }
      copy(src, anchor, dst, op, litLength);
      op += litLength;
      for (;;) {
        const offset = ip - match;
        dst[op++] = offset & 255;
        dst[op++] = offset >>> 8;
        let a = ip + MINMATCH;
        let b = match + MINMATCH;
        while (a < matchlimit - 3 && sv.getInt32(a, true) === sv.getInt32(b, true)) {
          a += 4;
          b += 4;
        }
        while (a < matchlimit && src[a] === src[b]) {
          a++;
          b++;
        }
        const matchCode = a - ip - MINMATCH;
        ip = a;
        if (op + (1 + LASTLITERALS) + (((matchCode + 240) / 255) | 0) > olimit) return 0;
        if (matchCode >= 15) {
          dst[token] = (dst[token] as number) + 15;
          op = writeLength(dst, op, matchCode - 15);
        } else {
          dst[token] = (dst[token] as number) + matchCode;
        }
        anchor = ip;
        if (ip >= mflimitPlusOne) break main;
        table[hash(sv, ip - 2)] = ip - 2 - start;
        // An immediate next match needs no literals (liblz4's "Test next position").
        const h = hash(sv, ip);
        match = start + (table[h] as number);
        table[h] = ip - start;
        if (sv.getInt32(match, true) !== sv.getInt32(ip, true)) break;
        token = op++;
        dst[token] = 0;
      }
      ip++;
      forwardH = hash(sv, ip);
    }
  }
  const lastRun = iend - anchor;
  if (op + lastRun + 1 + (((lastRun + 255 - 15) / 255) | 0) > olimit) return 0;
  if (lastRun >= 15) {
    dst[op++] = 15 << 4;
    op = writeLength(dst, op, lastRun - 15);
  } else {
    dst[op++] = lastRun << 4;
  }
  copy(src, anchor, dst, op, lastRun);
  op += lastRun;
  return op - dStart;
}

/** Why a block could not be decoded: `decodeBlock` returns these (negative) instead of throwing. */
export const BLOCK_TRUNCATED = -1;
export const BLOCK_BAD_OFFSET = -2;
/** The block would write past `dEnd`. */
export const BLOCK_OUTPUT_FULL = -3;

/**
 * Decodes the block `src[s, sEnd)` into `dst` from `d`, never writing at or past `dEnd`; a match
 * may reach back to `windowStart` (the block's start for independent blocks, the frame's start
 * for linked ones). Returns the end of the output, or a negative BLOCK_* code. `sv` and `dv` are
 * DataViews over all of `src` and `dst`.
 *
 * Bytes in [end, dEnd) may be overwritten with junk: short copies move whole 4-byte words, as
 * liblz4's wild copies do, since a sequence of float64 data is typically one literal and a 7-byte
 * match and a byte loop costs twice as much there.
 */
export function decodeBlock(
  src: Uint8Array,
  s: number,
  sEnd: number,
  dst: Uint8Array,
  d: number,
  dEnd: number,
  windowStart: number,
  sv: DataView,
  dv: DataView,
): number {
  for (;;) {
    if (s >= sEnd) return BLOCK_TRUNCATED;
    const token = src[s++] as number;
    let lit = token >>> 4;
    // Short literals and a short match, with room on both sides for whole-word copies.
    if (lit !== 15 && (token & 15) !== 15 && sEnd - s >= 18 && dEnd - d >= 40) {
      dv.setInt32(d, sv.getInt32(s, true), true);
      if (lit > 4) dv.setInt32(d + 4, sv.getInt32(s + 4, true), true);
      if (lit > 8) {
        dv.setInt32(d + 8, sv.getInt32(s + 8, true), true);
        dv.setInt32(d + 12, sv.getInt32(s + 12, true), true);
      }
      s += lit;
      d += lit;
      const offset = sv.getUint16(s, true);
      s += 2;
      if (offset - 1 >= d - windowStart) return BLOCK_BAD_OFFSET;
      const len = (token & 15) + MINMATCH;
      let m = d - offset;
      if (offset >= 8) {
        dv.setInt32(d, dv.getInt32(m, true), true);
        dv.setInt32(d + 4, dv.getInt32(m + 4, true), true);
        if (len > 8) {
          dv.setInt32(d + 8, dv.getInt32(m + 8, true), true);
          dv.setInt32(d + 12, dv.getInt32(m + 12, true), true);
          if (len > 16) dv.setInt32(d + 16, dv.getInt32(m + 16, true), true);
        }
        d += len;
      } else {
        // Overlapping: each byte repeats the one `offset` back, so copy byte by byte.
        const e = d + len;
        while (d < e) dst[d++] = dst[m++] as number;
      }
      continue;
    }
    if (lit === 15) {
      let b = 255;
      while (b === 255) {
        if (s >= sEnd) return BLOCK_TRUNCATED;
        b = src[s++] as number;
        lit += b;
      }
    }
    if (lit > 0) {
      if (lit > sEnd - s) return BLOCK_TRUNCATED;
      if (lit > dEnd - d) return BLOCK_OUTPUT_FULL;
      copy(src, s, dst, d, lit);
      s += lit;
      d += lit;
    }
    // The last sequence of a block is literals only.
    if (s === sEnd) return d;
    if (sEnd - s < 2) return BLOCK_TRUNCATED;
    const offset = (src[s] as number) | ((src[s + 1] as number) << 8);
    s += 2;
    if (offset === 0 || offset > d - windowStart) return BLOCK_BAD_OFFSET;
    let len = (token & 15) + MINMATCH;
    if (len === 15 + MINMATCH) {
      let b = 255;
      while (b === 255) {
        if (s >= sEnd) return BLOCK_TRUNCATED;
        b = src[s++] as number;
        len += b;
      }
    }
    if (len > dEnd - d) return BLOCK_OUTPUT_FULL;
    let m = d - offset;
    if (offset >= len && len >= 32) {
      dst.copyWithin(d, m, m + len);
      d += len;
    } else {
      const e = d + len;
      while (d < e) dst[d++] = dst[m++] as number;
    }
  }
}
