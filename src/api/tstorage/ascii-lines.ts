/**
 * Get results written as bytes straight into one buffer per window. Every character a record line
 * holds is ASCII (digits, JSON punctuation, base64, "NaN"), so building JavaScript strings and
 * running them through a TextEncoder (which cost most of a get's time: a million `+=` lines flatten
 * and re-encode about 100 MB) is skipped.
 */

import { KEY_BYTES } from "../../tstorage/key.ts";
import type { JsonValue, StructLayout } from "../../tstorage/payload.ts";
import { type GetRecord, RecordView } from "../../tstorage/response.ts";
import { fromHalf } from "../../tstorage/struct.ts";
import { toIsoString } from "../../tstorage/time.ts";

const QUOTE = 0x22;
const OPEN = 0x5b;
const COMMA = 0x2c;
const CLOSE = 0x5d;
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** "00" to "99" as character codes, two per number. */
const PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10));

/** A growable byte buffer of ASCII text; `take` hands out what was written and starts afresh. */
export class AsciiBuffer {
  private buf: Uint8Array;
  private at = 0;

  constructor(capacity = 64 * 1024) {
    this.buf = new Uint8Array(capacity);
  }

  get length(): number {
    return this.at;
  }

  /** Makes room for n more bytes. */
  reserve(n: number): void {
    const need = this.at + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const grown = new Uint8Array(cap);
    grown.set(this.buf.subarray(0, this.at));
    this.buf = grown;
  }

  /** Bytes written as they are (pre-encoded punctuation). */
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < b.length; i++) buf[at++] = b[i] as number;
    this.at = at;
  }

  byte(c: number): void {
    this.reserve(1);
    this.buf[this.at++] = c;
  }

  /** A string known to be ASCII. */
  text(s: string): void {
    this.reserve(s.length);
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < s.length; i++) buf[at++] = s.charCodeAt(i);
    this.at = at;
  }

  /** A safe integer in decimal, without making a string. */
  int(n: number): void {
    this.reserve(17);
    if (n < 0) {
      this.buf[this.at++] = 45;
      n = -n;
    }
    if (n < 1e9) {
      this.small(n);
      return;
    }
    // Up to 2^53: a head of up to seven digits, then nine.
    const head = Math.floor(n / 1e9);
    this.small(head);
    this.nine(n - head * 1e9);
  }

  /** 0 <= n < 1e9, with int32 arithmetic. */
  private small(n: number): void {
    let digits = 1;
    for (let p = 10; p <= n; p *= 10) digits++;
    this.at += digits;
    this.digitsBefore(this.at, n, digits);
  }

  /** 0 <= n < 1e9 as exactly nine digits, zero-padded. */
  private nine(n: number): void {
    this.at += 9;
    this.digitsBefore(this.at, n, 9);
  }

  /** Writes n (an int32) as `count` digits ending before `end`, two at a time from a table. */
  private digitsBefore(end: number, n: number, count: number): void {
    const buf = this.buf;
    let at = end;
    let left = count;
    while (left >= 2) {
      const q = (n / 100) | 0;
      const pair = (n - q * 100) * 2;
      buf[--at] = PAIRS[pair + 1] as number;
      buf[--at] = PAIRS[pair] as number;
      n = q;
      left -= 2;
    }
    if (left === 1) buf[--at] = 48 + n;
  }

  /**
   * The little-endian int64 at `at` in decimal, without a BigInt: the high word and two 16-bit
   * limbs of the low word divided by 1e9 in turn (every step stays below 2^53), giving the low nine
   * digits and a quotient below 2^35, itself split at 1e9.
   */
  int64(view: DataView, at: number): void {
    const lo = view.getUint32(at, true);
    const hi = view.getInt32(at + 4, true);
    if (hi >= -0x20_0000 && hi < 0x20_0000) {
      // |v| < 2^53: exact as a number.
      this.int(hi * 4294967296 + lo);
      return;
    }
    this.reserve(21);
    let h = hi >>> 0;
    let l = lo;
    if (hi < 0) {
      // Two's complement: the magnitude is ~v + 1.
      this.buf[this.at++] = 45;
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
    // |v| >= 2^53 here, so q >= 9007199.
    const top = Math.floor(q / 1e9);
    if (top > 0) {
      this.small(top);
      this.nine(q - top * 1e9);
    } else {
      this.small(q);
    }
    this.nine(r);
  }

  /** An int64 in decimal (cap and acq are past 2^53 in practice: no point testing for a number). */
  bigint(n: bigint): void {
    this.text(n.toString());
  }

  /** The bytes written so far, as a fresh array; the buffer starts empty again. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.at);
    this.at = 0;
    return out;
  }
}

/** How a record's payload is written: base64 bytes, one typed value, or an array of them. */
export interface PayloadWriter {
  readonly shape: "bytes" | "scalar" | "array";
  /** The payload as JSON values (one for bytes or a scalar). */
  cells(payload: Uint8Array): JsonValue[];
  /** The struct layout of a typed payload: numeric layouts are written without making values. */
  readonly layout?: StructLayout;
}

/**
 * Writes the JSON of the payload at [at, at + length) of a buffer, given as bytes and as a view
 * over the whole of it (records are views into a socket's chunks: no array or view per record).
 */
export type PayloadJson = (out: AsciiBuffer, bytes: Uint8Array, view: DataView, at: number, length: number) => void;

interface Item {
  readonly code: string;
  readonly offset: number;
  readonly size: number;
}

const NUMERIC = new Set(["?", "b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "n", "N", "e", "f", "d"]);
const SIGNED = new Set(["b", "h", "i", "l", "q", "n"]);

/** A float as JSON: a number, or "NaN" / "Infinity" / "-Infinity" quoted, as StructPayloadType.toJson. */
function float(out: AsciiBuffer, x: number): void {
  if (Number.isSafeInteger(x)) out.int(x);
  else if (Number.isFinite(x)) out.text(String(x));
  else out.text(`"${x}"`);
}

/**
 * A writer straight from the payload bytes for layouts of numbers and booleans only (what meter
 * payloads are), giving the same JSON as cells(); undefined for layouts with bytes (s, p, c).
 */
function numericJson(layout: StructLayout, scalar: boolean): PayloadJson | undefined {
  const items: Item[] = [];
  for (const f of layout.fields) {
    if (f.code === "x") continue;
    if (!NUMERIC.has(f.code)) return undefined;
    for (let k = 0; k < f.count; k++) items.push({ code: f.code, offset: f.offset + k * f.itemSize, size: f.itemSize });
  }
  const le = layout.littleEndian;
  const one = (out: AsciiBuffer, view: DataView, bytes: Uint8Array, base: number, it: Item): void => {
    const at = base + it.offset;
    switch (it.code) {
      case "?":
        out.text(bytes[at] !== 0 ? "true" : "false");
        return;
      case "e":
        float(out, fromHalf(view.getUint16(at, le)));
        return;
      case "f":
        float(out, view.getFloat32(at, le));
        return;
      case "d":
        float(out, view.getFloat64(at, le));
        return;
    }
    const signed = SIGNED.has(it.code);
    if (it.size === 8) {
      // 64-bit integers are decimal strings in JSON, as toJson writes them.
      out.byte(QUOTE);
      out.bigint(signed ? view.getBigInt64(at, le) : view.getBigUint64(at, le));
      out.byte(QUOTE);
    } else if (it.size === 4) out.int(signed ? view.getInt32(at, le) : view.getUint32(at, le));
    else if (it.size === 2) out.int(signed ? view.getInt16(at, le) : view.getUint16(at, le));
    else out.int(signed ? view.getInt8(at) : (bytes[at] as number));
  };
  return (out, bytes, view, base) => {
    if (scalar) {
      one(out, view, bytes, base, items[0] as Item);
      return;
    }
    out.byte(OPEN);
    for (let i = 0; i < items.length; i++) {
      if (i > 0) out.byte(COMMA);
      one(out, view, bytes, base, items[i] as Item);
    }
    out.byte(CLOSE);
  };
}

/** The payload writer for a codec: the numeric fast path when it applies, else its JSON cells. */
export function payloadJson(codec: PayloadWriter): PayloadJson {
  if (codec.layout !== undefined) {
    const fast = numericJson(codec.layout, codec.shape === "scalar");
    if (fast) {
      return (out, bytes, view, at, length) => {
        // A payload of another size is what cells() refuses: let it say so.
        if (length !== codec.layout?.size) codec.cells(bytes.subarray(at, at + length));
        fast(out, bytes, view, at, length);
      };
    }
  }
  return (out, bytes, _view, at, length) => {
    const cells = codec.cells(bytes.subarray(at, at + length));
    if (codec.shape !== "array") {
      jsonValue(out, cells[0] as JsonValue);
      return;
    }
    out.byte(OPEN);
    for (let i = 0; i < cells.length; i++) {
      if (i > 0) out.byte(COMMA);
      jsonValue(out, cells[i] as JsonValue);
    }
    out.byte(CLOSE);
  };
}

/** One JSON value: numbers as JSON writes them, strings (never needing escapes here) quoted. */
function jsonValue(out: AsciiBuffer, v: JsonValue): void {
  if (typeof v === "number") {
    if (Number.isSafeInteger(v)) out.int(v);
    else out.text(JSON.stringify(v));
  } else if (typeof v === "boolean") {
    out.text(v ? "true" : "false");
  } else {
    out.text(JSON.stringify(v));
  }
}

const CID = ascii('{"cid":');
const MID = ascii(',"mid":"');
const MOID = ascii('","moid":');
const CAP = ascii(',"cap":"');
const ACQ = ascii('","acq":"');
const PAYLOAD = ascii('","payload":');
const LINE_END = ascii("}\n");

function time(out: AsciiBuffer, ts: bigint, iso: boolean): void {
  if (iso) out.text(toIsoString(ts));
  else out.bigint(ts);
}

/** The last buffer's bytes and view: a window's records lie in a few chunks, one after another. */
class Views {
  private buffer: ArrayBufferLike | undefined;
  bytes: Uint8Array = new Uint8Array(0);
  view: DataView = new DataView(new ArrayBuffer(0));

  of(buffer: ArrayBufferLike): void {
    if (buffer === this.buffer) return;
    this.buffer = buffer;
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
  }
}

/**
 * NDJSON lines `{"cid", "mid", "moid", "cap", "acq", "payload"}`, int64 as decimal strings. The
 * decoder's records are formatted from their bytes, making no key, BigInt or payload array.
 */
export function ndjsonRecords(
  out: AsciiBuffer,
  records: readonly GetRecord[],
  payload: PayloadJson,
  iso: boolean,
): void {
  const views = new Views();
  for (const r of records) {
    out.bytes(CID);
    if (r instanceof RecordView) {
      const v = r.view;
      const k = r.keyAt;
      out.int(v.getInt32(k, true));
      out.bytes(MID);
      out.int64(v, k + 4);
      out.bytes(MOID);
      out.int(v.getInt32(k + 12, true));
      out.bytes(CAP);
      if (iso) out.text(toIsoString(v.getBigInt64(k + 16, true)));
      else out.int64(v, k + 16);
      out.bytes(ACQ);
      if (iso) out.text(toIsoString(v.getBigInt64(k + 24, true)));
      else out.int64(v, k + 24);
      out.bytes(PAYLOAD);
      payload(out, r.bytes, v, k + KEY_BYTES, r.end - k - KEY_BYTES);
    } else {
      const { key, payload: p } = r;
      out.int(key.cid);
      out.bytes(MID);
      out.bigint(key.mid);
      out.bytes(MOID);
      out.int(key.moid);
      out.bytes(CAP);
      time(out, key.cap, iso);
      out.bytes(ACQ);
      time(out, key.acq, iso);
      out.bytes(PAYLOAD);
      views.of(p.buffer);
      payload(out, views.bytes, views.view, p.byteOffset, p.length);
    }
    out.bytes(LINE_END);
  }
}
