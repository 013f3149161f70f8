/**
 * A growable UTF-8 buffer for the JSON writers. Text is built as bytes and decoded once: string
 * concatenation makes rope trees whose flattening and GC dominate a 100k-row grid. The constant
 * parts of Hayson (`{"_kind":"dateTime","val":"`) are pre-encoded and copied; numbers and ISO
 * date-times are written digit by digit with exactly the text `String(n)` / `formatIso` give.
 */
import { civilFromDays, formatIso, formatOffset, MS_PER_DAY, pad2, pad4 } from "../../kinds/index.ts";

const utf8 = new TextEncoder();
const decoder = new TextDecoder();

/** ASCII/UTF-8 bytes of a constant. */
export function bytesOf(s: string): Uint8Array {
  return utf8.encode(s);
}

const POW10: readonly number[] = Array.from({ length: 10 }, (_, i) => 10 ** i);

/** `hh:mm:ss` of every second of the day, 8 bytes each; built on first use. */
let hmsTable: Uint8Array | undefined;

function hms(): Uint8Array {
  if (hmsTable) return hmsTable;
  const t = new Uint8Array(86_400 * 8);
  let n = 0;
  for (let s = 0; s < 86_400; s++) {
    const h = (s / 3600) | 0;
    const m = ((s / 60) | 0) % 60;
    const x = s % 60;
    t[n++] = 48 + ((h / 10) | 0);
    t[n++] = 48 + (h % 10);
    t[n++] = 58;
    t[n++] = 48 + ((m / 10) | 0);
    t[n++] = 48 + (m % 10);
    t[n++] = 58;
    t[n++] = 48 + ((x / 10) | 0);
    t[n++] = 48 + (x % 10);
  }
  hmsTable = t;
  return t;
}

export class ByteWriter {
  buf: Uint8Array;
  n = 0;
  /** Start (local ms) of the day whose `YYYY-MM-DDT` is in isoPrefix: rows share the day. */
  private isoDayMs = Number.NaN;
  private readonly isoPrefix = new Uint8Array(11);
  private isoPrefixOk = false;
  private offsetSec = 0;
  private offsetBytes: Uint8Array = Uint8Array.of(90);

  constructor(capacity = 1024) {
    this.buf = new Uint8Array(Math.max(64, capacity));
  }

  /** The content as a string. */
  text(): string {
    return decoder.decode(this.buf.subarray(0, this.n));
  }

  reset(): void {
    this.n = 0;
  }

  /** Room for `k` more bytes. */
  reserve(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + k + 1024));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }

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

  /** Any string as UTF-8 (lone surrogates become U+FFFD; JSON text escapes them beforehand). */
  str(s: string): void {
    const len = s.length;
    if (this.n + len * 3 > this.buf.length) this.reserve(len * 3);
    const b = this.buf;
    let n = this.n;
    for (let i = 0; i < len; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        b[n++] = c;
      } else if (c < 0x800) {
        b[n++] = 0xc0 | (c >> 6);
        b[n++] = 0x80 | (c & 63);
      } else {
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
    }
    this.n = n;
  }

  /** A JSON string literal: quoted, escaped as `JSON.stringify` escapes. */
  quoted(s: string): void {
    const len = s.length;
    if (this.n + len * 3 + 2 > this.buf.length) this.reserve(len * 3 + 2);
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

  /** Non-negative safe integer `v` at `n`, at least `min` digits; returns the new end. */
  private static digits(b: Uint8Array, n: number, v: number, min: number): number {
    let len = 1;
    for (let p = 10; p <= v && len < 16; p *= 10) len++;
    if (len < min) len = min;
    const end = n + len;
    let i = end;
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

  /** A finite number exactly as `String(v)` writes it; integers and short decimals skip the string. */
  number(v: number): void {
    this.reserve(32);
    this.n = this.numberAt(this.n, v);
  }

  /** `number` at `n` with 32 bytes already reserved; returns the new end. */
  numberAt(n: number, v: number): number {
    const b = this.buf;
    if (Number.isInteger(v) && v > -1e15 && v < 1e15) {
      if (v < 0) {
        b[n++] = 45;
        v = -v;
      }
      return ByteWriter.digits(b, n, v, 1); // -0 writes "0", as String(-0)
    }
    const a = Math.abs(v);
    if (a >= 1e-6 && a < 1e15) {
      for (let k = 1; k < POW10.length; k++) {
        const p = POW10[k] as number;
        const m = Math.round(a * p);
        if (m > Number.MAX_SAFE_INTEGER) break;
        // m / p is one correctly rounded division: equality means k fraction digits read back as
        // `a`, and the first such k is the shortest form String() picks.
        if (m / p === a) {
          if (v < 0) b[n++] = 45;
          const frac = m % p;
          n = ByteWriter.digits(b, n, (m - frac) / p, 1);
          b[n++] = 46;
          return ByteWriter.digits(b, n, frac, k);
        }
      }
    }
    this.n = n;
    this.str(String(v));
    return this.n;
  }

  /** `formatIso(ms, offsetSec)` written in place. */
  iso(ms: number, offsetSec: number): void {
    this.reserve(40);
    this.n = this.isoAt(this.n, ms, offsetSec);
  }

  /** `iso` at `n` with 40 bytes already reserved; returns the new end. */
  isoAt(n: number, ms: number, offsetSec: number): number {
    const local = ms + offsetSec * 1000;
    let t = local - this.isoDayMs;
    if (!(t >= 0 && t < MS_PER_DAY)) {
      const day = Math.floor(local / MS_PER_DAY);
      const [y, m, d] = civilFromDays(day);
      const s = `${pad4(y)}-${pad2(m)}-${pad2(d)}T`;
      this.isoPrefixOk = s.length === 11;
      for (let i = 0; i < 11; i++) this.isoPrefix[i] = s.charCodeAt(i);
      this.isoDayMs = day * MS_PER_DAY;
      t = local - this.isoDayMs;
    }
    if (!this.isoPrefixOk || t !== Math.floor(t)) {
      this.n = n;
      this.str(formatIso(ms, offsetSec));
      return this.n;
    }
    const b = this.buf;
    const prefix = this.isoPrefix;
    for (let i = 0; i < 11; i++) b[n++] = prefix[i] as number;
    const ti = t | 0;
    const frac = ti % 1000;
    const table = hmsTable ?? hms();
    let at = (((ti - frac) / 1000) | 0) * 8;
    for (let i = 0; i < 8; i++) b[n++] = table[at++] as number;
    if (frac !== 0) {
      b[n++] = 46;
      n = ByteWriter.digits(b, n, frac, 3);
    }
    if (offsetSec !== this.offsetSec) {
      this.offsetBytes = bytesOf(formatOffset(offsetSec));
      this.offsetSec = offsetSec;
    }
    const off = this.offsetBytes;
    for (let i = 0; i < off.length; i++) b[n++] = off[i] as number;
    return n;
  }
}
