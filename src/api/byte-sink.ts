/**
 * The text writers' output (series bodies, TStorage get lines): ASCII and numbers written straight
 * into fixed-size byte chunks, which the caller takes as they fill and streams on. No per-value
 * strings, no whole-body buffer. Writers of a value that may be long (`ascii`, `text`, `bytes`)
 * make room for it; the rest rely on the slack, so a writer takes a chunk once `full` and calls
 * `reserve` before an item of unknown count.
 */
import type { ZoneClock } from "../series/instants.ts";

/** A chunk is handed on once it holds this much; each point needs far less than the slack. */
const CHUNK = 64 * 1024;
const SLACK = 1024;
const encoder = new TextEncoder();

export class ByteSink {
  private buf: Uint8Array;
  private pos = 0;

  /** `chunkBytes`: how much a chunk holds before it is handed on (fewer, larger writes downstream). */
  constructor(private readonly chunkBytes = CHUNK) {
    this.buf = new Uint8Array(chunkBytes + SLACK);
  }

  /** True when a chunk is ready for `take`. */
  get full(): boolean {
    return this.pos >= this.chunkBytes;
  }

  /** The bytes written since the last take (undefined when none), and a fresh chunk for what follows. */
  take(): Uint8Array | undefined {
    if (this.pos === 0) return undefined;
    const out = this.buf.subarray(0, this.pos);
    this.buf = new Uint8Array(this.chunkBytes + SLACK);
    this.pos = 0;
    return out;
  }

  /** Room for `n` more bytes (long strings, or a record of many values). */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }

  /** Text known to be ASCII (numbers, JSON punctuation, formatted times). */
  ascii(s: string): void {
    this.reserve(s.length);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Any text, as UTF-8. */
  text(s: string): void {
    this.reserve(s.length * 3);
    this.pos += encoder.encodeInto(s, this.buf.subarray(this.pos)).written;
  }

  byte(c: number): void {
    this.buf[this.pos++] = c;
  }

  /** Bytes as they are (pre-encoded punctuation). */
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < b.length; i++) buf[p++] = b[i] as number;
    this.pos = p;
  }

  /** A safe integer in decimal, without making a string. */
  int(n: number): void {
    let a = n;
    if (a < 0) {
      this.buf[this.pos++] = 45;
      a = -a;
    }
    if (a < 1e9) {
      this.pos = writeUint(this.buf, this.pos, a);
      return;
    }
    // Up to 2^53: a head of up to seven digits, then nine.
    const head = Math.floor(a / 1e9);
    this.pos = writeNine(this.buf, writeUint(this.buf, this.pos, head), a - head * 1e9);
  }

  /** An int64 in decimal. */
  bigint(n: bigint): void {
    this.ascii(n.toString());
  }

  /**
   * The little-endian int64 at `at` of `view` in decimal, without a BigInt: the high word and two
   * 16-bit limbs of the low word divided by 1e9 in turn (every step stays below 2^53), giving the
   * low nine digits and a quotient below 2^35, itself split at 1e9.
   */
  int64(view: DataView, at: number): void {
    const lo = view.getUint32(at, true);
    const hi = view.getInt32(at + 4, true);
    if (hi >= -0x20_0000 && hi < 0x20_0000) {
      // |v| < 2^53: exact as a number.
      this.int(hi * 4294967296 + lo);
      return;
    }
    let h = hi >>> 0;
    let l = lo;
    if (hi < 0) {
      // Two's complement: the magnitude is ~v + 1.
      this.buf[this.pos++] = 45;
      l = (~lo >>> 0) + 1;
      h = ((~hi >>> 0) + (l > 0xffff_ffff ? 1 : 0)) >>> 0;
      l >>>= 0;
    }
    const d1 = Math.floor(h / 1e9);
    let r = h - d1 * 1e9;
    let cur = r * 65536 + (l >>> 16);
    const d2 = Math.floor(cur / 1e9);
    r = cur - d2 * 1e9;
    cur = r * 65536 + (l & 0xffff);
    const d3 = Math.floor(cur / 1e9);
    r = cur - d3 * 1e9;
    const q = (d1 * 65536 + d2) * 65536 + d3;
    // |v| >= 2^53 here, so q >= 9007199; below 2^35.
    const top = Math.floor(q / 1e9);
    let p = this.pos;
    if (top > 0) p = writeNine(this.buf, writeUint(this.buf, p, top), q - top * 1e9);
    else p = writeUint(this.buf, p, q);
    this.pos = writeNine(this.buf, p, r);
  }

  /** `clock.format(ms)`, as bytes. */
  time(clock: ZoneClock, ms: number): void {
    this.pos = clock.formatInto(ms, this.buf, this.pos);
  }

  /**
   * A finite number exactly as `String(v)` writes it. Values with at most three decimals below a
   * billion (most meter readings) are written from integers, about ten times faster: for such v
   * the digits of round(v * 1000) / 1000 are the shortest text that reads back as v, which is what
   * String(v) produces (ECMA-262 Number::toString).
   */
  number(v: number): void {
    if (v > -1e9 && v < 1e9) {
      const m = Math.round(v * 1000);
      if (m / 1000 === v) {
        const b = this.buf;
        let p = this.pos;
        let a = m;
        if (a < 0) {
          b[p++] = 45;
          a = -a;
        }
        const ip = Math.floor(a / 1000);
        const frac = a - ip * 1000;
        p = writeUint(b, p, ip);
        if (frac !== 0) {
          b[p++] = 46;
          const d1 = Math.floor(frac / 100);
          const d2 = Math.floor(frac / 10) % 10;
          const d3 = frac % 10;
          b[p++] = 48 + d1;
          if (d2 !== 0 || d3 !== 0) b[p++] = 48 + d2;
          if (d3 !== 0) b[p++] = 48 + d3;
        }
        this.pos = p;
        return;
      }
    }
    this.ascii(String(v));
  }
}

/** "00" to "99" as character codes, two per number. */
const PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10));

/** `count` digits of n (an integer below 1e9, so int32 arithmetic) ending before `end`, two at a time. */
function digitsBefore(b: Uint8Array, end: number, n: number, count: number): void {
  let p = end;
  let x = n;
  let left = count;
  while (left >= 2) {
    const q = (x / 100) | 0;
    const pair = (x - q * 100) * 2;
    b[--p] = PAIRS[pair + 1] as number;
    b[--p] = PAIRS[pair] as number;
    x = q;
    left -= 2;
  }
  if (left === 1) b[--p] = 48 + x;
}

/** Decimal digits of a non-negative integer below 1e9; returns the position after them. */
function writeUint(b: Uint8Array, at: number, n: number): number {
  let len = 1;
  for (let p = 10; p <= n; p *= 10) len++;
  digitsBefore(b, at + len, n, len);
  return at + len;
}

/** A non-negative integer below 1e9 as exactly nine digits, zero-padded. */
function writeNine(b: Uint8Array, at: number, n: number): number {
  digitsBefore(b, at + 9, n, 9);
  return at + 9;
}
