/**
 * WTF-8 (https://simonsapin.github.io/wtf-8/): UTF-8 generalised to lone surrogates, so every
 * JavaScript string, well formed or not, encodes losslessly. A well-formed string's bytes are its
 * UTF-8 bytes exactly; a lone surrogate takes the 3-byte form UTF-8 forbids. TextEncoder would
 * replace lone surrogates with U+FFFD, silently changing the data, and refusing them would make a
 * frame that JavaScript (and pandas, via surrogateescape) can hold unstorable.
 *
 * The decoder is strict: no overlong forms, nothing above U+10FFFF, and no surrogate pair written as
 * two 3-byte sequences (the encoder writes a pair as one 4-byte sequence), so each string has one
 * encoding. Anything else is FrameError("invalid").
 */
import { FrameError } from "./model.ts";

/** Bytes `s` takes in WTF-8. */
export function wtf8Size(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && isLow(s.charCodeAt(i + 1))) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Writes `s` into `out` at `at`; returns the offset after it. `out` must have wtf8Size(s) bytes free. */
export function wtf8Write(s: string, out: Uint8Array, at: number): number {
  let o = at;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[o++] = c;
    } else if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 63);
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && isLow(s.charCodeAt(i + 1))) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      out[o++] = 0xf0 | (c >> 18);
      out[o++] = 0x80 | ((c >> 12) & 63);
      out[o++] = 0x80 | ((c >> 6) & 63);
      out[o++] = 0x80 | (c & 63);
    } else {
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 63);
      out[o++] = 0x80 | (c & 63);
    }
  }
  return o;
}

export function wtf8Encode(s: string): Uint8Array {
  const out = new Uint8Array(wtf8Size(s));
  wtf8Write(s, out, 0);
  return out;
}

function bad(at: number): FrameError {
  return new FrameError("invalid", `chunk: bad WTF-8 at byte ${at}`);
}

function cont(b: Uint8Array, i: number, end: number): number {
  if (i >= end) throw bad(i);
  const x = b[i] as number;
  if ((x & 0xc0) !== 0x80) throw bad(i);
  return x & 63;
}

/** Decodes bytes [start, end) of `b`. */
export function wtf8Decode(b: Uint8Array, start = 0, end = b.length): string {
  const units: number[] = [];
  let out = "";
  let i = start;
  let prevLead = false;
  while (i < end) {
    const x = b[i] as number;
    let lead = false;
    if (x < 0x80) {
      units.push(x);
      i += 1;
    } else if (x >= 0xc2 && x < 0xe0) {
      units.push(((x & 31) << 6) | cont(b, i + 1, end));
      i += 2;
    } else if (x >= 0xe0 && x < 0xf0) {
      const c = ((x & 15) << 12) | (cont(b, i + 1, end) << 6) | cont(b, i + 2, end);
      if (c < 0x800) throw bad(i);
      if (isLow(c) && prevLead) throw bad(i);
      lead = c >= 0xd800 && c <= 0xdbff;
      units.push(c);
      i += 3;
    } else if (x >= 0xf0 && x < 0xf5) {
      const c = ((x & 7) << 18) | (cont(b, i + 1, end) << 12) | (cont(b, i + 2, end) << 6) | cont(b, i + 3, end);
      if (c < 0x10000 || c > 0x10ffff) throw bad(i);
      units.push(0xd800 + ((c - 0x10000) >> 10), 0xdc00 + ((c - 0x10000) & 1023));
      i += 4;
    } else {
      throw bad(i);
    }
    prevLead = lead;
    // fromCharCode takes its arguments on the stack; flush before the array gets large.
    if (units.length >= 4096) {
      out += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return units.length === 0 ? out : out + String.fromCharCode(...units);
}
