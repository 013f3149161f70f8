import { describe, expect, it } from "vitest";
import { type Column, type Frame, FrameError, type Schema, schemaOf } from "./model.ts";
import {
  columnsOf,
  DEFAULT_FILTER_LIMITS,
  evaluate,
  MATCH_ALL,
  type Predicate,
  parseFilters,
  parseIsoNs,
  selectedRows,
} from "./predicates.ts";

const NAN = Number.NaN;

/** Six rows; row 2 is null in every nullable column, row 3 holds NaN in the floats. */
function sample(): Frame {
  const valid = Uint8Array.from([1, 1, 0, 1, 1, 1]);
  const columns: Column[] = [
    { name: "price", dtype: "float64", values: Float64Array.from([1.5, 100, 0, NAN, 250, -0]), valid },
    { name: "f32", dtype: "float32", values: Float32Array.from([0.1, 0.2, 0, NAN, 1, 2]), valid },
    { name: "qty", dtype: "int64", values: BigInt64Array.from([1n, 2n, 0n, 9007199254740993n, -5n, 7n]), valid },
    { name: "n", dtype: "int32", values: Int32Array.from([1, 2, 0, 3, 4, 5]) },
    { name: "ok", dtype: "bool", values: Uint8Array.from([1, 0, 0, 1, 0, 1]), valid },
    { name: "sym", dtype: "string", values: ["A", "B", "", "a", "é", "AB"], valid },
    {
      name: "cat",
      dtype: "category",
      values: { codes: Int32Array.from([2, 0, 0, 1, 2, 1]), dictionary: ["x", "m", "b"] },
      valid,
    },
    {
      name: "at",
      dtype: "timestamp",
      values: BigInt64Array.from([0n, 1_000_000_000n, 0n, 1_700_000_000_000_000_001n, -1n, 5n]),
      valid,
    },
  ];
  return {
    index: { kind: "timestamp", name: "index", values: BigInt64Array.from([10n, 20n, 30n, 40n, 50n, 60n]) },
    columns,
  };
}

const frame = sample();
const schema: Schema = schemaOf(frame);

function rows(filters: unknown, f: Frame = frame): number[] {
  return [...selectedRows(evaluate(parseFilters(filters, schema), f))];
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof FrameError) return e.code;
    throw e;
  }
  return undefined;
}

describe("parseFilters shapes", () => {
  it("reads an AND list and an OR of AND lists", () => {
    const and = parseFilters(
      [
        ["price", ">", 1],
        ["sym", "in", ["A"]],
      ],
      schema,
    );
    expect(and.anyOf).toHaveLength(1);
    expect(and.anyOf[0]).toHaveLength(2);
    const or = parseFilters([[["price", ">", 1]], [["sym", "==", "A"]]], schema);
    expect(or.anyOf).toHaveLength(2);
    expect(or.anyOf[1]?.[0]).toEqual({ kind: "compare", column: "sym", dtype: "string", op: "==", value: "A" });
  });

  it("treats null, undefined and [] as no filter", () => {
    expect(parseFilters(null, schema)).toEqual(MATCH_ALL);
    expect(parseFilters(undefined, schema)).toEqual(MATCH_ALL);
    expect(parseFilters([], schema)).toEqual(MATCH_ALL);
    expect(rows([])).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("accepts = as ==, operators in any case, and is null without a value", () => {
    expect(rows([["sym", "=", "A"]])).toEqual([0]);
    expect(rows([["sym", "IN", ["A"]]])).toEqual([0]);
    expect(rows([["sym", "is null"]])).toEqual([2]);
    expect(rows([["sym", "is not null", null]])).toEqual([0, 1, 3, 4, 5]);
  });

  it("refuses malformed filters with invalid", () => {
    expect(code(() => parseFilters("price > 1", schema))).toBe("invalid");
    expect(code(() => parseFilters([["price", ">"]], schema))).toBe("invalid");
    expect(code(() => parseFilters([["price", "~", 1]], schema))).toBe("invalid");
    expect(code(() => parseFilters([["price", ">", 1, 2]], schema))).toBe("invalid");
    expect(code(() => parseFilters([[["price", ">", 1]], []], schema))).toBe("invalid");
    expect(code(() => parseFilters([[1, ">", 1]], schema))).toBe("invalid");
    expect(code(() => parseFilters([["price", "in", 1]], schema))).toBe("invalid");
    expect(code(() => parseFilters([["price", "is null", 1]], schema))).toBe("invalid");
  });

  it("keeps error messages short for huge bad input", () => {
    const huge = [["price", ">", 1, ...Array.from({ length: 100_000 }, () => "x".repeat(1000))]];
    try {
      parseFilters(huge, schema);
      expect.unreachable();
    } catch (e) {
      expect((e as FrameError).code).toBe("invalid");
      expect((e as FrameError).message.length).toBeLessThan(200);
    }
  });

  it("names an unknown column", () => {
    const err = (() => {
      try {
        parseFilters([["nope", "==", 1]], schema);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(FrameError);
    expect((err as FrameError).code).toBe("unknown_column");
    expect((err as FrameError).subject).toBe("nope");
  });

  it("bounds terms, list lengths and string sizes with too_large", () => {
    const many = Array.from({ length: DEFAULT_FILTER_LIMITS.maxTerms + 1 }, () => ["price", ">", 1]);
    expect(code(() => parseFilters(many, schema))).toBe("too_large");
    const branches = Array.from({ length: DEFAULT_FILTER_LIMITS.maxTerms + 1 }, () => [["price", ">", 1]]);
    expect(code(() => parseFilters(branches, schema))).toBe("too_large");
    const small = { maxTerms: 2, maxListValues: 3, maxStringLength: 4 };
    expect(code(() => parseFilters([["sym", "in", ["a", "b", "c", "d"]]], schema, small))).toBe("too_large");
    expect(code(() => parseFilters([["sym", "==", "abcde"]], schema, small))).toBe("too_large");
    expect(code(() => parseFilters([[["n", ">", 1]], [["n", ">", 1]], [["n", ">", 1]]], schema, small))).toBe(
      "too_large",
    );
    expect(parseFilters([["sym", "in", ["a", "b", "c"]]], schema, small).anyOf[0]).toHaveLength(1);
  });
});

describe("parseFilters value checks", () => {
  it.each([
    ["price", "1"],
    ["price", true],
    ["price", null],
    ["price", [1]],
    ["n", 1.5],
    ["n", 2 ** 31],
    ["n", "3"],
    ["qty", 2 ** 53],
    ["qty", 1.5],
    ["qty", "9223372036854775808"],
    ["qty", "12x"],
    ["ok", 1],
    ["ok", "true"],
    ["sym", 1],
    ["cat", 0],
    ["at", "2024-13-01"],
    ["at", "2023-02-29"],
    ["at", "yesterday"],
    ["at", 1.7e18],
    ["at", "2300-01-01"],
    ["f32", 1e39],
    ["index", "x"],
  ])("refuses %s with %j as dtype_mismatch", (column, value) => {
    expect(code(() => parseFilters([[column, "==", value]], schema))).toBe("dtype_mismatch");
    expect(code(() => parseFilters([[column, "in", [value]]], schema))).toBe("dtype_mismatch");
  });

  it("takes int64 as a safe number or a decimal string", () => {
    const p = parseFilters(
      [
        ["qty", "==", "9007199254740993"],
        ["qty", ">", -3],
      ],
      schema,
    );
    expect(p.anyOf[0]?.map((t) => (t.kind === "compare" ? t.value : undefined))).toEqual([9007199254740993n, -3n]);
    expect(rows([["qty", "==", "9007199254740993"]])).toEqual([3]);
    expect(rows([["qty", "==", "-9223372036854775808"]])).toEqual([]);
  });

  it("takes timestamps as ISO 8601 or epoch ns", () => {
    expect(rows([["at", "==", "1970-01-01T00:00:01Z"]])).toEqual([1]);
    expect(rows([["at", "==", "1000000000"]])).toEqual([1]);
    expect(rows([["at", "==", 5]])).toEqual([5]);
    expect(rows([["at", "==", "2023-11-14T22:13:20.000000001Z"]])).toEqual([3]);
    expect(rows([["at", "<", "1970-01-01"]])).toEqual([4]);
    expect(rows([["index", ">=", "1970-01-01T00:00:00.00000004"]])).toEqual([3, 4, 5]);
  });

  it("parses ISO 8601 to the nanosecond with offsets", () => {
    expect(parseIsoNs("1970-01-01")).toBe(0n);
    expect(parseIsoNs("1970-01-01T00:00Z")).toBe(0n);
    expect(parseIsoNs("1970-01-01 01:00:00+01:00")).toBe(0n);
    expect(parseIsoNs("1969-12-31T19:00:00-0500")).toBe(0n);
    expect(parseIsoNs("1969-12-31T23:59:59.999999999Z")).toBe(-1n);
    expect(parseIsoNs("2000-02-29T12:00:00.5Z")).toBe(951825600500000000n);
    expect(parseIsoNs("2024-03-10T02:30:00,25Z")).toBe(
      BigInt(Date.UTC(2024, 2, 10, 2, 30)) * 1_000_000n + 250_000_000n,
    );
    expect(parseIsoNs("1677-09-21T00:12:43.145224192Z")).toBe(-(2n ** 63n));
    expect(parseIsoNs("1677-09-21T00:12:43.145224191Z")).toBeUndefined();
    expect(parseIsoNs("2262-04-11T23:47:16.854775807Z")).toBe(2n ** 63n - 1n);
    for (const bad of ["1970-1-1", "1970-01-01T24:00", "1970-01-01T00:60", "1970-01-01Z", "1970-01-01T00:00+25:00"]) {
      expect(parseIsoNs(bad)).toBeUndefined();
    }
  });

  it("accepts NaN and infinities for floats as pandas spells them", () => {
    expect(rows([["price", "in", ["nan"]]])).toEqual([3]);
    expect(rows([["price", "<", "inf"]])).toEqual([0, 1, 4, 5]);
    expect(rows([["price", ">", "-Infinity"]])).toEqual([0, 1, 4, 5]);
  });
});

describe("evaluate", () => {
  it("compares numbers, with -0 equal to 0", () => {
    expect(rows([["price", ">", 1]])).toEqual([0, 1, 4]);
    expect(rows([["price", "<=", 100]])).toEqual([0, 1, 5]);
    expect(rows([["price", "==", 0]])).toEqual([5]);
    expect(rows([["n", ">=", 3]])).toEqual([3, 4, 5]);
    expect(rows([["qty", "<", 0]])).toEqual([4]);
  });

  it("never selects a null row except through is null (SQL semantics)", () => {
    expect(rows([["price", "!=", 1.5]])).not.toContain(2);
    expect(rows([["sym", "not in", ["A"]]])).toEqual([1, 3, 4, 5]);
    expect(rows([["ok", "!=", true]])).toEqual([1, 4]);
    expect(rows([["cat", "!=", "x"]])).toEqual([0, 3, 4, 5]);
    expect(rows([["at", "is null"]])).toEqual([2]);
    expect(rows([["n", "is null"]])).toEqual([]);
    expect(rows([["index", "is not null"]])).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("treats NaN as IEEE does for comparisons and as equal to itself for in", () => {
    // pandas: df[df.x != 5] keeps NaN rows; df[df.x == nan] is empty; df.x.isin([nan]) finds them.
    expect(rows([["price", "!=", 5]])).toEqual([0, 1, 3, 4, 5]);
    expect(rows([["price", "==", "nan"]])).toEqual([]);
    expect(rows([["price", "!=", "nan"]])).toEqual([0, 1, 3, 4, 5]);
    expect(rows([["price", ">=", "-inf"]])).toEqual([0, 1, 4, 5]);
    expect(rows([["price", "not in", [100]]])).toEqual([0, 3, 4, 5]);
    expect(rows([["price", "not in", ["NaN", 100]]])).toEqual([0, 4, 5]);
    expect(rows([["price", "is null"]])).toEqual([2]);
  });

  it("rounds float32 filter values to float32", () => {
    expect(rows([["f32", "==", 0.1]])).toEqual([0]);
    expect(rows([["f32", "<=", 0.1]])).toEqual([0]);
    expect(rows([["f32", "in", [0.2, 2]]])).toEqual([1, 5]);
  });

  it("orders strings by code units, categories by value, booleans false < true", () => {
    expect(rows([["sym", "<", "B"]])).toEqual([0, 5]);
    expect(rows([["sym", ">", "Z"]])).toEqual([3, 4]);
    expect(rows([["sym", "==", ""]])).toEqual([]);
    expect(rows([["cat", "<", "n"]])).toEqual([0, 3, 4, 5]);
    expect(rows([["cat", "in", ["x", "zz"]]])).toEqual([1]);
    expect(rows([["cat", "==", "b"]])).toEqual([0, 4]);
    expect(rows([["ok", "<", true]])).toEqual([1, 4]);
    expect(rows([["ok", "==", true]])).toEqual([0, 3, 5]);
  });

  it("ANDs inside a branch and ORs branches", () => {
    expect(
      rows([
        ["price", ">", 1],
        ["sym", "in", ["A", "é"]],
      ]),
    ).toEqual([0, 4]);
    expect(rows([[["price", ">", 200]], [["sym", "==", "A"]], [["n", "==", 2]]])).toEqual([0, 1, 4]);
    expect(rows([[["index", "<", 20]], [["index", ">", 50]]])).toEqual([0, 5]);
  });

  it("handles empty in lists", () => {
    expect(rows([["sym", "in", []]])).toEqual([]);
    expect(rows([["sym", "not in", []]])).toEqual([0, 1, 3, 4, 5]);
  });

  it("evaluates a row range and a frame holding only the needed columns", () => {
    const p = parseFilters([["price", ">", 1]], schema);
    expect([...evaluate(p, frame, 1, 5)]).toEqual([1, 0, 0, 1]);
    expect([...evaluate(p, frame, 3, 3)]).toEqual([]);
    const slim: Frame = { index: frame.index, columns: frame.columns.filter((c) => c.name === "price") };
    expect([...evaluate(p, slim)]).toEqual([...evaluate(p, frame)]);
    expect(code(() => evaluate(parseFilters([["sym", "==", "A"]], schema), slim))).toBe("unknown_column");
    expect(code(() => evaluate(p, frame, 4, 2))).toBe("invalid");
    expect(code(() => evaluate(p, frame, 0, 7))).toBe("invalid");
    expect(code(() => evaluate(p, frame, -1, 2))).toBe("invalid");
  });

  it("refuses a frame whose column changed dtype since parsing", () => {
    const p = parseFilters([["n", ">", 1]], schema);
    const changed: Frame = {
      index: frame.index,
      columns: [{ name: "n", dtype: "float64", values: Float64Array.from([1, 2, 3, 4, 5, 6]) }],
    };
    expect(code(() => evaluate(p, changed))).toBe("dtype_mismatch");
  });

  it("filters an int64 index by name", () => {
    const f: Frame = { index: { kind: "int64", name: "i", values: BigInt64Array.from([3n, 1n, 2n]) }, columns: [] };
    const p = parseFilters([["i", "in", [1, "3"]]], schemaOf(f));
    expect([...selectedRows(evaluate(p, f))]).toEqual([0, 1]);
    expect(code(() => parseFilters([["i", "==", "1970-01-01"]], schemaOf(f)))).toBe("dtype_mismatch");
  });
});

describe("columnsOf", () => {
  it("lists each column a predicate reads once, index included", () => {
    const p: Predicate = parseFilters(
      [
        [
          ["sym", "==", "A"],
          ["price", ">", 1],
        ],
        [
          ["index", ">", 1],
          ["sym", "is null"],
        ],
      ],
      schema,
    );
    expect(columnsOf(p)).toEqual(["index", "price", "sym"]);
    expect(columnsOf(MATCH_ALL)).toEqual([]);
  });
});
