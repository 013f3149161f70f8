import { describe, expect, it } from "vitest";
import { type Column, checkFrame, type Frame, FrameError, isSorted, isValid, schemaOf } from "./model.ts";

const index = (...v: number[]) => ({
  kind: "timestamp" as const,
  name: "index",
  values: BigInt64Array.from(v.map(BigInt)),
});

function frame(columns: Column[], rows = 3): Frame {
  return { index: index(...Array.from({ length: rows }, (_, i) => i * 1000)), columns };
}

const codeOf = (f: () => void): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof FrameError ? e.code : "not a FrameError";
  }
  return undefined;
};

describe("checkFrame", () => {
  it("takes a well-formed frame of every dtype, with nulls", () => {
    const f = frame([
      { name: "a", dtype: "float64", values: Float64Array.of(1, Number.NaN, 3) },
      { name: "b", dtype: "float32", values: Float32Array.of(1, 2, 3), valid: Uint8Array.of(1, 0, 1) },
      { name: "c", dtype: "int64", values: BigInt64Array.of(1n, 2n, 3n) },
      { name: "d", dtype: "int32", values: Int32Array.of(1, 2, 3) },
      { name: "e", dtype: "bool", values: Uint8Array.of(1, 0, 1) },
      { name: "f", dtype: "string", values: ["x", "", "z"], valid: Uint8Array.of(1, 0, 1) },
      { name: "g", dtype: "timestamp", values: BigInt64Array.of(0n, 1n, 2n) },
      {
        name: "h",
        dtype: "category",
        values: { codes: Int32Array.of(0, 1, -1), dictionary: ["A", "B"] },
        valid: Uint8Array.of(1, 1, 0),
      },
    ]);
    expect(() => checkFrame(f)).not.toThrow();
    expect(schemaOf(f).fields.map((x) => [x.name, x.nullable])).toEqual([
      ["a", false],
      ["b", true],
      ["c", false],
      ["d", false],
      ["e", false],
      ["f", true],
      ["g", false],
      ["h", true],
    ]);
  });

  it("refuses duplicate names, the index's name, empty names, short columns, bad validity and codes", () => {
    const a: Column = { name: "a", dtype: "int32", values: Int32Array.of(1, 2, 3) };
    expect(codeOf(() => checkFrame(frame([a, { ...a }])))).toBe("duplicate_column");
    expect(codeOf(() => checkFrame(frame([{ ...a, name: "index" }])))).toBe("duplicate_column");
    expect(codeOf(() => checkFrame(frame([{ ...a, name: "" }])))).toBe("invalid");
    expect(codeOf(() => checkFrame(frame([{ ...a, values: Int32Array.of(1) }])))).toBe("invalid");
    expect(codeOf(() => checkFrame(frame([{ ...a, valid: Uint8Array.of(1, 2, 1) }])))).toBe("invalid");
    expect(codeOf(() => checkFrame(frame([{ ...a, valid: Uint8Array.of(1) }])))).toBe("invalid");
    const cat: Column = {
      name: "c",
      dtype: "category",
      values: { codes: Int32Array.of(0, 2, 0), dictionary: ["A", "B"] },
    };
    expect(codeOf(() => checkFrame(frame([cat])))).toBe("invalid");
    // A code outside the dictionary under a null row is never read.
    expect(codeOf(() => checkFrame(frame([{ ...cat, valid: Uint8Array.of(1, 0, 1) }])))).toBeUndefined();
  });
});

describe("helpers", () => {
  it("isValid and isSorted", () => {
    const c: Column = { name: "a", dtype: "int32", values: Int32Array.of(1, 2), valid: Uint8Array.of(0, 1) };
    expect([isValid(c, 0), isValid(c, 1)]).toEqual([false, true]);
    expect(isSorted(BigInt64Array.of(1n, 1n, 2n))).toBe(true);
    expect(isSorted(BigInt64Array.of(2n, 1n))).toBe(false);
    expect(isSorted(new BigInt64Array(0))).toBe(true);
  });
});
