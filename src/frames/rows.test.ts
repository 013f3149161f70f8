import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Column, checkFrame, type Frame, FrameError } from "./model.ts";
import { concatFrames, lowerBound, sliceRows, sortByIndex, sortPermutation, takeRows } from "./rows.ts";

const valid = (xs: readonly unknown[]): Uint8Array | undefined =>
  xs.includes(null) ? Uint8Array.from(xs, (x) => (x === null ? 0 : 1)) : undefined;
const opt = (v: Uint8Array | undefined) => (v === undefined ? {} : { valid: v });

const frame = (index: readonly number[], columns: Column[]): Frame => ({
  index: { kind: "int64", name: "index", values: BigInt64Array.from(index, BigInt) },
  columns,
});
const f64 = (name: string, xs: readonly (number | null)[]): Column => ({
  name,
  dtype: "float64",
  values: Float64Array.from(xs, (x) => x ?? 0),
  ...opt(valid(xs)),
});
const cat = (name: string, dictionary: string[], codes: readonly (number | null)[]): Column => ({
  name,
  dtype: "category",
  values: { codes: Int32Array.from(codes, (c) => c ?? 99), dictionary },
  ...opt(valid(codes)),
});

/** Row i of a column as a plain value, null for a null row; categories as their word. */
function cell(c: Column, i: number): unknown {
  if (c.valid !== undefined && c.valid[i] === 0) return null;
  if (c.dtype === "category") return c.values.dictionary[c.values.codes[i] as number];
  return c.values[i];
}
const rows = (f: Frame) => Array.from(f.index.values, (v, i) => [v, ...f.columns.map((c) => cell(c, i))] as unknown[]);

function allTypes(): Frame {
  return frame(
    [1, 2, 3],
    [
      f64("f64", [1.5, null, 3]),
      { name: "f32", dtype: "float32", values: Float32Array.of(1, 2, 3) },
      { name: "i64", dtype: "int64", values: BigInt64Array.of(1n, 2n, 3n) },
      { name: "i32", dtype: "int32", values: Int32Array.of(-1, 0, 1), valid: Uint8Array.of(1, 1, 0) },
      { name: "b", dtype: "bool", values: Uint8Array.of(1, 0, 1) },
      { name: "s", dtype: "string", values: ["a", "", "c"] },
      { name: "t", dtype: "timestamp", values: BigInt64Array.of(10n, 20n, 30n) },
      cat("c", ["x", "y"], [1, 0, null]),
    ],
  );
}

describe("takeRows", () => {
  it("picks rows in the given order, repeats allowed, for every dtype", () => {
    const f = allTypes();
    const t = takeRows(f, [2, 0, 2]);
    checkFrame(t);
    const all = rows(f);
    expect(rows(t)).toEqual([all[2], all[0], all[2]]);
  });
  it("drops validity bytes when no picked row is null, keeps them otherwise", () => {
    const f = frame([1, 2], [f64("x", [1, null])]);
    expect(takeRows(f, [0]).columns[0]?.valid).toBeUndefined();
    expect(takeRows(f, [1, 0]).columns[0]?.valid).toEqual(Uint8Array.of(0, 1));
  });
  it("rejects rows outside the frame", () => {
    const f = frame([1, 2], [f64("x", [1, 2])]);
    for (const bad of [[2], [-1], [0.5]]) {
      expect(() => takeRows(f, bad)).toThrow(expect.objectContaining({ code: "invalid" }));
    }
  });
  it("keeps the index's name, kind and zone", () => {
    const f: Frame = {
      index: { kind: "timestamp", name: "ts", values: BigInt64Array.of(5n), zone: "Europe/Paris" },
      columns: [],
    };
    expect(takeRows(f, [0]).index).toEqual(f.index);
  });
});

describe("sliceRows", () => {
  it("clamps like Array.slice with non-negative bounds", () => {
    const f = frame([1, 2, 3, 4], [f64("x", [1, 2, 3, 4])]);
    expect(rows(sliceRows(f, 1, 3))).toEqual([
      [2n, 2],
      [3n, 3],
    ]);
    expect(rows(sliceRows(f, 3, 99))).toEqual([[4n, 4]]);
    expect(rows(sliceRows(f, 3, 1))).toEqual([]);
    expect(rows(sliceRows(f, 2))).toHaveLength(2);
  });
});

describe("concatFrames", () => {
  it("joins category dictionaries and remaps codes, nulls stay null", () => {
    const a = frame([1, 2], [cat("c", ["x", "y"], [1, null])]);
    const b = frame([3, 4, 5], [cat("c", ["y", "z"], [1, 0, null])]);
    const c = concatFrames([a, b]);
    checkFrame(c);
    expect(rows(c).map((r) => r[1])).toEqual(["y", null, "z", "y", null]);
    const col = c.columns[0];
    expect(col?.dtype === "category" && col.values.dictionary).toEqual(["x", "y", "z"]);
  });
  it("refuses frames whose columns differ, naming the column", () => {
    const a = frame([1], [f64("x", [1])]);
    const b = frame([2], [f64("y", [1])]);
    const c = frame([2], [f64("x", [1]), f64("z", [1])]);
    expect(() => concatFrames([a, b])).toThrow(expect.objectContaining({ code: "schema_changed", subject: "x" }));
    expect(() => concatFrames([a, c])).toThrow(expect.objectContaining({ code: "schema_changed", subject: "z" }));
    const i32: Frame = frame([2], [{ name: "x", dtype: "int32", values: Int32Array.of(1) }]);
    expect(() => concatFrames([a, i32])).toThrow(FrameError);
  });
  it("refuses a different index name", () => {
    const a = frame([1], []);
    const b: Frame = { index: { ...a.index, name: "ts" }, columns: [] };
    expect(() => concatFrames([a, b])).toThrow(expect.objectContaining({ code: "schema_changed" }));
  });
  it("takes more than 256 frames (16-bit sources)", () => {
    const parts = Array.from({ length: 300 }, (_, i) => frame([i], [f64("x", [i])]));
    const all = concatFrames(parts);
    expect(rows(all).map((r) => r[1])).toEqual(parts.map((_, i) => i));
  });
  it("slicing the concatenation gives back each part", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.option(fc.double({ noNaN: true }), { nil: null })), { minLength: 1, maxLength: 5 }),
        (parts) => {
          const frames = parts.map((xs) =>
            frame(
              xs.map((_, i) => i),
              [f64("x", xs)],
            ),
          );
          const all = concatFrames(frames);
          let at = 0;
          for (const f of frames) {
            const n = f.index.values.length;
            expect(rows(sliceRows(all, at, at + n))).toEqual(rows(f));
            at += n;
          }
        },
      ),
    );
  });
});

describe("sorting", () => {
  it("sorts stably: ties keep their order", () => {
    const f = frame([3, 1, 3, 1, 2], [f64("x", [0, 1, 2, 3, 4])]);
    expect(rows(sortByIndex(f)).map((r) => r[1])).toEqual([1, 3, 4, 0, 2]);
  });
  it("returns a sorted frame as it is", () => {
    const f = frame([1, 1, 2], [f64("x", [0, 1, 2])]);
    expect(sortByIndex(f)).toBe(f);
  });
  it("the permutation sorts any index, ties by position", () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: -5n, max: 5n })), (xs) => {
        const idx = BigInt64Array.from(xs);
        const p = Array.from(sortPermutation(idx));
        const want = xs
          .map((v, i) => [v, i] as const)
          .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
        expect(p).toEqual(want.map((w) => w[1]));
      }),
    );
  });
  it("lowerBound finds the first value >= v, or > v", () => {
    const idx = BigInt64Array.of(1n, 3n, 3n, 5n);
    expect([0n, 1n, 2n, 3n, 4n, 5n, 6n].map((v) => lowerBound(idx, v))).toEqual([0, 0, 1, 1, 3, 3, 4]);
    expect([0n, 1n, 3n, 5n].map((v) => lowerBound(idx, v, true))).toEqual([0, 1, 3, 4]);
  });
});
