import { describe, expect, it } from "vitest";
import type { AndFilter, Filter, OrFilter } from "../../haystack/filter/ast.ts";
import { parseFilter } from "../../haystack/filter/parse.ts";
import { dedupeFilter } from "../../haystack/filter/walk.ts";
import { type SharedWalks, sharedWalks, usesAny } from "./filter-share.ts";

/** What each node walks, as text: the node printed by its position (`root`, `root.1`, ...). */
function plan(text: string): Record<string, { prefixes: string[]; next: string[][]; paths: string[] }> {
  const f = dedupeFilter(parseFilter(text));
  const walks = sharedWalks(f);
  const out: Record<string, { prefixes: string[]; next: string[][]; paths: string[] }> = {};
  const visit = (x: Filter, at: string) => {
    const s: SharedWalks | undefined = walks.get(x);
    if (s) {
      out[at] = {
        prefixes: s.prefixes.map((p) => p.path.join("->")),
        next: s.prefixes.map((p) => [...p.next].sort()),
        paths: s.paths.map((p) => p.join("->")),
      };
    }
    if (x.op === "and" || x.op === "or") {
      for (const [i, a] of x.args.entries()) visit(a, `${at}.${i}`);
    }
  };
  visit(f, "root");
  return out;
}

describe("sharedWalks", () => {
  it("walks nothing for a filter whose paths are all used once", () => {
    expect(plan("point and equipRef->siteRef->site")).toEqual({});
    expect(plan("a->b or c->d or a")).toEqual({});
    expect(plan(Array.from({ length: 400 }, () => "equipRef->siteRef->equipRef->dis").join(" or "))).toEqual({});
  });

  it("walks a prefix and a path shared by many terms once, at their smallest common node", () => {
    const text = Array.from({ length: 400 }, (_, i) => `equipRef->siteRef->dis == "s${i}"`).join(" or ");
    expect(plan(`point and (${text})`)).toEqual({
      "root.1": {
        prefixes: ["equipRef", "equipRef->siteRef"],
        next: [["siteRef"], ["dis"]],
        paths: ["equipRef->siteRef->dis"],
      },
    });
  });

  it("puts each prefix where all its uses meet, and its own prefixes there or above", () => {
    expect(plan("(a->b->c == 1 or a->b->c == 2) and a->x or z->y")).toEqual({
      "root.0": { prefixes: ["a"], next: [["b", "x"]], paths: [] },
      "root.0.0": { prefixes: ["a->b"], next: [["c"]], paths: ["a->b->c"] },
    });
    expect(plan("(a->b and q) or (a->c and r) or ts->date > 2020-01-01 or ts->tz")).toEqual({
      root: {
        prefixes: ["a", "ts"],
        next: [
          ["b", "c"],
          ["date", "tz"],
        ],
        paths: [],
      },
    });
  });

  it("tells which arguments of a node use what it walks", () => {
    const f = dedupeFilter(parseFilter("point and (a->b == 1 or a->b == 2) and a->c")) as AndFilter;
    const walks = sharedWalks(f).get(f);
    expect(walks?.prefixes.map((p) => p.path)).toEqual([["a"]]);
    const inner = f.args[1] as OrFilter;
    expect(sharedWalks(f).get(inner)?.paths).toEqual([["a", "b"]]);
    const prefixes = new Set(['["a"]']);
    expect(f.args.map((x) => usesAny(x, prefixes, new Set()))).toEqual([false, true, true]);
    expect(usesAny(parseFilter("a->b"), new Set(), new Set(['["a","b"]']))).toBe(true);
    expect(usesAny(parseFilter("a or ^a-b or Foo"), prefixes, new Set(['["a"]']))).toBe(false);
  });
});
