import { describe, expect, it } from "vitest";
import type { Frame } from "../frames/model.ts";
import { indexBound } from "./bounds.ts";
import { checkMetadata, checkName } from "./names.ts";
import { ordinalsOf, segmentFrame, segmentStats, toSegments } from "./segments.ts";

const frame: Frame = {
  index: { kind: "int64", name: "i", values: BigInt64Array.from([1n, 2n, 3n, 5n, 8n]) },
  columns: [
    { name: "x", dtype: "float64", values: Float64Array.from([0.5, 1, 1.5, 2, 2.5]) },
    { name: "s", dtype: "string", values: ["a", "b", "", "d", "e"], valid: Uint8Array.from([1, 1, 0, 1, 1]) },
  ],
};

describe("segments", () => {
  it("cuts a frame into segments with bounds, stats and one blob per column", () => {
    const segs = toSegments("it", frame, 3, 0, 2);
    expect(segs.map((s) => [s.segment.id, s.segment.rows, s.segment.min, s.segment.max])).toEqual([
      ["3.0", 2, "1", "2"],
      ["3.1", 2, "3", "5"],
      ["3.2", 1, "8", "8"],
    ]);
    expect(segs[1]?.segment.columns.map((c) => [c.name, c.stats.nullCount])).toEqual([
      ["x", 0],
      ["s", 1],
    ]);
    expect(segs.every((s) => s.blobs.length === 3)).toBe(true);
  });

  it("decodes only the ordinals fetched, and refuses blobs that disagree with their record", () => {
    const [s] = toSegments("it", frame, 0);
    if (!s) throw new Error("no segment");
    const ords = ordinalsOf(s.segment, new Set(["s"]));
    expect(ords).toEqual([0, 2]);
    const f = segmentFrame(
      s.segment,
      { kind: "int64", name: "i" },
      ords,
      ords.map((o) => s.blobs[o] as Uint8Array),
    );
    expect(f.columns.map((c) => c.name)).toEqual(["s"]);
    expect(Array.from(f.index.values)).toEqual([1n, 2n, 3n, 5n, 8n]);
    expect(() =>
      segmentFrame(
        s.segment,
        { kind: "int64", name: "i" },
        [0, 1],
        [s.blobs[0] as Uint8Array, s.blobs[2] as Uint8Array],
      ),
    ).toThrow(/does not match/);
    expect(() => segmentFrame(s.segment, { kind: "int64", name: "i" }, [1], [s.blobs[1] as Uint8Array])).toThrow(
      /no index/,
    );
  });

  it("gives a column the segment lacks all-null stats, and none to a column since widened", () => {
    const [s] = toSegments("it", frame, 0);
    if (!s) throw new Error("no segment");
    const m = segmentStats(s.segment, "i", [
      { name: "x", dtype: "float64" },
      { name: "s", dtype: "category" },
      { name: "new", dtype: "int32" },
    ]);
    expect(m.get("i")).toEqual({ rows: 5, nullCount: 0, min: 1n, max: 8n });
    expect(m.get("x")).toMatchObject({ min: 0.5, max: 2.5 });
    expect(m.has("s")).toBe(false);
    expect(m.get("new")).toEqual({ rows: 5, nullCount: 5 });
  });
});

describe("bounds and names", () => {
  it("reads index bounds as ints, decimal text or ISO times", () => {
    expect(indexBound("start", 5n, "int64")).toBe(5n);
    expect(indexBound("start", "-12", "int64")).toBe(-12n);
    expect(indexBound("start", "1970-01-01T00:00:01Z", "timestamp")).toBe(1_000_000_000n);
    expect(() => indexBound("start", "1970-01-01", "int64")).toThrow(/integer/);
    expect(() => indexBound("end", "99999999999999999999", "int64")).toThrow(/integer/);
  });

  it("refuses empty, long, slashed and control-character names and reserved metadata", () => {
    for (const bad of ["", "a/b", "x\u0000", "\u007f", "n".repeat(201)]) expect(() => checkName("item", bad)).toThrow();
    expect(() => checkName("item", "AAPL.US \u00e9")).not.toThrow();
    expect(() => checkMetadata({ _x: 1 })).toThrow(/reserved/);
    expect(() => checkMetadata([1])).toThrow(/object/);
    expect(() => checkMetadata({ a: "x".repeat(70_000) })).toThrow(/at most/);
    let deep: unknown = 1;
    for (let i = 0; i < 20; i++) deep = { d: deep };
    expect(() => checkMetadata(deep)).toThrow(/nest/);
  });
});
