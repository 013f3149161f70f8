/**
 * Filter reads on Upstash (src/storage/upstash/filter-read.ts) against the in-memory evaluator, on
 * the real Redis through the REST stand-in, with requests bounded at 64 KiB: the Alpha building
 * plus awkward records (test/support/filter-data.ts, shared with filter-sql.test.ts; stored through
 * entity commits), every filter of filters.json, hand-picked and random filters, limits, selective
 * indexes with many non-matching candidates, the plans' fallbacks, Ref names, and failures. The
 * evaluator reads the records as stored (read back), so both sides see the same data. Also the
 * plan compiler alone.
 */
import fc from "fast-check";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { json4ToVal, writeJsonValue } from "../../src/haystack/codec/json/index.ts";
import {
  type Filter,
  type FilterContext,
  matches,
  parseFilter,
  recordContext,
} from "../../src/haystack/filter/index.ts";
import { dict, type HDict, type HRef, type HVal, isRef, MARKER, num } from "../../src/haystack/kinds/index.ts";
import { StoreError } from "../../src/storage/errors.ts";
import { refIdsToName } from "../../src/storage/rules/ref-names.ts";
import { openUpstash, type Upstash } from "../../src/storage/upstash/client.ts";
import { UpstashEntities } from "../../src/storage/upstash/entities.ts";
import { MAX_PLAN_IDS, planRequest } from "../../src/storage/upstash/filter-candidates.ts";
import { type NarrowPlan, type Plan, planFilter, planKeys, planText } from "../../src/storage/upstash/filter-plan.ts";
import { type ReadTuning, readFiltered } from "../../src/storage/upstash/filter-read.ts";
import { haystackBase } from "../../src/storage/upstash/keys.ts";
import { recordKeys } from "../../src/storage/upstash/records.ts";
import {
  ALPHA,
  AWKWARD,
  byCodeUnit,
  FIXTURE,
  filterArbitraries,
  fixtureFilters,
  HAND_PICKED,
  OPS,
  ref,
  show,
} from "../support/filter-data.ts";
import { TEST_MAX_REQUEST_BYTES, testUpstash } from "../support/upstash.ts";

const BIG = 1_000_000;
const T0 = Date.UTC(2024, 0, 1);

// ---- projects (the data: test/support/filter-data.ts)

const idOf = (d: HDict) => (d.get("id") as HRef).id;

/** A project on the test Redis: its entity store, and its records as stored (read back). */
interface Project {
  readonly u: Upstash;
  readonly ents: UpstashEntities;
  readonly keys: ReturnType<typeof recordKeys>;
  recs: HDict[];
  cx: FilterContext;
}

const u = testUpstash();

function project(client: Upstash = u): Project {
  const base = haystackBase(client.target.keyPrefix, `f-${crypto.randomUUID()}`);
  return {
    u: client,
    ents: new UpstashEntities(client, base),
    keys: recordKeys(base),
    recs: [],
    cx: recordContext([]),
  };
}

/**
 * Adds `rows` by entity commits small enough for the request bound (this branch refuses bigger
 * ones: halved until they fit), then reads every record back.
 */
async function load(p: Project, rows: readonly HDict[], perCommit = 40): Promise<void> {
  let i = 0;
  let n = perCommit;
  while (i < rows.length) {
    try {
      await p.ents.commit({ op: "add", rows: rows.slice(i, i + n), nowMs: T0 });
      i += n;
      n = perCommit;
    } catch (e) {
      if (!(e instanceof StoreError) || e.code !== "invalid" || n === 1) throw e;
      n = Math.ceil(n / 2);
    }
  }
  const all = [...p.recs.map(idOf), ...rows.map(idOf)];
  const back = await p.ents.readByIds(all);
  p.recs = back.map((d, i) => {
    if (!d) throw new Error(`@${all[i]} not stored`);
    return d;
  });
  p.cx = recordContext(p.recs);
}

function memIds(p: Project, f: Filter): string[] {
  return p.recs
    .filter((r) => matches(f, r, p.cx))
    .map(idOf)
    .sort(byCodeUnit);
}

async function readIds(p: Project, f: Filter, limit = BIG, tuning?: ReadTuning): Promise<string[]> {
  const r = await readFiltered(p.u, p.keys, f, { limit }, tuning);
  return r.rows.map(idOf);
}

/** Each filter's ids from the store equal the evaluator's, a few reads at a time. */
async function expectAgree(p: Project, filters: readonly Filter[], workers = 4): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < filters.length) {
      const f = filters[next++] as Filter;
      expect(await readIds(p, f), show(f)).toEqual(memIds(p, f));
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}

const MAIN = project();

const recordSets = new Map<string, { p: Project; rows: HDict[] }>();
for (const c of FIXTURE.match) {
  const key = JSON.stringify(c.records);
  if (!recordSets.has(key))
    recordSets.set(key, { p: project(), rows: c.records.map((r) => json4ToVal(r.tags) as HDict) });
}

// ---- request sizes: every request the client sends, seen on its way out

interface Sent {
  readonly bytes: number;
  readonly command: string;
}
let sent: Sent[] = [];
const realFetch = globalThis.fetch;
globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
  const body = typeof init?.body === "string" ? init.body : "";
  let command = "";
  try {
    const cmd = JSON.parse(body) as unknown[];
    command = String(Array.isArray(cmd[0]) ? "pipeline" : cmd[0]).toLowerCase();
  } catch {
    // not a command
  }
  sent.push({ bytes: new TextEncoder().encode(body).length, command });
  return realFetch(input, init);
}) as typeof fetch;

afterEach(() => {
  for (const s of sent) expect(s.bytes, s.command).toBeLessThanOrEqual(TEST_MAX_REQUEST_BYTES);
  sent = [];
});

beforeAll(async () => {
  await load(MAIN, [...ALPHA, ...AWKWARD]);
  expect(MAIN.recs.length).toBe(ALPHA.length + AWKWARD.length);
  await Promise.all([...recordSets.values()].map((s) => load(s.p, s.rows)));
}, 120_000);

// ---- the plan compiler

describe("plans", () => {
  const keys = recordKeys("B");
  const plan = (text: string) => planText(planFilter(parseFilter(text), keys));
  const k = (s: string) => JSON.stringify(`B:${s}`);

  it("narrow each term to its index", () => {
    expect(plan("point")).toBe(k("t:point"));
    expect(plan("equipRef == @e1")).toBe(k("r:equipRef:e1"));
    expect(plan('dis == "AHU 1"')).toBe(k("s:dis:AHU 1"));
    expect(plan(`dis == "${"x".repeat(128)}"`)).toBe(k(`s:dis:${"x".repeat(128)}`));
    expect(plan(`dis == "${"x".repeat(129)}"`)).toBe(k("t:dis"));
    expect(plan('curVal == "on"')).toBe(k("t:curVal"));
    expect(plan("area > 100")).toBe(k("t:area"));
    expect(plan("equipRef != @e1")).toBe(k("t:equipRef"));
    expect(plan("equipRef->siteRef->area > 5")).toBe(k("t:equipRef"));
    expect(plan("equipRef->siteRef")).toBe(k("t:equipRef"));
    expect(plan("not temp")).toBe("all");
    expect(plan("not equipRef->dis")).toBe("all");
    expect(plan("^hot-water")).toBe(`inter(${k("t:hot")},${k("t:water")})`);
    expect(plan("^ahu")).toBe(k("t:ahu"));
    expect(plan("^lib:ph")).toBe("none");
    expect(plan("Rtu")).toBe("none");
    expect(plan("ph::Equip")).toBe("none");
  });

  it("combine terms: and intersects what narrows, or unites only when all do", () => {
    expect(plan("point and equipRef == @e1 and his")).toBe(
      `inter(${k("t:point")},${k("r:equipRef:e1")},${k("t:his")})`,
    );
    expect(plan("point and not temp")).toBe(`diff(${k("t:point")},${k("t:temp")})`);
    expect(plan("point and not temp and not humidity and not temp")).toBe(
      `diff(${k("t:point")},${k("t:temp")},${k("t:humidity")})`,
    );
    expect(plan("not temp and not humidity")).toBe("all");
    expect(plan("point and (temp or humidity)")).toBe(
      `inter(${k("t:point")},union(${k("t:temp")},${k("t:humidity")}))`,
    );
    expect(plan("point and (temp or not humidity)")).toBe(k("t:point"));
    expect(plan("temp or site or temp")).toBe(`union(${k("t:temp")},${k("t:site")})`);
    expect(plan("temp or (site or equip)")).toBe(`union(${k("t:temp")},${k("t:site")},${k("t:equip")})`);
    expect(plan("temp or not site")).toBe("all");
    expect(plan("temp or Rtu")).toBe(k("t:temp"));
    expect(plan("Rtu or ^lib:ph")).toBe("none");
    expect(plan("point and Rtu")).toBe("none");
    expect(plan("(point and temp) and (point and his)")).toBe(`inter(${k("t:point")},${k("t:temp")},${k("t:his")})`);
    expect(plan("point and ^hot-water")).toBe(`inter(${k("t:point")},${k("t:hot")},${k("t:water")})`);
    expect(planKeys(planFilter(parseFilter("(a and not b) or (c and a)"), keys))).toEqual(["B:t:a", "B:t:b", "B:t:c"]);
  });

  it("plans too big for a request, or over the script's key bound, fall back to the scan", () => {
    const many = anyOf(Array.from({ length: 800 }, (_, i) => `${"e".repeat(80)}${i}`));
    const p = planFilter(many, keys);
    expect(p.kind).toBe("union");
    if (p.kind === "all" || p.kind === "none") throw new Error("narrows");
    expect(planRequest(p, TEST_MAX_REQUEST_BYTES)).toBeUndefined();
    expect(planRequest(p, 10 * 1024 * 1024)?.keys).toHaveLength(800);
    const wide: NarrowPlan = {
      kind: "union",
      of: Array.from({ length: 5000 }, (_, i): Plan => ({ kind: "key", key: `k${i}` })),
    };
    expect(planRequest(wide, 1e9)).toBeUndefined();
    expect(planRequest(p, 10 * 1024 * 1024)?.args[0]).toBe(String(MAX_PLAN_IDS));
  });

  it("random filters' plans hold every record the filter matches", () => {
    fc.assert(
      fc.property(arbFilter, (f) => {
        // A record matching f must be in the plan's ids, computed here over the records' own index keys.
        const p = planFilter(f, MAIN.keys);
        for (const r of MAIN.recs) {
          if (matches(f, r, MAIN.cx)) expect(inPlan(p, r), show(f)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** `tag == @id0 or tag == @id1 ...` as an AST (too long for a filter's text). */
function anyOf(ids: readonly string[], tag = "equipRef"): Filter {
  return { op: "or", args: ids.map((id): Filter => ({ op: "eq", path: [tag], val: ref(id) })) };
}

/** Whether `rec` is among a plan's ids, from its own index memberships (records.ts indexKeys). */
function inPlan(p: ReturnType<typeof planFilter>, rec: HDict): boolean {
  const own = ownKeys(rec);
  const at = (q: ReturnType<typeof planFilter>): boolean => {
    switch (q.kind) {
      case "all":
        return true;
      case "none":
        return false;
      case "key":
        return own.has(q.key);
      case "inter":
        return q.of.every(at);
      case "union":
        return q.of.some(at);
      case "diff":
        return at(q.from) && q.minus.every((k) => !own.has(k));
    }
  };
  return at(p);
}

function ownKeys(rec: HDict): Set<string> {
  const k = MAIN.keys;
  const out = new Set<string>();
  for (const [tag, v] of rec.entries()) {
    out.add(k.tag(tag));
    if (isRef(v)) out.add(k.ref(tag, v.id));
    if (typeof v === "string" && v.length <= 128 && tag !== "curVal") out.add(k.str(tag, v));
    if (Array.isArray(v)) for (const e of v as HVal[]) if (isRef(e)) out.add(k.ref(tag, e.id));
  }
  return out;
}

// ---- fixture filters

describe("filters.json", () => {
  it("match cases give the fixture's answer and the evaluator's, over their own records", async () => {
    for (const c of FIXTURE.match) {
      const set = recordSets.get(JSON.stringify(c.records));
      if (!set) throw new Error("record set not loaded");
      const f = parseFilter(c.filter);
      const ids = await readIds(set.p, f);
      expect(ids, c.filter).toEqual(memIds(set.p, f));
      expect(ids, c.filter).toEqual([...c.matches].sort(byCodeUnit));
    }
  });

  it("every filter that parses agrees with the evaluator over Alpha and the awkward records", async () => {
    const filters = fixtureFilters();
    expect(filters.length).toBeGreaterThan(150);
    await expectAgree(MAIN, filters);
  });
});

// ---- hand-picked cases

describe("hand-picked filters", () => {
  it("agree with the evaluator", async () => {
    await expectAgree(
      MAIN,
      HAND_PICKED.map((t) => parseFilter(t)),
    );
  });

  it("every value in the data, with every operator, on its own tag", async () => {
    const filters: Filter[] = [];
    for (const [tag, vals] of VALUES) {
      if (!["v", "n", "s", "refs", "ref", "equipRef", "siteRef", "dis"].includes(tag)) continue;
      for (const val of vals.slice(0, 10)) for (const op of OPS) filters.push({ op, path: [tag], val });
    }
    expect(filters.length).toBeGreaterThan(200);
    await expectAgree(MAIN, filters, 6);
  });
});

// ---- random filters (test/support/filter-data.ts), over the records as written

const { values: VALUES, arbFilter } = filterArbitraries([...ALPHA, ...AWKWARD]);

describe("random filters", () => {
  it("agree with the evaluator", async () => {
    await fc.assert(
      fc.asyncProperty(arbFilter, async (f) => {
        expect(await readIds(MAIN, f), show(f)).toEqual(memIds(MAIN, f));
      }),
      { numRuns: 60 },
    );
  });

  it("agree with the evaluator, several reads at a time, with small limits too", async () => {
    const filters = fc.sample(arbFilter, 200);
    let next = 0;
    const worker = async () => {
      while (next < filters.length) {
        const i = next++;
        const f = filters[i] as Filter;
        const mem = memIds(MAIN, f);
        const limit = i % 3 === 0 ? i % 7 : BIG;
        const r = await readFiltered(MAIN.u, MAIN.keys, f, { limit });
        expect(r.rows.map(idOf), show(f)).toEqual(mem.slice(0, limit));
        expect(r.incomplete, show(f)).toBe(mem.length > limit);
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
  });
});

// ---- what a read returns around the ids

describe("readFiltered", () => {
  it("returns the stored records themselves, in id order", async () => {
    const f = parseFilter("point and equipRef->siteRef");
    const r = await readFiltered(MAIN.u, MAIN.keys, f, { limit: BIG });
    const byId = new Map(MAIN.recs.map((d) => [idOf(d), d]));
    expect(r.rows.length).toBeGreaterThan(1000);
    for (const d of r.rows) expect(writeJsonValue(d)).toBe(writeJsonValue(byId.get(idOf(d)) as HDict));
    expect(r.incomplete).toBe(false);
  });

  it("returns limit rows, the first in id order, and incomplete only when more matched", async () => {
    for (const text of ["point or ref", "point and not his", "not mark", "equipRef->siteRef->dis", "z", "site"]) {
      const f = parseFilter(text);
      const all = memIds(MAIN, f);
      for (const limit of [0, 1, 2, 10, all.length - 1, all.length, all.length + 1]) {
        if (limit < 0) continue;
        const r = await readFiltered(MAIN.u, MAIN.keys, f, { limit });
        expect(r.rows.map(idOf), `${text} limit ${limit}`).toEqual(all.slice(0, limit));
        expect(r.incomplete, `${text} limit ${limit}`).toBe(all.length > limit);
      }
    }
    await expect(readFiltered(MAIN.u, MAIN.keys, parseFilter("site"), { limit: -1 })).rejects.toThrow(RangeError);
    await expect(readFiltered(MAIN.u, MAIN.keys, parseFilter("site"), { limit: 1.5 })).rejects.toThrow(RangeError);
  });

  it("examines every candidate: matches far past the first batches, through an index and through the scan", async () => {
    const p = project();
    // 3,000 records all tagged `p`; only the last few of them match `p and v >= 2990`.
    const rows = Array.from({ length: 3000 }, (_, i) =>
      dict({ id: ref(`r-${String(i).padStart(5, "0")}`), p: MARKER, v: i, ...(i % 2 === 0 ? { even: MARKER } : {}) }),
    );
    await load(p, rows, 200);
    const late = Array.from({ length: 10 }, (_, i) => `r-0${2990 + i}`);
    for (const text of ["p and v >= 2990", "v >= 2990", "not even and v >= 2990 or v >= 2990"]) {
      const r = await readFiltered(p.u, p.keys, parseFilter(text), { limit: 5 });
      expect(r.rows.map(idOf), text).toEqual(late.slice(0, 5));
      expect(r.incomplete, text).toBe(true);
      const all = await readFiltered(p.u, p.keys, parseFilter(text), { limit: 10 });
      expect([all.rows.map(idOf), all.incomplete], text).toEqual([late, false]);
    }
    // The same when the plan keeps more ids than it may bring back: the read pages through every id.
    sent = [];
    const r = await readFiltered(p.u, p.keys, parseFilter("p and v >= 2990"), { limit: 5 }, { maxPlanIds: 100 });
    expect([r.rows.map(idOf), r.incomplete]).toEqual([late.slice(0, 5), true]);
    expect(sent.some((s) => s.command === "zrange")).toBe(true);
    // A narrow plan reads only its own records.
    sent = [];
    const one = await readFiltered(p.u, p.keys, parseFilter("p and v == 2999 and even == @x"), { limit: 5 });
    expect(one.rows).toEqual([]);
    expect(sent.map((s) => s.command)).toEqual(["evalsha_ro"]);
    sent = [];
    const narrow = await readFiltered(p.u, p.keys, parseFilter('id == @r-02999 or id == @r-00007 or dis == "x"'), {
      limit: 5,
    });
    expect(narrow.rows.map(idOf)).toEqual(["r-00007", "r-02999"]);
    expect(sent.map((s) => s.command)).toEqual(["evalsha_ro", "mget"]);
  });

  it("keeps every request within the bound: long ids, long keys, plans too big to send", async () => {
    const p = project();
    const long = (i: number) => `L${"x".repeat(180)}-${String(i).padStart(4, "0")}`;
    const rows = Array.from({ length: 1200 }, (_, i) =>
      dict({ id: ref(long(i)), p: MARKER, next: ref(long((i + 1) % 1200)), odd: i % 2 === 1 ? MARKER : undefined }),
    );
    await load(p, rows, 60);
    const filters = ["p", "next->odd", "next->next->next->odd and p", "not odd"].map((t) => parseFilter(t));
    // Longer than a filter's text may be: built as an AST.
    filters.push(
      anyOf(
        Array.from({ length: 500 }, (_, i) => long(i * 2)),
        "next",
      ),
    );
    await expectAgree(p, filters, 2);
    expect(sent.filter((s) => s.command === "mget").length).toBeGreaterThan(10);
    const refs = (await readFiltered(p.u, p.keys, parseFilter("p"), { limit: 2000 })).refs ?? [];
    // Every row names the next, which is a row too: nothing to name.
    expect(refs).toEqual([]);
  });

  it("sends the records the rows' bare Refs name, outside the rows, as {id, dis}", async () => {
    for (const text of ["point", "equip", "ref or refs or equipRef", "ref", "siteRef or equipRef", "site"]) {
      const f = parseFilter(text);
      const r = await readFiltered(MAIN.u, MAIN.keys, f, { limit: 300 });
      const byId = new Map(MAIN.recs.map((d) => [idOf(d), d]));
      const want = refIdsToName(r.rows).flatMap((id) => {
        const d = byId.get(id);
        return d ? [[id, d.get("dis")]] : [];
      });
      const got = (r.refs ?? []).map((d) => {
        expect(d.names().every((n) => n === "id" || n === "dis")).toBe(true);
        return [idOf(d), d.get("dis")];
      });
      expect(got, text).toEqual(want);
    }
  });

  it("sees records as they are now, and skips a candidate removed since", async () => {
    const p = project();
    await load(p, [
      dict({ id: ref("s1"), site: MARKER, area: num(1000, "ft²") }),
      dict({ id: ref("e1"), equip: MARKER, siteRef: ref("s1") }),
      dict({ id: ref("p1"), point: MARKER, equipRef: ref("e1") }),
    ]);
    const big = parseFilter("point and equipRef->siteRef->area > 2000ft²");
    expect(await readIds(p, big)).toEqual([]);
    const site = p.recs[0] as HDict;
    await p.ents.commit({
      op: "update",
      rows: [dict({ id: ref("s1"), mod: site.get("mod"), area: num(9000, "ft²") })],
      nowMs: T0 + 1,
    });
    expect(await readIds(p, big)).toEqual(["p1"]);
    // A record gone between the plan and the read of the records: its stale index entry is skipped.
    await u.redis.sadd(p.keys.tag("point"), "ghost");
    expect(await readIds(p, parseFilter("point"))).toEqual(["p1"]);
  });

  it("refuses a filter past the evaluator's bounds before any request", async () => {
    sent = [];
    let f: Filter = { op: "has", path: ["a"] };
    for (let i = 0; i < 1200; i++) f = { op: "and", args: [f, { op: "has", path: [`t${i}`] }] };
    await expect(readFiltered(MAIN.u, MAIN.keys, f, { limit: 1 })).rejects.toThrow();
    expect(sent).toEqual([]);
  });

  it("reports Redis out of reach as unavailable", async () => {
    const down = openUpstash({
      url: "http://127.0.0.1:9",
      token: "t",
      keyPrefix: u.target.keyPrefix,
      maxRequestBytes: TEST_MAX_REQUEST_BYTES,
    });
    const p = project(down);
    for (const text of ["point", "not point"]) {
      const e = await readFiltered(p.u, p.keys, parseFilter(text), { limit: 1 }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(StoreError);
      expect((e as StoreError).code).toBe("unavailable");
    }
    sent = [];
  });
});
