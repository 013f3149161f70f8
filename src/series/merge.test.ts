import { describe, expect, it } from "vitest";
import { SeriesError } from "./errors.ts";
import { isAllMissing, planSet, updateChunk } from "./merge.ts";
import type { DenseChunk } from "./model.ts";

const N = Number.NaN;
const chunk = (chunkIndex: number, values: number[], startMs = chunkIndex * 1000): DenseChunk => ({
  chunkIndex,
  startMs,
  values: Float64Array.from(values),
});
const vals = (c: DenseChunk | undefined) => Array.from(c?.values ?? []);

describe("updateChunk", () => {
  it("lets incoming values win, fills from existing, and never erases with NaN", () => {
    const merged = updateChunk(chunk(5, [1, 2, N, 4]), chunk(5, [N, 20, 30, N]));
    expect(vals(merged)).toEqual([1, 20, 30, 4]);
    expect(merged.chunkIndex).toBe(5);
  });

  it("returns incoming when nothing exists, and keeps the longer length", () => {
    const inc = chunk(5, [1]);
    expect(updateChunk(null, inc)).toBe(inc);
    expect(vals(updateChunk(chunk(5, [1, 2]), chunk(5, [N, N, 3])))).toEqual([1, 2, 3]);
    expect(vals(updateChunk(chunk(5, [1, 2, 3]), chunk(5, [9])))).toEqual([9, 2, 3]);
  });

  it("does not touch its inputs", () => {
    const a = chunk(5, [1, N]);
    const b = chunk(5, [N, 2]);
    updateChunk(a, b);
    expect(vals(a)).toEqual([1, N]);
    expect(vals(b)).toEqual([N, 2]);
  });

  it("refuses to merge different chunks or grid starts", () => {
    expect(() => updateChunk(chunk(5, [1]), chunk(6, [1]))).toThrow(SeriesError);
    expect(() => updateChunk(chunk(5, [1], 0), chunk(5, [1], 3_600_000))).toThrow(SeriesError);
  });
});

describe("isAllMissing", () => {
  it("is true only when no value is present", () => {
    expect(isAllMissing(new Float64Array(0))).toBe(true);
    expect(isAllMissing(Float64Array.from([N, N]))).toBe(true);
    expect(isAllMissing(Float64Array.from([N, 0]))).toBe(false);
  });
});

describe("planSet", () => {
  const existing = [
    { chunkIndex: 1, values: Float64Array.from([1, 1]) },
    { chunkIndex: 2, values: null },
    { chunkIndex: 3, values: Float64Array.from([3, N]) },
  ];

  it("create writes new chunks and recreates tombstoned ones", () => {
    const plan = planSet("create", [chunk(4, [4]), chunk(2, [2])], existing);
    expect(plan.write.map((c) => c.chunkIndex)).toEqual([2, 4]);
    expect(plan.tombstone).toEqual([]);
  });

  it("create over a live chunk is a conflict naming it", () => {
    try {
      planSet("create", [chunk(3, [9, 9]), chunk(4, [4])], existing);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SeriesError);
      expect((e as SeriesError).code).toBe("conflict");
      expect((e as SeriesError).message).toContain("3");
    }
  });

  it("update merges with live chunks, revives tombstones with the new values alone, adds new ones", () => {
    const plan = planSet("update", [chunk(3, [N, 30]), chunk(2, [N, 20]), chunk(5, [5])], existing);
    expect(plan.write.map((c) => c.chunkIndex)).toEqual([2, 3, 5]);
    expect(vals(plan.write[0])).toEqual([N, 20]);
    expect(vals(plan.write[1])).toEqual([3, 30]);
    expect(vals(plan.write[2])).toEqual([5]);
    expect(plan.tombstone).toEqual([]);
  });

  it("replace writes the new chunks as they are and tombstones every other live chunk", () => {
    const plan = planSet("replace", [chunk(3, [N, 30]), chunk(7, [7])], existing);
    expect(plan.write.map((c) => c.chunkIndex)).toEqual([3, 7]);
    expect(vals(plan.write[0])).toEqual([N, 30]);
    expect(plan.tombstone).toEqual([1]); // 2 is already a tombstone
  });

  it("ignores incoming chunks with no value: replace with nothing tombstones every live chunk", () => {
    expect(planSet("replace", [chunk(1, [N])], existing)).toEqual({ write: [], tombstone: [1, 3] });
    expect(planSet("update", [chunk(1, [N])], existing)).toEqual({ write: [], tombstone: [] });
    expect(planSet("create", [chunk(1, [N])], existing)).toEqual({ write: [], tombstone: [] });
  });

  it("refuses duplicate chunks, mismatched starts and an unknown mode", () => {
    expect(() => planSet("update", [chunk(1, [1]), chunk(1, [2])], [])).toThrow(SeriesError);
    expect(() => planSet("update", [], [existing[0], existing[0]] as typeof existing)).toThrow(SeriesError);
    expect(() =>
      planSet("update", [chunk(1, [1], 0)], [{ chunkIndex: 1, values: Float64Array.from([1]), startMs: 5 }]),
    ).toThrow(SeriesError);
    expect(() => planSet("upsert" as "update", [], [])).toThrow(SeriesError);
  });
});
