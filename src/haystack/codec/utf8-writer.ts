/**
 * A growable UTF-8 byte buffer shared by the Zinc and JSON writers, with digit writers for the hot
 * types of history grids (numbers and ISO date-times). Building a large text as bytes and decoding
 * once is several times faster than string concatenation, whose cons-string ropes survive into the
 * old generation and dominate GC. Every writer here emits exactly the text its string counterpart
 * would (`String(n)`, `formatIso`, `JSON.stringify`).
 *
 * Repeated byte runs (day prefix, offset + zone, units) are kept as little-endian 32-bit words and
 * stored with unaligned `DataView.setUint32`, `hh:mm:ss` and digits from tables: 34 bytes a row as 9
 * word stores take 0.8 ms per 100k rows against 2.7 ms as byte stores (Node 20). A word store may
 * write up to 3 bytes past the run's end; the buffer keeps that slack and later writes overwrite it.
 *
 * Callers on hot paths may write through `buf` / `n` directly (after `reserve`), and the `...At`
 * writers work at an explicit position with room reserved by the caller, returning the new end.
 */
import { civilFromDays, formatIso, formatOffset, MS_PER_DAY } from "../kinds/index.ts";

const decoder = new TextDecoder();
// Module-local: under a CommonJS transform (tsx, vitest) each use of an imported name is a getter
// call, one per re-export level.
const DAY_MS = MS_PER_DAY;
const encoder = new TextEncoder();

/** UTF-8 bytes of a constant. */
export function bytesOf(s: string): Uint8Array {
  return encoder.encode(s);
}

// Exact powers of ten for the fixed-point number path.
const POW10: readonly number[] = Array.from({ length: 10 }, (_, i) => 10 ** i);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const INT32 = 2147483648;
/** Two ASCII digits per value below 100, first digit in the low byte. */
const PAIRS = Uint16Array.from({ length: 100 }, (_, i) => (48 + ((i / 10) | 0)) | ((48 + (i % 10)) << 8));
/** `hh:mm:` of every minute of a day as two little-endian words (`hh:m`, `m:`), 11 KB. */
const HHMM = Uint32Array.from({ length: 2880 }, (_, i) => {
  const h = PAIRS[((i >> 1) / 60) | 0] as number;
  const m = PAIRS[(i >> 1) % 60] as number;
  return i % 2 === 0 ? (h | (58 << 16) | ((m & 255) << 24)) >>> 0 : (m >> 8) | (58 << 8);
});
/** Bytes a word store may write past its run. */
export const SLACK = 4;
/** Below this, numbers of up to 3 decimals scale to an int32 (`number`). */
export const SHORT_MAX = 2147483.647;
/** Room `numberAt` needs. */
export const NUMBER_ROOM = 32;
/** Room `isoAt` needs: 23-byte ISO text and an offset run of up to 16 bytes. */
export const ISO_ROOM = 40;

/** Decimal digits of a non-negative integer below 2^31. */
function digitCount(x: number): number {
  if (x < 100_000) return x < 100 ? (x < 10 ? 1 : 2) : x < 1000 ? 3 : x < 10_000 ? 4 : 5;
  return x < 10_000_000 ? (x < 1_000_000 ? 6 : 7) : x < 100_000_000 ? 8 : x < 1_000_000_000 ? 9 : 10;
}

/** A byte run as little-endian words, zero padded to at least 4; its byte length is kept beside it. */
function toWords(bytes: Uint8Array): Uint32Array {
  const padded = new Uint8Array(Math.max(16, (bytes.length + 3) & ~3));
  padded.set(bytes);
  const dv = new DataView(padded.buffer);
  const words = new Uint32Array(padded.length >> 2);
  for (let i = 0; i < words.length; i++) words[i] = dv.getUint32(i * 4, true);
  return words;
}

/** Epoch milliseconds and the UTC offset in seconds, as HDateTime keeps them. */
export interface Instant {
  readonly ms: number;
  readonly offset: number;
}

/** A cached byte run of a repeating string. */
export interface Run {
  readonly s: string;
  readonly words: Uint32Array;
  readonly len: number;
}

/** The run of `s` (or of other `bytes` keyed by `s`). */
export function run(s: string, bytes: Uint8Array = encoder.encode(s)): Run {
  return { s, words: toWords(bytes), len: bytes.length };
}

export const NO_RUN: Run = run("");

/** Writes non-negative integer `x` < 2^31 as exactly `len` digits (zero padded) at `n`; returns the end. */
function intAt(b: Uint8Array, n: number, x: number, len: number): number {
  const end = n + len;
  let i = end;
  // Int32 arithmetic: `%` and `/` on doubles are far slower in V8.
  while (i > n) {
    const q = (x / 10) | 0;
    b[--i] = 48 + (x - q * 10);
    x = q;
  }
  return end;
}

/** Writes non-negative safe integer `v` in decimal at `n`, padded to `min` digits; returns the new end. */
function digitsAt(b: Uint8Array, n: number, v: number, min: number): number {
  if (v < INT32) {
    const len = digitCount(v);
    return intAt(b, n, v, Math.max(min, len));
  }
  let len = 10;
  for (let p = 1e10; p <= v && len < 16; p *= 10) len++;
  if (len < min) len = min;
  let i = n + len;
  const end = i;
  while (v >= INT32) {
    const q = Math.floor(v / 10);
    b[--i] = 48 + (v - q * 10);
    v = q;
  }
  intAt(b, n, v, i - n);
  return end;
}

export class Utf8Writer {
  /** The bytes; `n` of them are content. Replaced when the buffer grows. */
  buf: Uint8Array;
  protected dv: DataView;
  n = 0;
  // One-entry cache of the `YYYY-MM-DDT` words: rows of a history grid share the day.
  private dayStart = Number.NaN;
  private readonly isoPrefix = new Uint32Array(3);
  // `formatOffset(offset)` for iso().
  private offsetSec = 0;
  private offsetRun = run("Z");

  constructor(capacity = 4096) {
    this.buf = new Uint8Array(Math.max(16, capacity) + SLACK);
    this.dv = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.n;
  }

  /** Bytes allocated. */
  get capacity(): number {
    return this.buf.length;
  }

  /** Forgets the content, keeping the buffer. */
  reset(): void {
    this.n = 0;
  }

  /** The content as a string. */
  text(): string {
    // Node's Buffer latin1 path turns ASCII into a string 6x faster in isolation, but it makes an
    // external string (malloc'ed, counted as external memory that brings full GCs forward); in
    // interleaved encode runs it gained nothing measurable, so TextDecoder it is.
    return decoder.decode(this.buf.subarray(0, this.n));
  }

  /** A copy of the content bytes. */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.n);
  }

  /** Makes room for `k` more bytes (plus the word-store slack). */
  reserve(k: number): void {
    if (this.n + k + SLACK <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + k + SLACK));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }

  /** One ASCII char code. */
  byte(c: number): void {
    if (this.n >= this.buf.length) this.reserve(1);
    this.buf[this.n++] = c;
  }

  /** Copies pre-encoded bytes. */
  raw(b: Uint8Array): void {
    if (this.n + b.length > this.buf.length) this.reserve(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }

  /** Any string, UTF-8 encoded (a lone surrogate becomes U+FFFD, as TextEncoder does). */
  str(s: string): void {
    const len = s.length;
    this.reserve(len * 3);
    const b = this.buf;
    let n = this.n;
    for (let i = 0; i < len; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        b[n++] = c;
        continue;
      }
      if (c < 0x800) {
        b[n++] = 0xc0 | (c >> 6);
        b[n++] = 0x80 | (c & 63);
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = s.charCodeAt(i + 1);
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          b[n++] = 0xf0 | (c >> 18);
          b[n++] = 0x80 | ((c >> 12) & 63);
          b[n++] = 0x80 | ((c >> 6) & 63);
          b[n++] = 0x80 | (c & 63);
          continue;
        }
        c = 0xfffd;
      }
      b[n++] = 0xe0 | (c >> 12);
      b[n++] = 0x80 | ((c >> 6) & 63);
      b[n++] = 0x80 | (c & 63);
    }
    this.n = n;
  }

  /** A JSON string literal: quoted, escaped as `JSON.stringify` escapes. */
  quoted(s: string): void {
    const len = s.length;
    this.reserve(len * 3 + 2);
    const b = this.buf;
    const start = this.n;
    let n = start;
    b[n++] = 34;
    // One pass for the usual text; anything to escape (controls, `"`, `\`, surrogates) restarts
    // through JSON.stringify.
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        if (c < 32 || c === 34 || c === 92) {
          this.quotedSlow(s, start);
          return;
        }
        b[n++] = c;
      } else if (c < 0x800) {
        b[n++] = 0xc0 | (c >> 6);
        b[n++] = 0x80 | (c & 63);
      } else {
        if (c >= 0xd800 && c <= 0xdfff) {
          this.quotedSlow(s, start);
          return;
        }
        b[n++] = 0xe0 | (c >> 12);
        b[n++] = 0x80 | ((c >> 6) & 63);
        b[n++] = 0x80 | (c & 63);
      }
    }
    b[n++] = 34;
    this.n = n;
  }

  private quotedSlow(s: string, start: number): void {
    this.n = start;
    this.str(JSON.stringify(s));
  }

  /** Stores run `r` at `n` unchecked (room: 16 or its length, whichever is more); returns the end. */
  protected wordsAt(r: Run, n: number): number {
    // 4 unconditional word stores cover the usual zone or unit (< 17 bytes).
    const dv = this.dv;
    const w = r.words;
    dv.setUint32(n, w[0] as number, true);
    dv.setUint32(n + 4, w[1] as number, true);
    dv.setUint32(n + 8, w[2] as number, true);
    dv.setUint32(n + 12, w[3] as number, true);
    for (let i = 4, at = n + 16; i < w.length; i++, at += 4) dv.setUint32(at, w[i] as number, true);
    return n + r.len;
  }

  protected writeRun(r: Run): void {
    this.reserve(Math.max(16, r.len));
    this.n = this.wordsAt(r, this.n);
  }

  /**
   * `m / 10^k` (int32 m >= 0, k <= 3) at `n` in fixed notation without trailing fraction zeros,
   * unchecked (11 bytes); returns the end. Two digits a store: number() 100k meter readings
   * 2.4 -> 1.5 ms.
   */
  protected fixedAt(n: number, m: number, k: number): number {
    const b = this.buf;
    const dv = this.dv;
    while (k > 0) {
      const q = (m / 10) | 0;
      if (m - q * 10 !== 0) break;
      m = q;
      k--;
    }
    const d = digitCount(m);
    const end = n + (d > k ? d : k + 1) + (k > 0 ? 1 : 0);
    let i = end;
    if (k === 2) {
      const q = (m / 100) | 0;
      i -= 2;
      dv.setUint16(i, PAIRS[m - q * 100] as number, true);
      m = q;
    } else {
      for (let j = 0; j < k; j++) {
        const q = (m / 10) | 0;
        b[--i] = 48 + (m - q * 10);
        m = q;
      }
    }
    if (k > 0) b[--i] = 46;
    while (i - n >= 2) {
      const q = (m / 100) | 0;
      i -= 2;
      dv.setUint16(i, PAIRS[m - q * 100] as number, true);
      m = q;
    }
    if (i > n) b[--i] = 48 + m;
    return end;
  }

  /**
   * A finite number, as `String(n)` writes it. Up to 3 decimals and |v| < 2^31 / 1000 (meter
   * readings) in one try: m / 1000 is one correctly rounded division, so equality means `m`e-3
   * reads back as `v`; stripping m's trailing zeros then gives the shortest digits, as String()
   * does (a shorter form would also have matched, scaled by 1000). Else `numberSlowAt`.
   *
   * Hot callers repeat these lines rather than call a helper with the double: a double passed to
   * a call that is not inlined is boxed, and whether V8 inlines depends on the call site's history
   * (up to 32 bytes of young garbage a cell, 3 MB per 100k-row encode).
   */
  number(v: number): void {
    const a = v < 0 ? -v : v;
    const m = Math.round(a * 1000);
    this.reserve(NUMBER_ROOM);
    if (a < SHORT_MAX && m / 1000 === a) {
      if (v < 0) this.buf[this.n++] = 45;
      // `| 0` types m as int32, so the divisions by constants in fixedAt() become multiplies.
      this.n = this.fixedAt(this.n, m | 0, 3);
    } else {
      this.n = this.numberSlowAt(this.n, v);
    }
  }

  /** `number` at `n` with `NUMBER_ROOM` bytes reserved; returns the new end. */
  numberAt(n: number, v: number): number {
    const a = v < 0 ? -v : v;
    const m = Math.round(a * 1000);
    if (a < SHORT_MAX && m / 1000 === a) {
      if (v < 0) this.buf[n++] = 45;
      return this.fixedAt(n, m | 0, 3);
    }
    return this.numberSlowAt(n, v);
  }

  /**
   * `number` beyond 3 decimals or 2^31 / 1000 at `n` (`NUMBER_ROOM` reserved): integer arithmetic
   * where exact, else `String(v)`; returns the new end.
   */
  protected numberSlowAt(n: number, v: number): number {
    const a = v < 0 ? -v : v;
    if (a < 1e15 && a >= 1e-6) {
      for (let k = 0; k < POW10.length; k++) {
        const p = POW10[k] as number;
        const m = Math.round(a * p);
        if (m > MAX_SAFE) break;
        // As in number(), the first k that reads back gives String()'s shortest digits.
        if (m / p === a) {
          const b = this.buf;
          if (v < 0) b[n++] = 45;
          const frac = m % p;
          n = digitsAt(b, n, (m - frac) / p, 1);
          if (k !== 0) {
            b[n++] = 46;
            n = digitsAt(b, n, frac, k);
          }
          return n;
        }
      }
    }
    this.n = n;
    this.str(String(v));
    return this.n;
  }

  private setIsoDay(day: number): void {
    const [y, m, d] = civilFromDays(day);
    // In place: a history grid turns the day every 96 rows, and allocating here cost 5% of encode.
    const yh = (y / 100) | 0;
    const p = this.isoPrefix;
    p[0] = ((PAIRS[yh] as number) | ((PAIRS[y - yh * 100] as number) << 16)) >>> 0;
    p[1] = (45 | ((PAIRS[m] as number) << 8) | (45 << 24)) >>> 0;
    p[2] = (PAIRS[d] as number) | (84 << 16);
    // Years beyond 4 digits never match the range, so they always come back here.
    this.dayStart = y >= 0 && y <= 9999 ? day * DAY_MS : Number.NaN;
  }

  /**
   * `formatIso(v.ms, v.offset)` up to the offset at `n`, unchecked (23 bytes); returns the end, or
   * -1 (nothing written) for the rare forms. Takes the value, not `ms`, so no double is boxed.
   */
  protected isoHeadAt(v: Instant, n: number): number {
    // An offset with seconds (a local mean time) is cut to the minute by formatIso's string path.
    if (v.offset % 60 !== 0) return -1;
    const local = v.ms + v.offset * 1000;
    // A range test on the cached day skips a float division and floor (dateTime -15%).
    let t = local - this.dayStart;
    if (!(t >= 0 && t < DAY_MS)) {
      this.setIsoDay(Math.floor(local / DAY_MS));
      t = local - this.dayStart;
      // Years beyond 4 digits, non-finite instants, and a tiny negative fraction of a millisecond
      // that rounds up to a whole day (formatIso's `24:00:00`): the caller takes the string path.
      if (!(t >= 0 && t < DAY_MS)) return -1;
    }
    // Sub-millisecond instants are rare: the caller takes the string path.
    const ti = t | 0;
    if (ti !== t) return -1;
    const dv = this.dv;
    const prefix = this.isoPrefix;
    dv.setUint32(n, prefix[0] as number, true);
    dv.setUint32(n + 4, prefix[1] as number, true);
    dv.setUint32(n + 8, prefix[2] as number, true);
    // Int32 arithmetic (t < 86,400,000): `%` on doubles is a slow library call in V8. hh:mm from
    // a per-minute table (11 KB; a per-second one, 691 KB, missed the cache at 15-minute steps).
    const frac = ti % 1000;
    const sec = ((ti - frac) / 1000) | 0;
    const minute = (sec / 60) | 0;
    dv.setUint32(n + 11, HHMM[2 * minute] as number, true);
    dv.setUint32(n + 15, ((HHMM[2 * minute + 1] as number) | ((PAIRS[sec - minute * 60] as number) << 16)) >>> 0, true);
    if (frac === 0) return n + 19;
    this.buf[n + 19] = 46;
    return intAt(this.buf, n + 20, frac, 3);
  }

  /** `formatIso(v.ms, v.offset)` at `n` with `ISO_ROOM` bytes reserved; returns the new end. */
  isoAt(n: number, v: Instant): number {
    const end = this.isoHeadAt(v, n);
    if (end < 0) {
      this.n = n;
      this.str(formatIso(v.ms, v.offset));
      return this.n;
    }
    const offsetSec = v.offset;
    if (offsetSec !== this.offsetSec) {
      this.offsetRun = run(formatOffset(offsetSec));
      this.offsetSec = offsetSec;
    }
    const r = this.offsetRun;
    if (r.len <= 16) return this.wordsAt(r, end);
    this.n = end;
    this.writeRun(r);
    return this.n;
  }

  /** `formatIso(ms, offsetSec)` without building the string. */
  iso(ms: number, offsetSec: number): void {
    this.reserve(ISO_ROOM);
    this.n = this.isoAt(this.n, { ms, offset: offsetSec });
  }
}
