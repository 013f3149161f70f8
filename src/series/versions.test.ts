import { describe, expect, it } from "vitest";
import { SeriesError } from "./errors.ts";
import type { Points } from "./model.ts";
import { combineFirst, combineVersions, normalisePoints, trimStart } from "./versions.ts";

const N = Number.NaN;
const pts = (pairs: [number, number][]): Points => ({
  index: Float64Array.from(pairs.map((p) => p[0])),
  values: Float64Array.from(pairs.map((p) => p[1])),
});
const pairs = (p: Points) => Array.from(p.index, (t, i) => [t, p.values[i]]);
const H = 3_600_000;
const D = 24 * H;

describe("combineFirst", () => {
  it("is pandas combine_first: union of indexes, newer's non-NaN wins, NaN-only points kept", () => {
    const newer = pts([
      [1, 5],
      [2, N],
      [4, N],
    ]);
    const older = pts([
      [2, 7],
      [3, 8],
      [4, N],
    ]);
    expect(pairs(combineFirst(newer, older))).toEqual([
      [1, 5],
      [2, 7],
      [3, 8],
      [4, N],
    ]);
  });

  it("returns the other side when one is empty, and refuses unsorted input", () => {
    const a = pts([[1, 1]]);
    const empty = pts([]);
    expect(combineFirst(a, empty)).toBe(a);
    expect(combineFirst(empty, a)).toBe(a);
    expect(() =>
      combineFirst(
        pts([
          [2, 1],
          [1, 1],
        ]),
        pts([[3, 1]]),
      ),
    ).toThrow(SeriesError);
  });
});

describe("combineVersions", () => {
  // HoLcStore's tests_slice_with_delay: v0 = 1 hourly over 2024, v1 = 2 from Jan 2, both to 2025-01-01.
  const t0 = Date.parse("2024-01-01T00:00:00Z");
  const tEnd = Date.parse("2025-01-01T00:00:00Z");
  const hourly = (from: number, value: number): Points => {
    const n = (tEnd - from) / H + 1;
    return { index: Float64Array.from({ length: n }, (_, i) => from + i * H), values: new Float64Array(n).fill(value) };
  };
  const v0 = hourly(t0, 1);
  const v1 = hourly(t0 + D, 2);

  it("folds newest first: the newest wins, older versions fill", () => {
    const c = combineVersions([v1, v0]);
    expect(c.index).toHaveLength(v0.index.length);
    expect(c.values[0]).toBe(1);
    expect(c.values[23]).toBe(1);
    expect(c.values[24]).toBe(2);
    expect(c.values[c.values.length - 1]).toBe(2);
  });

  it("combined_delay trims each version's own start before combining (HoLcStore's slice test)", () => {
    // Expected: combine_first(v1.iloc[24:], v0.iloc[24:]).
    const one = combineVersions([v1, v0], D);
    const expected = combineFirst(
      { index: v1.index.subarray(24), values: v1.values.subarray(24) },
      { index: v0.index.subarray(24), values: v0.values.subarray(24) },
    );
    expect(pairs(one)).toEqual(pairs(expected));
    expect(one.index[0]).toBe(t0 + D);
    expect(one.values[0]).toBe(1); // Jan 2 comes from v0: v1 lost its first day
    expect(one.values[24]).toBe(2);
    const two = combineVersions([v1, v0], 2 * D);
    expect(two.index[0]).toBe(t0 + 2 * D);
    expect(two.values[0]).toBe(1);
    expect(two.values[24]).toBe(2);
  });

  it("counts NaN points for a version's start, keeps the cut point, and skips emptied versions", () => {
    const v = pts([
      [0, N],
      [10, 1],
      [20, 2],
    ]);
    expect(pairs(trimStart(v, 10))).toEqual([
      [10, 1],
      [20, 2],
    ]);
    expect(pairs(trimStart(v, 11))).toEqual([[20, 2]]);
    expect(trimStart(v, 0)).toBe(v);
    expect(trimStart(v, -5)).toBe(v);
    // The newest version's single point is cut away, so only the older one remains.
    expect(pairs(combineVersions([pts([[0, 9]]), v], 10))).toEqual([
      [10, 1],
      [20, 2],
    ]);
  });

  it("is empty with no versions or only empty ones, and refuses a non-finite delay", () => {
    expect(combineVersions([]).index).toHaveLength(0);
    expect(combineVersions([pts([]), pts([])]).index).toHaveLength(0);
    expect(() => combineVersions([v0], Number.POSITIVE_INFINITY)).toThrow(SeriesError);
    expect(() => combineVersions([v0], N)).toThrow(SeriesError);
  });
});

describe("normalisePoints", () => {
  it("sorts by time, keeps NaN values and reads null as NaN", () => {
    const p = normalisePoints([30, 10, 20], [3, N, null as unknown as number]);
    expect(pairs(p)).toEqual([
      [10, N],
      [20, N],
      [30, 3],
    ]);
  });

  it("keeps Float64Arrays already in order, and checks the others the long way", () => {
    const index = Float64Array.from([1, 2, 3]);
    const values = Float64Array.from([5, N, 7]);
    const same = normalisePoints(index, values);
    expect(same.index).toBe(index);
    expect(same.values).toBe(values);
    const sorted = normalisePoints(Float64Array.from([2, 1]), Float64Array.from([6, 5]));
    expect(pairs(sorted)).toEqual([
      [1, 5],
      [2, 6],
    ]);
    expect(() => normalisePoints(Float64Array.from([1, N]), Float64Array.from([1, 2]))).toThrow(SeriesError);
    expect(() => normalisePoints(Float64Array.from([1, 1]), Float64Array.from([1, 2]))).toThrow("duplicate");
  });

  it("copies sorted input when a column is not a Float64Array", () => {
    const index = Float64Array.from([1, 2]);
    const p = normalisePoints(index, [5, 6]);
    expect(p.index).not.toBe(index);
    expect(pairs(p)).toEqual([
      [1, 5],
      [2, 6],
    ]);
  });

  it.each([
    [[1, 2, 1], [0, 0, 0], /duplicate/],
    [[1, 1], [0, 0], /duplicate/],
    [[1, N], [0, 0], /not a valid instant/],
    [[1, 9e15], [0, 0], /not a valid instant/],
    [[1, 2], [0], /differ in length/],
  ])("refuses %j", (index, values, message) => {
    expect(() => normalisePoints(index, values)).toThrow(message);
    expect(() => normalisePoints(index, values)).toThrow(SeriesError);
  });
});
