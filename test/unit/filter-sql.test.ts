/**
 * Filters compiled to SQL (src/storage/postgres/filter-sql.ts) against the in-memory evaluator,
 * in the real test database through the Neon driver: the Alpha building plus awkward records
 * (units, NaN/INF, astral and private-use characters, zones, ref lists, nested dicts, dangling
 * refs), every filter of filters.json, and random filters built from the data (the data and the
 * generator in test/support/filter-data.ts, shared with upstash-filter.test.ts). The evaluator
 * reads the records as stored (JSON v4 written and read back), so both sides see the same data.
 */
import { Pool } from "@neondatabase/serverless";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import ws from "ws";
import { json4ToVal, readJsonValue, writeJsonValue } from "../../src/haystack/codec/json/index.ts";
import {
  type CmpOp,
  type Filter,
  type FilterContext,
  matches,
  parseFilter,
  recordContext,
} from "../../src/haystack/filter/index.ts";
import {
  dict,
  type HDict,
  HNumber,
  type HRef,
  HSymbol,
  HUri,
  type HVal,
  isDict,
  isRef,
  MARKER,
  NA,
  num,
} from "../../src/haystack/kinds/index.ts";
import { useLocalProxy } from "../../src/storage/postgres/connect.ts";
import {
  filterToSql,
  loneSurrogateBound,
  readSql,
  SqlParams,
  utf16Key,
} from "../../src/storage/postgres/filter-sql.ts";
import { fromJsonb, toJsonb } from "../../src/storage/postgres/nul.ts";
import {
  ALPHA,
  AWKWARD,
  byCodeUnit,
  FIXTURE,
  filterArbitraries,
  fixtureFilters,
  HAND_PICKED,
  OPS,
  show,
} from "../support/filter-data.ts";

const BASE = `filter-sql-${process.pid}-${Date.now()}`;
const MAIN = `${BASE}-main`;
const RAW = `${BASE}-raw`;
const BIG = 1_000_000;

let pool: Pool;
const projects: string[] = [];

// ---- data (Alpha and the awkward records: test/support/filter-data.ts)

/**
 * JSON v4 the writer never produces but readers take (other writers, hand-made rows): number
 * objects without a unit or with "", no `tz`, nulls, `_kind: "dict"`, lenient times, long fractions,
 * long number forms.
 */
const RAW_JSON: string[] = [
  '{"id":{"_kind":"ref","val":"r-1"},"ts":{"_kind":"dateTime","val":"2020-01-01T10:00:00Z"},' +
    '"n":{"_kind":"number","val":5},"u":{"_kind":"number","val":5,"unit":""},"nul":null,' +
    '"dc":{"_kind":"dict","a":1,"b":null},"t":{"_kind":"time","val":"8:30"},"ref":{"_kind":"ref","val":"r-2","dis":null}}',
  '{"id":{"_kind":"ref","val":"r-2"},"n":0.1000000000000000055511151231257827,"x":null,' +
    '"ts":{"_kind":"dateTime","val":"2020-01-01T05:00:00.123456-05:00","tz":null},"t":{"_kind":"time","val":"10:00:00.5"},' +
    '"u":{"_kind":"number","val":"INF"},"ref":{"_kind":"ref","val":"r-1"}}',
  '{"id":{"_kind":"ref","val":"r-3"},"n":1E2,"t":{"_kind":"time","val":"23:59"},"u":{"_kind":"number","val":"NaN","unit":null},' +
    '"ts":{"_kind":"dateTime","val":"2020-01-01T10:00:00.1239Z","tz":"UTC"},"refs":[{"_kind":"ref","val":"r-1"},null]}',
];
const RAW_RECS: Stored[] = RAW_JSON.map((json) => {
  const d = readJsonValue(json) as HDict;
  return { id: (d.get("id") as HRef).id, json: toJsonb(json), dict: d };
});

/** Records as the database holds them: JSON v4 text, and read back from it for the evaluator. */
interface Stored {
  readonly id: string;
  readonly json: string;
  readonly dict: HDict;
}

/** A record as the store writes it (JSON v4, U+0000 wrapped) and as the evaluator reads it back. */
function stored(d: HDict): Stored {
  const json = writeJsonValue(d);
  const back = readJsonValue(json);
  const id = back !== null && isDict(back) ? back.get("id") : undefined;
  if (!isDict(back) || !isRef(id)) throw new Error(`record without id: ${json}`);
  return { id: id.id, json: toJsonb(json), dict: back };
}

async function load(project: string, recs: readonly Stored[]): Promise<void> {
  projects.push(project);
  for (let i = 0; i < recs.length; i += 1000) {
    const part = recs.slice(i, i + 1000);
    await pool.query(
      "INSERT INTO entities (project, id, tags, mod) SELECT $1::text, u.id, u.tags::jsonb, 0 " +
        "FROM unnest($2::text[], $3::text[]) AS u(id, tags)",
      [project, part.map((r) => r.id), part.map((r) => r.json)],
    );
  }
}

function memIds(recs: readonly Stored[], cx: FilterContext, f: Filter): string[] {
  return recs
    .filter((r) => matches(f, r.dict, cx))
    .map((r) => r.id)
    .sort(byCodeUnit);
}

/** The string literals of a filter that could not turn up in SQL text by chance. */
function distinctive(f: Filter): string[] {
  if (f.op === "and" || f.op === "or") return f.args.flatMap(distinctive);
  if (!("val" in f)) return [];
  const v = f.val;
  const s = typeof v === "string" ? v : isRef(v) ? v.id : v instanceof HUri || v instanceof HSymbol ? v.val : "";
  return s.length >= 8 && /[^a-z_]/.test(s) ? [s] : [];
}

async function sqlIds(project: string, f: Filter): Promise<string[]> {
  const q = readSql(project, f, BIG);
  for (const s of distinctive(f)) expect(q.text).not.toContain(s);
  const r = await pool.query<{ id: string }>(q.text, q.values);
  return r.rows.map((x) => x.id);
}

const MAIN_RECS: Stored[] = [...ALPHA, ...AWKWARD].map(stored);
const MAIN_CX = recordContext(MAIN_RECS.map((r) => r.dict));

/** The fixture's record sets, each loaded once into its own project. */
const recordSets = new Map<string, { project: string; recs: Stored[]; cx: FilterContext }>();
for (const c of FIXTURE.match) {
  const key = JSON.stringify(c.records);
  if (recordSets.has(key)) continue;
  const recs = c.records.map((r) => stored(json4ToVal(r.tags) as HDict));
  recordSets.set(key, { project: `${BASE}-fx${recordSets.size}`, recs, cx: recordContext(recs.map((r) => r.dict)) });
}

beforeAll(async () => {
  const { databaseUrl, wsProxy } = inject("pg");
  useLocalProxy(wsProxy, ws);
  pool = new Pool({ connectionString: databaseUrl, max: 6 });
  await load(MAIN, MAIN_RECS);
  await load(RAW, RAW_RECS);
  for (const s of recordSets.values()) await load(s.project, s.recs);
});

afterAll(async () => {
  if (!pool) return;
  await pool.query("DELETE FROM entities WHERE project = ANY($1::text[])", [projects]);
  await pool.end();
});

// ---- fixture filters

describe("filters.json", () => {
  it("match cases give the fixture's answer and the evaluator's, over their own records", async () => {
    for (const c of FIXTURE.match) {
      const set = recordSets.get(JSON.stringify(c.records));
      if (!set) throw new Error("record set not loaded");
      const f = parseFilter(c.filter);
      const sql = await sqlIds(set.project, f);
      expect(sql, c.filter).toEqual(memIds(set.recs, set.cx, f));
      expect(sql, c.filter).toEqual([...c.matches].sort(byCodeUnit));
    }
  });

  it("every filter that parses agrees with the evaluator over Alpha and the awkward records", async () => {
    const filters = fixtureFilters();
    expect(filters.length).toBeGreaterThan(150);
    for (const f of filters) expect(await sqlIds(MAIN, f), show(f)).toEqual(memIds(MAIN_RECS, MAIN_CX, f));
  });
});

// ---- hand-picked cases

describe("hand-picked filters", () => {
  it("agree with the evaluator", async () => {
    for (const text of HAND_PICKED) {
      const f = parseFilter(text);
      expect(await sqlIds(MAIN, f), text).toEqual(memIds(MAIN_RECS, MAIN_CX, f));
    }
  });

  it("read JSON forms only other writers produce as the reader does", async () => {
    const raw = [
      ...HAND_PICKED,
      "ts == 2020-01-01T10:00:00Z UTC",
      "ts == 2020-01-01T10:00:00.123Z UTC",
      'ts->tz == "UTC"',
      "ts->time == 10:00:00.123",
      "ts->time < 10:00:00.124",
      "ts->date == 2020-01-01",
      "ts->time == 05:00:00.123",
      "n == 5",
      "n == 0.1",
      "n == 100",
      "u == 5",
      "u < 6",
      "u > 6",
      "nul or x",
      "not nul",
      "dc->a == 1",
      "dc->b",
      "not dc->b",
      "t == 8:30",
      "t == 10:00:00.5",
      "t > 10:00",
      "t >= 23:59",
      "ref->ref->n == 5",
      "refs->n",
      "not refs->n",
    ];
    const cx = recordContext(RAW_RECS.map((r) => r.dict));
    let some = 0;
    for (const text of raw) {
      const f = parseFilter(text);
      const mem = memIds(RAW_RECS, cx, f);
      if (mem.length > 0) some++;
      expect(await sqlIds(RAW, f), text).toEqual(mem);
    }
    expect(some).toBeGreaterThan(15);
  });

  it("compare Str, Uri and Symbol in UTF-16 order, as JS does", async () => {
    const strs = MAIN_RECS.filter((r) => r.id.startsWith("z-")).flatMap((r) => {
      const s = r.dict.get("s");
      return typeof s === "string" ? [s] : [];
    });
    expect(strs.length).toBeGreaterThan(10);
    const ops: CmpOp[] = ["lt", "le", "gt", "ge"];
    const filters: Filter[] = [];
    for (const lit of strs) for (const op of ops) filters.push({ op, path: ["s"], val: lit });
    for (const lit of ["http://x/", "http://x/\u{1F600}", "http://x/\uFFFF", "http://x/\uD83D"])
      filters.push({ op: "lt", path: ["n"], val: new HUri(lit) }, { op: "ge", path: ["n"], val: new HUri(lit) });
    // Lone surrogates: a filter string may hold one (`"\uD83D"`), stored text never does.
    const lone = [
      "\uD83D",
      "\uD83Dx",
      "\uD83D\uFFFF",
      "\uDE00",
      "a\uDBFF",
      "\uDBFF\uE000",
      "\uD800",
      "\u{1F5FF}\uD83D",
      // U+0000, which only the store's wrapped text holds.
      "a\u0000",
      "\u0000",
      "a\u0000b",
      "a\u0000\uD83D",
      "\u0000\u0000",
      "a\u0000\u{1F600}",
      "\u0000\uE000",
    ];
    for (const lit of lone) for (const op of OPS) filters.push({ op, path: ["s"], val: lit });
    await expectAll(filters);
    // The key puts astral characters between U+D7FF and U+E000, and keeps BMP text as it is.
    expect(utf16Key("a\u{1F600}b")).toBe("a\uD7FF\u{1F600}b");
    const sorted = [...strs].sort(byCodeUnit);
    const byKey = [...strs].sort((a, b) => byCodeUnit(cp(utf16Key(a)), cp(utf16Key(b))));
    expect(byKey).toEqual(sorted);
  });

  it("every value in the data, with every operator, on its own tag", async () => {
    const filters: Filter[] = [];
    for (const [tag, vals] of VALUES) {
      if (!["v", "n", "s", "d", "t", "ts", "date", "time", "tz", "refs", "ref"].includes(tag)) continue;
      for (const val of vals) for (const op of OPS) filters.push({ op, path: [tag], val });
    }
    for (const val of VALUES.get("v") ?? []) for (const op of OPS) filters.push({ op, path: ["n"], val });
    expect(filters.length).toBeGreaterThan(500);
    await expectAll(filters);
  });
});

describe("string order helpers", () => {
  const unit = fc.constantFrom(
    "a",
    "\uD7FF",
    "\uD800",
    "\uD83D",
    "\uDBFF",
    "\uDC00",
    "\uDE00",
    "\uDFFF",
    "\uE000",
    "\uFFFF",
  );
  const text = fc.array(unit, { maxLength: 4 }).map((u) => u.join(""));
  const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
  const keyLess = (a: string, b: string) => cp(utf16Key(a)) < cp(utf16Key(b));

  it("utf16Key turns UTF-16 order into code point order", () => {
    fc.assert(
      fc.property(text.filter(wellFormed), text.filter(wellFormed), (a, b) => {
        expect(keyLess(a, b)).toBe(a < b);
      }),
      { numRuns: 2000 },
    );
  });

  it("loneSurrogateBound stands in for a literal no stored text can equal", () => {
    fc.assert(
      fc.property(text.filter(wellFormed), text, (s, lit) => {
        const t = loneSurrogateBound(lit);
        if (t === undefined) {
          expect(wellFormed(lit)).toBe(true);
        } else {
          expect(wellFormed(t)).toBe(true);
          expect(keyLess(s, t)).toBe(s < lit);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

/** Code point order as a UTF-16 comparable string: each code point as 6 hex digits. */
function cp(s: string): string {
  return [...s].map((c) => (c.codePointAt(0) ?? 0).toString(16).padStart(6, "0")).join("");
}

/** Many filters in one query (one boolean column each), checked against the evaluator. */
async function expectAll(filters: readonly Filter[]): Promise<void> {
  for (let i = 0; i < filters.length; i += 200) {
    const part = filters.slice(i, i + 200);
    const p = new SqlParams();
    const proj = p.add(MAIN);
    const cols = part.map((f) => `CASE WHEN ${filterToSql(f, p)} THEN '1' ELSE '0' END`).join(" || ");
    const q = `SELECT e.id, ${cols} AS m FROM entities e WHERE e.project = ${proj} ORDER BY e.id COLLATE "C"`;
    const rows = (await pool.query<{ id: string; m: string }>(q, p.values)).rows;
    part.forEach((f, j) => {
      const sql = rows.filter((r) => r.m[j] === "1").map((r) => r.id);
      expect(sql, show(f)).toEqual(memIds(MAIN_RECS, MAIN_CX, f));
    });
  }
}

// ---- random filters (test/support/filter-data.ts), over the records as read back

const {
  values: VALUES,
  paths: PATHS,
  arbValueOf,
  arbLeaf,
  arbFilter,
} = filterArbitraries(
  MAIN_RECS.map((r) => r.dict),
  MAIN_CX,
);

describe("random filters", () => {
  it("agree with the evaluator through readSql", async () => {
    await fc.assert(
      fc.asyncProperty(arbFilter, async (f) => {
        expect(await sqlIds(MAIN, f), show(f)).toEqual(memIds(MAIN_RECS, MAIN_CX, f));
      }),
      { numRuns: 150 },
    );
  });

  it("agree with the evaluator, several queries at a time", async () => {
    const filters = fc.sample(arbFilter, 600);
    let next = 0;
    const worker = async () => {
      while (next < filters.length) {
        const f = filters[next++] as Filter;
        expect(await sqlIds(MAIN, f), show(f)).toEqual(memIds(MAIN_RECS, MAIN_CX, f));
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
  });
});

// ---- repeated terms and shared paths

/** Record lookups in the SQL text: one correlated subquery on `entities` per `->` it walks. */
function lookups(text: string): number {
  return text.match(/FROM entities r\d+/g)?.length ?? 0;
}

/** Leaves on the paths of `pool` only (and on their prefixes), so that terms share paths and prefixes. */
function arbSharedFilter(): fc.Arbitrary<Filter> {
  const multi = PATHS.filter((p) => p.path.length >= 2);
  const byKey = new Map(PATHS.map((p) => [p.path.join("->"), p]));
  return fc.array(fc.constantFrom(...multi), { minLength: 1, maxLength: 3 }).chain((chosen) => {
    const pool = chosen.flatMap(({ path }) =>
      path
        .slice(1)
        .map((_, i) => byKey.get(path.slice(0, i + 2).join("->")) ?? { path: path.slice(0, i + 2), vals: [] }),
    );
    const pv = fc.constantFrom(...pool);
    const leaf: fc.Arbitrary<Filter> = fc.oneof(
      { weight: 3, arbitrary: pv.map(({ path }): Filter => ({ op: "has", path })) },
      { weight: 2, arbitrary: pv.map(({ path }): Filter => ({ op: "missing", path })) },
      {
        weight: 8,
        arbitrary: pv.chain(({ path, vals }) =>
          fc.tuple(fc.constantFrom(...OPS), arbValueOf(vals)).map(([op, val]): Filter => ({ op, path, val })),
        ),
      },
      { weight: 1, arbitrary: arbLeaf },
    );
    return fc.letrec<{ f: Filter }>((tie) => ({
      f: fc.oneof(
        { maxDepth: 3, depthIdentifier: "shared" },
        { weight: 2, arbitrary: leaf },
        {
          weight: 2,
          arbitrary: fc.array(tie("f"), { minLength: 2, maxLength: 4 }).map((args): Filter => ({ op: "and", args })),
        },
        {
          weight: 2,
          arbitrary: fc.array(tie("f"), { minLength: 2, maxLength: 4 }).map((args): Filter => ({ op: "or", args })),
        },
      ),
    })).f;
  });
}

describe("repeated terms and shared paths", () => {
  const path = "equipRef->siteRef->equipRef->dis";

  it("compile a path written 400 times to the SQL of the path written once", () => {
    const once = readSql(MAIN, parseFilter(path), 10);
    const text = Array.from({ length: 400 }, () => path).join(" or ");
    expect(text.length).toBeGreaterThan(14_000);
    const many = readSql(MAIN, parseFilter(text), 10);
    expect(many.text).toBe(once.text);
    expect(many.values).toEqual(once.values);
    expect(lookups(once.text)).toBe(3);
  });

  it("look a path's records up once for all the terms that test it", async () => {
    const dis = [...new Set(MAIN_RECS.flatMap((r) => (r.dict.has("equip") ? [r.dict.get("dis") as string] : [])))];
    expect(dis.length).toBeGreaterThan(150);
    const terms = [...dis, ...Array.from({ length: 400 - dis.length }, (_, i) => `nothing ${i}`)].map(
      (d) => `equipRef->dis == ${JSON.stringify(d)}`,
    );
    const f = parseFilter(`point and (${terms.join(" or ")})`);
    const q = readSql(MAIN, f, BIG);
    expect(lookups(q.text)).toBe(1);
    // One pass over the values for all 400 terms: one subquery, for records with several values.
    expect(q.text.match(/FROM unnest\(/g)?.length).toBe(2); // the values from the containers, then the terms
    expect(q.values.length).toBeLessThan(410); // a value per term, the path's tags once
    const ids = await sqlIds(MAIN, f);
    expect(ids.length).toBeGreaterThan(1000);
    expect(ids).toEqual(memIds(MAIN_RECS, MAIN_CX, f));
    // Distinct last segments after a shared prefix: the prefix's records are looked up once.
    const tags = Array.from({ length: 50 }, (_, i) => `equipRef->siteRef->t${i}`).join(" or ");
    expect(lookups(readSql(MAIN, parseFilter(`${tags} or equipRef->siteRef->dis`), 10).text)).toBe(2);
  });

  const cases = [
    'equipRef->siteRef->dis == "Alpha" or equipRef->siteRef->dis != "Alpha" or equipRef->siteRef->dis',
    "equipRef->siteRef->area > 1000ft² and equipRef->siteRef->area < 1000000ft² and point",
    "not equipRef->siteRef->dis or equipRef->siteRef->site or equipRef->siteRef->nope",
    "not equipRef->siteRef->nope and not equipRef->siteRef->dis",
    "refs->v == 5 or refs->v == 42 or not refs->v",
    "not refs->v or not refs->s",
    "refs->ref->v or refs->ref->ts->date == 2020-01-01 or refs->ref->ts->tz",
    "equipRef->dis or equipRef->equip or not equipRef->nope",
    "equipRef->siteRef or not equipRef->dis or equipRef->siteRef == @a-0000",
    'ts->date == 2020-01-01 or ts->time >= 15:00 or ts->tz == "Tokyo"',
    "ts->date > 2019-01-01 and ts->date < 2021-01-01 and ts->tz",
    "ts->date->x or ts->nope or ts->tz",
    "dc->a->b == 1 or dc->a->r->s or dc->ts->tz or dc->r->v",
    "ref->ref->ref->v == 42 or ref->ref->ref->v == 3 or ref->ref->v == 3 or ref->ref",
    "(ref->ref->v == 2 or ref->ref->v == 3) and ref->v or ref->ref->ref->ref->ts->date",
    "ref->refs == @z-y1 or ref->refs->ref == @z-c2 or ref->refs < @z-y2",
    "refs == @z-n1 or refs->id == @z-n2 or refs->id == @z-n1",
    'siteRef->dis or siteRef->site or not siteRef->geoCity or siteRef->dis == "fake site"',
    "v->x or v->y or not v->x",
    'equipRef->siteRef->dis == "x" or equipRef->siteRef->dis == "\uD83D" or equipRef->siteRef->dis == "a\u0000"',
    "ref->v > 1 or ref->v > 2 or ref->v < 5kW or ref->v == -1",
  ];

  it("agree with the evaluator where terms share paths and prefixes", async () => {
    for (const text of cases) {
      const f = parseFilter(text);
      expect(readSql(MAIN, f, 1).text, text).toContain("ARRAY(");
      expect(await sqlIds(MAIN, f), text).toEqual(memIds(MAIN_RECS, MAIN_CX, f));
    }
    const cx = recordContext(RAW_RECS.map((r) => r.dict));
    for (const text of [...cases, "ts->time == 10:00:00.123 or ts->time < 10:00:00.124", "refs->n or not refs->n"]) {
      const f = parseFilter(text);
      expect(await sqlIds(RAW, f), text).toEqual(memIds(RAW_RECS, cx, f));
    }
    // A term nothing can pass binds no value, so the SQL stays typable.
    const never: Filter = {
      op: "or",
      args: [
        { op: "eq", path: ["ref", "ref", "v"], val: null },
        { op: "lt", path: ["ref", "ref", "v"], val: MARKER },
        { op: "missing", path: ["ref", "ref", "v"] },
      ],
    };
    expect(await sqlIds(MAIN, never)).toEqual(memIds(MAIN_RECS, MAIN_CX, never));
  });

  it("agree with the evaluator on random filters whose terms share paths", async () => {
    const filters = fc.sample(arbSharedFilter(), 400);
    let shared = 0;
    let next = 0;
    const worker = async () => {
      while (next < filters.length) {
        const f = filters[next++] as Filter;
        if (readSql(MAIN, f, 1).text.includes("ARRAY(")) shared++;
        expect(await sqlIds(MAIN, f), show(f)).toEqual(memIds(MAIN_RECS, MAIN_CX, f));
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    expect(shared).toBeGreaterThan(150);
  });
});

// ---- the query around the filter

describe("readSql", () => {
  it("returns limit + 1 rows in id order", async () => {
    const f = parseFilter("point or ref");
    const all = memIds(MAIN_RECS, MAIN_CX, f);
    expect(all.length).toBeGreaterThan(20);
    for (const limit of [0, 1, 10]) {
      const q = readSql(MAIN, f, limit);
      expect(q.values[q.values.length - 1]).toBe(limit + 1);
      const rows = (await pool.query<{ id: string; tags: string; mod: string }>(q.text, q.values)).rows;
      expect(rows.map((r) => r.id)).toEqual(all.slice(0, limit + 1));
      for (const r of rows) expect(stored(readJsonValue(fromJsonb(r.tags)) as HDict).id).toBe(r.id);
    }
    expect(() => readSql(MAIN, f, -1)).toThrow(RangeError);
    expect(() => readSql(MAIN, f, 1.5)).toThrow(RangeError);
  });

  it("binds every value and tag name; the SQL text holds none of the filter", async () => {
    const text =
      'zzTag == "x\'; drop table entities; --" or zzRef->zzOther < "Robert\'); DROP TABLE x;--" or ' +
      "zzNum >= 12zzUnit or zzUri == `http://zz/'` or zzDate == 2020-01-01 or ^zzA-zzB or zzDt > 2020-01-01T00:00:00Z UTC";
    const f = parseFilter(text);
    const q = readSql(MAIN, f, 5);
    expect(q.text).not.toMatch(/zz|drop|robert|2020|http/i);
    // Strings compared as JSON are bound as JSON text.
    for (const v of ["zzTag", "x'; drop table entities; --", "zzRef", "zzOther", "zzNum", "zzUnit", "12", "zzA", "zzB"])
      expect(
        q.values.filter((x) => x === v || x === JSON.stringify(v)),
        v,
      ).not.toEqual([]);
    expect((await pool.query(q.text, q.values)).rows).toEqual([]);
    expect(() => filterToSql(f, new SqlParams(), "e; drop")).toThrow(TypeError);
  });

  it("isSpec matches nothing, without a namespace", async () => {
    expect(await sqlIds(MAIN, parseFilter("Rtu"))).toEqual([]);
    expect(await sqlIds(MAIN, parseFilter("ph::Equip and point"))).toEqual([]);
    const f = parseFilter("Rtu or ahu");
    expect(await sqlIds(MAIN, f)).toEqual(memIds(MAIN_RECS, MAIN_CX, parseFilter("ahu")));
  });

  it("matches the evaluator on literals only an AST can hold", async () => {
    const odd: HVal[] = [new HNumber(5, ""), Number.NaN, Number.NEGATIVE_INFINITY, num(Number.NaN, "kW"), NA, null];
    await expectAll(odd.flatMap((val) => OPS.map((op): Filter => ({ op, path: ["v"], val }))));
  });

  it("refuses literals no filter can hold", () => {
    expect(() => filterToSql({ op: "eq", path: ["a"], val: [1] }, new SqlParams())).toThrow(TypeError);
    expect(() => filterToSql({ op: "eq", path: ["a"], val: dict({ a: 1 }) }, new SqlParams())).toThrow(TypeError);
  });
});
