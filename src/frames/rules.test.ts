import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Column, checkFrame, DTYPES, type DType, type Frame, type Schema, schemaOf } from "./model.ts";
import { canWiden, checkRules, conform, evolve, nullColumn, parseRules, type Rule } from "./rules.ts";

const schema = (fields: [string, DType, boolean?][], name = "ts"): Schema => ({
  index: { kind: "timestamp", name },
  fields: fields.map(([n, dtype, nullable]) => ({ name: n, dtype, nullable: nullable ?? false })),
});
const code = (c: string, subject?: string) =>
  expect.objectContaining(subject === undefined ? { code: c } : { code: c, subject });

describe("evolve", () => {
  const item = schema([
    ["a", "float64"],
    ["n", "int32"],
  ]);

  it("strict: the same columns in any order pass; new, missing or changed fail naming the column", () => {
    const same = schema([
      ["n", "int32", true],
      ["a", "float64"],
    ]);
    expect(evolve(item, same, "strict").fields).toEqual([
      { name: "a", dtype: "float64", nullable: false },
      { name: "n", dtype: "int32", nullable: true },
    ]);
    expect(() => evolve(item, schema([["a", "float64"]]), "strict")).toThrow(code("schema_changed", "n"));
    expect(() => evolve(item, schema([...fieldsOf(item), ["x", "bool"]]), "strict")).toThrow(
      code("schema_changed", "x"),
    );
    expect(() =>
      evolve(
        item,
        schema([
          ["a", "float64"],
          ["n", "int64"],
        ]),
        "strict",
      ),
    ).toThrow(code("schema_changed", "n"));
  });
  it("add_only: new columns appended and nullable, missing ones nullable; a dtype change fails", () => {
    const out = evolve(
      item,
      schema([
        ["x", "string"],
        ["a", "float64"],
      ]),
      "add_only",
    );
    expect(out.fields).toEqual([
      { name: "a", dtype: "float64", nullable: false },
      { name: "n", dtype: "int32", nullable: true },
      { name: "x", dtype: "string", nullable: true },
    ]);
    expect(() =>
      evolve(
        item,
        schema([
          ["a", "float32"],
          ["n", "int32"],
        ]),
        "add_only",
      ),
    ).toThrow(code("schema_changed", "a"));
  });
  it("compatible: widens either side to the narrowest common dtype", () => {
    const ev = (a: DType, b: DType) => evolve(schema([["c", a]]), schema([["c", b]]), "compatible").fields[0]?.dtype;
    expect(ev("int32", "int64")).toBe("int64");
    expect(ev("int64", "int32")).toBe("int64");
    expect(ev("int32", "float64")).toBe("float64");
    expect(ev("float32", "float64")).toBe("float64");
    expect(ev("int64", "float32")).toBe("float64");
    expect(ev("int32", "float32")).toBe("float64");
    expect(ev("float64", "int64")).toBe("float64");
    for (const [a, b] of [
      ["int64", "timestamp"],
      ["bool", "int32"],
      ["string", "category"],
      ["float32", "timestamp"],
    ] as [DType, DType][]) {
      expect(() => ev(a, b)).toThrow(code("schema_changed", "c"));
    }
  });
  it("refuses a different index under every strategy", () => {
    for (const s of ["strict", "add_only", "compatible"] as const) {
      expect(() => evolve(item, { ...item, index: { kind: "int64", name: "ts" } }, s)).toThrow(code("schema_changed"));
      expect(() => evolve(item, { ...item, index: { kind: "timestamp", name: "t" } }, s)).toThrow(
        code("schema_changed"),
      );
    }
  });
  it("widening is a partial order: reflexive, and never both ways between different dtypes", () => {
    for (const a of DTYPES) {
      expect(canWiden(a, a)).toBe(true);
      for (const b of DTYPES) if (a !== b) expect(canWiden(a, b) && canWiden(b, a)).toBe(false);
    }
    expect(canWiden("int32", "float32")).toBe(false);
    expect(canWiden("int64", "float32")).toBe(false);
  });
});

function fieldsOf(s: Schema): [string, DType, boolean][] {
  return s.fields.map((f) => [f.name, f.dtype, f.nullable]);
}

const frame = (index: readonly number[], columns: Column[]): Frame => ({
  index: { kind: "timestamp", name: "ts", values: BigInt64Array.from(index, BigInt) },
  columns,
});

describe("conform", () => {
  it("orders columns as the schema, adds null columns, widens values", () => {
    const f = frame(
      [1, 2],
      [
        { name: "n", dtype: "int32", values: Int32Array.of(7, -8), valid: Uint8Array.of(1, 0) },
        { name: "a", dtype: "float32", values: Float32Array.of(0.5, 1.5) },
      ],
    );
    const s = schema([
      ["a", "float64"],
      ["n", "int64"],
      ["s", "string"],
      ["k", "category"],
    ]);
    const out = conform(f, s);
    checkFrame(out);
    expect(schemaOf(out).fields.map((x) => [x.name, x.dtype, x.nullable])).toEqual([
      ["a", "float64", false],
      ["n", "int64", true],
      ["s", "string", true],
      ["k", "category", true],
    ]);
    expect(out.columns[0]?.values).toEqual(Float64Array.of(0.5, 1.5));
    expect(out.columns[1]?.values).toEqual(BigInt64Array.of(7n, -8n));
    expect(out.columns[1]?.valid).toEqual(Uint8Array.of(1, 0));
    expect(out.columns[2]?.valid).toEqual(Uint8Array.of(0, 0));
  });
  it("int64 -> float64 only when every value is exact", () => {
    const s = schema([["x", "float64"]]);
    const ok = frame([1, 2], [{ name: "x", dtype: "int64", values: BigInt64Array.of(2n ** 53n, -3n) }]);
    expect(conform(ok, s).columns[0]?.values).toEqual(Float64Array.of(2 ** 53, -3));
    const big = frame([1, 2], [{ name: "x", dtype: "int64", values: BigInt64Array.of(1n, 2n ** 53n + 1n) }]);
    expect(() => conform(big, s)).toThrow(code("schema_changed", "x"));
    // A null row's value is never read, so whatever sits under it does not count.
    const hidden = { ...big, columns: [{ ...(big.columns[0] as Column), valid: Uint8Array.of(1, 0) }] };
    expect(conform(hidden, s).columns[0]?.valid).toEqual(Uint8Array.of(1, 0));
  });
  it("refuses a column the schema lacks, a narrowing, and another index", () => {
    const f = frame([1], [{ name: "x", dtype: "float64", values: Float64Array.of(1) }]);
    expect(() => conform(f, schema([]))).toThrow(code("schema_changed", "x"));
    expect(() => conform(f, schema([["x", "int64"]]))).toThrow(code("schema_changed", "x"));
    expect(() => conform(f, schema([["x", "float64"]], "other"))).toThrow(code("schema_changed"));
  });
  it("null columns of every dtype are well formed and all null", () => {
    for (const d of DTYPES) {
      const c = nullColumn("c", d, 3);
      checkFrame(frame([1, 2, 3], [c]));
      expect(c.valid).toEqual(new Uint8Array(3));
      expect(nullColumn("c", d, 0).valid).toBeUndefined();
    }
  });
});

describe("parseRules", () => {
  it("accepts every kind", () => {
    const json = [
      { id: "a", kind: "column_exists", column: "x" },
      { id: "b", kind: "dtype", column: "x", dtype: "float64" },
      { id: "c", kind: "range", column: "x", min: 0, max: "10" },
      { id: "d", kind: "not_null", column: "x" },
      { id: "e", kind: "unique_index" },
    ];
    expect(parseRules(JSON.parse(JSON.stringify(json)))).toEqual(json);
  });
  it("refuses malformed rules with FrameError invalid", () => {
    for (const bad of [
      {},
      [null],
      [{ kind: "unique_index" }],
      [{ id: "a", kind: "nope" }],
      [{ id: "a", kind: "dtype", column: "x", dtype: "float16" }],
      [{ id: "a", kind: "range", column: "x" }],
      [{ id: "a", kind: "range", column: "x", min: true }],
      [{ id: "a", kind: "not_null" }],
      [
        { id: "a", kind: "unique_index" },
        { id: "a", kind: "unique_index" },
      ],
    ]) {
      expect(() => parseRules(bad)).toThrow(code("invalid"));
    }
    expect(() => parseRules(Array.from({ length: 257 }, (_, i) => ({ id: `r${i}`, kind: "unique_index" })))).toThrow(
      code("too_large"),
    );
  });
});

describe("checkRules", () => {
  const f = frame(
    [0, 1_000_000_000, 2_000_000_000],
    [
      { name: "p", dtype: "float64", values: Float64Array.of(1, 5, 9), valid: Uint8Array.of(1, 1, 1) },
      { name: "q", dtype: "int64", values: BigInt64Array.of(1n, 0n, 2n ** 60n), valid: Uint8Array.of(1, 0, 1) },
      { name: "t", dtype: "timestamp", values: BigInt64Array.of(0n, 10n, 20n) },
      { name: "s", dtype: "string", values: ["a", "b", "c"] },
    ],
  );
  const fails = (rule: Rule, text: RegExp) => {
    let err: unknown;
    try {
      checkRules(f, [rule]);
    } catch (e) {
      err = e;
    }
    expect(err).toEqual(expect.objectContaining({ code: "rule_failed", subject: rule.id }));
    expect((err as Error).message).toMatch(text);
  };

  it("passes a frame that keeps every rule", () => {
    checkRules(f, [
      { id: "1", kind: "column_exists", column: "p" },
      { id: "2", kind: "dtype", column: "q", dtype: "int64" },
      { id: "3", kind: "range", column: "p", min: 1, max: 9 },
      { id: "4", kind: "range", column: "q", min: "0", max: String(2n ** 60n) },
      { id: "5", kind: "range", column: "t", min: "1970-01-01T00:00:00Z", max: 20 },
      { id: "6", kind: "not_null", column: "p" },
      { id: "7", kind: "unique_index" },
      { id: "8", kind: "range", column: "absent", min: 0 },
    ]);
  });
  it("names the rule and the first offending row", () => {
    fails({ id: "ex", kind: "column_exists", column: "zz" }, /"ex".*no column "zz"/);
    fails({ id: "dt", kind: "dtype", column: "p", dtype: "int32" }, /"dt".*float64/);
    fails({ id: "mx", kind: "range", column: "p", max: 4 }, /"mx".*row 1 \(ts 1970-01-01T00:00:01\.000Z\) has 5/);
    fails({ id: "mn", kind: "range", column: "q", max: 1 }, /row 2 .*has 1152921504606846976/);
    fails({ id: "ts", kind: "range", column: "t", max: "1970-01-01T00:00:00Z" }, /row 1 /);
    fails({ id: "nn", kind: "not_null", column: "q" }, /"nn".*row 1 .*null/);
    fails({ id: "nc", kind: "not_null", column: "absent" }, /no column/);
    fails({ id: "rs", kind: "range", column: "s", min: 0 }, /string/);
  });
  it("nulls are outside range checks; NaN is outside every range", () => {
    checkRules(f, [{ id: "q", kind: "range", column: "q", min: 1, max: String(2n ** 61n) }]);
    const nan = frame([1], [{ name: "p", dtype: "float64", values: Float64Array.of(Number.NaN) }]);
    expect(() => checkRules(nan, [{ id: "r", kind: "range", column: "p", min: -1e308 }])).toThrow(
      code("rule_failed", "r"),
    );
  });
  it("unique_index names the first repeat, in any order", () => {
    const d = frame([3, 1, 3], []);
    expect(() => checkRules(d, [{ id: "u", kind: "unique_index" }])).toThrow(/row 2 /);
  });
  it("a bound that does not fit the column is invalid, not a failed rule", () => {
    expect(() => checkRules(f, [{ id: "b", kind: "range", column: "q", min: "soon" }])).toThrow(code("invalid", "b"));
    expect(() => checkRules(f, [{ id: "b", kind: "range", column: "q", min: 0.5 }])).toThrow(code("invalid", "b"));
    expect(() => checkRules(f, [{ id: "b", kind: "range", column: "p", min: "x" }])).toThrow(code("invalid", "b"));
    // A date-time without a zone would be read in the host's zone: refused, not guessed.
    expect(() => checkRules(f, [{ id: "z", kind: "range", column: "t", min: "1970-01-01T00:00:00" }])).toThrow(
      code("invalid", "z"),
    );
    checkRules(f, [{ id: "d", kind: "range", column: "t", min: "1970-01-01", max: "1970-01-01T02:00:00+01:00" }]);
    // The offset counts: 00:30+01:00 is before the epoch, so row 0 (t = 0) is already too late.
    expect(() => checkRules(f, [{ id: "o", kind: "range", column: "t", max: "1970-01-01T00:30:00+01:00" }])).toThrow(
      /row 0 /,
    );
  });
  it("changes nothing, and agrees with a direct check of max on random data", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -100, max: 100 }), { minLength: 1 }),
        fc.integer({ min: -100, max: 100 }),
        (xs, max) => {
          const g = frame(
            xs.map((_, i) => i),
            [{ name: "x", dtype: "int32", values: Int32Array.from(xs) }],
          );
          const copy = Int32Array.from(xs);
          const bad = xs.findIndex((x) => x > max);
          const run = () => checkRules(g, [{ id: "m", kind: "range", column: "x", max }]);
          if (bad < 0) run();
          else expect(run).toThrow(new RegExp(`row ${bad} `));
          expect(g.columns[0]?.values).toEqual(copy);
        },
      ),
    );
  });
});
