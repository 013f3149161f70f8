import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dict, HDateTime, HNumber, HRef, type HVal, MARKER, num } from "../kinds/index.ts";
import type { AndFilter, CmpOp, Filter, OrFilter } from "./ast.ts";
import { interpretFilter, recordContext } from "./eval.ts";
import { parseFilter } from "./parse.ts";
import { filterToString } from "./print.ts";
import { dedupeFilter, MAX_FILTER_NODES, termCount } from "./walk.ts";

const has = (...path: string[]): Filter => ({ op: "has", path });
const cmp = (op: CmpOp, path: string, val: HVal): Filter => ({ op, path: path.split("->"), val });
const and = (...args: Filter[]): Filter => ({ op: "and", args });
const or = (...args: Filter[]): Filter => ({ op: "or", args });

describe("dedupeFilter", () => {
  it("compiles a term written 400 times to that term", () => {
    const text = Array.from({ length: 400 }, () => "equipRef->siteRef->equipRef->dis").join(" or ");
    expect(dedupeFilter(parseFilter(text))).toEqual(has("equipRef", "siteRef", "equipRef", "dis"));
  });

  it("merges nested and/or of the same operator, keeping first uses in order", () => {
    const f = parseFilter("a or (b or a) or (c and c) or (b and (c and d)) or ((b and c) and d)");
    expect(filterToString(dedupeFilter(f))).toBe("a or b or c or b and c and d");
    expect(filterToString(dedupeFilter(parseFilter("x and (y or z) and (y or z) and x")))).toBe("x and (y or z)");
    expect(dedupeFilter(and())).toEqual(and());
    expect(dedupeFilter(or(and(), has("a")))).toEqual(or(and(), has("a")));
    expect(dedupeFilter(and(has("a"), and()))).toEqual(has("a"));
  });

  it("keeps terms apart that only look alike", () => {
    const f = or(
      cmp("eq", "v", 5),
      cmp("eq", "v", new HNumber(5, "")), // no reader makes this: it equals nothing, unlike 5
      cmp("eq", "v", "5"),
      cmp("eq", "v", num(5, "kW")),
      cmp("ne", "v", 5),
      cmp("eq", "v->x", 5),
      cmp("eq", "v", HDateTime.of(0, "UTC")),
      cmp("eq", "v", HDateTime.of(0, "London")),
      { op: "has", path: ["a->b"] },
      has("a", "b"),
    );
    expect(dedupeFilter(f)).toEqual(f);
  });

  it("takes equal literals as one term (a Ref's display name does not count, as in `equals`)", () => {
    const f = or(cmp("eq", "r", new HRef("x", "X")), cmp("eq", "r", new HRef("x")), cmp("eq", "n", Number.NaN));
    expect(dedupeFilter(or(f, cmp("eq", "n", Number.NaN)))).toEqual(
      or(cmp("eq", "r", new HRef("x", "X")), cmp("eq", "n", Number.NaN)),
    );
  });

  it("makes a tree of an AST that shares subtrees, and keeps the bounds", () => {
    const shared = or(has("a"), has("b"));
    const dag = or(and(shared, has("c")), and(shared, has("d")), and(shared, has("c")));
    const out = dedupeFilter(dag);
    expect(filterToString(out)).toBe("(a or b) and c or (a or b) and d");
    const [x, y] = (out as OrFilter).args as AndFilter[];
    expect(x?.args[0]).toEqual(shared);
    expect(x?.args[0]).not.toBe(y?.args[0]);
    let wide: Filter = has("x");
    for (let i = 0; i < 20; i++) wide = and(wide, wide); // 2^20 leaves through shared nodes
    expect(() => dedupeFilter(wide)).toThrow(`more than ${MAX_FILTER_NODES} nodes`);
  });

  it("answers as the filter does, on random filters with repeats over random linked records", () => {
    const leaf = fc.constantFrom<Filter>(
      has("a"),
      has("a"),
      has("ref", "a"),
      { op: "missing", path: ["ref", "a"] },
      { op: "missing", path: ["b"] },
      cmp("eq", "a", 1),
      cmp("eq", "a", 1),
      cmp("eq", "a", new HNumber(1, "")),
      cmp("lt", "ref->a", 2),
      cmp("ne", "ref->ref->b", "x"),
      cmp("eq", "ref", new HRef("r1")),
      cmp("eq", "ref", new HRef("r1", "dis")),
    );
    const filter = fc.letrec<{ f: Filter }>((tie) => ({
      f: fc.oneof(
        { depthSize: "small" },
        leaf,
        fc.array(tie("f"), { maxLength: 4 }).map((args) => and(...args)),
        fc.array(tie("f"), { maxLength: 4 }).map((args) => or(...args)),
      ),
    })).f;
    const val = fc.constantFrom<HVal>(MARKER, 1, 2, "x", new HRef("r1"), new HRef("r2"), new HRef("r3"));
    const world = fc
      .array(fc.dictionary(fc.constantFrom("a", "b", "ref"), val, { maxKeys: 3 }), { minLength: 3, maxLength: 3 })
      .map((ds) => ds.map((o, i) => dict(o).with("id", new HRef(`r${i + 1}`))));
    fc.assert(
      fc.property(filter, world, (f, recs) => {
        const g = dedupeFilter(f);
        expect(termCount(g)).toBeLessThanOrEqual(termCount(f));
        const cx = recordContext(recs);
        for (const d of recs) expect(interpretFilter(g, d, cx)).toBe(interpretFilter(f, d, cx));
      }),
      { numRuns: 2000 },
    );
  });
});
