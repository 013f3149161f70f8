import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HaystackError } from "../errors.ts";
import { dict, HDate, HDateTime, type HDict, HRef, HTime, HUri, type HVal, MARKER, num } from "../kinds/index.ts";
import type { CmpOp, Filter, Path } from "./ast.ts";
import { compileFilter, filterRecords, interpretFilter, matches, NO_REFS, recordContext } from "./eval.ts";
import { filterDepth, filterPaths, MAX_FILTER_DEPTH, MAX_FILTER_NODES, requiredTags, termCount } from "./walk.ts";

const has = (...path: string[]): Filter => ({ op: "has", path });
const missing = (...path: string[]): Filter => ({ op: "missing", path });
const cmp = (op: CmpOp, path: string, val: HVal): Filter => ({ op, path: path.split("->"), val });
const and = (...args: Filter[]): Filter => ({ op: "and", args });
const or = (...args: Filter[]): Filter => ({ op: "or", args });
const ref = (id: string, dis?: string) => new HRef(id, dis);

/** Runs both evaluators and insists they agree, so every case below also checks the compiler. */
function both(f: Filter, d: HDict, cx = NO_REFS): boolean {
  const a = matches(f, d, cx);
  expect(interpretFilter(f, d, cx)).toBe(a);
  expect(compileFilter(f)(d, cx)).toBe(a);
  return a;
}

describe("tag presence and comparison", () => {
  const d = dict({ site: MARKER, dis: "Main", area: num(1000, "ft²"), n: 5, ok: true, day: HDate.of(2024, 2, 29) });

  it("has and missing look at presence only", () => {
    expect(both(has("site"), d)).toBe(true);
    expect(both(has("equip"), d)).toBe(false);
    expect(both(missing("equip"), d)).toBe(true);
    expect(both(missing("dis"), d)).toBe(false);
  });

  it("numbers are equal only with identical units, and != is then true", () => {
    expect(both(cmp("eq", "area", num(1000, "ft²")), d)).toBe(true);
    expect(both(cmp("eq", "area", 1000), d)).toBe(false);
    expect(both(cmp("ne", "area", 1000), d)).toBe(true);
    expect(both(cmp("eq", "area", num(1000, "m²")), d)).toBe(false);
    expect(both(cmp("gt", "area", num(999, "ft²")), d)).toBe(true);
    expect(both(cmp("gt", "area", 999), d)).toBe(false);
    expect(both(cmp("lt", "area", num(5000, "m²")), d)).toBe(false);
    expect(both(cmp("le", "n", 5), d)).toBe(true);
    expect(both(cmp("lt", "n", 5), d)).toBe(false);
  });

  it("ordering across kinds never matches, and != needs the tag", () => {
    expect(both(cmp("lt", "dis", 5), d)).toBe(false);
    expect(both(cmp("gt", "n", "a"), d)).toBe(false);
    expect(both(cmp("ne", "missingTag", 5), d)).toBe(false);
    expect(both(cmp("ge", "day", HDate.of(2024, 2, 29)), d)).toBe(true);
    expect(both(cmp("gt", "day", HDate.of(2024, 2, 29)), d)).toBe(false);
    expect(both(cmp("eq", "ok", true), d)).toBe(true);
    expect(both(cmp("gt", "ok", false), d)).toBe(true);
  });

  it("NaN equals NaN (Haystack) but orders against nothing", () => {
    const x = dict({ v: Number.NaN, u: num(Number.NaN, "kW") });
    expect(both(cmp("eq", "v", Number.NaN), x)).toBe(true);
    expect(both(cmp("eq", "u", num(Number.NaN, "kW")), x)).toBe(true);
    expect(both(cmp("le", "v", Number.NaN), x)).toBe(false);
    expect(both(cmp("ge", "v", 0), x)).toBe(false);
  });

  it("refs compare by id and ignore the display name", () => {
    const r = dict({ siteRef: ref("s1", "Site One") });
    expect(both(cmp("eq", "siteRef", ref("s1")), r)).toBe(true);
    expect(both(cmp("ne", "siteRef", ref("s1", "Other")), r)).toBe(false);
    expect(both(cmp("lt", "siteRef", ref("s2")), r)).toBe(true);
  });

  it("and/or short-circuit to the right answer, and empty groups are their identities", () => {
    expect(both(and(has("site"), cmp("eq", "dis", "Main")), d)).toBe(true);
    expect(both(and(has("site"), has("equip")), d)).toBe(false);
    expect(both(or(has("equip"), has("site"), has("x"), has("y")), d)).toBe(true);
    expect(both(and(), d)).toBe(true);
    expect(both(or(), d)).toBe(false);
  });
});

describe("paths and ref lists", () => {
  const site = dict({ id: ref("site"), site: MARKER, geoCity: "Hugo" });
  const ahu1 = dict({ id: ref("ahu1"), equip: MARKER, siteRef: ref("site"), dis: "AHU-1" });
  const ahu2 = dict({ id: ref("ahu2"), equip: MARKER, dis: "AHU-2", air: MARKER });
  const vav = dict({ id: ref("vav"), airRef: [ref("ahu1"), ref("ahu2")], equipRef: ref("ahu1"), tags: ["a", "b"] });
  const nested = dict({ id: ref("n"), inner: dict({ deep: dict({ x: 1 }) }) });
  const cx = recordContext([site, ahu1, ahu2, vav, nested]);

  it("`->` dereferences refs through the context, hop by hop", () => {
    expect(both(has("equipRef", "siteRef", "site"), vav, cx)).toBe(true);
    expect(both(cmp("eq", "equipRef->siteRef->geoCity", "Hugo"), vav, cx)).toBe(true);
    expect(both(cmp("eq", "equipRef->siteRef->geoCity", "Denver"), vav, cx)).toBe(false);
    expect(both(has("equipRef", "siteRef", "site"), vav, NO_REFS)).toBe(false);
    expect(both(missing("equipRef", "siteRef", "site"), vav, NO_REFS)).toBe(true);
  });

  it("a list of refs matches when any element's record matches", () => {
    expect(both(cmp("eq", "airRef->dis", "AHU-2"), vav, cx)).toBe(true);
    expect(both(has("airRef", "air"), vav, cx)).toBe(true);
    expect(both(has("airRef", "siteRef"), vav, cx)).toBe(true);
    expect(both(cmp("eq", "airRef", ref("ahu2")), vav, cx)).toBe(true);
    expect(both(cmp("eq", "airRef", ref("ahu3")), vav, cx)).toBe(false);
    // missing is tested per ref: ahu1 lacks `air`, so the list matches both `has` and `missing`.
    expect(both(missing("airRef", "air"), vav, cx)).toBe(true);
  });

  it("lists of non-refs get no element-wise treatment", () => {
    expect(both(cmp("eq", "tags", "a"), vav, cx)).toBe(false);
    expect(both(cmp("eq", "tags", ["a", "b"]), vav, cx)).toBe(true);
    expect(both(has("tags", "a"), vav, cx)).toBe(false);
  });

  it("a nested dict is entered without the context", () => {
    expect(both(cmp("eq", "inner->deep->x", 1), nested, NO_REFS)).toBe(true);
    expect(both(has("inner", "deep", "y"), nested, NO_REFS)).toBe(false);
    expect(both(has("inner", "deep", "x", "z"), nested, NO_REFS)).toBe(false);
  });

  it("a ref cycle or unknown ref ends the path instead of looping", () => {
    const a = dict({ id: ref("a"), next: ref("b") });
    const b = dict({ id: ref("b"), next: ref("a"), stop: MARKER });
    const loop = recordContext([a, b]);
    expect(both(has("next", "next", "next", "stop"), a, loop)).toBe(true);
    expect(both(has("next", "next", "next", "next", "stop"), a, loop)).toBe(false);
    expect(both(has("ghost", "x"), dict({ ghost: ref("nowhere") }), loop)).toBe(false);
  });
});

describe("haxall extensions", () => {
  const ts = HDateTime.of(Date.UTC(2020, 8, 2, 7, 0), "New_York");
  const d = dict({ ts, foo: "x", thru: 1, hot: MARKER });

  it("->date, ->time and ->tz path into a DateTime in its own zone", () => {
    expect(both(cmp("eq", "ts->date", HDate.of(2020, 9, 2)), d)).toBe(true);
    expect(both(cmp("eq", "ts->time", new HTime(3, 0)), d)).toBe(true);
    expect(both(cmp("eq", "ts->tz", "New_York"), d)).toBe(true);
    expect(both(has("ts", "bad"), d)).toBe(false);
    expect(both(missing("ts", "bad"), d)).toBe(true);
    expect(both(has("ts", "date", "foo"), d)).toBe(false);
  });

  it("^a-b needs every conjunct tag (any value); key symbols and specs need a namespace", () => {
    const sym = (symbol: string): Filter => ({ op: "isSymbol", symbol });
    const spec: Filter = { op: "isSpec", spec: "ph::Site" };
    expect(both(sym("foo"), d)).toBe(true);
    expect(both(sym("foo-thru-hot"), d)).toBe(true);
    expect(both(sym("foo-bar"), d)).toBe(false);
    expect(both(sym("lib:foo"), d)).toBe(false);
    expect(both(spec, d)).toBe(false);
    const ns = {
      deref: () => undefined,
      isA: () => true,
      isSpec: (s: string, x: HDict) => s === "ph::Site" && x.has("foo"),
    };
    expect(both(sym("lib:foo"), d, ns)).toBe(true);
    expect(both(spec, d, ns)).toBe(true);
  });
});

describe("snapshot memo", () => {
  const pts = [1, 2, 3].map((i) => dict({ id: ref(`p${i}`), point: MARKER, equipRef: ref("e") }));
  const f = has("equipRef", "siteRef", "site");
  const withSite = recordContext([
    ...pts,
    dict({ id: ref("e"), siteRef: ref("s") }),
    dict({ id: ref("s"), site: MARKER }),
  ]);
  const without = recordContext([...pts, dict({ id: ref("e"), siteRef: ref("s") }), dict({ id: ref("s") })]);

  it("is dropped when the matcher meets another context", () => {
    const m = compileFilter(f, { snapshot: true });
    expect(pts.map((p) => m(p, withSite))).toEqual([true, true, true]);
    expect(pts.map((p) => m(p, without))).toEqual([false, false, false]);
    expect(m(pts[0] as HDict, withSite)).toBe(true);
  });

  it("lasts one filterRecords call, even when the same context object changes between calls", () => {
    let site = dict({ id: ref("s"), site: MARKER });
    const live = { deref: (r: HRef) => (r.id === "s" ? site : r.id === "e" ? dict({ siteRef: ref("s") }) : undefined) };
    expect(filterRecords(f, pts, live)).toHaveLength(3);
    site = dict({ id: ref("s") });
    expect(filterRecords(f, pts, live)).toHaveLength(0);
  });
});

describe("bounds", () => {
  it("refuses ASTs too deep or too large instead of overflowing the stack or hanging", () => {
    let deep: Filter = has("a");
    for (let i = 0; i < 200_000; i++) deep = and(deep, has("b"));
    let wide: Filter = has("a");
    for (let i = 0; i < 80; i++) wide = or(wide, wide); // shared subtrees: 2^80 nodes as a tree
    for (const f of [deep, wide]) {
      expect(() => compileFilter(f)).toThrow(HaystackError);
      expect(() => interpretFilter(f, dict({ b: 1 }), NO_REFS)).toThrow(HaystackError);
      expect(() => filterPaths(f)).toThrow(HaystackError);
      expect(() => requiredTags(f)).toThrow(HaystackError);
      expect(() => termCount(f)).toThrow(HaystackError);
    }
  });

  it("accepts ASTs right at the limits", () => {
    let f: Filter = has("a");
    for (let i = 1; i < MAX_FILTER_DEPTH; i++) f = and(has("b"), f);
    expect(filterDepth(f)).toBe(MAX_FILTER_DEPTH);
    expect(compileFilter(f)(dict({ a: 1, b: 1 }), NO_REFS)).toBe(true);
    const flat = and(...Array.from({ length: MAX_FILTER_NODES - 1 }, (_, i) => has(`t${i}`)));
    expect(termCount(flat)).toBe(MAX_FILTER_NODES - 1);
  });
});

describe("visitor analyses", () => {
  const f = or(
    and(has("point"), has("equipRef", "siteRef", "site"), cmp("eq", "kind", "Number")),
    and(has("point"), missing("his"), { op: "isSymbol", symbol: "air-temp" }),
  );

  it("filterPaths lists each distinct path once, in first-use order", () => {
    expect(filterPaths(f)).toEqual([["point"], ["equipRef", "siteRef", "site"], ["kind"], ["his"]]);
  });

  it("requiredTags intersects across or and unions across and", () => {
    expect(requiredTags(f)).toEqual(["point"]);
    expect(requiredTags(and(has("a"), cmp("eq", "b->c", 1), missing("d")))).toEqual(["a", "b"]);
    expect(requiredTags(or(has("a"), has("b")))).toEqual([]);
  });

  it("filterDepth and termCount measure the tree", () => {
    expect(filterDepth(has("a"))).toBe(1);
    expect(filterDepth(f)).toBe(3);
    expect(termCount(f)).toBe(6);
  });
});

// Random filters over random records: the specialised compiler must agree with the plain
// interpreter, and every record a filter matches must carry the filter's required tags.
const NAMES = ["a", "b", "ref", "refs", "ts", "n"];
const arbVal: fc.Arbitrary<HVal> = fc.oneof(
  fc.constantFrom<HVal>(MARKER, true, false, "x", "y", 1, 2, Number.NaN, num(1, "kW"), num(2, "kW"), num(1, "°F")),
  fc.constantFrom<HVal>(ref("r1"), ref("r2", "dis"), new HUri("u"), HDate.of(2020, 1, 2), new HTime(3, 0)),
  fc.constantFrom<HVal>(
    HDateTime.of(Date.UTC(2020, 0, 2, 8), "New_York"),
    [ref("r1"), ref("r2")],
    [ref("r3"), 1],
    ["x"],
  ),
);
const arbPath: fc.Arbitrary<Path> = fc.array(fc.constantFrom(...NAMES, "date", "time", "tz"), {
  minLength: 1,
  maxLength: 3,
});
const arbFilter: fc.Arbitrary<Filter> = fc.letrec<{ f: Filter }>((tie) => ({
  f: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    arbPath.map((path): Filter => ({ op: "has", path })),
    arbPath.map((path): Filter => ({ op: "missing", path })),
    fc
      .tuple(fc.constantFrom<CmpOp>("eq", "ne", "lt", "le", "gt", "ge"), arbPath, arbVal)
      .map(([op, path, val]): Filter => ({ op, path, val })),
    fc.constantFrom<Filter>({ op: "isSymbol", symbol: "a-b" }, { op: "isSpec", spec: "Foo" }),
    fc.array(tie("f"), { maxLength: 3 }).map((args): Filter => ({ op: "and", args })),
    fc.array(tie("f"), { maxLength: 3 }).map((args): Filter => ({ op: "or", args })),
  ),
})).f;
const arbDict = fc.dictionary(fc.constantFrom(...NAMES), arbVal, { maxKeys: 5 }).map((o) => dict(o));
const arbWorld = fc
  .array(arbDict, { minLength: 3, maxLength: 3 })
  .map((ds) => ds.map((d, i) => d.with("id", ref(`r${i + 1}`))));

describe("compiled and interpreted evaluation agree", () => {
  it("on random filters over random linked records", () => {
    fc.assert(
      fc.property(arbFilter, arbWorld, (f, world) => {
        const cx = recordContext(world);
        const m = compileFilter(f);
        const snap = compileFilter(f, { snapshot: true });
        for (const c of [cx, NO_REFS]) {
          const expected = world.filter((d) => interpretFilter(f, d, c));
          expect(filterRecords(f, world, c)).toEqual(expected);
          for (const d of world) {
            const got = m(d, c);
            expect(got).toBe(interpretFilter(f, d, c));
            expect(snap(d, c)).toBe(got);
            if (got) for (const t of requiredTags(f)) expect(d.has(t)).toBe(true);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
