import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbScalar } from "../../../../test/support/arbitraries.ts";
import { ParseError } from "../../errors.ts";
import { equals, HDict, HGrid, HRef, type HVal, HXStr, MARKER, NA, num, REMOVE } from "../../kinds/index.ts";
import {
  json3Encoder,
  json4ToVal,
  readJson3Grid,
  readJson3Value,
  readJsonGrid,
  str3,
  writeJson3Grid,
  writeJson3Value,
} from "./index.ts";

const fixture = (p: string) =>
  readFileSync(new URL(`../../../../test/fixtures/haystack/${p}`, import.meta.url), "utf8");

interface ValueCase {
  json3: unknown;
  json3Alt?: unknown[];
  json4: unknown;
  note: string;
  error?: boolean;
  provenance: { json3: string | null };
}
interface GridCase {
  json3?: unknown;
  json4: unknown;
  note: string;
}

const values = (JSON.parse(fixture("values.json")) as ValueCase[]).filter(
  (c) => !c.error && c.provenance.json3 !== null,
);
const grids = (JSON.parse(fixture("grids.json")) as GridCase[]).filter((c) => c.json3 !== undefined);

/**
 * Input forms a v3 reader accepts but our writer never emits: bare JSON numbers, number text
 * with `_`/hex/exponent, short times, `t:` without a zone, and `s:` on a Str without a colon.
 */
function nonCanonical(j: unknown): boolean {
  if (typeof j === "number") return true;
  if (Array.isArray(j)) return j.some(nonCanonical);
  if (typeof j !== "string") return false;
  if (j.startsWith("n:")) {
    const t = j.slice(2).split(" ")[0] ?? "";
    return !["INF", "-INF", "NaN"].includes(t) && String(Number(t)) !== t;
  }
  if (j.startsWith("h:")) return j.length < 10;
  if (j.startsWith("t:")) return !j.includes(" ");
  return j.startsWith("s:") && !j.slice(2).includes(":");
}

describe("values.json through JSON v3", () => {
  it.each(values.map((c) => [c.note, c] as const))("%s", (_note, c) => {
    const expected = json4ToVal(c.json4);
    const v = readJson3Value(JSON.stringify(c.json3));
    expect(equals(v, expected)).toBe(true);
    for (const alt of c.json3Alt ?? []) expect(equals(readJson3Value(JSON.stringify(alt)), expected)).toBe(true);
    const written = JSON.parse(writeJson3Value(v));
    if (!nonCanonical(c.json3)) expect(written).toEqual(c.json3);
    expect(equals(readJson3Value(JSON.stringify(written)), expected)).toBe(true);
  });

  it("leaves most fixture forms canonical", () => {
    expect(values.filter((c) => !nonCanonical(c.json3)).length).toBeGreaterThan(60);
  });
});

describe("grids.json through JSON v3", () => {
  it.each(grids.map((c) => [c.note, c] as const))("%s", (_note, c) => {
    const g = readJson3Grid(JSON.stringify(c.json3));
    expect(equals(g, readJsonGrid(JSON.stringify(c.json4)))).toBe(true);
    expect(JSON.parse(writeJson3Grid(g))).toEqual(c.json3);
  });
});

describe("type prefixes", () => {
  it("decodes every prefix", () => {
    expect(str3("m:")).toBe(MARKER);
    expect(str3("z:")).toBe(NA);
    expect(str3("-:")).toBe(REMOVE);
    expect(equals(str3("n:45.5 °F"), num(45.5, "°F"))).toBe(true);
    expect(str3("n:-INF")).toBe(Number.NEGATIVE_INFINITY);
    expect(str3("r:abc-123 RTU #3")).toEqual(new HRef("abc-123", "RTU #3"));
    expect(equals(str3("b:text/plain"), new HXStr("Bin", "text/plain"))).toBe(true);
    expect(equals(str3("x:Span:a:b"), new HXStr("Span", "a:b"))).toBe(true);
    expect(str3("hello")).toBe("hello");
    expect(str3("a")).toBe("a");
    expect(str3("ab:c")).toBe("ab:c");
  });

  it("writes a Str containing any colon with s:", () => {
    expect(writeJson3Value("ab:c")).toBe('"s:ab:c"');
    expect(writeJson3Value("abc")).toBe('"abc"');
  });

  it.each([
    "q:x",
    "m:x",
    "n:abc",
    "n:1 ",
    "n:",
    "r:",
    "r:a b",
    "d:2021-02-30",
    "h:25:00",
    "t:2021-01-01T00:00:00",
    "c:1",
    "c:91,0",
    "x:lower:v",
    "x:T",
    "y:",
  ])("refuses %s with a positioned ParseError", (s) => {
    const text = `{"a": [1, ${JSON.stringify(s)}]}`;
    try {
      readJson3Value(text);
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      expect((e as ParseError).offset).toBe(10);
      return;
    }
    // `n:1 ` is the number 1 with an empty unit; `r:a b` is a ref with dis "b": both valid.
    expect(["n:1 ", "r:a b"]).toContain(s);
  });
});

describe("malformed grids", () => {
  it("a grid naming one column twice is refused at the second column", () => {
    const text = '{"meta":{"ver":"3.0"},"cols":[{"name":"id"},{"name":"dis"},{"name":"id","dis":"x"}],"rows":[]}';
    let err: unknown;
    try {
      readJson3Grid(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ParseError);
    const e = err as ParseError;
    expect(e.code).toBe("parse_error");
    expect(e.message).toContain("duplicate column 'id' at $.cols[2]");
    expect(text.slice(e.offset)).toMatch(/^{"name":"id","dis"/);
    // Nested as a cell, and with distinct names that differ only in case (both fine).
    const outer = `{"meta":{"ver":"3.0"},"cols":[{"name":"g"}],"rows":[{"g":${text}}]}`;
    expect(() => readJson3Grid(outer)).toThrow(/duplicate column 'id'/);
    const two = readJson3Grid('{"meta":{"ver":"3.0"},"cols":[{"name":"a"},{"name":"A"}],"rows":[{"a":"s:x","A":"y"}]}');
    expect(two.rows).toEqual([["x", "y"]]);
  });
});

describe("encoder and round trips", () => {
  it("encoder pieces concatenate to writeJson3Grid", () => {
    const g = HGrid.of(
      ["a", "b"],
      [
        [1, null],
        [null, "x:y"],
      ],
      HDict.of({ m: MARKER }),
    );
    const enc = json3Encoder();
    let s = enc.begin(g.meta, g.cols);
    for (const r of g.rows) s += enc.row(r);
    expect(s + enc.end()).toBe(writeJson3Grid(g));
    expect(JSON.parse(s + enc.end())).toEqual({
      meta: { ver: "3.0", m: "m:" },
      cols: [{ name: "a" }, { name: "b" }],
      rows: [{ a: "n:1" }, { b: "s:x:y" }],
    });
  });

  const arbVal: fc.Arbitrary<HVal> = fc.letrec<{ v: HVal }>((tie) => ({
    v: fc.oneof(
      { depthSize: "small" },
      arbScalar({ awkward: true }),
      fc.constantFrom<HVal>(REMOVE, null, num(Number.NaN, "kW")),
      fc.array(tie("v"), { maxLength: 4 }),
      fc.dictionary(fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,8}$/), tie("v"), { maxKeys: 4 }).map((o) => HDict.of(o)),
      fc.array(fc.tuple(tie("v"), tie("v")), { maxLength: 3 }).map((rows) => HGrid.of(["a", "b"], rows)),
    ),
  })).v;

  it("readJson3Value(writeJson3Value(v)) equals v (property)", () => {
    fc.assert(
      fc.property(arbVal, (v) => {
        expect(equals(readJson3Value(writeJson3Value(v)), v)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
