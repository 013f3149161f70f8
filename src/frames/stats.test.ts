import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Column, type DType, type Frame, FrameError, type Schema, schemaOf } from "./model.ts";
import { evaluate, parseFilters } from "./predicates.ts";
import {
  type ColumnStats,
  columnStats,
  frameStats,
  indexStats,
  mayMatch,
  statsFromJson,
  statsToJson,
} from "./stats.ts";

const NAN = Number.NaN;

describe("columnStats", () => {
  it("gives min, max and counts for floats, leaving NaN and nulls out", () => {
    const c: Column = {
      name: "x",
      dtype: "float64",
      values: Float64Array.from([3, NAN, -1, 99, 7]),
      valid: Uint8Array.from([1, 1, 1, 0, 1]),
    };
    expect(columnStats(c)).toEqual({ rows: 5, nullCount: 1, nanCount: 1, min: -1, max: 7 });
    expect(columnStats(c, 1, 2)).toEqual({ rows: 1, nullCount: 0, nanCount: 1 });
    expect(columnStats(c, 3, 4)).toEqual({ rows: 1, nullCount: 1, nanCount: 0 });
    expect(columnStats(c, 2, 2)).toEqual({ rows: 0, nullCount: 0, nanCount: 0 });
  });

  it("covers every dtype", () => {
    const cols: Column[] = [
      { name: "f", dtype: "float32", values: Float32Array.from([0.5, -2]) },
      { name: "i", dtype: "int64", values: BigInt64Array.from([2n ** 62n, -(2n ** 62n)]) },
      { name: "n", dtype: "int32", values: Int32Array.from([4, -4]) },
      { name: "b", dtype: "bool", values: Uint8Array.from([1, 1]) },
      { name: "s", dtype: "string", values: ["é", "z"] },
      { name: "t", dtype: "timestamp", values: BigInt64Array.from([5n, 1n]) },
      {
        name: "c",
        dtype: "category",
        values: { codes: Int32Array.from([1, 2]), dictionary: ["a", "q", "c"] },
      },
    ];
    expect(cols.map((c) => columnStats(c))).toEqual([
      { rows: 2, nullCount: 0, nanCount: 0, min: -2, max: 0.5 },
      { rows: 2, nullCount: 0, min: -(2n ** 62n), max: 2n ** 62n },
      { rows: 2, nullCount: 0, min: -4, max: 4 },
      { rows: 2, nullCount: 0, min: true, max: true },
      // Code-unit order: "z" (0x7a) sorts before "é" (0xe9).
      { rows: 2, nullCount: 0, min: "z", max: "é" },
      { rows: 2, nullCount: 0, min: 1n, max: 5n },
      // Over the values used: the dictionary's unused "a" does not widen the range.
      { rows: 2, nullCount: 0, min: "c", max: "q" },
    ]);
  });

  it("gives index stats and refuses bad ranges", () => {
    const index = { kind: "int64" as const, name: "i", values: BigInt64Array.from([5n, 2n, 9n]) };
    expect(indexStats(index)).toEqual({ rows: 3, nullCount: 0, min: 2n, max: 9n });
    expect(indexStats(index, 2)).toEqual({ rows: 1, nullCount: 0, min: 9n, max: 9n });
    const c: Column = { name: "x", dtype: "int32", values: Int32Array.from([1, 2]) };
    for (const [s, e] of [
      [-1, 1],
      [0, 4],
      [2, 1],
      [0.5, 1],
    ] as const) {
      expect(() => columnStats(c, s, e)).toThrow(FrameError);
      expect(() => indexStats(index, s, e)).toThrow(FrameError);
    }
  });
});

describe("mayMatch prunes", () => {
  const schema: Schema = {
    index: { kind: "timestamp", name: "index" },
    fields: [
      { name: "price", dtype: "float64", nullable: true },
      { name: "sym", dtype: "string", nullable: true },
      { name: "ok", dtype: "bool", nullable: false },
    ],
  };
  const chunk = new Map<string, ColumnStats>([
    ["index", { rows: 10, nullCount: 0, min: 1_000n, max: 2_000n }],
    ["price", { rows: 10, nullCount: 2, nanCount: 0, min: 1, max: 10 }],
    ["sym", { rows: 10, nullCount: 0, min: "B", max: "D" }],
    ["ok", { rows: 10, nullCount: 0, min: true, max: true }],
  ]);
  const may = (filters: unknown, stats: ReadonlyMap<string, ColumnStats> = chunk): boolean =>
    mayMatch(parseFilters(filters, schema), stats);

  it("a range entirely outside", () => {
    expect(may([["price", ">", 10]])).toBe(false);
    expect(may([["price", ">=", 10]])).toBe(true);
    expect(may([["price", "<", 1]])).toBe(false);
    expect(may([["price", "<=", 1]])).toBe(true);
    expect(may([["price", "==", 11]])).toBe(false);
    expect(may([["price", "==", 5]])).toBe(true);
    expect(may([["price", "in", [0, 20]]])).toBe(false);
    expect(may([["price", "in", [0, 5]]])).toBe(true);
    expect(may([["sym", "<", "B"]])).toBe(false);
    expect(may([["sym", "in", ["A", "E"]]])).toBe(false);
    expect(may([["index", ">", "1970-01-01T00:00:00.000002Z"]])).toBe(false);
    expect(may([["index", ">", "1970-01-01T00:00:00.0000019Z"]])).toBe(true);
    expect(may([["ok", "==", false]])).toBe(false);
  });

  it("ANDs and ORs", () => {
    expect(
      may([
        ["price", ">", 5],
        ["sym", "==", "Z"],
      ]),
    ).toBe(false);
    expect(may([[["price", ">", 50]], [["sym", "==", "C"]]])).toBe(true);
    expect(may([[["price", ">", 50]], [["sym", "==", "Z"]]])).toBe(false);
    expect(may([])).toBe(true);
  });

  it("nulls, != and not in", () => {
    expect(may([["price", "is null"]])).toBe(true);
    expect(may([["sym", "is null"]])).toBe(false);
    expect(may([["sym", "is not null"]])).toBe(true);
    const allNull = new Map([["price", { rows: 4, nullCount: 4, nanCount: 0 }]]);
    expect(may([["price", "is not null"]], allNull)).toBe(false);
    expect(may([["price", "!=", 1]], allNull)).toBe(false);
    expect(may([["price", "not in", []]], allNull)).toBe(false);
    const single = new Map([["price", { rows: 4, nullCount: 1, nanCount: 0, min: 3, max: 3 }]]);
    expect(may([["price", "!=", 3]], single)).toBe(false);
    expect(may([["price", "!=", 4]], single)).toBe(true);
    expect(may([["price", "not in", [1, 3]]], single)).toBe(false);
    expect(may([["price", "not in", [1]]], single)).toBe(true);
  });

  it("keeps chunks whose NaN rows can match", () => {
    const nanOnly = new Map([["price", { rows: 3, nullCount: 0, nanCount: 3 }]]);
    expect(may([["price", "!=", 1]], nanOnly)).toBe(true);
    expect(may([["price", "not in", [1]]], nanOnly)).toBe(true);
    expect(may([["price", "not in", ["nan"]]], nanOnly)).toBe(false);
    expect(may([["price", "in", ["nan"]]], nanOnly)).toBe(true);
    expect(may([["price", "==", "nan"]], nanOnly)).toBe(false);
    expect(may([["price", "<", "inf"]], nanOnly)).toBe(false);
    expect(may([["price", "in", ["nan"]]])).toBe(false);
  });

  it("cannot prune on stats of another kind (a column since widened)", () => {
    const int32Stats = new Map([["q", { rows: 2, nullCount: 0, min: 1, max: 2 }]]);
    const widened: Schema = {
      index: { kind: "int64", name: "i" },
      fields: [{ name: "q", dtype: "int64", nullable: false }],
    };
    expect(mayMatch(parseFilters([["q", "==", 1]], widened), int32Stats)).toBe(true);
    expect(mayMatch(parseFilters([["q", "in", [1]]], widened), int32Stats)).toBe(true);
    expect(
      mayMatch(parseFilters([["q", "==", 1]], widened), new Map([["q", { rows: 2, nullCount: 0, min: 1n, max: 2n }]])),
    ).toBe(true);
    expect(
      mayMatch(parseFilters([["q", "==", 3]], widened), new Map([["q", { rows: 2, nullCount: 0, min: 1n, max: 2n }]])),
    ).toBe(false);
  });

  it("cannot prune on a column without stats", () => {
    expect(may([["price", ">", 100]], new Map())).toBe(true);
  });
});

// Small domains so random filters hit values that are present, at the edges and just outside.
const FLOATS = [-1, 0, -0, 1, 2.5, NAN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
const FLOAT_FILTERS = [-2, -1, 0, 1, 2.5, 3, "nan", "inf", "-inf", 0.1];
const STRINGS = ["", "a", "b", "ab", "B", "é", "z"];
const DICT = ["x", "m", "b", "unused"];

interface Spec {
  readonly dtype: DType;
  /** Values a column may hold; each random column draws from one or two of them, so a chunk often
   * holds a single value, only NaN, or only nulls: the cases where `!=` and `not in` can prune. */
  readonly domain: readonly unknown[];
  readonly filter: fc.Arbitrary<unknown>;
}

const SPECS: readonly Spec[] = [
  { dtype: "float64", domain: FLOATS, filter: fc.constantFrom(...FLOAT_FILTERS) },
  { dtype: "float32", domain: [...FLOATS, 0.1], filter: fc.constantFrom(...FLOAT_FILTERS) },
  {
    dtype: "int64",
    domain: [-3n, -1n, 0n, 1n, 2n, 3n],
    filter: fc.oneof(fc.integer({ min: -4, max: 4 }), fc.constantFrom("-9223372036854775808", "2")),
  },
  { dtype: "int32", domain: [-3, -1, 0, 1, 2, 3], filter: fc.integer({ min: -4, max: 4 }) },
  { dtype: "bool", domain: [0, 1], filter: fc.boolean() },
  { dtype: "string", domain: STRINGS, filter: fc.constantFrom(...STRINGS, "c", "aa") },
  { dtype: "category", domain: [0, 1, 2, 3], filter: fc.constantFrom(...DICT, "a", "zz") },
  {
    dtype: "timestamp",
    domain: [-3n, -1n, 0n, 1n, 2n, 3n],
    filter: fc.oneof(fc.integer({ min: -4, max: 4 }), fc.constant("1970-01-01T00:00:00.000000002Z")),
  },
];

function valuesArb(spec: Spec, n: number): fc.Arbitrary<unknown[]> {
  return fc
    .oneof(fc.subarray([...spec.domain], { minLength: 1, maxLength: 2 }), fc.constant([...spec.domain]))
    .chain((pool) => fc.array(fc.constantFrom(...pool), { minLength: n, maxLength: n }));
}

function makeColumn(name: string, dtype: DType, raw: unknown[], valid: Uint8Array | undefined): Column {
  switch (dtype) {
    case "float64":
      return { name, dtype, values: Float64Array.from(raw as number[]), valid };
    case "float32":
      return { name, dtype, values: Float32Array.from(raw as number[]), valid };
    case "int32":
      return { name, dtype, values: Int32Array.from(raw as number[]), valid };
    case "bool":
      return { name, dtype, values: Uint8Array.from(raw as number[]), valid };
    case "string":
      return { name, dtype, values: raw as string[], valid };
    case "category":
      return { name, dtype, values: { codes: Int32Array.from(raw as number[]), dictionary: DICT }, valid };
    case "int64":
    case "timestamp":
      return { name, dtype, values: BigInt64Array.from(raw as bigint[]), valid };
  }
}

const frameArb: fc.Arbitrary<Frame> = fc.integer({ min: 0, max: 24 }).chain((n) =>
  fc
    .tuple(
      fc.array(fc.bigInt({ min: -5n, max: 5n }), { minLength: n, maxLength: n }),
      ...SPECS.map((s) =>
        fc.tuple(
          valuesArb(s, n),
          fc.option(
            fc.oneof(
              fc.array(fc.constantFrom(0, 1, 1), { minLength: n, maxLength: n }),
              fc.constant(Array.from({ length: n }, () => 0)),
            ),
            { nil: undefined },
          ),
        ),
      ),
    )
    .map(([index, ...cols]) => ({
      index: { kind: "timestamp" as const, name: "index", values: BigInt64Array.from(index) },
      columns: cols.map(([raw, valid], k) => {
        const spec = SPECS[k] as Spec;
        return makeColumn(`c${k}`, spec.dtype, raw, valid === undefined ? undefined : Uint8Array.from(valid));
      }),
    })),
);

const OPS = ["==", "!=", "<", "<=", ">", ">=", "in", "not in", "is null", "is not null"] as const;
const INDEX_SPEC: Spec = {
  dtype: "timestamp",
  domain: [],
  filter: fc.integer({ min: -6, max: 6 }),
};

function termArb(columns: readonly number[]): fc.Arbitrary<unknown[]> {
  return fc.tuple(fc.constantFrom(...columns), fc.constantFrom(...OPS)).chain(([k, op]) => {
    const spec = k < 0 ? INDEX_SPEC : (SPECS[k] as Spec);
    const name = k < 0 ? "index" : `c${k}`;
    if (op === "is null" || op === "is not null") return fc.constant([name, op]);
    if (op === "in" || op === "not in") {
      return fc.array(spec.filter, { maxLength: 4 }).map((vs) => [name, op, vs]);
    }
    return spec.filter.map((v) => [name, op, v]);
  });
}

// Each run filters on one or two columns (-1 is the index), so the rarer corners of one dtype
// (a chunk of NaN only, of one value only) meet a term on that column often enough.
const filtersArb = fc
  .subarray([-1, ...SPECS.keys()], { minLength: 1, maxLength: 2 })
  .chain((cols) => fc.array(fc.array(termArb(cols), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }));

/** Chunk boundaries: 0, some cut points, n. */
function cuts(n: number, raw: readonly number[]): number[] {
  return [...new Set([0, n, ...raw.map((r) => Math.floor(r * (n + 1)))])].filter((x) => x <= n).sort((a, b) => a - b);
}

describe("mayMatch soundness (property)", () => {
  it("is true on every chunk holding a selected row, and ranges evaluate like the whole", () => {
    fc.assert(
      fc.property(
        frameArb,
        filtersArb,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
        (frame, filters, rawCuts) => {
          const schema = schemaOf(frame);
          const p = parseFilters(filters, schema);
          const whole = evaluate(p, frame);
          const b = cuts(frame.index.values.length, rawCuts);
          for (let j = 0; j + 1 < b.length; j++) {
            const [s, e] = [b[j] as number, b[j + 1] as number];
            const part = whole.subarray(s, e);
            expect([...evaluate(p, frame, s, e)]).toEqual([...part]);
            if (part.includes(1)) expect(mayMatch(p, frameStats(frame, s, e))).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("is sound for one term on one short column (the degenerate chunks)", () => {
    const caseArb = fc.integer({ min: 0, max: SPECS.length - 1 }).chain((k) =>
      fc.tuple(
        fc.constant(k),
        fc
          .integer({ min: 0, max: 5 })
          .chain((n) =>
            fc.tuple(valuesArb(SPECS[k] as Spec, n), fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n })),
          ),
        termArb([k]),
      ),
    );
    fc.assert(
      fc.property(caseArb, ([k, [raw, valid], term]) => {
        const spec = SPECS[k] as Spec;
        const frame: Frame = {
          index: { kind: "int64", name: "i", values: new BigInt64Array(raw.length) },
          columns: [makeColumn(`c${k}`, spec.dtype, raw, Uint8Array.from(valid))],
        };
        const p = parseFilters([term], schemaOf(frame));
        if (evaluate(p, frame).includes(1)) expect(mayMatch(p, frameStats(frame))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it("prunes a comparison beyond a chunk's range", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 50 }),
        (xs, gap) => {
          const frame: Frame = {
            index: { kind: "int64", name: "i", values: BigInt64Array.from(xs.map(BigInt)) },
            columns: [{ name: "x", dtype: "int32", values: Int32Array.from(xs) }],
          };
          const stats = frameStats(frame);
          const schema = schemaOf(frame);
          const lo = Math.min(...xs);
          const hi = Math.max(...xs);
          for (const f of [
            ["x", ">", hi],
            ["x", ">=", hi + gap],
            ["x", "<", lo],
            ["x", "==", lo - gap],
            ["x", "in", [lo - gap, hi + gap]],
            ["i", ">", hi],
            ["i", "<=", lo - gap],
          ]) {
            expect(mayMatch(parseFilters([f], schema), stats)).toBe(false);
          }
          expect(mayMatch(parseFilters([["x", ">=", hi]], schema), stats)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("stats as JSON", () => {
  it("round-trips every dtype through JSON text, infinities and bigints included", () => {
    fc.assert(
      fc.property(frameArb, (frame) => {
        for (const c of frame.columns) {
          const s = columnStats(c);
          const text = JSON.stringify(statsToJson(s));
          expect(statsFromJson(JSON.parse(text), c.dtype)).toEqual(s);
        }
        const s = indexStats(frame.index);
        expect(statsFromJson(JSON.parse(JSON.stringify(statsToJson(s))), "timestamp")).toEqual(s);
      }),
      { numRuns: 200 },
    );
  });

  it("keeps -0 out of min and max", () => {
    const s = columnStats({ name: "x", dtype: "float64", values: Float64Array.from([-0, 0]) });
    expect(Object.is(s.min, 0) && Object.is(s.max, 0)).toBe(true);
    expect(statsToJson({ rows: 1, nullCount: 0, min: Number.NEGATIVE_INFINITY, max: 2n ** 63n - 1n })).toEqual({
      rows: 1,
      nullCount: 0,
      min: "-Infinity",
      max: "9223372036854775807",
    });
  });

  it.each([
    [null, "float64"],
    [{ rows: -1, nullCount: 0 }, "float64"],
    [{ rows: 1.5, nullCount: 0 }, "float64"],
    [{ rows: 2, nullCount: 2, nanCount: 1 }, "float64"],
    [{ rows: 2, nullCount: 0, min: 1 }, "float64"],
    [{ rows: 2, nullCount: 0, min: 3, max: 1 }, "float64"],
    [{ rows: 2, nullCount: 0, min: "NaN", max: 1 }, "float64"],
    [{ rows: 2, nullCount: 0, min: 1, max: 2 }, "int64"],
    [{ rows: 2, nullCount: 0, min: "1", max: "9223372036854775808" }, "timestamp"],
    [{ rows: 2, nullCount: 0, min: 0.5, max: 2 }, "int32"],
    [{ rows: 2, nullCount: 0, min: 0, max: 1 }, "bool"],
    [{ rows: 2, nullCount: 0, min: 1, max: 2 }, "string"],
  ] as const)("refuses %j as %s stats", (j, dtype) => {
    expect(() => statsFromJson(j, dtype)).toThrow(FrameError);
  });
});
