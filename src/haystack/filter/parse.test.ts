import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fromJson4 } from "../../../test/support/json4-fixture.ts";
import { LimitError, ParseError } from "../errors.ts";
import { equals, HDateTime, HNumber, HRef, type HVal } from "../kinds/index.ts";
import type { Filter } from "./ast.ts";
import { DEFAULT_FILTER_LIMITS, DEFAULT_MAX_FILTER_HOPS, parseFilter, parsePath } from "./parse.ts";

interface ParseCase {
  filter: string;
  valid: boolean;
  ast?: unknown;
}
interface PathCase {
  path: string;
  valid: boolean;
  segments?: string[];
}
const fixture = JSON.parse(
  readFileSync(new URL("../../../test/fixtures/haystack/filters.json", import.meta.url), "utf8"),
) as { parse: ParseCase[]; paths: PathCase[]; haxallPatterns: { filter: string }[] };

/** Fixture AST (values in JSON v4) to our Filter. */
function astOf(j: Record<string, unknown>): Filter {
  if (j.op === "and" || j.op === "or") {
    return { op: j.op, args: (j.args as Record<string, unknown>[]).map(astOf) };
  }
  if ("val" in j) return { ...(j as { op: "eq"; path: string[] }), val: fromJson4(j.val as never) };
  return j as unknown as Filter;
}

/** Structural AST equality with Haystack value equality (plus Ref dis) at the leaves. */
function sameAst(a: Filter, b: Filter): boolean {
  if (a.op !== b.op) return false;
  if (a.op === "and" || a.op === "or") {
    const bb = b as typeof a;
    return a.args.length === bb.args.length && a.args.every((x, i) => sameAst(x, bb.args[i] as Filter));
  }
  if ("val" in a) {
    const bv = (b as { val: HVal }).val;
    return JSON.stringify(a.path) === JSON.stringify((b as typeof a).path) && equals(a.val, bv);
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

describe("parseFilter fixtures", () => {
  for (const c of fixture.parse) {
    if (c.valid) {
      it(`parses ${JSON.stringify(c.filter)}`, () => {
        const got = parseFilter(c.filter);
        const want = astOf(c.ast as Record<string, unknown>);
        expect(sameAst(got, want), JSON.stringify(got)).toBe(true);
      });
    } else {
      it(`rejects ${JSON.stringify(c.filter)}`, () => {
        let err: unknown;
        try {
          parseFilter(c.filter);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(ParseError);
        const pe = err as ParseError;
        expect(pe.line).toBe(1);
        expect(pe.column).toBeGreaterThanOrEqual(1);
        expect(pe.column).toBeLessThanOrEqual(c.filter.length + 1);
      });
    }
  }
  it("parses every haxallPatterns filter", () => {
    for (const c of fixture.haxallPatterns) expect(() => parseFilter(c.filter)).not.toThrow();
  });
});

describe("parsePath fixtures", () => {
  for (const c of fixture.paths) {
    it(`${c.valid ? "parses" : "rejects"} ${c.path}`, () => {
      if (c.valid) expect(parsePath(c.path)).toEqual(c.segments);
      else expect(() => parsePath(c.path)).toThrow(ParseError);
    });
  }
});

describe("parseFilter values and structure", () => {
  it("keeps exact value types", () => {
    const f = parseFilter("ts >= 2024-03-10T02:30:00-05:00 GMT+5 and id == @a.b:c-d~e and t > 75°F") as unknown as {
      args: { val: HVal }[];
    };
    const [ts, id, t] = f.args.map((a) => a.val);
    expect(ts).toBeInstanceOf(HDateTime);
    expect((ts as HDateTime).tz).toBe("GMT+5");
    expect((ts as HDateTime).offset).toBe(-5 * 3600);
    expect(id).toEqual(new HRef("a.b:c-d~e"));
    expect(t).toEqual(new HNumber(75, "°F"));
  });

  it("accepts tz names with '-' and a bare Z as UTC", () => {
    const a = parseFilter("t == 2020-01-01T00:00:00-05:00 Port-au-Prince") as { val: HDateTime };
    expect(a.val.tz).toBe("Port-au-Prince");
    const b = parseFilter("t == 2020-01-01T00:00:00Z") as { val: HDateTime };
    expect(b.val.tz).toBe("UTC");
    expect(b.val.ms).toBe(Date.UTC(2020, 0, 1));
  });

  it("keeps parenthesised groups and flattens chains", () => {
    expect(parseFilter("a and (b and c)")).toEqual({
      op: "and",
      args: [
        { op: "has", path: ["a"] },
        {
          op: "and",
          args: [
            { op: "has", path: ["b"] },
            { op: "has", path: ["c"] },
          ],
        },
      ],
    });
    expect(parseFilter("((a))")).toEqual({ op: "has", path: ["a"] });
  });

  it("treats newlines as whitespace and // as a comment", () => {
    expect(parseFilter("a //x\n and b")).toEqual({
      op: "and",
      args: [
        { op: "has", path: ["a"] },
        { op: "has", path: ["b"] },
      ],
    });
  });

  it("reports line and column", () => {
    try {
      parseFilter("a and\n  b ==");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      expect((e as ParseError).line).toBe(2);
      expect((e as ParseError).column).toBe(7);
    }
  });

  it("rejects a bad escape and an unterminated string with a position", () => {
    expect(() => parseFilter('x == "a\\qb"')).toThrow(/escape.*column 8/);
    expect(() => parseFilter('x == "abc')).toThrow(/column 6/);
  });
});

describe("parseFilter limits", () => {
  it("rejects text beyond maxLength", () => {
    expect(() => parseFilter("a".repeat(70_000))).toThrow(LimitError);
    expect(() => parseFilter("abc and def", { maxLength: 5 })).toThrow(LimitError);
  });

  it("fails fast on 100k nested parens with a LimitError, not a stack overflow", () => {
    const text = `${"(".repeat(100_000)}a${")".repeat(100_000)}`;
    const t0 = performance.now();
    let err: unknown;
    try {
      parseFilter(text, { maxLength: 1e9 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LimitError);
    expect((err as LimitError).column).toBe(65);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it("fails fast on 100k terms", () => {
    const text = Array.from({ length: 100_000 }, (_, i) => `t${i}`).join(" and ");
    let err: unknown;
    try {
      parseFilter(text, { maxLength: 1e9 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LimitError);
    expect((err as LimitError).code).toBe("limit_exceeded");
    expect(() => parseFilter(text, { maxLength: 1e9, maxTerms: 200_000 })).not.toThrow();
  });

  it("refuses a path with more '->' hops than maxHops, naming the path and the limit", () => {
    const hops = (n: number) => ["equipRef", ...Array.from({ length: n }, (_, i) => `h${i}`)].join("->");
    expect(DEFAULT_FILTER_LIMITS.maxHops).toBe(DEFAULT_MAX_FILTER_HOPS);
    expect(parseFilter(hops(DEFAULT_MAX_FILTER_HOPS))).toMatchObject({ op: "has" });
    let err: unknown;
    try {
      parseFilter(`point and ${hops(DEFAULT_MAX_FILTER_HOPS + 1)} == 1`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LimitError);
    const le = err as LimitError;
    expect(le.code).toBe("limit_exceeded");
    expect(le.column).toBe(11); // where the path starts
    expect(le.message).toContain(`Path ${hops(DEFAULT_MAX_FILTER_HOPS)}->...`);
    expect(le.message).toContain(`more than ${DEFAULT_MAX_FILTER_HOPS} '->' hops`);
  });

  it("applies maxHops to `not` paths and to custom limits", () => {
    expect(() => parseFilter("not a->b->c", { maxHops: 1 })).toThrow(
      /Path a->b->\.\.\. has more than 1 '->' hops.*column 5/,
    );
    expect(parseFilter("not a->b", { maxHops: 1 })).toEqual({ op: "missing", path: ["a", "b"] });
    expect(() => parseFilter("a->b", { maxHops: 0 })).toThrow(LimitError);
    expect(parseFilter("a->b->c->d->e->f->g->h->i->j", { maxHops: 9 })).toMatchObject({ op: "has" });
  });

  it("stops at the limit on a 1,000-hop path, with an abridged message", () => {
    const text = `${Array.from({ length: 1001 }, () => "equipRef").join("->")}->dis`;
    let err: unknown;
    try {
      parseFilter(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LimitError);
    expect((err as LimitError).column).toBe(1);
    expect((err as LimitError).message.length).toBeLessThan(250);
  });

  it("honours custom depth and term limits", () => {
    expect(() => parseFilter("((a))", { maxDepth: 1 })).toThrow(LimitError);
    expect(() => parseFilter("(a)", { maxDepth: 1 })).not.toThrow();
    expect(() => parseFilter("a or b or c", { maxTerms: 2 })).toThrow(LimitError);
  });
});
