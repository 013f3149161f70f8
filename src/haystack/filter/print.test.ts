import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HaystackError } from "../errors.ts";
import {
  equals,
  HCoord,
  HDate,
  HDateTime,
  HRef,
  HSymbol,
  HTime,
  HUri,
  type HVal,
  MARKER,
  NA,
  num,
} from "../kinds/index.ts";
import type { CmpOp, Filter, Path } from "./ast.ts";
import { writeFilterVal } from "./literal.ts";
import { parseFilter } from "./parse.ts";
import { filterToString } from "./print.ts";
import { MAX_FILTER_DEPTH } from "./walk.ts";

const has = (...path: string[]): Filter => ({ op: "has", path });
const and = (...args: Filter[]): Filter => ({ op: "and", args });
const or = (...args: Filter[]): Filter => ({ op: "or", args });
const eq = (path: string, val: HVal): Filter => ({ op: "eq", path: [path], val });

/** AST equality with Haystack value equality for literals (so 0 and -0, HRef dis, etc. behave). */
function sameAst(a: Filter, b: Filter): boolean {
  if (a.op !== b.op) return false;
  switch (a.op) {
    case "and":
    case "or": {
      const y = b as typeof a;
      return a.args.length === y.args.length && a.args.every((x, i) => sameAst(x, y.args[i] as Filter));
    }
    case "isSymbol":
      return a.symbol === (b as typeof a).symbol;
    case "isSpec":
      return a.spec === (b as typeof a).spec;
    case "has":
    case "missing":
      return a.path.join("->") === (b as typeof a).path.join("->");
    default: {
      const y = b as typeof a;
      return a.path.join("->") === y.path.join("->") && equals(a.val, y.val) && kindMatches(a.val, y.val);
    }
  }
}

/** `equals` already separates kinds, but a unitless number vs HNumber must also not be confused. */
function kindMatches(a: HVal, b: HVal): boolean {
  return typeof a === typeof b;
}

describe("filterToString", () => {
  it("adds parentheses only where precedence or grouping needs them", () => {
    expect(filterToString(or(and(has("a"), has("b")), has("c")))).toBe("a and b or c");
    expect(filterToString(and(has("a"), or(has("b"), has("c"))))).toBe("a and (b or c)");
    expect(filterToString(and(and(has("a"), has("b")), has("c")))).toBe("(a and b) and c");
    expect(filterToString(or(has("a"), or(has("b"), has("c"))))).toBe("a or (b or c)");
    expect(filterToString(and(has("a"), and(or(has("b"), has("c")))))).toBe("a and (b or c)");
    expect(filterToString(and(has("x")))).toBe("x");
  });

  it("keeps keyword-named tags readable as tags", () => {
    const f = and(has("not"), has("and"), { op: "missing", path: ["not"] }, has("or"));
    expect(filterToString(f)).toBe("(not) and and and not not and or");
    expect(parseFilter(filterToString(f))).toEqual(f);
  });

  it("writes every literal kind in its filter form", () => {
    const ny = HDateTime.of(Date.UTC(2024, 0, 31, 13, 30, 0, 250), "New_York");
    const cases: [HVal, string][] = [
      [true, "true"],
      [false, "false"],
      ['say "hi"\\\n\t\u0001', '"say \\"hi\\"\\\\\\n\\t\\u0001"'],
      [-12.5, "-12.5"],
      [1e21, "1e+21"],
      [num(72, "°F"), "72°F"],
      [num(1.5e-7, "kWh/ft²"), "1.5e-7kWh/ft²"],
      [new HUri("a b`c\\:d"), "`a b\\`c\\:d`"],
      [new HRef("p:demo:r:1", "Display"), "@p:demo:r:1"],
      [new HSymbol("hot-water"), "^hot-water"],
      [HDate.of(2024, 2, 29), "2024-02-29"],
      [new HTime(8, 5, 3, 7), "08:05:03.007"],
      [ny, "2024-01-31T08:30:00.250-05:00 New_York"],
      [HDateTime.of(0, "UTC"), "1970-01-01T00:00:00Z UTC"],
    ];
    for (const [v, text] of cases) {
      expect(writeFilterVal(v)).toBe(text);
      const back = parseFilter(`x == ${text}`);
      expect(back.op === "eq" && equals(back.val, v), text).toBe(true);
    }
  });

  it("refuses ASTs no text can express instead of printing something unreadable", () => {
    const bad: Filter[] = [
      and(),
      has("Upper"),
      has("a b"),
      { op: "has", path: [] },
      eq("x", MARKER),
      eq("x", NA),
      eq("x", null),
      eq("x", new HCoord(1, 2)),
      eq("x", [1]),
      eq("x", Number.NaN),
      eq("x", num(Number.POSITIVE_INFINITY, "kW")),
    ];
    for (const f of bad) expect(() => filterToString(f), JSON.stringify(f)).toThrow(HaystackError);
    let deep: Filter = has("a");
    for (let i = 0; i < MAX_FILTER_DEPTH; i++) deep = and(has("b"), deep);
    expect(() => filterToString(deep)).toThrow(HaystackError);
  });
});

// Random canonical ASTs (n-ary groups of 2+ operands; a same-operator group nested as an operand
// stays a group because the printer parenthesises it) must survive print -> parse unchanged.
const NAMES = ["a", "site", "equipRef", "geoCity", "_x9", "not", "and", "or", "true", "date"];
const arbPath: fc.Arbitrary<Path> = fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 });
const arbText = fc.string({ unit: "grapheme-composite", maxLength: 8 });
const arbVal: fc.Arbitrary<HVal> = fc.oneof(
  fc.boolean(),
  arbText,
  fc.string({ unit: "binary", maxLength: 6 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
  fc
    .tuple(fc.integer({ min: -1e6, max: 1e6 }), fc.constantFrom("kW", "°F", "%", "ft²", "m/s", "_foo", "$"))
    .map(([n, u]) => num(n / 8, u)),
  fc.string({ unit: "binary", maxLength: 6 }).map((s) => new HUri(s)),
  fc.stringMatching(/^[a-zA-Z0-9_:.~-]{1,12}$/).map((id) => new HRef(id)),
  fc.constantFrom("hot-water", "site", "lib:ph").map((s) => new HSymbol(s)),
  fc
    .date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true })
    .map((d) => HDate.of(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())),
  fc
    .integer({ min: 0, max: 86_399_999 })
    .map(
      (ms) =>
        new HTime(Math.floor(ms / 3_600_000), Math.floor(ms / 60_000) % 60, Math.floor(ms / 1000) % 60, ms % 1000),
    ),
  fc
    .tuple(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constantFrom("UTC", "New_York", "Denver", "London"))
    .map(([ms, tz]) => HDateTime.of(ms, tz)),
);
const arbLeaf: fc.Arbitrary<Filter> = fc.oneof(
  arbPath.map((path): Filter => ({ op: "has", path })),
  arbPath.map((path): Filter => ({ op: "missing", path })),
  fc
    .tuple(fc.constantFrom<CmpOp>("eq", "ne", "lt", "le", "gt", "ge"), arbPath, arbVal)
    .map(([op, path, val]): Filter => ({ op, path, val })),
  fc.constantFrom("site", "hot-water", "air-temp-sensor").map((symbol): Filter => ({ op: "isSymbol", symbol })),
  fc.constantFrom("Rtu", "ph::Equip", "ph.points::AirTempSensor").map((spec): Filter => ({ op: "isSpec", spec })),
);
const arbFilter: fc.Arbitrary<Filter> = fc.letrec<{ f: Filter }>((tie) => ({
  f: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    arbLeaf,
    fc.array(tie("f"), { minLength: 2, maxLength: 4 }).map((args): Filter => ({ op: "and", args })),
    fc.array(tie("f"), { minLength: 2, maxLength: 4 }).map((args): Filter => ({ op: "or", args })),
  ),
})).f;

describe("print -> parse round trip", () => {
  it("gives back the same AST for random filters", () => {
    fc.assert(
      fc.property(arbFilter, (f) => {
        const text = filterToString(f);
        const back = parseFilter(text, { maxDepth: 1000, maxTerms: 100_000 });
        if (!sameAst(f, back)) expect.fail(`${text}\n${JSON.stringify(back)}\n!=\n${JSON.stringify(f)}`);
        expect(filterToString(back)).toBe(text);
      }),
      { numRuns: 3000 },
    );
  });
});
