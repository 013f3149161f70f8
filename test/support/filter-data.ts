/**
 * The data and the random filters of the differential filter tests, which hold a store's filter
 * reads against the in-memory evaluator: test/unit/filter-sql.test.ts (Postgres SQL) and
 * test/unit/upstash-filter.test.ts (Upstash). One copy, so that both stores are held to the same
 * awkward records, the same filters.json cases and the same generator; each test loads the records
 * its own way and builds the generator from the records as it reads them back.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { writeJsonValue } from "../../src/haystack/codec/json/index.ts";
import { readZincGrid } from "../../src/haystack/codec/zinc/index.ts";
import {
  type CmpOp,
  type Filter,
  type FilterContext,
  filterToString,
  type Path,
  parseFilter,
  recordContext,
} from "../../src/haystack/filter/index.ts";
import {
  dict,
  HCoord,
  HDate,
  HDateTime,
  type HDict,
  HRef,
  HSymbol,
  HTime,
  HUri,
  type HVal,
  HXStr,
  isDict,
  isRef,
  kindOf,
  MARKER,
  NA,
  num,
  parseIso,
} from "../../src/haystack/kinds/index.ts";

// ---- data

export const ref = (id: string) => new HRef(id);
const dt = (iso: string, tz: string) => {
  const p = parseIso(iso);
  if (!p) throw new Error(iso);
  return HDateTime.of(p.ms, tz);
};
const instant = Date.UTC(2020, 0, 1, 15, 0, 0);

/** The Alpha demo building, about 2,000 records with ids `a-...`. */
export const ALPHA: readonly HDict[] = readZincGrid(
  readFileSync(new URL("../../src/demo/alpha.zinc", import.meta.url), "utf8"),
).dicts();

/**
 * Records only a careful store gets right; ids sort after Alpha's `a-...`. Both stores get them
 * all, including those first written for one of them (U+0000 stand-ins for Postgres, the indexed
 * Str length for Upstash): a record that trips one store is worth holding the other to.
 */
export const AWKWARD: readonly HDict[] = [
  dict({ id: ref("z-n1"), v: 5, n: 5, s: "abc", mark: MARKER }),
  dict({ id: ref("z-n2"), v: num(5, "kW"), n: num(5, "kW"), s: "ABC" }),
  dict({ id: ref("z-n3"), v: num(5, "°F"), n: -3.5e-7, s: "" }),
  dict({ id: ref("z-n4"), v: Number.NaN, n: num(Number.NaN, "kW"), s: "é" }),
  dict({ id: ref("z-n5"), v: Number.POSITIVE_INFINITY, n: num(Number.POSITIVE_INFINITY, "kW"), s: "\uFFFD" }),
  dict({ id: ref("z-n6"), v: Number.NEGATIVE_INFINITY, n: 1e21, s: "\u{1F600}" }),
  dict({ id: ref("z-n7"), v: -0, n: 0.1, s: "\uE000" }),
  dict({ id: ref("z-n8"), v: 0.30000000000000004, n: 0.3, s: "a\u{1F600}" }),
  dict({ id: ref("z-n9"), v: num(-1.5, "kW"), n: num(Number.NEGATIVE_INFINITY), s: "a\uFFFF", mark: NA }),
  dict({ id: ref("z-s1"), v: "5", s: "\u{10FFFF}", n: true }),
  dict({ id: ref("z-s2"), v: true, s: 'tab\tnew\nline "q" \\', n: false }),
  dict({ id: ref("z-s3"), v: false, s: "x'; drop table entities; --", n: "5" }),
  dict({ id: ref("z-s4"), s: "日本語", v: new HUri("http://x/ü"), n: new HSymbol("elec-meter") }),
  dict({ id: ref("z-s5"), s: "\u{1F600}\uE000", v: new HSymbol("ahu"), n: new HUri("http://x/\u{1F600}") }),
  dict({ id: ref("z-s6"), s: "\uD7FF\u{1F600}", v: new HCoord(39.5, -104.25), n: new HXStr("Bin", "text/plain") }),
  dict({ id: ref("z-s7"), s: "\uD7FF", v: new HXStr("Bin", "x"), n: new HCoord(39.5, -104.25) }),
  dict({ id: ref("z-s8"), s: "\u{1F400}" }),
  dict({ id: ref("z-s9"), s: "\u{1F800}x" }),
  dict({ id: ref("z-sa"), s: "\u{10000}" }),
  dict({ id: ref("z-sb"), s: "\u{1F5FF}\u{1F5FF}" }),
  // U+0000, which jsonb cannot hold: the Postgres store wraps such text (src/storage/postgres/nul.ts).
  dict({ id: ref("z-u1"), s: "a\u0000b", v: new HUri("http://x/\u0000"), n: num(5, "k\u0000W") }),
  dict({ id: ref("z-u2"), s: "\u0000", v: new HSymbol("a\u0000"), n: new HXStr("Bin", "\u0000") }),
  dict({ id: ref("z-u3"), s: "a\u0000\u{1F600}", v: "\u0000\uE000", n: new HRef("z-u1", "dis\u0000") }),
  // Text equal to Postgres's stand-ins for literals with U+0000 or a lone surrogate (`a\u0000`, `a\u0000\uD83D`).
  dict({ id: ref("z-u5"), s: "a\u0001" }),
  dict({ id: ref("z-u6"), s: "a\u0000\u{1F400}" }),
  dict({ id: ref("z-u4"), s: "a\u0000\uFFFD", v: "a\u0000\u0000", refs: ["\u0000", ref("z-u1")] }),
  // A Str just at and just over Upstash's indexed length, and a live tag's Str (never value-indexed there).
  dict({ id: ref("z-k1"), s: "k".repeat(128), curVal: "on", v: "k".repeat(129) }),
  dict({ id: ref("z-k2"), s: "k".repeat(129), curVal: "off", v: "k".repeat(128) }),
  dict({ id: ref("z-d1"), d: HDate.of(2020, 1, 1), t: HTime.of(10, 0), ts: HDateTime.of(instant, "New_York") }),
  dict({ id: ref("z-d2"), d: HDate.of(2020, 1, 2), t: HTime.of(10, 0, 0, 500), ts: HDateTime.of(instant, "UTC") }),
  dict({
    id: ref("z-d3"),
    d: HDate.of(1999, 12, 31),
    t: HTime.of(23, 59, 59, 999),
    ts: HDateTime.of(instant, "Tokyo"),
  }),
  dict({ id: ref("z-d4"), v: HDate.of(2020, 1, 1), t: HTime.of(0, 0), ts: HDateTime.of(instant + 1, "Kathmandu") }),
  dict({ id: ref("z-d5"), v: HTime.of(10, 0), ts: dt("1850-06-01T12:00:00-04:56", "New_York") }),
  dict({ id: ref("z-d6"), v: HDateTime.of(instant, "Kolkata"), ts: dt("0000-02-29T10:00:00.123Z", "UTC") }),
  dict({ id: ref("z-d7"), v: dt("2020-01-01T10:00:00-05:00", "New_York"), d: "2020-01-01", t: "10:00:00" }),
  // Ref lists (dangling, mixed, nested), through Alpha's equips and sites.
  dict({ id: ref("z-l1"), equipRef: [ref("a-0001"), ref("a-0002")], refs: [ref("z-n1"), ref("z-n2")] }),
  dict({ id: ref("z-l2"), equipRef: [ref("nowhere")], refs: [ref("nowhere"), ref("z-d1")] }),
  dict({ id: ref("z-l3"), equipRef: ["a-0001", "b"], refs: [] }),
  dict({ id: ref("z-l4"), equipRef: [], refs: [ref("z-n2"), "x", 5, ref("nowhere"), dict({ v: 5 })] }),
  dict({ id: ref("z-l5"), refs: [[ref("z-n1")]], ref: ref("z-l1") }),
  // Nested dicts, a dict where a Ref usually is, chains and a cycle.
  dict({ id: ref("z-x1"), dc: dict({ a: dict({ b: 1, r: ref("z-n1") }), ts: HDateTime.of(instant, "Tokyo") }) }),
  dict({ id: ref("z-x2"), dc: dict({ a: "str", r: [ref("z-n2")] }), ref: ref("z-x1") }),
  dict({ id: ref("z-x3"), siteRef: dict({ dis: "fake site", site: MARKER }), equipRef: ref("z-x3") }),
  dict({ id: ref("z-c1"), ref: ref("z-c2"), v: 1 }),
  dict({ id: ref("z-c2"), ref: ref("z-c3"), v: 2 }),
  dict({ id: ref("z-c3"), ref: ref("z-c4"), v: 3, ts: HDateTime.of(instant - 86_400_000, "Sydney") }),
  dict({ id: ref("z-c4"), v: 42, ref: ref("z-d1") }),
  dict({ id: ref("z-y1"), ref: ref("z-y2") }),
  dict({ id: ref("z-y2"), ref: ref("z-y1"), refs: [ref("z-y1"), ref("z-c1")] }),
  dict({ id: ref("z-m1"), ref: ref("nowhere"), equipRef: ref("nowhere"), siteRef: ref("a-0000") }),
  dict({ id: ref("z-m2"), ref: new HRef("z-n1", "Display name"), v: new HRef("a-0000", "Alpha") }),
  dict({ id: ref("z-h1"), hot: MARKER, water: MARKER, ahu: MARKER }),
];

// ---- filters: filters.json and hand-picked

export interface MatchCase {
  filter: string;
  /** The case's own records, as JSON v4 tags. */
  records: { id: string; tags: unknown }[];
  matches: string[];
}
export interface Fixture {
  match: MatchCase[];
  parse: { filter: string; valid: boolean }[];
}
export const FIXTURE = JSON.parse(
  readFileSync(new URL("../fixtures/haystack/filters.json", import.meta.url), "utf8"),
) as Fixture;

/**
 * Hand-picked filters over Alpha and the awkward records: both stores run them all (those first
 * picked for one store are as good a test of the other).
 */
export const HAND_PICKED: readonly string[] = [
  "v == 5",
  "v != 5",
  "v < 5",
  "v <= 5kW",
  "v > -1kW",
  "n >= 0",
  "n < 0.3",
  "v == 0",
  "v >= 0.3",
  "v <= 0.30000000000000004",
  "n > 1e20",
  'n == "5"',
  's < "\uE000"',
  's > "\uE000"',
  "ts == 2020-01-01T10:00:00-05:00 New_York",
  "ts <= 2020-01-01T10:00:00-05:00 New_York",
  "ts >= 2020-01-01T15:00:00Z UTC",
  "ts->date == 2020-01-01",
  "ts->date > 2020-01-01",
  "ts->time >= 15:00",
  "ts->time == 10:00:00.123",
  'ts->tz == "Tokyo"',
  "ts < 1900-01-01T00:00:00Z UTC",
  "t == 10:00",
  "t > 10:00:00.1",
  "d < 2020-01-02",
  "v == 2020-01-01",
  "v == 10:00",
  "v == ^ahu",
  "v > `http://x/`",
  "v == @a-0000",
  "equipRef == @a-0002",
  "equipRef->siteRef->dis",
  "equipRef->dis",
  "not equipRef->dis",
  "refs->v == 5",
  "refs->v",
  "refs == @nowhere",
  "refs < @z-n2",
  "refs != @z-n1",
  "ref->ref->ref->v == 42",
  "ref->ref->ref->ref->ts->date",
  "ref->ref->v",
  "ref->dis",
  "ref->refs->ref",
  "dc->a->b == 1",
  "dc->a->r->s",
  "dc->r->v",
  "dc->ts->tz",
  "siteRef->dis",
  "siteRef->site",
  "^hot-water",
  "^ahu",
  "^lib:ph",
  "mark",
  "not mark",
  "v",
  "not v",
  "not ts->nope",
  // Str and Ref equality, which Upstash narrows by its value indexes (and Str past their length),
  // and terms under and/not.
  's == "abc"',
  's == ""',
  's == "\u0000"',
  's == "a\u0000b"',
  's == "\uFFFD"',
  's == "\uD83D"',
  's == "\u{1F600}"',
  's == "日本語"',
  `s == "${"k".repeat(128)}"`,
  `s == "${"k".repeat(129)}"`,
  `v == "${"k".repeat(128)}"`,
  `v == "${"k".repeat(129)}"`,
  'curVal == "on"',
  'v == "\u0000\uE000"',
  "equipRef == @a-0001",
  "equipRef == @nowhere",
  "refs == @z-n1",
  "refs == @z-u1",
  "n == @z-u1",
  "ref == @z-n1",
  "v and not s",
  "not v and not s",
  "s and not v and not n",
  "(v or s) and not n",
  "point and not his",
  "point and equipRef->siteRef->area > 1000ft²",
  "Rtu or ahu",
];

/**
 * The filters of filters.json that parse here: the valid ones and the match cases' (a few are past
 * this parser's bounds).
 */
export function fixtureFilters(): Filter[] {
  const out: Filter[] = [];
  for (const text of [
    ...FIXTURE.parse.filter((c) => c.valid).map((c) => c.filter),
    ...FIXTURE.match.map((c) => c.filter),
  ]) {
    try {
      out.push(parseFilter(text));
    } catch {
      // valid in the fixture, past this parser's bounds
    }
  }
  return out;
}

// ---- helpers

export const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A filter for a failure message: its text, or its AST where the grammar cannot write it (NaN, INF). */
export function show(f: Filter): string {
  try {
    return filterToString(f);
  } catch {
    return JSON.stringify(f, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
  }
}

export const OPS: readonly CmpOp[] = ["eq", "ne", "lt", "le", "gt", "ge"];

/** Values the filter grammar can hold (and a few it cannot but an AST may: NaN, INF, Marker, Coord). */
function literal(v: HVal): boolean {
  return v !== null && !Array.isArray(v) && !isDict(v) && kindOf(v) !== "grid";
}

/** Every tag name (nested dicts included) with up to 40 distinct literal values found under it. */
function collect(recs: readonly HDict[]): Map<string, HVal[]> {
  const out = new Map<string, Map<string, HVal>>();
  const add = (tag: string, v: HVal) => {
    let m = out.get(tag);
    if (!m) {
      m = new Map();
      out.set(tag, m);
    }
    if (literal(v) && m.size < 40) m.set(writeJsonValue(v), v);
  };
  const walk = (d: HDict) => {
    for (const [k, v] of d.entries()) {
      add(k, v);
      if (isDict(v)) walk(v);
      if (Array.isArray(v)) for (const e of v as readonly HVal[]) add(k, e);
      if (v instanceof HDateTime) {
        add("date", v.date());
        add("time", v.time());
        add("tz", v.tz);
      }
    }
  };
  for (const r of recs) walk(r);
  return new Map([...out].map(([k, m]) => [k, [...m.values()]]));
}

/** Near misses of the values in the data: other units, neighbours, other zones, dangling refs. */
function variants(v: HVal): HVal[] {
  if (typeof v === "number") return [num(v, "kW"), v + 0.5, v - 1];
  if (typeof v === "string") return [`${v}\u{1F600}`, v.slice(0, 1), `${v}\uFFFF`];
  switch (kindOf(v)) {
    case "number": {
      const n = v as Exclude<ReturnType<typeof num>, number>;
      return [n.val, num(n.val, "°F"), num(n.val + 1, n.unit)];
    }
    case "dateTime": {
      const d = v as HDateTime;
      return [d.toTz("Tokyo"), HDateTime.of(d.ms + 1, d.tz), HDateTime.of(d.ms - 1, "UTC")];
    }
    case "ref":
      return [ref(`${(v as HRef).id}0`)];
    default:
      return [];
  }
}

/** A path into the data with values worth comparing at its end. */
export interface PathVals {
  readonly path: Path;
  readonly vals: readonly HVal[];
}

/**
 * Paths that lead somewhere in the data, walked from every record through Refs, ref lists, dicts
 * and DateTimes (1 to 4 segments), each with up to 12 of the values found at its end.
 */
function dataPaths(recs: readonly HDict[], cx: FilterContext): PathVals[] {
  const out = new Map<string, { path: Path; vals: Map<string, HVal> }>();
  const visit = (d: HDict, path: readonly string[]) => {
    for (const [k, v] of d.entries()) {
      const p = [...path, k];
      const key = p.join("->");
      let e = out.get(key);
      if (!e) {
        e = { path: p, vals: new Map() };
        out.set(key, e);
      }
      const ends = Array.isArray(v) ? [v, ...(v as readonly HVal[])] : [v];
      for (const x of ends) if (literal(x) && e.vals.size < 12) e.vals.set(writeJsonValue(x), x);
      if (p.length === 4) continue;
      const nexts: HDict[] = [];
      for (const x of Array.isArray(v) ? (v as readonly HVal[]) : [v]) {
        if (isRef(x)) {
          const r = cx.deref(x);
          if (r) nexts.push(r);
        } else if (isDict(x) && !Array.isArray(v)) nexts.push(x);
        else if (x instanceof HDateTime && !Array.isArray(v))
          nexts.push(dict({ date: x.date(), time: x.time(), tz: x.tz }));
      }
      for (const n of nexts.slice(0, 3)) visit(n, p);
    }
  };
  for (const r of recs) visit(r, []);
  return [...out.values()].map((e) => ({ path: e.path, vals: [...e.vals.values()] }));
}

// ---- random filters

/** The value pools of some records and the filters built from them. */
export interface FilterArbitraries {
  /** Every tag name (nested dicts included) with up to 40 distinct literal values found under it. */
  readonly values: ReadonlyMap<string, readonly HVal[]>;
  /** Paths that lead somewhere in the records, with values found at their ends. */
  readonly paths: readonly PathVals[];
  /** A value for a path whose data holds `vals`: mostly those and their near misses, sometimes any. */
  readonly arbValueOf: (vals: readonly HVal[]) => fc.Arbitrary<HVal>;
  /** One term: has, missing, a comparison, a symbol or a spec. */
  readonly arbLeaf: fc.Arbitrary<Filter>;
  /** Terms under and/or, up to 3 deep. */
  readonly arbFilter: fc.Arbitrary<Filter>;
}

/**
 * The generator over `recs` (the records as a test reads them, so its values are the data's):
 * paths mostly from the data and sometimes made up, values mostly from the path's end, with near
 * misses and values from anywhere.
 */
export function filterArbitraries(recs: readonly HDict[], cx = recordContext(recs)): FilterArbitraries {
  const values = collect(recs);
  const global: HVal[] = [
    ...new Map(
      [...values.values()]
        .flatMap((vs) => vs.slice(0, 6))
        .flatMap((v) => [v, ...variants(v)])
        .concat([Number.NaN, Number.POSITIVE_INFINITY, num(Number.NaN, "kW"), MARKER, NA, ref("nowhere"), true, ""])
        .map((v) => [writeJsonValue(v), v] as const),
    ).values(),
  ];
  const tags = [...values.keys()];
  // Tags whose values lead somewhere: Refs, ref lists, dicts, DateTimes.
  const hopTags = tags
    .filter((t) => (values.get(t) ?? []).some((v) => kindOf(v) === "ref" || kindOf(v) === "dateTime"))
    .concat(["dc", "siteRef", "a"]);
  const paths = dataPaths(recs, cx);

  const arbGlobal = fc.constantFrom(...global);
  const arbValueOf = (vals: readonly HVal[]): fc.Arbitrary<HVal> => {
    const own = vals.flatMap((v) => [v, ...variants(v)]);
    return own.length === 0
      ? arbGlobal
      : fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...own) }, { weight: 1, arbitrary: arbGlobal });
  };

  const arbPathVals: fc.Arbitrary<PathVals> = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...paths) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...hopTags),
          fc.array(fc.constantFrom(...hopTags, ...tags, "date", "time", "tz", "nope"), { minLength: 0, maxLength: 3 }),
        )
        .map(([a, rest]) => {
          const path: Path = [a, ...rest];
          return { path, vals: values.get(path[path.length - 1] as string) ?? [] };
        }),
    },
  );
  const arbPath: fc.Arbitrary<Path> = arbPathVals.map((p) => p.path);

  const arbLeaf: fc.Arbitrary<Filter> = fc.oneof(
    { weight: 3, arbitrary: arbPath.map((path): Filter => ({ op: "has", path })) },
    { weight: 2, arbitrary: arbPath.map((path): Filter => ({ op: "missing", path })) },
    {
      weight: 8,
      arbitrary: arbPathVals.chain(({ path, vals }) =>
        fc.tuple(fc.constantFrom(...OPS), arbValueOf(vals)).map(([op, val]): Filter => ({ op, path, val })),
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom("ahu", "hot-water", "point-sensor", "lib:ph", "nope")
        .map((symbol): Filter => ({ op: "isSymbol", symbol })),
    },
    { weight: 1, arbitrary: fc.constantFrom("Rtu", "ph::Equip").map((spec): Filter => ({ op: "isSpec", spec })) },
  );

  const arbFilter: fc.Arbitrary<Filter> = fc.letrec<{ f: Filter }>((tie) => ({
    f: fc.oneof(
      { maxDepth: 3, depthIdentifier: "filter" },
      { weight: 3, arbitrary: arbLeaf },
      {
        weight: 1,
        arbitrary: fc.array(tie("f"), { minLength: 1, maxLength: 3 }).map((args): Filter => ({ op: "and", args })),
      },
      {
        weight: 1,
        arbitrary: fc.array(tie("f"), { minLength: 1, maxLength: 3 }).map((args): Filter => ({ op: "or", args })),
      },
    ),
  })).f;

  return { values, paths, arbValueOf, arbLeaf, arbFilter };
}
