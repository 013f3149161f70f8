/**
 * The text writers' output: ASCII and numbers written straight into fixed-size byte chunks, which
 * the caller takes as they fill and streams on. No per-point strings, no whole-body buffer.
 */
import type { ZoneClock } from "../../../series/instants.ts";

/** A chunk is handed on once it holds this much; each point needs far less than the slack. */
const CHUNK = 64 * 1024;
const SLACK = 1024;
const encoder = new TextEncoder();

export class ByteSink {
  private buf = new Uint8Array(CHUNK + SLACK);
  private pos = 0;

  /** True when a chunk is ready for `take`. */
  get full(): boolean {
    return this.pos >= CHUNK;
  }

  /** The bytes written since the last take (undefined when none), and a fresh chunk for what follows. */
  take(): Uint8Array | undefined {
    if (this.pos === 0) return undefined;
    const out = this.buf.subarray(0, this.pos);
    this.buf = new Uint8Array(CHUNK + SLACK);
    this.pos = 0;
    return out;
  }

  /** Room for `n` more bytes beyond the slack (only long key strings need it). */
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }

  /** Text known to be ASCII (numbers, JSON punctuation, formatted times). */
  ascii(s: string): void {
    this.room(s.length);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Any text, as UTF-8. */
  text(s: string): void {
    this.room(s.length * 3);
    this.pos += encoder.encodeInto(s, this.buf.subarray(this.pos)).written;
  }

  byte(c: number): void {
    this.buf[this.pos++] = c;
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

/** Decimal digits of a non-negative integer below 1e9. */
function writeUint(b: Uint8Array, at: number, n: number): number {
  let len = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) len++;
  let p = at + len;
  let x = n;
  do {
    const q = Math.floor(x / 10);
    b[--p] = 48 + (x - q * 10);
    x = q;
  } while (x > 0);
  return at + len;
}
