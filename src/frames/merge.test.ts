import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  append,
  type ChunkBounds,
  chunksInRange,
  deleteRange,
  mergeSorted,
  ON_DUP,
  type OnDup,
  planAppend,
  update,
} from "./merge.ts";
import { type Column, checkFrame, type Frame, isSorted } from "./model.ts";
import { concatFrames, sliceRows, sortByIndex } from "./rows.ts";

const opt = (xs: readonly unknown[]) =>
  xs.includes(null) ? { valid: Uint8Array.from(xs, (x) => (x === null ? 0 : 1)) } : {};
const f64 = (name: string, xs: readonly (number | null)[]): Column => ({
  name,
  dtype: "float64",
  values: Float64Array.from(xs, (x) => x ?? 0),
  ...opt(xs),
});
const i32 = (name: string, xs: readonly (number | null)[]): Column => ({
  name,
  dtype: "int32",
  values: Int32Array.from(xs, (x) => x ?? 0),
  ...opt(xs),
});
const frame = (index: readonly (number | bigint)[], columns: Column[]): Frame => ({
  index: { kind: "timestamp", name: "ts", values: BigInt64Array.from(index, (v) => BigInt(v)) },
  columns,
});
/** One column "v": the usual test frame. */
const fv = (index: readonly number[], vs: readonly (number | null)[]) => frame(index, [f64("v", vs)]);

function cell(c: Column, i: number): unknown {
  if (c.valid !== undefined && c.valid[i] === 0) return null;
  if (c.dtype === "category") return c.values.dictionary[c.values.codes[i] as number];
  return c.values[i];
}
/** [index, ...values] per row, index as a number. */
const rows = (f: Frame) =>
  Array.from(f.index.values, (v, i) => [Number(v), ...f.columns.map((c) => cell(c, i))] as unknown[]);

describe("append", () => {
  const existing = fv([1, 2, 3], [10, 20, 30]);
  const incoming = fv([4, 2], [40, 21]);

  it("keep_last: the incoming row replaces the existing one", () => {
    expect(rows(append(existing, incoming, "keep_last"))).toEqual([
      [1, 10],
      [2, 21],
      [3, 30],
      [4, 40],
    ]);
  });
  it("keep_first: the existing row stays", () => {
    expect(rows(append(existing, incoming, "keep_first"))).toEqual([
      [1, 10],
      [2, 20],
      [3, 30],
      [4, 40],
    ]);
  });
  it("keep_all: both, existing first", () => {
    expect(rows(append(existing, incoming, "keep_all"))).toEqual([
      [1, 10],
      [2, 20],
      [2, 21],
      [3, 30],
      [4, 40],
    ]);
  });
  it("error: names the overlapping value and leaves the inputs as they were", () => {
    const before = rows(existing);
    expect(() => append(existing, incoming, "error")).toThrow(
      expect.objectContaining({ code: "duplicate_index", subject: "2" }),
    );
    expect(rows(existing)).toEqual(before);
    expect(rows(append(existing, fv([5, 4], [50, 40]), "error"))).toHaveLength(5);
  });
  it("repeats within the incoming rows: last, first, all, or an error", () => {
    const inc = fv([7, 7, 7], [1, 2, 3]);
    expect(rows(append(existing, inc, "keep_last")).slice(3)).toEqual([[7, 3]]);
    expect(rows(append(existing, inc, "keep_first")).slice(3)).toEqual([[7, 1]]);
    expect(rows(append(existing, inc, "keep_all")).slice(3)).toEqual([
      [7, 1],
      [7, 2],
      [7, 3],
    ]);
    expect(() => append(existing, inc, "error")).toThrow(
      expect.objectContaining({ code: "duplicate_index", subject: "7" }),
    );
  });
  it("PyStore regression: equal values at different index values are all kept", () => {
    const e = fv([1, 2], [5, 5]);
    const out = append(e, fv([3, 4], [5, 5]), "keep_last");
    expect(rows(out)).toEqual([
      [1, 5],
      [2, 5],
      [3, 5],
      [4, 5],
    ]);
  });
  it("PyStore regression: the result is sorted even when the incoming rows are not", () => {
    const out = append(fv([2, 5], [2, 5]), fv([6, 1, 3], [6, 1, 3]), "keep_last");
    expect(rows(out).map((r) => r[0])).toEqual([1, 2, 3, 5, 6]);
  });
  it("appending to an empty frame, and an empty append", () => {
    expect(rows(append(fv([], []), fv([2, 1], [2, 1]), "error"))).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(rows(append(existing, fv([], []), "error"))).toEqual(rows(existing));
  });
  it("keep_last replaces every existing row at a value that keep_all had repeated", () => {
    const e = fv([1, 1, 2], [1, 2, 3]);
    expect(rows(append(e, fv([1], [9]), "keep_last"))).toEqual([
      [1, 9],
      [2, 3],
    ]);
    expect(rows(append(e, fv([1], [9]), "keep_first"))).toEqual(rows(e));
  });
  it("names a timestamp in ISO 8601 when it refuses a repeat", () => {
    const e = fv([1_500_000_000], [1]);
    expect(() => append(e, fv([1_500_000_000], [2]), "error")).toThrow(/ts 1970-01-01T00:00:01\.500Z is already/);
  });
  it("mergeSorted refuses different schemas and unsorted incoming rows", () => {
    expect(() => mergeSorted(existing, frame([5], [f64("w", [1])]), "keep_all")).toThrow(
      expect.objectContaining({ code: "schema_changed" }),
    );
    expect(() => mergeSorted(existing, fv([5, 4], [1, 2]), "keep_all")).toThrow(
      expect.objectContaining({ code: "invalid" }),
    );
  });
  it("refuses an unsorted existing frame and a malformed incoming one", () => {
    expect(() => append(fv([2, 1], [0, 0]), fv([3], [0]), "keep_all")).toThrow(
      expect.objectContaining({ code: "invalid" }),
    );
    const bad = frame([1, 2], [f64("v", [1])]);
    expect(() => append(existing, bad, "keep_all")).toThrow(expect.objectContaining({ code: "invalid" }));
  });
});

describe("append: schema evolution", () => {
  const existing = frame([1, 2], [f64("a", [1, 2]), i32("n", [1, 2])]);
  const incoming = frame([3], [f64("a", [3]), f64("b", [30])]);

  it("strict refuses a new or missing column, naming it", () => {
    expect(() => append(existing, incoming, "keep_last")).toThrow(
      expect.objectContaining({ code: "schema_changed", subject: "n" }),
    );
    const added = frame([3], [f64("a", [3]), i32("n", [3]), f64("b", [30])]);
    expect(() => append(existing, added, "keep_last", "strict")).toThrow(
      expect.objectContaining({ code: "schema_changed", subject: "b" }),
    );
  });
  it("add_only: rows without a column get null there, never 0", () => {
    const out = append(existing, incoming, "keep_last", "add_only");
    checkFrame(out);
    expect(out.columns.map((c) => c.name)).toEqual(["a", "n", "b"]);
    expect(rows(out)).toEqual([
      [1, 1, 1, null],
      [2, 2, 2, null],
      [3, 3, null, 30],
    ]);
  });
  it("add_only refuses a changed dtype; compatible widens it", () => {
    const wider = frame([3], [f64("a", [3]), { name: "n", dtype: "int64", values: BigInt64Array.of(3n) }]);
    expect(() => append(existing, wider, "keep_last", "add_only")).toThrow(
      expect.objectContaining({ code: "schema_changed", subject: "n" }),
    );
    const out = append(existing, wider, "keep_last", "compatible");
    expect(out.columns[1]?.dtype).toBe("int64");
    expect(rows(out).map((r) => r[2])).toEqual([1n, 2n, 3n]);
  });
});

describe("update and deleteRange", () => {
  const existing = fv([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]);
  it("update replaces the rows inside the incoming index range", () => {
    expect(rows(update(existing, fv([4, 2], [40, 20])))).toEqual([
      [1, 1],
      [2, 20],
      [4, 40],
      [5, 5],
    ]);
  });
  it("update beyond both ends, and with nothing", () => {
    expect(rows(update(existing, fv([0, 9], [0, 9])))).toEqual([
      [0, 0],
      [9, 9],
    ]);
    expect(rows(update(existing, fv([7], [7]))).map((r) => r[0])).toEqual([1, 2, 3, 4, 5, 7]);
    expect(rows(update(existing, fv([], [])))).toEqual(rows(existing));
  });
  it("deleteRange drops [start, end], both inclusive", () => {
    expect(rows(deleteRange(existing, 2n, 4n)).map((r) => r[0])).toEqual([1, 5]);
    expect(rows(deleteRange(existing, 5n, 5n)).map((r) => r[0])).toEqual([1, 2, 3, 4]);
    expect(rows(deleteRange(existing, 6n, 9n))).toEqual(rows(existing));
    expect(rows(deleteRange(existing, -9n, 99n))).toEqual([]);
  });
  it("deleteRange refuses start > end and an unsorted frame", () => {
    expect(() => deleteRange(existing, 3n, 2n)).toThrow(expect.objectContaining({ code: "invalid" }));
    expect(() => deleteRange(fv([2, 1], [0, 0]), 1n, 2n)).toThrow(expect.objectContaining({ code: "invalid" }));
  });
});

describe("planAppend", () => {
  const chunks: ChunkBounds[] = [
    { min: 10n, max: 20n },
    { min: 20n, max: 30n },
    { min: 40n, max: 50n },
  ];
  const plan = (xs: number[]) => planAppend(chunks, BigInt64Array.from(xs, BigInt));

  it("touches only chunks whose range holds an incoming value", () => {
    expect(plan([60, 70])).toEqual([{ chunks: [3, 3], rows: [0, 2] }]);
    expect(plan([1, 35, 45])).toEqual([
      { chunks: [0, 0], rows: [0, 1] },
      { chunks: [2, 2], rows: [1, 2] },
      { chunks: [2, 3], rows: [2, 3] },
    ]);
    expect(plan([11, 12, 25])).toEqual([
      { chunks: [0, 1], rows: [0, 2] },
      { chunks: [1, 2], rows: [2, 3] },
    ]);
  });
  it("a value on a boundary two chunks share touches both", () => {
    expect(plan([15, 20, 25])).toEqual([{ chunks: [0, 2], rows: [0, 3] }]);
  });
  it("refuses overlapping chunks and an unsorted incoming index", () => {
    expect(() =>
      planAppend(
        [
          { min: 1n, max: 5n },
          { min: 4n, max: 9n },
        ],
        new BigInt64Array(),
      ),
    ).toThrow(expect.objectContaining({ code: "invalid" }));
    expect(() => planAppend(chunks, BigInt64Array.of(2n, 1n))).toThrow(expect.objectContaining({ code: "invalid" }));
  });
});

// ---------------------------------------------------------------------------------------------
// Properties against a model: rows as [index, value], value = a unique tag so rows are told apart.

const small = fc.integer({ min: 0, max: 12 });
/** A sorted frame; its values tag each row (existing rows are >= 1000, incoming rows < 1000). */
const sortedFrame = (base: number) =>
  fc.array(small, { maxLength: 20 }).map((xs) => {
    const idx = [...xs].sort((a, b) => a - b);
    return fv(
      idx,
      idx.map((_, i) => base + i),
    );
  });
const anyFrame = fc.array(small, { maxLength: 20 }).map((xs) =>
  fv(
    xs,
    xs.map((_, i) => i),
  ),
);
const uniqueSorted = fc.uniqueArray(small, { maxLength: 13 }).map((xs) => {
  const idx = [...xs].sort((a, b) => a - b);
  return fv(
    idx,
    idx.map((_, i) => 1000 + i),
  );
});

describe("append properties", () => {
  it("keep_first equals a map of index -> first row", () => {
    fc.assert(
      fc.property(uniqueSorted, anyFrame, (e, inc) => {
        const model = new Map<number, unknown>();
        for (const [k, v] of [...rows(e), ...rows(inc)]) if (!model.has(k as number)) model.set(k as number, v);
        const want = [...model.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => [k, v]);
        expect(rows(append(e, inc, "keep_first"))).toEqual(want);
      }),
    );
  });
  it("keep_last equals a map of index -> last row, and the result is sorted", () => {
    fc.assert(
      fc.property(uniqueSorted, anyFrame, (e, inc) => {
        const model = new Map<number, unknown>();
        for (const [k, v] of [...rows(e), ...rows(inc)]) model.set(k as number, v);
        const want = [...model.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => [k, v]);
        const out = append(e, inc, "keep_last");
        expect(rows(out)).toEqual(want);
        expect(isSorted(out.index.values)).toBe(true);
      }),
    );
  });
  it("keep_all keeps every row, sorted stably: existing first, then incoming in its order", () => {
    fc.assert(
      fc.property(sortedFrame(1000), anyFrame, (e, inc) => {
        const all = [...rows(e), ...rows(inc)];
        const want = all
          .map((r, i) => [r, i] as const)
          .sort((a, b) => (a[0][0] as number) - (b[0][0] as number) || a[1] - b[1]);
        expect(rows(append(e, inc, "keep_all"))).toEqual(want.map((w) => w[0]));
      }),
    );
  });
  it("every policy gives a sorted, well-formed result; error throws exactly on a repeat", () => {
    fc.assert(
      fc.property(uniqueSorted, anyFrame, fc.constantFrom(...ON_DUP), (e, inc, onDup) => {
        const keys = [...e.index.values, ...inc.index.values];
        const repeats = new Set(keys).size !== keys.length;
        if (onDup === "error" && repeats) {
          expect(() => append(e, inc, onDup)).toThrow(expect.objectContaining({ code: "duplicate_index" }));
          return;
        }
        const out = append(e, inc, onDup);
        checkFrame(out);
        expect(isSorted(out.index.values)).toBe(true);
        if (onDup !== "keep_all") expect(new Set(out.index.values).size).toBe(out.index.values.length);
      }),
    );
  });
  it("chunk by chunk (planAppend + mergeSorted) equals the whole append, for every policy", () => {
    fc.assert(
      fc.property(
        sortedFrame(1000),
        anyFrame,
        fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 6 }),
        fc.constantFrom(...ON_DUP),
        (e, inc, cuts, onDup) => {
          const chunks = cutInto(e, cuts);
          let whole: Frame | FrameErrorCode;
          try {
            whole = append(e, inc, onDup);
          } catch (err) {
            whole = (err as { code: FrameErrorCode }).code;
          }
          let pieces: Frame | FrameErrorCode;
          try {
            pieces = appendByChunks(chunks, sortByIndex(inc), onDup);
          } catch (err) {
            pieces = (err as { code: FrameErrorCode }).code;
          }
          if (typeof whole === "string" || typeof pieces === "string") expect(pieces).toEqual(whole);
          else expect(rows(pieces)).toEqual(rows(whole));
        },
      ),
    );
  });
});

type FrameErrorCode = string;

/** The sorted frame cut into non-empty chunks of the given sizes (the rest in a last chunk). */
function cutInto(f: Frame, sizes: number[]): Frame[] {
  const out: Frame[] = [];
  let at = 0;
  const n = f.index.values.length;
  for (const s of sizes) {
    if (at >= n) break;
    out.push(sliceRows(f, at, at + s));
    at += s;
  }
  if (at < n) out.push(sliceRows(f, at));
  return out;
}

/** What the storage layer will do: merge each touched group, keep untouched chunks as they are. */
function appendByChunks(chunks: Frame[], inc: Frame, onDup: OnDup): Frame {
  const bounds = chunks.map((c) => ({ min: c.index.values[0] as bigint, max: c.index.values.at(-1) as bigint }));
  const groups = planAppend(bounds, inc.index.values);
  const out: Frame[] = [];
  let next = 0;
  for (const g of groups) {
    out.push(...chunks.slice(next, g.chunks[0]));
    const touched = chunks.slice(g.chunks[0], g.chunks[1]);
    const existing = touched.length === 0 ? sliceRows(inc, 0, 0) : concatFrames(touched);
    for (const c of touched) expect(c.index.values.length).toBeGreaterThan(0);
    out.push(mergeSorted(existing, sliceRows(inc, g.rows[0], g.rows[1]), onDup));
    next = g.chunks[1];
  }
  out.push(...chunks.slice(next));
  return out.length === 0 ? sliceRows(inc, 0, 0) : concatFrames(out);
}

describe("chunksInRange", () => {
  const chunks: ChunkBounds[] = [
    { min: 10n, max: 20n },
    { min: 20n, max: 30n },
    { min: 40n, max: 50n },
  ];
  it("selects the chunks a range overlaps, none for a gap", () => {
    expect(chunksInRange(chunks, 0n, 9n)).toEqual([0, 0]);
    expect(chunksInRange(chunks, 20n, 20n)).toEqual([0, 2]);
    expect(chunksInRange(chunks, 31n, 39n)).toEqual([2, 2]);
    expect(chunksInRange(chunks, 25n, 45n)).toEqual([1, 3]);
    expect(chunksInRange(chunks, 51n, 99n)).toEqual([3, 3]);
    expect(() => chunksInRange(chunks, 2n, 1n)).toThrow(expect.objectContaining({ code: "invalid" }));
  });
  it("deleteRange on the selected chunks equals deleteRange on the whole", () => {
    fc.assert(
      fc.property(sortedFrame(0), fc.array(fc.integer({ min: 1, max: 6 })), small, small, (e, cuts, a, b) => {
        const [start, end] = [BigInt(Math.min(a, b)), BigInt(Math.max(a, b))];
        const chunks = cutInto(e, cuts);
        const [from, to] = chunksInRange(
          chunks.map((c) => ({ min: c.index.values[0] as bigint, max: c.index.values.at(-1) as bigint })),
          start,
          end,
        );
        const parts = [
          ...chunks.slice(0, from),
          ...chunks.slice(from, to).map((c) => deleteRange(c, start, end)),
          ...chunks.slice(to),
        ];
        const got = parts.length === 0 ? [] : rows(concatFrames(parts));
        expect(got).toEqual(rows(deleteRange(e, start, end)));
      }),
    );
  });
});

describe("update property", () => {
  it("update then read equals the model: rows outside [min, max] kept, incoming in", () => {
    fc.assert(
      fc.property(sortedFrame(1000), anyFrame, (e, inc) => {
        const incRows = rows(sortByIndex(inc));
        const keys = incRows.map((r) => r[0] as number);
        const lo = Math.min(...keys);
        const hi = Math.max(...keys);
        const kept = rows(e).filter((r) => keys.length === 0 || (r[0] as number) < lo || (r[0] as number) > hi);
        const want = [...kept, ...incRows].sort((a, b) => (a[0] as number) - (b[0] as number));
        expect(rows(update(e, inc))).toEqual(want);
      }),
    );
  });
});
