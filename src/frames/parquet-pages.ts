/**
 * Checks what one Parquet page holds, after decompression and before hyparquet decodes it, so the
 * decode runs in time bounded by the page and its declared value count. hyparquet's loops take
 * their bounds from the data: an RLE run repeats its value as many times as its header says (two
 * billion, written past the output), a bit-packed run of bit width 0 counts down without reading,
 * a delta block of zero miniblocks never advances, a DELTA_BYTE_ARRAY prefix allocates whatever
 * length it names. So every run, block and length is walked here exactly as hyparquet will
 * consume it (src/encoding.js, src/delta.js, src/datapage.js of hyparquet 1.31.5) and checked
 * against the count the page declares and the bytes it has. Formats: parquet-format's
 * Encodings.md.
 */
import { deltaBinaryUnpack } from "hyparquet/src/delta.js";
import { FrameError } from "./model.ts";
import type { Leaf, PageRef } from "./parquet-guard.ts";

/** Widest bit-packed value the encodings allow: dictionary indices and levels are 32-bit. */
const MAX_INDEX_WIDTH = 32;
/** Largest DELTA_BINARY_PACKED block (writers use 128). */
const MAX_DELTA_BLOCK = 1 << 20;

function bad(msg: string): FrameError {
  return new FrameError("invalid", `not a readable parquet file: page ${msg}`);
}

function u32(b: Uint8Array, at: number, end: number): number {
  if (at + 4 > end) throw bad("length prefix past its end");
  return (
    ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16)) + (b[at + 3] as number) * 2 ** 24
  );
}

/** An unsigned LEB128 varint of at most `max` bytes: [value, next position]. */
function uvarint(b: Uint8Array, at: number, end: number, max: number): [number, number] {
  let v = 0;
  for (let i = 0; i < max; i++) {
    if (at + i >= end) throw bad("varint past its end");
    const c = b[at + i] as number;
    v += (c & 0x7f) * 2 ** (7 * i);
    if ((c & 0x80) === 0) return [v, at + i + 1];
  }
  throw bad(`varint longer than ${max} bytes`);
}

/** Set bits among the `n` bit-packed 1-bit values at byte `at` (LSB first). */
function onesIn(b: Uint8Array, at: number, n: number): number {
  let ones = 0;
  for (let i = 0; i < n; i++) ones += ((b[at + (i >> 3)] as number) >> (i & 7)) & 1;
  return ones;
}

/**
 * Walks the RLE / bit-packed hybrid runs in b[from, to) that hyparquet reads to fill `count`
 * values of `width` bits, refusing a run longer than the values left (bit-packed runs may pad to
 * their group of 8), a value wider than `width`, or a run past `to`. Returns how many values are
 * 1 when `countOnes` (definition levels of width 1: the non-null count).
 */
function hybrid(b: Uint8Array, from: number, to: number, width: number, count: number, countOnes: boolean): number {
  const valueBytes = (width + 7) >> 3;
  let pos = from;
  let seen = 0;
  let ones = 0;
  while (seen < count) {
    const [header, next] = uvarint(b, pos, to, 5);
    pos = next;
    const left = count - seen;
    if (header % 2 === 0) {
      const n = header / 2;
      if (n > left) throw bad(`RLE run of ${n} with ${left} values left`);
      if (valueBytes > to - pos) throw bad("RLE value past its end");
      let v = 0;
      for (let i = 0; i < valueBytes; i++) v += (b[pos + i] as number) * 2 ** (8 * i);
      if (v >= 2 ** width) throw bad(`RLE value ${v} wider than ${width} bits`);
      pos += valueBytes;
      if (countOnes && v === 1) ones += n;
      seen += n;
    } else {
      const groups = (header - 1) / 2;
      if (groups === 0) throw bad("empty bit-packed run");
      if (groups * 8 - 8 >= left) throw bad(`bit-packed run of ${groups * 8} with ${left} values left`);
      // Width 0 (a one-entry dictionary's indexes, as hyparquet-writer writes them): the values are
      // all 0 and hyparquet reads one byte it does not use, when there is one.
      const bytes = width === 0 ? Math.min(1, to - pos) : groups * width;
      if (bytes > to - pos) throw bad("bit-packed run past its end");
      const n = Math.min(groups * 8, left);
      if (countOnes) ones += onesIn(b, pos, n);
      pos += bytes;
      seen += n;
    }
  }
  return ones;
}

/**
 * Walks one DELTA_BINARY_PACKED stream at b[from, end) of `count` values with miniblock bit
 * widths up to `maxWidth`, as hyparquet's deltaBinaryUnpack advances through it (it consumes the
 * miniblocks it enters, padded, and stops at the last value). Returns where the stream ends.
 */
function delta(b: Uint8Array, from: number, end: number, count: number, maxWidth: number): number {
  const [block, p1] = uvarint(b, from, end, 10);
  const [miniblocks, p2] = uvarint(b, p1, end, 10);
  const [total, p3] = uvarint(b, p2, end, 10);
  let [, pos] = uvarint(b, p3, end, 10); // the first value
  if (!(block > 0 && block % 128 === 0 && block <= MAX_DELTA_BLOCK)) throw bad(`delta block size ${block}`);
  if (!(miniblocks > 0 && block % miniblocks === 0 && (block / miniblocks) % 32 === 0)) {
    throw bad(`delta block of ${block} in ${miniblocks} miniblocks`);
  }
  if (total !== count) throw bad(`delta stream of ${total} values where ${count} are due`);
  const per = block / miniblocks;
  let seen = count > 0 ? 1 : 0;
  while (seen < count) {
    [, pos] = uvarint(b, pos, end, 10); // the block's min delta
    if (miniblocks > end - pos) throw bad("delta bit widths past the end");
    const widths = pos;
    pos += miniblocks;
    for (let i = 0; i < miniblocks && seen < count; i++) {
      const w = b[widths + i] as number;
      if (w > maxWidth) throw bad(`delta bit width ${w}`);
      const bytes = (per * w) / 8;
      if (bytes > end - pos) throw bad("delta miniblock past the end");
      pos += bytes;
      seen = Math.min(count, seen + per);
    }
  }
  return pos;
}

/** Checks `n` PLAIN values of the leaf's type fit b[at, end). */
function plain(b: Uint8Array, at: number, end: number, leaf: Leaf, n: number): void {
  const room = end - at;
  const fixed: Record<string, number> = { INT32: 4, FLOAT: 4, INT64: 8, DOUBLE: 8, INT96: 12 };
  if (leaf.type === "BOOLEAN") {
    if (Math.ceil(n / 8) > room) throw bad("booleans past the end");
  } else if (leaf.type === "BYTE_ARRAY") {
    let pos = at;
    for (let i = 0; i < n; i++) pos += 4 + u32(b, pos, end);
    if (pos > end) throw bad("byte array past the end");
  } else {
    const w = leaf.type === "FIXED_LEN_BYTE_ARRAY" ? leaf.typeLength : (fixed[leaf.type] as number);
    if (n * w > room) throw bad(`${n} ${leaf.type} values past the end`);
  }
}

/** DELTA_BYTE_ARRAY: both length streams decoded, so no prefix can name bytes that do not exist. */
function deltaByteArray(b: Uint8Array, at: number, end: number, n: number): number {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const decode = (from: number): [Int32Array, number] => {
    const to = delta(b, from, end, n, 32);
    const out = new Int32Array(n);
    const reader = { view, offset: from };
    deltaBinaryUnpack(reader, n, out);
    if (reader.offset !== to) throw bad("delta stream ends where the walk did not");
    return [out, to];
  };
  const [prefix, p] = decode(at);
  const [suffix, q] = decode(p);
  let previous = 0;
  let suffixBytes = 0;
  let built = 0;
  for (let i = 0; i < n; i++) {
    const pre = prefix[i] as number;
    const suf = suffix[i] as number;
    if (pre < 0 || suf < 0 || pre > previous) throw bad(`prefix ${pre} of a ${previous}-byte value`);
    suffixBytes += suf;
    if (pre > 0) built += pre + suf;
    previous = pre + suf;
  }
  if (suffixBytes > end - q) throw bad("suffixes past the end");
  return built;
}

/**
 * Checks a page's decompressed body (`body`, its levels included) against its header, the leaf it
 * belongs to and the chunk's dictionary size (undefined before a dictionary page). Returns the
 * bytes decoding will allocate beyond the page itself (rebuilt DELTA_BYTE_ARRAY values), for the
 * caller's memory budget.
 */
export function checkPage(page: PageRef, body: Uint8Array, leaf: Leaf, dictionary: number | undefined): number {
  const end = body.length;
  if (end !== page.uncompressed) throw bad(`body of ${end} bytes, header says ${page.uncompressed}`);
  if (page.kind === "dictionary") {
    plain(body, 0, end, leaf, page.values);
    return 0;
  }
  let pos = 0;
  let present = page.values - page.nulls;
  if (leaf.optional && page.kind === "v1") {
    const len = u32(body, 0, end);
    if (len > end - 4) throw bad("definition levels past the end");
    present = hybrid(body, 4, 4 + len, 1, page.values, true);
    pos = 4 + len;
  } else if (leaf.optional) {
    const ones = hybrid(body, 0, page.defBytes, 1, page.values, true);
    if (ones !== present) throw bad(`levels say ${page.values - ones} nulls, header ${page.nulls}`);
    pos = page.defBytes;
  }
  return values(page, body, pos, leaf, present, dictionary);
}

function values(page: PageRef, b: Uint8Array, pos: number, leaf: Leaf, n: number, dict: number | undefined): number {
  const end = b.length;
  switch (page.encoding) {
    case "PLAIN":
      plain(b, pos, end, leaf, n);
      return 0;
    case "PLAIN_DICTIONARY":
    case "RLE_DICTIONARY": {
      if (dict === undefined || (dict === 0 && n > 0)) throw bad("dictionary indices without a dictionary");
      if (pos >= end) throw bad("no index bit width");
      const width = b[pos] as number;
      if (width > MAX_INDEX_WIDTH) throw bad(`index bit width ${width}`);
      // hyparquet reads a v1 page of width 0 as all zeros, without runs.
      if (width > 0 || page.kind === "v2") hybrid(b, pos + 1, end, width, n, false);
      return 0;
    }
    case "RLE": {
      // Booleans (the guard allows RLE values for nothing else): a 4-byte length, then width-1 runs.
      const len = u32(b, pos, end);
      if (len > end - pos - 4) throw bad("RLE values past the end");
      hybrid(b, pos + 4, pos + 4 + len, 1, n, false);
      return 0;
    }
    case "BYTE_STREAM_SPLIT": {
      const w =
        leaf.type === "FIXED_LEN_BYTE_ARRAY" ? leaf.typeLength : leaf.type === "INT32" || leaf.type === "FLOAT" ? 4 : 8;
      if (n * w > end - pos) throw bad("split values past the end");
      return 0;
    }
    case "DELTA_BINARY_PACKED":
      delta(b, pos, end, n, leaf.type === "INT32" ? 32 : 64);
      return 0;
    case "DELTA_LENGTH_BYTE_ARRAY":
      delta(b, pos, end, n, 32);
      return 0;
    case "DELTA_BYTE_ARRAY":
      return deltaByteArray(b, pos, end, n);
    default:
      throw bad(`encoding ${page.encoding} is not supported`);
  }
}
