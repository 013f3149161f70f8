/**
 * The storage contract: every backend of src/storage/ports.ts runs these cases unchanged
 * (hono's shared router suite is the model). Each case opens a fresh, empty project, so a
 * backend's factory must hand out an isolated store per call.
 */
import { describe, expect, it } from "vitest";
import { HaystackError } from "../../src/haystack/errors.ts";
import { parseFilter } from "../../src/haystack/filter/index.ts";
import { HDateTime, HDict, HNumber, HRef, type HVal, MARKER, REMOVE } from "../../src/haystack/kinds/index.ts";
import { StoreError } from "../../src/storage/errors.ts";
import { type HisValue, hisValueAt } from "../../src/storage/his-page.ts";
import type { CommitOp, HisItem, ProjectStore } from "../../src/storage/ports.ts";

export interface ContractOptions {
  /** Cases a backend cannot run yet, each with the reason written down. */
  readonly skip?: readonly { readonly reason: string; readonly tests: readonly string[] }[];
}

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;
/** Far enough to hold every test timestamp. */
const END_OF_TIME = 8.64e15;

/** The code of the StoreError or HaystackError `p` rejects with, or "no error". */
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StoreError || e instanceof HaystackError) return e.code;
    throw e;
  }
  return "no error";
}

function rec(id: string, tags: Record<string, HVal | undefined> = {}): HDict {
  return HDict.of({ id: new HRef(id), ...tags });
}

/** A writable Number his point. */
function point(id: string, extra: Record<string, HVal | undefined> = {}): HDict {
  return rec(id, {
    point: MARKER,
    his: MARKER,
    writable: MARKER,
    kind: "Number",
    unit: "kW",
    tz: "New_York",
    ...extra,
  });
}

async function add(s: ProjectStore, rows: HDict[], nowMs = T0): Promise<readonly HDict[]> {
  return s.entities.commit({ op: "add", rows, nowMs });
}

async function one(s: ProjectStore, id: string): Promise<HDict | undefined> {
  return (await s.entities.readByIds([id]))[0];
}

async function readAll(s: ProjectStore, id: string, start = 0, end = END_OF_TIME): Promise<[number, HisValue][]> {
  const out: [number, HisValue][] = [];
  for await (const p of s.history.read(id, { start, end })) {
    for (let i = 0; i < p.count; i++) out.push([p.ts[i] as number, hisValueAt(p, i)]);
  }
  return out;
}

function ids(rows: readonly (HDict | undefined)[]): (string | undefined)[] {
  return rows.map((r) => (r?.get("id") as HRef | undefined)?.id);
}

function modOf(r: HDict | undefined): HDateTime {
  const m = r?.get("mod");
  if (!(m instanceof HDateTime)) throw new Error("no mod");
  return m;
}

export function runStoreContract(
  name: string,
  open: () => ProjectStore | Promise<ProjectStore>,
  opts: ContractOptions = {},
): void {
  const skipped = new Set(opts.skip?.flatMap((s) => s.tests) ?? []);
  const test = (title: string, fn: (s: ProjectStore) => Promise<void>) =>
    (skipped.has(title) ? it.skip : it)(title, async () => fn(await open()));

  describe(`${name}: entities`, () => {
    test("add stamps id and a UTC mod; an id is generated when absent; the result is what was stored", async (s) => {
      const out = await add(s, [rec("a", { dis: "A" }), HDict.of({ dis: "gen" })], T0);
      expect(ids(out)[0]).toBe("a");
      expect(modOf(out[0]).ms).toBe(T0);
      expect(modOf(out[0]).tz).toBe("UTC");
      expect(modOf(out[1]).ms).toBe(T0);
      expect(ids(out)[1]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}$/);
      const back = await s.entities.readByIds(ids(out) as string[]);
      expect(back[1]?.get("dis")).toBe("gen");
      expect(back).toEqual(out);
    });

    test("add of an existing id is a duplicate and writes nothing", async (s) => {
      await add(s, [rec("a", { dis: "first" })]);
      expect(await codeOf(add(s, [rec("b"), rec("a", { dis: "second" })]))).toBe("duplicate");
      const [a, b] = await s.entities.readByIds(["a", "b"]);
      expect(a?.get("dis")).toBe("first");
      expect(b).toBeUndefined();
    });

    test("the same id twice in one add, update or remove is invalid and writes nothing", async (s) => {
      expect(await codeOf(add(s, [rec("a"), rec("a")]))).toBe("invalid");
      expect(await s.entities.readByIds(["a"])).toEqual([undefined]);
      const [b] = await add(s, [rec("b", { dis: "B" })]);
      const mod = modOf(b);
      for (const op of ["update", "remove"] as const) {
        const rows = [rec("b", { mod, dis: "first" }), rec("b", { mod, dis: "second" })];
        expect(await codeOf(s.entities.commit({ op, rows, nowMs: T0 + 1 }))).toBe("invalid");
        expect(await s.entities.readByIds(["b"])).toEqual([b]);
      }
    });

    test("read by filter: has, ==, !=, <, refs, -> paths, and/or/not, limit", async (s) => {
      await add(s, [
        rec("s1", { site: MARKER, area: new HNumber(1000, "ft²") }),
        rec("s2", { site: MARKER, area: new HNumber(5000, "ft²") }),
        rec("e1", { equip: MARKER, siteRef: new HRef("s1") }),
        rec("e2", { equip: MARKER, siteRef: new HRef("s2") }),
        point("p1", { equipRef: new HRef("e1"), dis: "one" }),
        point("p2", { equipRef: new HRef("e2"), dis: "two" }),
        point("p3", { equipRef: new HRef("e2"), dis: "three", temp: MARKER }),
      ]);
      const q = async (f: string, limit = 100) => {
        const r = await s.entities.read(parseFilter(f), { limit });
        return { ids: ids(r.rows).sort(), incomplete: r.incomplete };
      };
      expect((await q("site")).ids).toEqual(["s1", "s2"]);
      expect((await q("nothingHasThis")).ids).toEqual([]);
      expect((await q('dis == "two"')).ids).toEqual(["p2"]);
      expect((await q('point and dis != "two"')).ids).toEqual(["p1", "p3"]);
      expect((await q("area < 2000ft²")).ids).toEqual(["s1"]);
      expect((await q("area < 2000")).ids).toEqual([]);
      expect((await q("equipRef == @e2")).ids).toEqual(["p2", "p3"]);
      expect((await q("siteRef == @nowhere")).ids).toEqual([]);
      expect((await q("point and equipRef->siteRef->area > 2000ft²")).ids).toEqual(["p2", "p3"]);
      expect((await q("equipRef->siteRef->site")).ids).toEqual(["p1", "p2", "p3"]);
      expect((await q("point and not temp")).ids).toEqual(["p1", "p2"]);
      expect((await q("temp or site")).ids).toEqual(["p3", "s1", "s2"]);
      expect((await q("(temp or site) and not area")).ids).toEqual(["p3"]);
      const limited = await q("point", 2);
      expect(limited.ids).toHaveLength(2);
      expect(limited.incomplete).toBe(true);
      expect(await q("point", 3)).toEqual({ ids: ["p1", "p2", "p3"], incomplete: false });
    });

    test("-> paths see the referenced records as they are now, and end at a removed one", async (s) => {
      const [site] = await add(s, [
        rec("s1", { site: MARKER, area: new HNumber(1000, "ft²") }),
        rec("e1", { equip: MARKER, siteRef: new HRef("s1") }),
        point("p1", { equipRef: new HRef("e1") }),
      ]);
      const q = async (f: string) => ids((await s.entities.read(parseFilter(f), { limit: 100 })).rows);
      const big = "point and equipRef->siteRef->area > 2000ft²";
      expect(await q(big)).toEqual([]);
      const [site2] = await s.entities.commit({
        op: "update",
        rows: [rec("s1", { mod: modOf(site), area: new HNumber(9000, "ft²") })],
        nowMs: T0 + 1,
      });
      expect(await q(big)).toEqual(["p1"]);
      await s.entities.commit({ op: "remove", rows: [rec("s1", { mod: modOf(site2) })], nowMs: T0 + 2 });
      expect(await q(big)).toEqual([]);
      expect(await q("equipRef->siteRef->site")).toEqual([]);
      expect(await q("equipRef->equip")).toEqual(["p1"]);
    });

    test("read returns its rows in id order, and a limit keeps the first ones", async (s) => {
      await add(s, [rec("c", { tag: MARKER }), rec("a", { tag: MARKER })]);
      await add(s, [rec("b", { tag: MARKER }), rec("d")]);
      const all = await s.entities.read(parseFilter("tag"), { limit: 100 });
      expect(ids(all.rows)).toEqual(["a", "b", "c"]);
      const two = await s.entities.read(parseFilter("tag"), { limit: 2 });
      expect([ids(two.rows), two.incomplete]).toEqual([["a", "b"], true]);
    });

    test("readByIds keeps request order and answers undefined for unknown ids", async (s) => {
      await add(s, [rec("a"), rec("b")]);
      expect(ids(await s.entities.readByIds(["b", "zz", "a", "b"]))).toEqual(["b", undefined, "a", "b"]);
      expect(await s.entities.readByIds([])).toEqual([]);
    });

    test("update merges tags, REMOVE deletes one, and mod strictly increases", async (s) => {
      const [a] = await add(s, [rec("a", { dis: "A", old: MARKER })], T0);
      const [u1] = await s.entities.commit({
        op: "update",
        rows: [rec("a", { mod: modOf(a), dis: "A2", old: REMOVE, fresh: 1 })],
        nowMs: T0,
      });
      expect(u1?.get("dis")).toBe("A2");
      expect(u1?.has("old")).toBe(false);
      expect(u1?.get("fresh")).toBe(1);
      expect(modOf(u1).ms).toBeGreaterThan(T0);
      expect(modOf(u1).tz).toBe("UTC");
      // Same instant again, then a clock that went backwards: mod still moves forward.
      const [u2] = await s.entities.commit({ op: "update", rows: [rec("a", { mod: modOf(u1), x: 2 })], nowMs: T0 });
      expect(modOf(u2).ms).toBeGreaterThan(modOf(u1).ms);
      const [u3] = await s.entities.commit({
        op: "update",
        rows: [rec("a", { mod: modOf(u2), y: 3 })],
        nowMs: T0 - MIN,
      });
      expect(modOf(u3).ms).toBeGreaterThan(modOf(u2).ms);
      const [stored] = await s.entities.readByIds(["a"]);
      expect(stored).toEqual(u3);
      expect([stored?.get("dis"), stored?.get("fresh"), stored?.get("x"), stored?.get("y")]).toEqual(["A2", 1, 2, 3]);
      expect(stored?.has("old")).toBe(false);
    });

    test("a stale mod is a conflict and changes nothing; force skips the check", async (s) => {
      const [a] = await add(s, [rec("a", { dis: "A" })]);
      const stale = modOf(a);
      await s.entities.commit({ op: "update", rows: [rec("a", { mod: stale, dis: "B" })], nowMs: T0 + 1000 });
      const code = await codeOf(
        s.entities.commit({ op: "update", rows: [rec("a", { mod: stale, dis: "C" })], nowMs: T0 + 2000 }),
      );
      expect(code).toBe("conflict");
      expect((await one(s, "a"))?.get("dis")).toBe("B");
      expect(
        await codeOf(s.entities.commit({ op: "remove", rows: [rec("a", { mod: stale })], nowMs: T0 + 2000 })),
      ).toBe("conflict");
      expect((await one(s, "a"))?.get("dis")).toBe("B");
      await s.entities.commit({
        op: "update",
        rows: [rec("a", { mod: stale, dis: "D" })],
        force: true,
        nowMs: T0 + 3000,
      });
      expect((await one(s, "a"))?.get("dis")).toBe("D");
      // force needs no mod at all, for update and for remove
      await s.entities.commit({ op: "update", rows: [rec("a", { dis: "E" })], force: true, nowMs: T0 + 4000 });
      expect((await one(s, "a"))?.get("dis")).toBe("E");
      await s.entities.commit({ op: "remove", rows: [rec("a", { mod: stale })], force: true, nowMs: T0 + 5000 });
      expect(await one(s, "a")).toBeUndefined();
    });

    test("update or remove of an unknown id is not_found; update without mod is invalid", async (s) => {
      await add(s, [rec("a")]);
      const mod = HDateTime.of(T0, "UTC");
      expect(await codeOf(s.entities.commit({ op: "update", rows: [rec("zz", { mod })], nowMs: T0 }))).toBe(
        "not_found",
      );
      expect(await codeOf(s.entities.commit({ op: "remove", rows: [rec("zz", { mod })], nowMs: T0 }))).toBe(
        "not_found",
      );
      expect(await codeOf(s.entities.commit({ op: "update", rows: [rec("a", { x: 1 })], nowMs: T0 }))).toBe("invalid");
      expect((await one(s, "a"))?.has("x")).toBe(false);
    });

    test("remove deletes the record, answers its id, and a second remove is not_found", async (s) => {
      const [a] = await add(s, [rec("a", { tag: MARKER }), rec("b", { tag: MARKER })]);
      const out = await s.entities.commit({ op: "remove", rows: [rec("a", { mod: modOf(a) })], nowMs: T0 + 1 });
      expect(out).toEqual([HDict.of({ id: new HRef("a") })]);
      expect(ids(await s.entities.readByIds(["a", "b"]))).toEqual([undefined, "b"]);
      expect(ids((await s.entities.read(parseFilter("tag"), { limit: 10 })).rows)).toEqual(["b"]);
      expect(
        await codeOf(s.entities.commit({ op: "remove", rows: [rec("a", { mod: modOf(a) })], nowMs: T0 + 2 })),
      ).toBe("not_found");
    });

    test("a multi-row update or remove answers in request order", async (s) => {
      const [a, b] = await add(s, [rec("a"), rec("b")]);
      const up = await s.entities.commit({
        op: "update",
        rows: [rec("b", { mod: modOf(b), n: 2 }), rec("a", { mod: modOf(a), n: 1 })],
        nowMs: T0 + 1,
      });
      expect(ids(up)).toEqual(["b", "a"]);
      expect(up.map((r) => r.get("n"))).toEqual([2, 1]);
      const gone = await s.entities.commit({
        op: "remove",
        rows: [rec("b", { mod: modOf(up[0]) }), rec("a", { mod: modOf(up[1]) })],
        nowMs: T0 + 2,
      });
      expect(gone).toEqual([HDict.of({ id: new HRef("b") }), HDict.of({ id: new HRef("a") })]);
    });

    const failing: Record<CommitOp, (seeded: readonly HDict[]) => HDict[]> = {
      add: () => [rec("c", { dis: "new" }), rec("a", { dis: "again" })],
      update: (seeded) => [
        rec("a", { mod: modOf(seeded[0]), dis: "changed" }),
        rec("b", { mod: HDateTime.of(T0 - 5, "UTC"), dis: "changed" }),
      ],
      remove: (seeded) => [rec("a", { mod: modOf(seeded[0]) }), rec("zz", { mod: modOf(seeded[1]) })],
    };
    for (const op of ["add", "update", "remove"] as const) {
      test(`a multi-row ${op} whose last row fails applies none of its rows`, async (s) => {
        const seeded = await add(s, [rec("a", { dis: "A" }), rec("b", { dis: "B" })]);
        const before = await s.entities.readByIds(["a", "b", "c"]);
        const cursor = await s.changes.cursor();
        const code = await codeOf(s.entities.commit({ op, rows: failing[op](seeded), nowMs: T0 + 10 }));
        expect(code).toBe(op === "add" ? "duplicate" : op === "update" ? "conflict" : "not_found");
        expect(await s.entities.readByIds(["a", "b", "c"])).toEqual(before);
        expect(await s.changes.cursor()).toBe(cursor);
        expect((await s.changes.changedSince(cursor, ["a", "b", "c"])).changed).toEqual([]);
      });
    }
  });

  describe(`${name}: history`, () => {
    test("a span is half-open and rows come back sorted whatever the write order", async (s) => {
      await add(s, [point("p")]);
      const items: HisItem[] = [3, 0, 2, 1, 4].map((i) => ({ ts: T0 + i * MIN, val: new HNumber(i, "kW") }));
      expect((await s.history.write([{ id: "p", items }])).count).toBe(5);
      const got = await readAll(s, "p", T0 + MIN, T0 + 4 * MIN);
      expect(got.map(([ts]) => (ts - T0) / MIN)).toEqual([1, 2, 3]);
      expect(got[0]?.[1]).toEqual(new HNumber(1, "kW"));
      expect((await readAll(s, "p")).map(([ts]) => (ts - T0) / MIN)).toEqual([0, 1, 2, 3, 4]);
      expect(await readAll(s, "p", T0 + 4 * MIN, T0 + 4 * MIN)).toEqual([]);
      expect(await readAll(s, "p", T0 + 5 * MIN, T0 + 10 * MIN)).toEqual([]);
      expect(await readAll(s, "p", T0 + 4 * MIN, T0 + 4 * MIN + 1)).toEqual([[T0 + 4 * MIN, new HNumber(4, "kW")]]);
    });

    test("duplicate timestamps keep the last value, in one request and against stored rows", async (s) => {
      await add(s, [point("p")]);
      const r = await s.history.write([
        {
          id: "p",
          items: [
            { ts: T0 + MIN, val: 3 },
            { ts: T0, val: 1 },
            { ts: T0 + MIN, val: 5 },
            { ts: T0, val: 2 },
          ],
        },
      ]);
      expect(r.count).toBe(2);
      expect((await one(s, "p"))?.get("curVal")).toBe(5);
      expect((await s.history.write([{ id: "p", items: [{ ts: T0 + MIN, val: 4 }] }])).count).toBe(1);
      expect(await readAll(s, "p")).toEqual([
        [T0, 2],
        [T0 + MIN, 4],
      ]);
      // A sample at the stored newest instant counts as newest: it replaces curVal.
      expect((await one(s, "p"))?.get("curVal")).toBe(4);
    });

    test("Numbers (with and without unit), Bools and Strs round-trip exactly", async (s) => {
      await add(s, [point("p")]);
      const vals: HisValue[] = [
        0.1 + 0.2,
        1e-300,
        -0.5,
        123456789.123456,
        Number.MIN_VALUE,
        Number.MAX_VALUE,
        1e300,
        -1e21,
        2 ** 53 + 2,
        new HNumber(Number.MAX_SAFE_INTEGER, "kWh"),
        new HNumber(-2.5e-7, "°F"),
        new HNumber(0.1 + 0.2, "m³/h"),
        true,
        false,
        "",
        "1.5",
        "true",
        'quote " and \\ and 😀',
        "nul \u0000 inside",
      ];
      await s.history.write([{ id: "p", items: vals.map((val, i) => ({ ts: T0 + i * MIN, val })) }]);
      const back = (await readAll(s, "p")).map(([, v]) => v);
      for (let i = 0; i < vals.length; i++) expect(back[i], `sample ${i}`).toEqual(vals[i]);
      expect(back).toHaveLength(vals.length);
    });

    test("a batch naming one unknown point is not_found and writes to neither point", async (s) => {
      await add(s, [point("p"), point("q")]);
      const items = [{ ts: T0, val: 1 }];
      const cursor = await s.changes.cursor();
      for (const batch of [
        [
          { id: "p", items },
          { id: "zz", items },
        ],
        [
          { id: "zz", items },
          { id: "q", items },
        ],
      ]) {
        expect(await codeOf(s.history.write(batch))).toBe("not_found");
      }
      expect(await readAll(s, "p")).toEqual([]);
      expect(await readAll(s, "q")).toEqual([]);
      expect((await one(s, "p"))?.has("curVal")).toBe(false);
      expect((await one(s, "q"))?.has("curVal")).toBe(false);
      expect(await s.changes.cursor()).toBe(cursor);
    });

    test("writing to a record without `his` is invalid, also inside a batch with a good point", async (s) => {
      await add(s, [point("p"), rec("x", { point: MARKER })]);
      const items = [{ ts: T0, val: 1 }];
      expect(await codeOf(s.history.write([{ id: "x", items }]))).toBe("invalid");
      expect(
        await codeOf(
          s.history.write([
            { id: "p", items },
            { id: "x", items },
          ]),
        ),
      ).toBe("invalid");
      expect(await readAll(s, "p")).toEqual([]);
    });

    test("one batch writes several points and counts every stored sample", async (s) => {
      await add(s, [point("p"), point("q")]);
      const r = await s.history.write([
        { id: "p", items: [0, 1, 2].map((i) => ({ ts: T0 + i * MIN, val: i })) },
        { id: "q", items: [{ ts: T0, val: "on" }] },
      ]);
      expect(r.count).toBe(4);
      expect((await readAll(s, "p")).map(([, v]) => v)).toEqual([0, 1, 2]);
      expect(await readAll(s, "q")).toEqual([[T0, "on"]]);
      expect([(await one(s, "p"))?.get("curVal"), (await one(s, "q"))?.get("curVal")]).toEqual([2, "on"]);
    });

    test("a span longer than a page comes back whole, once, in order", async (s) => {
      await add(s, [point("p")]);
      const n = 25_000;
      const items = Array.from({ length: n }, (_, i) => ({ ts: T0 + i * 1000, val: i }));
      await s.history.write([{ id: "p", items }]);
      const got = await readAll(s, "p");
      expect(got).toHaveLength(n);
      expect(got.every(([ts, v], i) => ts === T0 + i * 1000 && v === i)).toBe(true);
    });

    test("pages never exceed the asked page size and together hold the span once", async (s) => {
      await add(s, [point("p")]);
      await s.history.write([{ id: "p", items: Array.from({ length: 1050 }, (_, i) => ({ ts: T0 + i, val: i })) }]);
      const sizes: number[] = [];
      const seen: number[] = [];
      for await (const page of s.history.read("p", { start: T0 + 25, end: T0 + 1000 }, 100)) {
        sizes.push(page.count);
        for (let i = 0; i < page.count; i++) seen.push((page.ts[i] as number) - T0);
      }
      expect(Math.max(...sizes)).toBe(100);
      expect(seen).toEqual(Array.from({ length: 975 }, (_, i) => i + 25));
    });

    test("the newest sample becomes curVal without touching mod; a backfill does not", async (s) => {
      const [p] = await add(s, [point("p")]);
      await s.history.write([
        {
          id: "p",
          items: [
            { ts: T0 + 2 * MIN, val: new HNumber(7, "kW") },
            { ts: T0, val: 1 },
          ],
        },
      ]);
      let now = await one(s, "p");
      expect(now?.get("curVal")).toEqual(new HNumber(7, "kW"));
      expect(now?.get("curStatus")).toBe("ok");
      expect(modOf(now).ms).toBe(modOf(p).ms);
      await s.history.write([{ id: "p", items: [{ ts: T0 + MIN, val: 99 }] }]);
      now = await one(s, "p");
      expect(now?.get("curVal")).toEqual(new HNumber(7, "kW"));
      await s.history.write([{ id: "p", items: [{ ts: T0 + 3 * MIN, val: false }] }]);
      now = await one(s, "p");
      expect(now?.get("curVal")).toBe(false);
      expect(modOf(now).ms).toBe(modOf(p).ms);
      // The record's mod is untouched, so a client holding it can still commit.
      await s.entities.commit({ op: "update", rows: [rec("p", { mod: modOf(p), dis: "P" })], nowMs: T0 + 1 });
      expect((await one(s, "p"))?.get("curVal")).toBe(false);
    });

    test("a removed record takes its history and priority array; the id re-added starts empty", async (s) => {
      const [p] = await add(s, [point("p")]);
      await s.history.write([{ id: "p", items: [{ ts: T0, val: 1 }] }]);
      await s.points.write("p", { level: 8, val: 5, who: "op", nowMs: T0 });
      const [p2] = await s.entities.readByIds(["p"]);
      expect(p2?.get("writeVal")).toBe(5);
      await s.entities.commit({ op: "remove", rows: [rec("p", { mod: modOf(p) })], nowMs: T0 + 1 });
      const [again] = await add(s, [point("p")], T0 + 2);
      expect(again?.has("curVal") || again?.has("writeVal")).toBe(false);
      expect(await readAll(s, "p")).toEqual([]);
      expect((await s.points.read("p")).levels.every((l) => l === null)).toBe(true);
    });
  });

  describe(`${name}: point priority arrays`, () => {
    test("a fresh writable point has 17 empty levels", async (s) => {
      await add(s, [point("p")]);
      const arr = await s.points.read("p");
      expect(arr.levels).toHaveLength(17);
      expect(arr.levels.every((l) => l === null)).toBe(true);
    });

    test("the lowest occupied level is effective and mirrored in writeVal/writeLevel", async (s) => {
      const [p] = await add(s, [point("p")]);
      await s.points.write("p", { level: 16, val: new HNumber(50, "kW"), who: "bms", nowMs: T0 });
      const w8 = await s.points.write("p", { level: 8, val: new HNumber(70, "kW"), who: "op", nowMs: T0 });
      expect(w8.array.levels[7]).toEqual({ val: new HNumber(70, "kW"), who: "op" });
      expect(w8.array.levels[15]).toEqual({ val: new HNumber(50, "kW"), who: "bms" });
      expect(await s.points.read("p")).toEqual(w8.array);
      let r = await one(s, "p");
      expect([r?.get("writeVal"), r?.get("writeLevel")]).toEqual([new HNumber(70, "kW"), 8]);
      expect(modOf(r).ms).toBe(modOf(p).ms);
      await s.points.write("p", { level: 8, val: null, who: "op", nowMs: T0 });
      r = await one(s, "p");
      expect([r?.get("writeVal"), r?.get("writeLevel")]).toEqual([new HNumber(50, "kW"), 16]);
      expect((await s.points.read("p")).levels[7]).toBeNull();
      await s.points.write("p", { level: 16, val: null, who: "bms", nowMs: T0 });
      r = await one(s, "p");
      expect(r?.has("writeVal") || r?.has("writeLevel")).toBe(false);
      expect((await s.points.read("p")).levels.every((l) => l === null)).toBe(true);
      expect(modOf(r).ms).toBe(modOf(p).ms);
    });

    test("a level-8 duration reports its expiry, and expire() releases it", async (s) => {
      await add(s, [point("p")]);
      await s.points.write("p", { level: 17, val: 1, who: "def", nowMs: T0 });
      const w = await s.points.write("p", { level: 8, val: 5, who: "op", durationMs: MIN, nowMs: T0 });
      expect(w.nextExpiry).toBe(T0 + MIN);
      expect(w.array.levels[7]?.expiresAt).toBe(T0 + MIN);
      expect((await s.points.expire(T0 + MIN - 1)).nextExpiry).toBe(T0 + MIN);
      expect((await one(s, "p"))?.get("writeVal")).toBe(5);
      const after = await s.points.expire(T0 + MIN);
      expect(after.nextExpiry).toBeUndefined();
      const r = await one(s, "p");
      expect([r?.get("writeVal"), r?.get("writeLevel")]).toEqual([1, 17]);
      expect((await s.points.read("p")).levels[7]).toBeNull();
    });

    test("level 8 written again without a duration is permanent: no expiry is pending", async (s) => {
      await add(s, [point("p")]);
      await s.points.write("p", { level: 8, val: 5, who: "op", durationMs: MIN, nowMs: T0 });
      const w = await s.points.write("p", { level: 8, val: 6, who: "op", nowMs: T0 + 1 });
      expect(w.nextExpiry).toBeUndefined();
      expect((await s.points.expire(T0 + 2 * MIN)).nextExpiry).toBeUndefined();
      expect((await one(s, "p"))?.get("writeVal")).toBe(6);
    });

    test("nextExpiry is the earliest expiry pending on any point of the project", async (s) => {
      await add(s, [point("p"), point("q")]);
      await s.points.write("q", { level: 8, val: 1, who: "op", durationMs: MIN, nowMs: T0 });
      const w = await s.points.write("p", { level: 8, val: 2, who: "op", durationMs: 10 * MIN, nowMs: T0 });
      expect(w.nextExpiry).toBe(T0 + MIN);
      const e = await s.points.expire(T0 + MIN);
      expect(e.nextExpiry).toBe(T0 + 10 * MIN);
      expect([(await one(s, "q"))?.has("writeVal"), (await one(s, "p"))?.get("writeVal")]).toEqual([false, 2]);
    });

    test("non-writable is invalid, unknown is not_found, a bad level is invalid_value", async (s) => {
      await add(s, [point("p"), rec("x", { point: MARKER })]);
      expect(await codeOf(s.points.read("x"))).toBe("invalid");
      expect(await codeOf(s.points.read("zz"))).toBe("not_found");
      expect(await codeOf(s.points.write("x", { level: 8, val: 1, who: "a", nowMs: T0 }))).toBe("invalid");
      expect(await codeOf(s.points.write("zz", { level: 8, val: 1, who: "a", nowMs: T0 }))).toBe("not_found");
      const cursor = await s.changes.cursor();
      for (const level of [0, 18, 2.5]) {
        expect(await codeOf(s.points.write("p", { level, val: 1, who: "a", nowMs: T0 }))).toBe("invalid_value");
      }
      expect(await codeOf(s.points.write("p", { level: 9, val: 1, who: "a", durationMs: 1000, nowMs: T0 }))).toBe(
        "invalid_value",
      );
      expect((await s.points.read("p")).levels.every((l) => l === null)).toBe(true);
      expect((await one(s, "x"))?.has("writeVal")).toBe(false);
      expect(await s.changes.cursor()).toBe(cursor);
    });
  });

  describe(`${name}: change feed`, () => {
    test("a new project starts at 0; commits, curVal and point writes each move the cursor", async (s) => {
      expect(await s.changes.cursor()).toBe(0);
      const [p] = await add(s, [point("p")]);
      const c1 = await s.changes.cursor();
      expect(c1).toBeGreaterThan(0);
      await s.history.write([{ id: "p", items: [{ ts: T0, val: 1 }] }]);
      const c2 = await s.changes.cursor();
      expect(c2).toBeGreaterThan(c1);
      await s.points.write("p", { level: 8, val: 2, who: "a", nowMs: T0 });
      const c3 = await s.changes.cursor();
      expect(c3).toBeGreaterThan(c2);
      await s.entities.commit({ op: "update", rows: [rec("p", { mod: modOf(p), dis: "P" })], nowMs: T0 + 1 });
      const c4 = await s.changes.cursor();
      expect(c4).toBeGreaterThan(c3);
      await s.entities.commit({ op: "remove", rows: [rec("p")], force: true, nowMs: T0 + 2 });
      expect(await s.changes.cursor()).toBeGreaterThan(c4);
    });

    test("changedSince names exactly the asked ids that changed after the cursor", async (s) => {
      const seeded = await add(s, [point("a"), point("b"), point("c")]);
      expect((await s.changes.changedSince(0, ["a", "b", "zz"])).changed).toEqual(["a", "b"]);
      const since = await s.changes.cursor();
      expect(await s.changes.changedSince(since, ["a", "b", "c"])).toEqual({ cursor: since, changed: [] });
      await s.entities.commit({ op: "update", rows: [rec("a", { mod: modOf(seeded[0]), dis: "x" })], nowMs: T0 + 1 });
      await s.history.write([{ id: "c", items: [{ ts: T0, val: 1 }] }]);
      const set = await s.changes.changedSince(since, ["a", "b"]);
      expect(set.changed).toEqual(["a"]);
      expect(set.cursor).toBe(await s.changes.cursor());
      expect([...(await s.changes.changedSince(since, ["a", "b", "c", "zz"])).changed].sort()).toEqual(["a", "c"]);
      expect((await s.changes.changedSince(set.cursor, ["a", "b", "c"])).changed).toEqual([]);
      await s.points.write("b", { level: 8, val: 1, who: "op", nowMs: T0 });
      expect((await s.changes.changedSince(set.cursor, ["a", "b", "c"])).changed).toEqual(["b"]);
    });

    test("a removed record counts as changed; a point write that leaves the effective value does not", async (s) => {
      const seeded = await add(s, [point("a"), point("b")]);
      await s.points.write("b", { level: 8, val: 1, who: "a", nowMs: T0 });
      const since = await s.changes.cursor();
      await s.entities.commit({ op: "remove", rows: [rec("a", { mod: modOf(seeded[0]) })], nowMs: T0 + 1 });
      // Level 16 under an occupied level 8 leaves writeVal/writeLevel as they were.
      await s.points.write("b", { level: 16, val: 9, who: "a", nowMs: T0 });
      expect((await s.changes.changedSince(since, ["a", "b"])).changed).toEqual(["a"]);
      expect((await one(s, "b"))?.get("writeVal")).toBe(1);
    });

    test("a history backfill that leaves curVal as it was is not a change", async (s) => {
      await add(s, [point("p")]);
      await s.history.write([{ id: "p", items: [{ ts: T0 + MIN, val: 1 }] }]);
      const since = await s.changes.cursor();
      await s.history.write([{ id: "p", items: [{ ts: T0, val: 2 }] }]);
      expect(await s.changes.changedSince(since, ["p"])).toEqual({ cursor: since, changed: [] });
      await s.history.write([{ id: "p", items: [{ ts: T0 + 2 * MIN, val: 3 }] }]);
      expect((await s.changes.changedSince(since, ["p"])).changed).toEqual(["p"]);
    });
  });
}
