/**
 * Readers under hostile input: random mutations of valid documents, truncations, and pathological
 * shapes. Each must either read or throw our HaystackError (with a position for parse errors);
 * never a TypeError, a RangeError from the JS stack, or a hang (vitest's timeout bounds each case).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readJson3Grid, readJsonGrid, writeJson3Grid, writeJsonGrid } from "../../src/haystack/codec/json/index.ts";
import { readTrio, writeTrio } from "../../src/haystack/codec/trio/index.ts";
import { readZincGrid, readZincValue, writeZincGrid } from "../../src/haystack/codec/zinc/index.ts";
import { HaystackError, LimitError, ParseError } from "../../src/haystack/errors.ts";
import { filterToString, parseFilter } from "../../src/haystack/filter/index.ts";
import { HGrid } from "../../src/haystack/kinds/index.ts";
import { arbDict } from "../support/arbitraries.ts";
import { mutated } from "../support/mutate.ts";

type Reader = (text: string) => unknown;

function readsOrRejectsCleanly(read: Reader, text: string): void {
  try {
    read(text);
  } catch (e) {
    if (!(e instanceof HaystackError)) throw new Error(`non-Haystack error ${String(e)} for ${JSON.stringify(text)}`);
    if (e instanceof ParseError) {
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.column).toBeGreaterThanOrEqual(1);
    }
  }
}

const grids = fc.array(arbDict({ awkward: true }), { minLength: 1, maxLength: 4 }).map((ds) => HGrid.fromDicts(ds));

const readers: [string, Reader, fc.Arbitrary<string>][] = [
  ["zinc", (t) => readZincGrid(t), grids.map((g) => writeZincGrid(g))],
  ["zinc value", (t) => readZincValue(t), grids.map((g) => writeZincGrid(g))],
  ["json v4", (t) => readJsonGrid(t), grids.map((g) => writeJsonGrid(g))],
  ["json v3", (t) => readJson3Grid(t), grids.map((g) => writeJson3Grid(g))],
  ["trio", (t) => readTrio(t), grids.map((g) => writeTrio(g.dicts()))],
  [
    "filter",
    (t) => parseFilter(t),
    fc.constantFrom(
      'point and siteRef->geoCity == "Richmond" or not equip',
      "(a or b) and c->d >= 12.5kW and ts < 2024-01-01T00:00:00-05:00 New_York",
      "id == @p:demo:r:1 and uri != `http://x/` and ^hot-water",
    ),
  ],
];

/** Bounded by time, not only by runs: each property stops after this long, however far it got. */
const BUDGET = { numRuns: 50_000, interruptAfterTimeLimit: 1_000, markInterruptAsFailure: false } as const;

/** Text made of the characters the grammars care about, so random input reaches deep states. */
const syntaxSoup = fc
  .array(
    fc.constantFrom(
      ...'ver:"3.0"\n,@^`$\\{}[]()<>=!-+.:;_ TFMNR'.split(""),
      "<<",
      ">>",
      "->",
      "==",
      "and",
      "or",
      "not",
      "2024-01-01T00:00:00Z UTC",
      "1.5kW",
      "\\u00",
      '{"_kind":',
      "---",
    ),
    { maxLength: 200 },
  )
  .map((parts) => parts.join(""));

describe("fuzzed input gives a clean error or a value", () => {
  for (const [name, read, docs] of readers) {
    it(`${name}: random edits`, () => {
      fc.assert(
        fc.property(mutated(docs), (text) => readsOrRejectsCleanly(read, text)),
        BUDGET,
      );
    });

    it(`${name}: random syntax`, () => {
      fc.assert(
        fc.property(syntaxSoup, (text) => readsOrRejectsCleanly(read, text)),
        BUDGET,
      );
    });
  }
});

describe("pathological shapes", () => {
  const deep = (open: string, n: number) => open.repeat(n);

  it.each([
    ["zinc list nesting", () => readZincValue(deep("[", 100_000))],
    ["zinc dict nesting", () => readZincValue(deep("{a:", 100_000))],
    ["zinc grid nesting", () => readZincGrid(`ver:"3.0"\na\n${deep('<<ver:"3.0"\na\n', 50_000)}`)],
    [
      "json nesting",
      () =>
        readJsonGrid(`{"_kind":"grid","meta":{"ver":"3.0"},"cols":[{"name":"a"}],"rows":[{"a":${deep("[", 100_000)}`),
    ],
    ["filter parens", () => parseFilter(`${deep("(", 100_000)}a`)],
  ])("%s is refused at the depth limit with a position", (_name, read) => {
    let err: unknown;
    try {
      read();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ParseError);
    expect(err instanceof LimitError || err instanceof ParseError).toBe(true);
    expect((err as ParseError).offset).toBeGreaterThanOrEqual(0);
  });

  it("a filter of 100k terms is refused quickly with a limit error", () => {
    const text = Array.from({ length: 100_000 }, (_, i) => `t${i}`).join(" and ");
    expect(() => parseFilter(text, { maxLength: 10_000_000 })).toThrow(LimitError);
  });

  it("a filter longer than the configured length is refused", () => {
    expect(() => parseFilter(`a${" or a".repeat(20_000)}`, { maxLength: 1000 })).toThrow(LimitError);
  });

  it("a 10 MB string reads intact in Zinc, JSON and Trio", () => {
    const big = "x".repeat(10 * 1024 * 1024);
    const g = HGrid.of(["s"], [[big]]);
    expect(readZincGrid(writeZincGrid(g)).cell(0, "s")).toBe(big);
    expect(readJsonGrid(writeJsonGrid(g)).cell(0, "s")).toBe(big);
    expect(readTrio(writeTrio(g.dicts()))[0]?.get("s")).toBe(big);
  });

  it("truncating a valid document anywhere never crashes", () => {
    const doc = writeZincGrid(
      HGrid.of(
        ["a", "b"],
        [
          [1, "two"],
          [null, 'x"y'],
        ],
      ),
    );
    for (let i = 0; i < doc.length; i++) readsOrRejectsCleanly((t) => readZincGrid(t), doc.slice(0, i));
    const filter = filterToString(parseFilter('a->b == "x" and c < 5kW or not d'));
    for (let i = 0; i < filter.length; i++) readsOrRejectsCleanly((t) => parseFilter(t), filter.slice(0, i));
  });
});
