import { describe, expect, it } from "vitest";
import { chunkStartMs, makeGrid } from "./calendar.ts";
import { SeriesError } from "./errors.ts";
import { fromChunks, toChunks } from "./grid.ts";
import type { DenseChunk, Points } from "./model.ts";

const ms = (iso: string) => Date.parse(iso);
const H = 3_600_000;
const pts = (index: number[], values: number[]): Points => ({
  index: Float64Array.from(index),
  values: Float64Array.from(values),
});
const paris1h = makeGrid("Europe/Paris", "year,month", "1h");

describe("toChunks", () => {
  it("reindexes on the grid, drops NaN and off-grid points, and counts the off-grid ones", () => {
    const t0 = ms("2024-01-15T10:00:00Z");
    const { chunks, offGrid } = toChunks(
      pts([t0, t0 + 30 * 60_000, t0 + H, t0 + 2 * H, t0 + 2 * H + 1], [1, 99, Number.NaN, 3, 98]),
      paris1h,
    );
    expect(offGrid).toBe(2);
    expect(chunks).toHaveLength(1);
    const c = chunks[0] as DenseChunk;
    expect(c.chunkIndex).toBe(24288);
    expect(c.startMs).toBe(ms("2023-12-31T23:00:00Z"));
    expect(c.values).toHaveLength(744);
    const i = (t0 - c.startMs) / H;
    expect(Array.from(c.values.subarray(i, i + 3))).toEqual([1, Number.NaN, 3]);
    expect(c.values.filter((v) => !Number.isNaN(v))).toHaveLength(2);
  });

  it("splits by local month and skips chunks that would hold no value", () => {
    const { chunks } = toChunks(
      pts(
        [
          ms("2024-01-31T22:00:00Z"),
          ms("2024-01-31T23:00:00Z"),
          ms("2024-02-10T00:00:00Z"),
          ms("2024-04-01T00:00:00Z"),
        ],
        [1, 2, Number.NaN, 4],
      ),
      paris1h,
    );
    expect(chunks.map((c) => c.chunkIndex)).toEqual([24288, 24289, 24291]);
    expect(chunks[0]?.values[743]).toBe(1); // Jan 31 23:00 local, the last January point
    expect(chunks[1]?.values[0]).toBe(2); // Feb 1 00:00 local
    expect(chunks[2]?.startMs).toBe(ms("2024-03-31T22:00:00Z"));
    expect(chunks[2]?.values[2]).toBe(4);
  });

  it("on a daily grid keeps only local midnights", () => {
    const g = makeGrid("Europe/Paris", "year,month", "1D");
    const { chunks, offGrid } = toChunks(
      pts([ms("2024-10-26T22:00:00Z"), ms("2024-10-27T22:00:00Z"), ms("2024-10-27T23:00:00Z")], [1, 2, 3]),
      g,
    );
    expect(offGrid).toBe(1); // Oct 27 22:00Z is 23:00 local
    expect(chunks).toHaveLength(1);
    expect(Array.from(chunks[0]?.values ?? []).slice(25, 29)).toEqual([Number.NaN, 1, 3, Number.NaN]);
  });

  it("puts a value of a day the zone skipped on the day that exists (Apia, Dec 2011)", () => {
    const g = makeGrid("Pacific/Apia", "year,month", "1D");
    const { chunks } = toChunks(pts([ms("2011-12-30T10:00:00Z")], [7]), g);
    expect(chunks[0]?.values[30]).toBe(7);
    expect(Number.isNaN(chunks[0]?.values[29] as number)).toBe(true);
    const back = fromChunks(chunks, g);
    expect(Array.from(back.index)).toEqual([ms("2011-12-30T10:00:00Z")]);
  });

  it("refuses unsorted, duplicate, NaN and out-of-range timestamps and mismatched lengths", () => {
    const bad: Points[] = [
      pts([2 * H, H], [1, 2]),
      pts([H, H], [1, 2]),
      pts([Number.NaN], [1]),
      pts([8.64e15], [1]),
      { index: new Float64Array(2), values: new Float64Array(1) },
    ];
    for (const p of bad) expect(() => toChunks(p, paris1h)).toThrow(SeriesError);
  });

  it("returns nothing for no points or only NaN", () => {
    expect(toChunks(pts([], []), paris1h)).toEqual({ chunks: [], offGrid: 0 });
    expect(toChunks(pts([0, H], [Number.NaN, Number.NaN]), paris1h)).toEqual({ chunks: [], offGrid: 0 });
  });

  it("chunks 10 years of hourly values in well under a second", () => {
    const n = 87_600;
    const index = new Float64Array(n);
    const values = new Float64Array(n);
    const t0 = ms("2015-01-01T00:00:00+01:00");
    for (let i = 0; i < n; i++) {
      index[i] = t0 + i * H;
      values[i] = i;
    }
    const started = performance.now();
    const { chunks, offGrid } = toChunks({ index, values }, paris1h);
    const back = fromChunks(chunks, paris1h);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(offGrid).toBe(0);
    expect(chunks).toHaveLength(120);
    expect(Buffer.from(back.index.buffer).equals(Buffer.from(index.buffer))).toBe(true);
    expect(Buffer.from(back.values.buffer).equals(Buffer.from(values.buffer))).toBe(true);
  });
});

describe("fromChunks", () => {
  const jan = 24288;
  const janStart = ms("2023-12-31T23:00:00Z");
  const dense = (chunkIndex: number, startMs: number, n: number, set: Record<number, number>): DenseChunk => {
    const values = new Float64Array(n).fill(Number.NaN);
    for (const [k, v] of Object.entries(set)) values[Number(k)] = v;
    return { chunkIndex, startMs, values };
  };

  it("trims missing values at both edges and keeps interior ones", () => {
    const p = fromChunks([dense(jan, janStart, 744, { 5: 1, 8: 2 })], paris1h);
    expect(Array.from(p.index)).toEqual([5, 6, 7, 8].map((k) => janStart + k * H));
    expect(Array.from(p.values)).toEqual([1, Number.NaN, Number.NaN, 2]);
  });

  it("applies inclusive bounds before trimming", () => {
    const c = dense(jan, janStart, 744, { 5: 1, 6: 2, 7: 3, 9: 4 });
    const p = fromChunks([c], paris1h, janStart + 6 * H, janStart + 9 * H);
    expect(Array.from(p.values)).toEqual([2, 3, Number.NaN, 4]);
    expect(p.index[0]).toBe(janStart + 6 * H);
    const q = fromChunks([c], paris1h, janStart + 5.5 * H, janStart + 8.5 * H);
    expect(Array.from(q.values)).toEqual([2, 3]);
    expect(fromChunks([c], paris1h, janStart + 10 * H).index).toHaveLength(0);
    expect(fromChunks([c], paris1h, janStart + 9 * H, janStart + 5 * H).index).toHaveLength(0);
  });

  it("leaves chunks that are not there out of the output", () => {
    const mar = 24290;
    const p = fromChunks(
      [dense(jan, janStart, 744, { 743: 1 }), dense(mar, chunkStartMs(paris1h, mar), 743, { 0: 2 })],
      paris1h,
    );
    expect(Array.from(p.index)).toEqual([janStart + 743 * H, ms("2024-02-29T23:00:00Z")]);
    expect(Array.from(p.values)).toEqual([1, 2]);
  });

  it("never steps back in time when a stored chunk overruns the next one's start", () => {
    const feb = 24289;
    const febStart = chunkStartMs(paris1h, feb);
    // 746 values: two more than January has, the last two at February's first instants.
    const p = fromChunks(
      [dense(jan, janStart, 746, { 743: 1, 744: 99, 745: 98 }), dense(feb, febStart, 696, { 0: 2, 1: 3 })],
      paris1h,
    );
    expect(Array.from(p.index)).toEqual([febStart - H, febStart, febStart + H]);
    // The first chunk's values win; February's own first two points are not repeated.
    expect(Array.from(p.values)).toEqual([1, 99, 98]);
  });

  it("returns empty Points when nothing holds a value, and refuses unordered chunks or NaN bounds", () => {
    expect(fromChunks([], paris1h)).toEqual({ index: new Float64Array(0), values: new Float64Array(0) });
    expect(fromChunks([dense(jan, janStart, 744, {})], paris1h).index).toHaveLength(0);
    const c = dense(jan, janStart, 744, { 1: 1 });
    expect(() => fromChunks([c, c], paris1h)).toThrow(SeriesError);
    expect(() => fromChunks([c], paris1h, Number.NaN)).toThrow(SeriesError);
    expect(() => fromChunks([{ ...c, startMs: 9e15 }], makeGrid("Europe/Paris", "year,month", "1D"))).toThrow(
      SeriesError,
    );
  });
});
