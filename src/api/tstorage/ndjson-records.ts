/**
 * Get results as NDJSON lines written as bytes into a ByteSink, straight from the records' bytes:
 * no key, BigInt, payload array or string per record. Every character of a line is ASCII (digits,
 * JSON punctuation, base64, "NaN"), so the strings and TextEncoder a JSON.stringify per line needs
 * (most of a get's time before) are skipped.
 */
import { KEY_BYTES } from "../../tstorage/key.ts";
import type { JsonValue, StructLayout } from "../../tstorage/payload.ts";
import { type GetRecord, RecordView } from "../../tstorage/response.ts";
import { fromHalf } from "../../tstorage/struct.ts";
import { toIsoString } from "../../tstorage/time.ts";
import type { ByteSink } from "../byte-sink.ts";

const QUOTE = 0x22;
const OPEN = 0x5b;
const COMMA = 0x2c;
const CLOSE = 0x5d;
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** Bytes a line needs beyond its payload values and ISO times (key digits and punctuation). */
const LINE_BYTES = 160;
/** Bytes one payload value may need (a float's shortest text, or an int64 in quotes). */
const VALUE_BYTES = 32;

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
 * over the same bytes (records are views into a socket's chunks: no array or view per record).
 */
export type PayloadJson = (out: ByteSink, bytes: Uint8Array, view: DataView, at: number, length: number) => void;

interface Item {
  readonly code: string;
  readonly offset: number;
  readonly size: number;
}

const NUMERIC = new Set(["?", "b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "n", "N", "e", "f", "d"]);
const SIGNED = new Set(["b", "h", "i", "l", "q", "n"]);

/** A float as JSON: a number, or "NaN" / "Infinity" / "-Infinity" quoted, as StructPayloadType.toJson. */
function float(out: ByteSink, x: number): void {
  if (Number.isFinite(x)) out.number(x);
  else out.ascii(`"${x}"`);
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
  const one = (out: ByteSink, view: DataView, bytes: Uint8Array, base: number, it: Item): void => {
    const at = base + it.offset;
    switch (it.code) {
      case "?":
        out.ascii(bytes[at] !== 0 ? "true" : "false");
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
      if (signed) out.int64(view, at);
      else out.bigint(view.getBigUint64(at, le));
      out.byte(QUOTE);
    } else if (it.size === 4) out.int(signed ? view.getInt32(at, le) : view.getUint32(at, le));
    else if (it.size === 2) out.int(signed ? view.getInt16(at, le) : view.getUint16(at, le));
    else out.int(signed ? view.getInt8(at) : (bytes[at] as number));
  };
  // int64 reads little-endian: a big-endian 'q' goes through a BigInt instead.
  const bigEndian64 = !le && items.some((it) => it.size === 8 && SIGNED.has(it.code));
  if (bigEndian64) return undefined;
  return (out, bytes, view, base) => {
    out.reserve(items.length * VALUE_BYTES);
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

/** One JSON value: numbers as JSON writes them, strings (never needing escapes here) quoted. */
function jsonValue(out: ByteSink, v: JsonValue): void {
  if (typeof v === "number") out.number(v);
  else if (typeof v === "boolean") out.ascii(v ? "true" : "false");
  else out.ascii(JSON.stringify(v));
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
    out.reserve(2 + cells.length);
    out.byte(OPEN);
    for (let i = 0; i < cells.length; i++) {
      if (i > 0) out.byte(COMMA);
      out.reserve(VALUE_BYTES);
      jsonValue(out, cells[i] as JsonValue);
    }
    out.byte(CLOSE);
  };
}

const CID = ascii('{"cid":');
const MID = ascii(',"mid":"');
const MOID = ascii('","moid":');
const CAP = ascii(',"cap":"');
const ACQ = ascii('","acq":"');
const PAYLOAD = ascii('","payload":');
const LINE_END = ascii("}\n");

function time(out: ByteSink, ts: bigint, iso: boolean): void {
  if (iso) out.ascii(toIsoString(ts));
  else out.bigint(ts);
}

/**
 * NDJSON lines `{"cid", "mid", "moid", "cap", "acq", "payload"}`, int64 as decimal strings; each
 * chunk that fills is handed to `emit`. The decoder's records are formatted from their bytes.
 */
export function ndjsonRecords(
  out: ByteSink,
  records: readonly GetRecord[],
  payload: PayloadJson,
  iso: boolean,
  emit: (chunk: Uint8Array) => void,
): void {
  for (const r of records) {
    out.reserve(LINE_BYTES);
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
      if (iso) out.ascii(toIsoString(v.getBigInt64(k + 16, true)));
      else out.int64(v, k + 16);
      out.bytes(ACQ);
      if (iso) out.ascii(toIsoString(v.getBigInt64(k + 24, true)));
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
      payload(out, p, new DataView(p.buffer, p.byteOffset, p.byteLength), 0, p.length);
    }
    out.bytes(LINE_END);
    if (out.full) emit(out.take() as Uint8Array);
  }
}
