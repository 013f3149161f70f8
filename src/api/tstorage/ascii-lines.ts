/**
 * Get results written as bytes straight into one buffer per window. Every character a record line
 * holds is ASCII (digits, JSON punctuation, base64, "NaN"), so building JavaScript strings and
 * running them through a TextEncoder (which cost most of a get's time: a million `+=` lines flatten
 * and re-encode about 100 MB) is skipped.
 */

import type { JsonValue, StructLayout } from "../../tstorage/payload.ts";
import type { GetRecord } from "../../tstorage/response.ts";
import { fromHalf } from "../../tstorage/struct.ts";
import { toIsoString } from "../../tstorage/time.ts";

const QUOTE = 0x22;
const OPEN = 0x5b;
const COMMA = 0x2c;
const CLOSE = 0x5d;
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

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
    const buf = this.buf;
    if (n < 0) {
      buf[this.at++] = 45;
      n = -n;
    }
    if (n < 10) {
      buf[this.at++] = 48 + n;
      return;
    }
    let digits = 1;
    for (let p = 10; p <= n; p *= 10) digits++;
    let at = this.at + digits;
    this.at = at;
    while (n >= 10) {
      const q = Math.floor(n / 10);
      buf[--at] = 48 + (n - q * 10);
      n = q;
    }
    buf[--at] = 48 + n;
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

/** Writes one payload's JSON. */
export type PayloadJson = (out: AsciiBuffer, payload: Uint8Array) => void;

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
  // Payloads are views into the socket's chunks: one DataView per chunk, not per record.
  let buffer: ArrayBufferLike | undefined;
  let view: DataView = new DataView(new ArrayBuffer(0));
  let whole: Uint8Array = new Uint8Array(0);
  return (out, bytes) => {
    if (bytes.buffer !== buffer) {
      buffer = bytes.buffer;
      view = new DataView(buffer);
      whole = new Uint8Array(buffer);
    }
    const base = bytes.byteOffset;
    if (scalar) {
      one(out, view, whole, base, items[0] as Item);
      return;
    }
    out.byte(OPEN);
    for (let i = 0; i < items.length; i++) {
      if (i > 0) out.byte(COMMA);
      one(out, view, whole, base, items[i] as Item);
    }
    out.byte(CLOSE);
  };
}

/** The payload writer for a codec: the numeric fast path when it applies, else its JSON cells. */
export function payloadJson(codec: PayloadWriter): PayloadJson {
  if (codec.layout !== undefined) {
    const fast = numericJson(codec.layout, codec.shape === "scalar");
    if (fast) {
      return (out, bytes) => {
        // A payload of another size is what cells() refuses: let it say so.
        if (bytes.length !== codec.layout?.size) codec.cells(bytes);
        fast(out, bytes);
      };
    }
  }
  return (out, bytes) => {
    const cells = codec.cells(bytes);
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

/** NDJSON lines `{"cid", "mid", "moid", "cap", "acq", "payload"}`, int64 as decimal strings. */
export function ndjsonRecords(
  out: AsciiBuffer,
  records: readonly GetRecord[],
  payload: PayloadJson,
  iso: boolean,
): void {
  for (const { key, payload: bytes } of records) {
    out.bytes(CID);
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
    payload(out, bytes);
    out.bytes(LINE_END);
  }
}
