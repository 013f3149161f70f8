/**
 * The filters.json fixture end to end: parse, evaluate over each record set (with and without ref
 * resolution), print, and haxall's pattern normal form. Every case runs; none is skipped.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { json4ToVal } from "../codec/json/v4.ts";
import type { HDict } from "../kinds/index.ts";
import { compileFilter, interpretFilter, matches, NO_REFS, recordContext } from "./eval.ts";
import { parseFilter, parsePath } from "./parse.ts";
import { filterPattern } from "./pattern.ts";
import { filterToString, pathToString } from "./print.ts";

interface MatchCase {
  filter: string;
  recordSet: string;
  records: { id: string; tags: unknown }[];
  matches: string[];
  matchesWithoutRefResolution?: string[];
  note: string;
}
interface ParseCase {
  filter: string;
  valid: boolean;
  ast?: unknown;
  normalized?: string;
  haxallPattern?: string;
}
interface Fixture {
  match: MatchCase[];
  parse: ParseCase[];
  paths: { path: string; valid: boolean; segments?: string[] }[];
  haxallPatterns: { filter: string; haxallPattern: string }[];
}

const fixture = JSON.parse(
  readFileSync(new URL("../../../test/fixtures/haystack/filters.json", import.meta.url), "utf8"),
) as Fixture;

describe("filters.json match cases", () => {
  it("has the expected number of cases", () => {
    expect(fixture.match.length).toBe(108);
  });

  for (const c of fixture.match) {
    it(`${c.filter} over ${c.recordSet}`, () => {
      const recs = c.records.map((r) => ({ id: r.id, dict: json4ToVal(r.tags) as HDict }));
      const f = parseFilter(c.filter);
      const run = (cx: typeof NO_REFS) => {
        const m = compileFilter(f);
        const ids = recs.filter((r) => matches(f, r.dict, cx)).map((r) => r.id);
        // The compiled, cached and interpreted paths must tell the same story record by record.
        for (const r of recs) expect(m(r.dict, cx)).toBe(interpretFilter(f, r.dict, cx));
        return ids;
      };
      expect(run(recordContext(recs.map((r) => r.dict)))).toEqual(c.matches);
      if (c.matchesWithoutRefResolution) expect(run(NO_REFS)).toEqual(c.matchesWithoutRefResolution);
    });
  }
});

describe("filters.json parse cases through the printer", () => {
  const valid = fixture.parse.filter((c) => c.valid);

  it("prints every `normalized` form exactly", () => {
    const withNorm = valid.filter((c) => c.normalized !== undefined);
    expect(withNorm.length).toBeGreaterThan(20);
    for (const c of withNorm) expect(filterToString(parseFilter(c.filter)), c.filter).toBe(c.normalized);
  });

  it("prints every valid filter as text that parses back to the same AST", () => {
    for (const c of valid) {
      const ast = parseFilter(c.filter);
      expect(parseFilter(filterToString(ast)), c.filter).toEqual(ast);
    }
  });

  it("prints canonical spacing and only the parentheses precedence needs", () => {
    const cases: [string, string][] = [
      ["a and b or c", "a and b or c"],
      ["a or b and c", "a or b and c"],
      ["a and (b or c) and d", "a and (b or c) and d"],
      ["(a or b) and not c", "(a or b) and not c"],
      ["((a))", "a"],
      ["x==5kW", "x == 5kW"],
      ['  siteRef->geoCity=="Chicago"  ', 'siteRef->geoCity == "Chicago"'],
      ["num >= 0xabcd_0123", "num >= 2882339107"],
      ["foo < 8:30", "foo < 08:30:00"],
      ["uri==`file name`", "uri == `file name`"],
      ["foo < 2016-02-22T08:43:12.905-05:00 New_York", "foo < 2016-02-22T08:43:12.905-05:00 New_York"],
      ["author == @foo:bar-baz", "author == @foo:bar-baz"],
      [' x ==  "_\\uabcd_\\n_"', 'x == "_\uabcd_\\n_"'],
    ];
    for (const [input, out] of cases) expect(filterToString(parseFilter(input)), input).toBe(out);
  });
});

describe("filters.json paths", () => {
  it("valid paths print back as written", () => {
    for (const c of fixture.paths.filter((p) => p.valid)) {
      expect(parsePath(c.path)).toEqual(c.segments);
      expect(pathToString(parsePath(c.path))).toBe(c.path);
    }
  });
});

describe("haxall patterns (haxall-specific normal form)", () => {
  it("matches every haxallPattern in the parse and haxallPatterns parts", () => {
    const cases = [...fixture.parse.filter((c) => c.haxallPattern !== undefined), ...fixture.haxallPatterns] as {
      filter: string;
      haxallPattern: string;
    }[];
    expect(cases.length).toBeGreaterThan(70);
    for (const c of cases) expect(filterPattern(parseFilter(c.filter)), c.filter).toBe(c.haxallPattern);
  });
});
