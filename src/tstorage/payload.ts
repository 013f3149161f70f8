/**
 * Payload types: how a record's payload bytes map to values, as the Python client's
 * `PayloadType` (to_bytes/from_bytes) does. Unlike Python's `from_bytes`, which answers None on
 * bad bytes, `decode` throws, so a caller cannot mistake a failure for a value.
 *
 * Each type also converts its values to and from JSON for the HTTP bridge: 8-byte integers as
 * decimal strings (JSON numbers lose precision past 2^53), bytes as standard base64, non-finite
 * floats as the strings "NaN", "Infinity", "-Infinity" (JSON has no such numbers; -0 becomes 0).
 */

import { fromBase64, toBase64 } from "../auth/base64.js";
import {
  checkValue,
  MAX_PAYLOAD_BYTES,
  pack,
  packInto,
  parseFormat,
  type StructLayout,
  type StructValue,
  unpack,
} from "./struct.js";

export type { StructLayout, StructValue } from "./struct.js";
export { MAX_PAYLOAD_BYTES, parseFormat } from "./struct.js";

export type JsonValue = string | number | boolean;

export interface PayloadType<T> {
  /** Fixed payload size in bytes, when every value encodes to the same length. */
  readonly size?: number;
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

/** A payload type whose values also travel as JSON (the bridge's typed payloads). */
export interface JsonPayloadType<T, J> extends PayloadType<T> {
  toJson(value: T): J;
  fromJson(json: unknown): T;
}

function bytesFromJson(json: unknown, what: string): Uint8Array {
  if (typeof json !== "string") throw new TypeError(`${what} must be a base64 string, got ${typeof json}`);
  const b = fromBase64(json);
  if (b === undefined || json.length % 4 !== 0) throw new TypeError(`${what} is not padded standard base64`);
  return b;
}

/**
 * Values packed with a Python `struct` format, e.g. `structPayload("<if?")` takes
 * `[7, 1.5, true]`. See struct.ts for byte order, letters and JS value types.
 */
export class StructPayloadType implements JsonPayloadType<StructValue[], JsonValue[]> {
  readonly layout: StructLayout;
  readonly size: number;

  constructor(format: string) {
    this.layout = parseFormat(format);
    this.size = this.layout.size;
  }

  encode(values: readonly StructValue[]): Uint8Array {
    return pack(this.layout, values);
  }

  /** Packs at `offset` of `view` (a batch buffer) without allocating; returns `size`. */
  encodeInto(values: readonly StructValue[], view: DataView, offset: number): number {
    return packInto(this.layout, values, view, offset);
  }

  decode(bytes: Uint8Array): StructValue[] {
    return unpack(this.layout, bytes);
  }

  toJson(values: readonly StructValue[]): JsonValue[] {
    return values.map((v) => {
      if (typeof v === "bigint") return v.toString();
      if (v instanceof Uint8Array) return toBase64(v);
      if (typeof v === "number" && !Number.isFinite(v)) return String(v);
      return v;
    });
  }

  /** JSON values -> checked values, with the errors `encode` would give; RangeError on count. */
  fromJson(json: unknown): StructValue[] {
    if (!Array.isArray(json)) throw new TypeError(`struct payload JSON must be an array, got ${typeof json}`);
    if (json.length !== this.layout.valueCount) {
      throw new RangeError(
        `format ${JSON.stringify(this.layout.format)} takes ${this.layout.valueCount} values, got ${json.length}`,
      );
    }
    const out: StructValue[] = [];
    for (const f of this.layout.fields) {
      if (f.code === "x") continue;
      const n = f.code === "s" || f.code === "p" ? 1 : f.count;
      for (let k = 0; k < n; k++) {
        const i = out.length;
        out.push(checkValue(f.code, f.itemSize, valueFromJson(f.code, f.itemSize, json[i], i), i));
      }
    }
    return out;
  }
}

const DECIMAL = /^-?(0|[1-9][0-9]{0,19})$/;
const NON_FINITE: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY,
};

function valueFromJson(code: string, itemSize: number, json: unknown, i: number): StructValue {
  switch (code) {
    case "c":
    case "s":
    case "p":
      return bytesFromJson(json, `value ${i} ('${code}')`);
    case "?":
      if (typeof json !== "boolean") throw new TypeError(`value ${i} ('?') must be true or false`);
      return json;
    case "e":
    case "f":
    case "d":
      if (typeof json === "number") return json;
      if (typeof json === "string" && json in NON_FINITE) return NON_FINITE[json] as number;
      throw new TypeError(`value ${i} ('${code}') must be a number or "NaN", "Infinity", "-Infinity"`);
  }
  // Integers: a JSON number, or a decimal string (the only exact form for 8-byte values).
  if (typeof json === "number") {
    if (itemSize === 8 && !Number.isSafeInteger(json)) {
      throw new RangeError(`value ${i} ('${code}') is not a safe integer; send 64-bit values as decimal strings`);
    }
    return json;
  }
  if (typeof json === "string" && DECIMAL.test(json)) return itemSize === 8 ? BigInt(json) : Number(json);
  throw new TypeError(`value ${i} ('${code}') must be an integer or a decimal string`);
}

/**
 * One value packed with a one-value format, as the Python client's StructPayloadType:
 * `scalarPayload("<d")` encodes `1.5`, not `[1.5]`. RangeError for a format of other than one value.
 */
export class ScalarPayloadType implements JsonPayloadType<StructValue, JsonValue> {
  readonly inner: StructPayloadType;
  readonly size: number;

  constructor(format: string) {
    this.inner = new StructPayloadType(format);
    if (this.inner.layout.valueCount !== 1) {
      throw new RangeError(
        `a scalar payload format takes exactly one value, ${JSON.stringify(format)} takes ${this.inner.layout.valueCount}`,
      );
    }
    this.size = this.inner.size;
  }

  encode(value: StructValue): Uint8Array {
    return this.inner.encode([value]);
  }

  decode(bytes: Uint8Array): StructValue {
    return this.inner.decode(bytes)[0] as StructValue;
  }

  toJson(value: StructValue): JsonValue {
    return this.inner.toJson([value])[0] as JsonValue;
  }

  fromJson(json: unknown): StructValue {
    return this.inner.fromJson([json])[0] as StructValue;
  }
}

export function scalarPayload(format: string): ScalarPayloadType {
  return new ScalarPayloadType(format);
}

/** The empty payload (Python's UnitPayloadType): encodes nothing; decoding ignores the bytes, as Python does. */
export const unitPayload: JsonPayloadType<null, null> = {
  size: 0,
  encode: () => new Uint8Array(0),
  decode: () => null,
  toJson: () => null,
  fromJson: (json: unknown) => {
    if (json !== null) throw new TypeError("the empty payload's JSON form is null");
    return null;
  },
};

export function structPayload(format: string): StructPayloadType {
  return new StructPayloadType(format);
}

/** Raw bytes, as the Python client's BytesPayloadType; decode copies so no buffer is pinned. */
export class BytesPayloadType implements JsonPayloadType<Uint8Array, string> {
  encode(value: Uint8Array): Uint8Array {
    if (!(value instanceof Uint8Array)) throw new TypeError("bytes payload must be a Uint8Array");
    if (value.length > MAX_PAYLOAD_BYTES)
      throw new RangeError(`payload of ${value.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
    return value;
  }

  decode(bytes: Uint8Array): Uint8Array {
    return bytes.slice();
  }

  toJson(value: Uint8Array): string {
    return toBase64(value);
  }

  fromJson(json: unknown): Uint8Array {
    return this.encode(bytesFromJson(json, "bytes payload"));
  }
}

export const bytesPayload: BytesPayloadType = new BytesPayloadType();
