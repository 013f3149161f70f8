import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bytesPayload,
  MAX_PAYLOAD_BYTES,
  type PayloadType,
  type StructValue,
  scalarPayload,
  structPayload,
  unitPayload,
} from "./payload.js";

describe("bytesPayload", () => {
  it("passes bytes through and decodes to a copy", () => {
    const b = new Uint8Array([1, 2, 3]);
    expect(bytesPayload.encode(b)).toBe(b);
    const d = bytesPayload.decode(b);
    b[0] = 9;
    expect([...d]).toEqual([1, 2, 3]);
    const asType: PayloadType<Uint8Array> = bytesPayload;
    expect(asType.size).toBeUndefined();
  });
  it("round-trips through base64 JSON", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const json = bytesPayload.toJson(b);
        expect(json).toBe(Buffer.from(b).toString("base64"));
        expect(bytesPayload.fromJson(json)).toEqual(b);
      }),
    );
  });
  it("rejects malformed base64, non-strings and oversized payloads", () => {
    for (const bad of ["AQ", "A===", "AQ==AQ==", "a b=", "-_8=", "AQI=\n"]) {
      expect(() => bytesPayload.fromJson(bad), bad).toThrow(TypeError);
    }
    expect(() => bytesPayload.fromJson(5)).toThrow(TypeError);
    expect(() => bytesPayload.encode("ab" as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => bytesPayload.encode(new Uint8Array(MAX_PAYLOAD_BYTES + 1))).toThrow(RangeError);
  });
});

describe("structPayload JSON", () => {
  const t = structPayload("<bq?fe4sc");
  it("maps each letter to its JSON form", () => {
    const v = t.decode(
      t.encode([
        -1,
        2n ** 62n,
        true,
        Number.NaN,
        Number.NEGATIVE_INFINITY,
        new Uint8Array([104, 105]),
        new Uint8Array([0]),
      ]),
    );
    expect(t.toJson(v)).toEqual([-1, "4611686018427387904", true, "NaN", "-Infinity", "aGkAAA==", "AA=="]);
  });
  it("accepts integers as numbers or decimal strings; 64-bit only as safe numbers or strings", () => {
    expect(t.fromJson(["-1", 5, false, 1, 0, "", "AA=="])).toEqual([
      -1,
      5n,
      false,
      1,
      0,
      new Uint8Array(0),
      new Uint8Array([0]),
    ]);
    expect(() => t.fromJson([1, 2 ** 60, false, 1, 0, "", "AA=="])).toThrow(/decimal strings/);
    expect(() => t.fromJson([1, "01", false, 1, 0, "", "AA=="])).toThrow(TypeError);
    expect(() => t.fromJson([1, "1e3", false, 1, 0, "", "AA=="])).toThrow(TypeError);
    expect(() => t.fromJson([1, "9223372036854775808", false, 1, 0, "", "AA=="])).toThrow(RangeError);
  });
  it("checks types, counts and ranges as encode does", () => {
    expect(() => t.fromJson("x")).toThrow(TypeError);
    expect(() => t.fromJson([1])).toThrow('format "<bq?fe4sc" takes 7 values, got 1');
    expect(() => t.fromJson([200, 1, false, 1, 0, "", "AA=="])).toThrow("'b' format requires -128 <= number <= 127");
    expect(() => t.fromJson([1, 1, 0, 1, 0, "", "AA=="])).toThrow(TypeError);
    expect(() => t.fromJson([1, 1, false, "1", 0, "", "AA=="])).toThrow(TypeError);
    expect(() => t.fromJson([1, 1, false, 1e39, 0, "", "AA=="])).toThrow("float too large to pack with f format");
    expect(() => t.fromJson([1, 1, false, 1, 0, "", "AAA="])).toThrow(
      "char format requires a bytes object of length 1",
    );
    expect(() => t.fromJson([1, 1, false, 1, 0, "", null])).toThrow(TypeError);
  });
  it("serves as a PayloadType with a fixed size", () => {
    const p: PayloadType<StructValue[]> = structPayload("if?");
    expect(p.size).toBe(9);
  });
});

describe("scalarPayload and unitPayload", () => {
  it("packs one value without a wrapping array", () => {
    const d = scalarPayload("<d");
    expect(d.size).toBe(8);
    expect(d.decode(d.encode(1.5))).toBe(1.5);
    expect(d.toJson(Number.NaN)).toBe("NaN");
    expect(scalarPayload("q").fromJson("-5")).toBe(-5n);
    expect(scalarPayload("4s").decode(new Uint8Array([1, 2, 3, 4]))).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(() => scalarPayload("ii")).toThrow(RangeError);
    expect(() => scalarPayload("x")).toThrow(RangeError);
  });
  it("has an empty payload that ignores what it decodes", () => {
    expect(unitPayload.encode(null)).toEqual(new Uint8Array(0));
    expect(unitPayload.decode(new Uint8Array([1]))).toBeNull();
    expect(unitPayload.fromJson(null)).toBeNull();
    expect(() => unitPayload.fromJson(0)).toThrow(TypeError);
  });
});
