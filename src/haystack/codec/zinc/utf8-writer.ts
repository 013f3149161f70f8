/**
 * A growable UTF-8 byte buffer with digit writers for the hot types of history grids (numbers and
 * ISO date-times). Building a large text as bytes and decoding once is several times faster than
 * string concatenation, whose cons-string ropes survive into the old generation and dominate GC.
 * Every writer here emits exactly the text its string counterpart would (`String(n)`, `formatIso`).
 */
import { civilFromDays, formatIso, formatOffset, MS_PER_DAY, pad2, pad4 } from "../../kinds/index.ts";

const decoder = new TextDecoder();

// Exact powers of ten for the fixed-point number path.
const POW10: readonly number[] = Array.from({ length: 10 }, (_, i) => 10 ** i);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export class Utf8Writer {
  private buf: Uint8Array;
  private n = 0;
  // One-entry cache of the `YYYY-MM-DDT` bytes: rows of a history grid share the day.
  private isoDay = -1e15;
  private readonly isoPrefix = new Uint8Array(11);
  private isoPrefixOk = false;
  private str0 = "";
  private bytes0 = new Uint8Array(0);
  private str1 = "";
  private bytes1 = new Uint8Array(0);

  constructor(capacity = 4096) {
    this.buf = new Uint8Array(Math.max(16, capacity));
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
    return decoder.decode(this.buf.subarray(0, this.n));
  }

  /** Makes room for `k` more bytes. */
  reserve(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }

  /** One ASCII char code. */
  byte(c: number): void {
    if (this.n >= this.buf.length) this.reserve(1);
    this.buf[this.n++] = c;
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

  /**
   * Like `str`, for strings that repeat row after row (zone names, units): slot `slot` keeps the
   * last string's bytes, so a repeat is a short copy instead of an encode.
   */
  cached(s: string, slot: 0 | 1): void {
    let bytes = slot === 0 ? this.bytes0 : this.bytes1;
    if (s !== (slot === 0 ? this.str0 : this.str1)) {
      const start = this.n;
      this.str(s);
      bytes = this.buf.slice(start, this.n);
      if (slot === 0) {
        this.str0 = s;
        this.bytes0 = bytes;
      } else {
        this.str1 = s;
        this.bytes1 = bytes;
      }
      return;
    }
    const len = bytes.length;
    this.reserve(len);
    const b = this.buf;
    let n = this.n;
    for (let i = 0; i < len; i++) b[n++] = bytes[i] as number;
    this.n = n;
  }

  /** Writes non-negative safe integer `v` in decimal at `n`, padded to `min` digits; returns the new end. */
  private static digitsAt(b: Uint8Array, n: number, v: number, min: number): number {
    let len = 1;
    for (let p = 10; p <= v && len < 16; p *= 10) len++;
    if (len < min) len = min;
    let i = n + len;
    const end = i;
    // Int32 arithmetic where it fits: `%` and `/` on doubles are far slower in V8.
    while (i > n && v >= 2147483648) {
      const q = Math.floor(v / 10);
      b[--i] = 48 + (v - q * 10);
      v = q;
    }
    let x = v | 0;
    while (i > n) {
      const q = (x / 10) | 0;
      b[--i] = 48 + (x - q * 10);
      x = q;
    }
    return end;
  }

  /**
   * A finite number, as `String(n)` writes it. Integers and short decimals (the usual meter
   * readings) are written from integer arithmetic; anything else falls back to `String(n)`.
   */
  number(v: number): void {
    if (Number.isInteger(v) && v > -1e15 && v < 1e15) {
      this.reserve(17);
      let n = this.n;
      if (v < 0) {
        this.buf[n++] = 45;
        v = -v;
      }
      this.n = Utf8Writer.digitsAt(this.buf, n, v, 1);
      return;
    }
    const a = Math.abs(v);
    if (a >= 1e-6 && a < 1e15) {
      for (let k = 1; k < POW10.length; k++) {
        const p = POW10[k] as number;
        const m = Math.round(a * p);
        if (m > MAX_SAFE) break;
        // m / p is one correctly rounded division, so equality means `m`e-`k` reads back as `a`;
        // the first k that works gives String()'s shortest digits.
        if (m / p === a) {
          this.reserve(28);
          const b = this.buf;
          let n = this.n;
          if (v < 0) b[n++] = 45;
          let frac: number;
          let whole: number;
          if (m < 2147483648) {
            const mi = m | 0;
            frac = mi % (p | 0);
            whole = ((mi - frac) / p) | 0;
          } else {
            frac = m % p;
            whole = (m - frac) / p;
          }
          n = Utf8Writer.digitsAt(b, n, whole, 1);
          b[n++] = 46;
          this.n = Utf8Writer.digitsAt(b, n, frac, k);
          return;
        }
      }
    }
    this.str(String(v));
  }

  private setIsoDay(day: number): void {
    const [y, m, d] = civilFromDays(day);
    const s = `${pad4(y)}-${pad2(m)}-${pad2(d)}T`;
    this.isoPrefixOk = s.length === 11;
    for (let i = 0; i < 11; i++) this.isoPrefix[i] = s.charCodeAt(i);
    this.isoDay = day;
  }

  /** `formatIso(ms, offsetSec)` without building the string. */
  iso(ms: number, offsetSec: number): void {
    const local = ms + offsetSec * 1000;
    const day = Math.floor(local / MS_PER_DAY);
    if (day !== this.isoDay) this.setIsoDay(day);
    const t = local - day * MS_PER_DAY;
    if (!this.isoPrefixOk || t !== Math.floor(t)) {
      // Sub-millisecond instants and years beyond 4 digits: rare, so take the string path.
      this.str(formatIso(ms, offsetSec));
      return;
    }
    this.reserve(40);
    const b = this.buf;
    const prefix = this.isoPrefix;
    let n = this.n;
    for (let i = 0; i < 11; i++) b[n++] = prefix[i] as number;
    // Int32 arithmetic (t < 86,400,000): `%` on doubles is a slow library call in V8.
    const ti = t | 0;
    const frac = ti % 1000;
    const hms = hmsTable ?? buildHmsTable();
    let at = (((ti - frac) / 1000) | 0) * 8;
    for (let i = 0; i < 8; i++) b[n++] = hms[at++] as number;
    if (frac !== 0) {
      b[n++] = 46;
      n = Utf8Writer.digitsAt(b, n, frac, 3);
    }
    if (offsetSec !== this.offsetSec) this.setOffset(offsetSec);
    const off = this.offsetBytes;
    for (let i = 0; i < off.length; i++) b[n++] = off[i] as number;
    this.n = n;
  }

  private offsetSec = 0;
  private offsetBytes: Uint8Array = Uint8Array.of(90);

  private setOffset(offsetSec: number): void {
    const s = formatOffset(offsetSec);
    this.offsetBytes = Uint8Array.from(s, (c) => c.charCodeAt(0));
    this.offsetSec = offsetSec;
  }
}

/** `hh:mm:ss` for every second of a day, 8 bytes each (691 KB, built on first use, ~1 ms). */
let hmsTable: Uint8Array | undefined;

function buildHmsTable(): Uint8Array {
  const t = new Uint8Array(86_400 * 8);
  let n = 0;
  for (let h = 0; h < 24; h++) {
    for (let m = 0; m < 60; m++) {
      for (let s = 0; s < 60; s++) {
        t[n++] = 48 + ((h / 10) | 0);
        t[n++] = 48 + (h % 10);
        t[n++] = 58;
        t[n++] = 48 + ((m / 10) | 0);
        t[n++] = 48 + (m % 10);
        t[n++] = 58;
        t[n++] = 48 + ((s / 10) | 0);
        t[n++] = 48 + (s % 10);
      }
    }
  }
  hmsTable = t;
  return t;
}
