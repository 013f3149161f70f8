/**
 * Key fields and payloads as the bridge reads and writes them in JSON, query strings and CSV:
 * int64 as decimal strings (JSON numbers lose precision past 2^53), cap/acq also as RFC 3339 times
 * converted exactly, payloads typed by a Python struct format or else base64.
 */
import { INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, type Key } from "../../tstorage/key.ts";
import {
  bytesPayload,
  type JsonPayloadType,
  type JsonValue,
  ScalarPayloadType,
  type StructLayout,
  StructPayloadType,
  type StructValue,
} from "../../tstorage/payload.ts";
import { fromIsoString, toIsoString } from "../../tstorage/time.ts";
import { BridgeError } from "../errors/tstorage.ts";

export type KeyField = keyof Key;
export const KEY_FIELDS: readonly KeyField[] = ["cid", "mid", "moid", "cap", "acq"];
const INT32_FIELDS = new Set<KeyField>(["cid", "moid"]);
const TIME_FIELDS = new Set<KeyField>(["cap", "acq"]);
const DECIMAL = /^-?(0|[1-9][0-9]{0,18})$/;

export const invalid = (message: string, line?: number): BridgeError => new BridgeError(400, "INVARG", message, line);

/**
 * One key field from JSON or a query string: an integer (a JSON number only while it is a safe
 * integer), a decimal string, or for cap and acq an RFC 3339 time. Throws INVARG naming the field.
 */
export function keyField(field: KeyField, raw: unknown, line?: number): number | bigint {
  let n: bigint | undefined;
  if (typeof raw === "number" && Number.isSafeInteger(raw)) n = BigInt(raw);
  else if (typeof raw === "string" && DECIMAL.test(raw)) n = BigInt(raw);
  else if (typeof raw === "string" && TIME_FIELDS.has(field)) {
    try {
      n = fromIsoString(raw);
    } catch (e) {
      throw invalid(`${field}: ${(e as Error).message}`, line);
    }
  }
  if (n === undefined) {
    const what = TIME_FIELDS.has(field) ? "a decimal string or an RFC 3339 time" : "an integer or a decimal string";
    throw invalid(`${field} must be ${what}, got ${JSON.stringify(raw)?.slice(0, 64) ?? typeof raw}`, line);
  }
  if (INT32_FIELDS.has(field)) {
    if (n < BigInt(INT32_MIN) || n > BigInt(INT32_MAX)) throw invalid(`${field} ${n} is not an int32`, line);
    return Number(n);
  }
  if (n < INT64_MIN || n > INT64_MAX) throw invalid(`${field} ${n} is not an int64`, line);
  return n;
}

/** A time field as output: a decimal string, or RFC 3339 with `times=iso`. */
export function timeText(ts: bigint, iso: boolean): string {
  return iso ? toIsoString(ts) : ts.toString();
}

/** A payload codec: typed values by struct format, or raw bytes as base64. */
export type PayloadCodec = JsonPayloadType<unknown, JsonValue | JsonValue[]> & {
  /** Column names for CSV: one per value when typed, else `payload`. */
  readonly columns: readonly string[];
  /** The decoded values as CSV cells. */
  cells(bytes: Uint8Array): JsonValue[];
  /** How the payload appears in JSON: a base64 string, one value, or an array of values. */
  readonly shape: "bytes" | "scalar" | "array";
  /** The struct layout of a typed payload. */
  readonly layout?: StructLayout;
};

/**
 * The codec for `format` (struct letters, e.g. `<d?`), or base64 bytes without one. A one-value
 * format reads and writes a scalar, as the Python client's StructPayloadType does.
 */
export function payloadCodec(format: string | undefined): PayloadCodec {
  if (format === undefined || format === "") {
    return {
      columns: ["payload"],
      shape: "bytes",
      encode: (v) => bytesPayload.encode(v as Uint8Array),
      decode: (b) => b,
      toJson: (v) => bytesPayload.toJson(v as Uint8Array),
      fromJson: (j) => bytesPayload.fromJson(j),
      cells: (b) => [bytesPayload.toJson(b)],
    };
  }
  let struct: StructPayloadType;
  try {
    struct = new StructPayloadType(format);
  } catch (e) {
    throw new BridgeError(400, "INVARG", `format: ${(e as Error).message}`);
  }
  const columns = Array.from({ length: struct.layout.valueCount }, (_, i) => `v${i}`);
  const cells = (b: Uint8Array) => struct.toJson(struct.decode(b));
  if (struct.layout.valueCount === 1) {
    const scalar = new ScalarPayloadType(format);
    return {
      columns,
      shape: "scalar",
      layout: struct.layout,
      size: scalar.size,
      encode: (v) => scalar.encode(v as StructValue),
      decode: (b) => scalar.decode(b),
      toJson: (v) => scalar.toJson(v as StructValue),
      fromJson: (j) => scalar.fromJson(j),
      cells,
    };
  }
  return {
    columns,
    shape: "array",
    layout: struct.layout,
    size: struct.size,
    encode: (v) => struct.encode(v as StructValue[]),
    decode: (b) => struct.decode(b),
    toJson: (v) => struct.toJson(v as StructValue[]),
    fromJson: (j) => struct.fromJson(j),
    cells,
  };
}
