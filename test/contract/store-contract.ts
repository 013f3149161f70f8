/**
 * The storage contract: every backend of src/storage/ports.ts runs these cases unchanged
 * (hono's shared router suite is the model). Each case opens a fresh, empty project.
 */
import { describe, expect, it } from "vitest";
import { HaystackError } from "../../src/haystack/errors.ts";
import { parseFilter } from "../../src/haystack/filter/index.ts";
import { HDateTime, HDict, HNumber, HRef, type HVal, MARKER, REMOVE } from "../../src/haystack/kinds/index.ts";
import { StoreError } from "../../src/storage/errors.ts";
import { type HisValue, hisValueAt } from "../../src/storage/his-page.ts";
import type { HisItem, ProjectStore } from "../../src/storage/ports.ts";

export interface ContractOptions {
  /** Cases a backend cannot run yet, each with the reason written down. */
  readonly skip?: readonly { readonly reason: string; readonly tests: readonly string[] }[];
}

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;

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

async function readAll(s: ProjectStore, id: string, start = 0, end = 8.64e15): Promise<[number, HisValue][]> {
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
    test("add stamps id and a UTC mod; an id is generated when absent", async (s) => {
      const out = await add(s, [rec("a", { dis: "A" }), HDict.of({ dis: "gen" })], T0);
      expect(ids(out)[0]).toBe("a");
      expect(modOf(out[0]).ms).toBe(T0);
      expect(modOf(out[0]).tz).toBe("UTC");
      expect(ids(out)[1]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}$/);
      const back = await s.entities.readByIds([ids(out)[1] as string]);
      expect(back[0]?.get("dis")).toBe("gen");
    });

    test("add of an existing id is a duplicate and writes nothing", async (s) => {
      await add(s, [rec("a", { dis: "first" })]);
      expect(await codeOf(add(s, [rec("b"), rec("a", { dis: "second" })]))).toBe("duplicate");
      const [a, b] = await s.entities.readByIds(["a", "b"]);
      expect(a?.get("dis")).toBe("first");
      expect(b).toBeUndefined();
    });

    test("the same id twice in one commit is invalid", async (s) => {
      expect(await codeOf(add(s, [rec("a"), rec("a")]))).toBe("invalid");
      expect(await s.entities.readByIds(["a"])).toEqual([undefined]);
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
      expect((await q('dis == "two"')).ids).toEqual(["p2"]);
      expect((await q('point and dis != "two"')).ids).toEqual(["p1", "p3"]);
      expect((await q("area < 2000ft²")).ids).toEqual(["s1"]);
      expect((await q("area < 2000")).ids).toEqual([]);
      expect((await q("equipRef == @e2")).ids).toEqual(["p2", "p3"]);
      expect((await q("point and equipRef->siteRef->area > 2000ft²")).ids).toEqual(["p2", "p3"]);
      expect((await q("point and not temp")).ids).toEqual(["p1", "p2"]);
      expect((await q("temp or site")).ids).toEqual(["p3", "s1", "s2"]);
      expect(await q("point", 2)).toEqual({ ids: expect.any(Array), incomplete: true });
      expect((await q("point", 2)).ids).toHaveLength(2);
      expect((await q("point", 3)).incomplete).toBe(false);
    });

    test("readByIds keeps request order and answers undefined for unknown ids", async (s) => {
      await add(s, [rec("a"), rec("b")]);
      expect(ids(await s.entities.readByIds(["b", "zz", "a"]))).toEqual(["b", undefined, "a"]);
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
      const [u2] = await s.entities.commit({ op: "update", rows: [rec("a", { mod: modOf(u1), x: 2 })], nowMs: T0 });
      expect(modOf(u2).ms).toBeGreaterThan(modOf(u1).ms);
      const [stored] = await s.entities.readByIds(["a"]);
      expect(stored?.get("x")).toBe(2);
      expect(stored?.get("dis")).toBe("A2");
    });

    test("a stale mod is a conflict and changes nothing; force skips the check", async (s) => {
      const [a] = await add(s, [rec("a", { dis: "A" })]);
      const stale = modOf(a);
      await s.entities.commit({ op: "update", rows: [rec("a", { mod: stale, dis: "B" })], nowMs: T0 + 1000 });
      const code = await codeOf(
        s.entities.commit({ op: "update", rows: [rec("a", { mod: stale, dis: "C" })], nowMs: T0 + 2000 }),
      );
      expect(code).toBe("conflict");
      expect((await s.entities.readByIds(["a"]))[0]?.get("dis")).toBe("B");
      await s.entities.commit({
        op: "update",
        rows: [rec("a", { mod: stale, dis: "D" })],
        force: true,
        nowMs: T0 + 3000,
      });
      expect((await s.entities.readByIds(["a"]))[0]?.get("dis")).toBe("D");
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
    });

    test("remove deletes the record", async (s) => {
      const [a] = await add(s, [rec("a"), rec("b")]);
      await s.entities.commit({ op: "remove", rows: [rec("a", { mod: modOf(a) })], nowMs: T0 + 1 });
      expect(ids(await s.entities.readByIds(["a", "b"]))).toEqual([undefined, "b"]);
    });

    for (const op of ["add", "update", "remove"] as const) {
      test(`a multi-row ${op} whose last row fails applies none of its rows`, async (s) => {
        const seeded = await add(s, [rec("a", { dis: "A" }), rec("b", { dis: "B" })]);
        const before = await s.entities.readByIds(["a", "b", "c"]);
        const good = (r: HDict | undefined, i: number) => rec(`${"ab"[i]}`, { mod: modOf(r), dis: "changed" });
        const rows =
          op === "add"
            ? [rec("c"), rec("a")]
            : [good(seeded[0], 0), rec("b", { mod: HDateTime.of(T0 - 5, "UTC"), dis: "changed" })];
        const code = await codeOf(s.entities.commit({ op, rows, nowMs: T0 + 10 }));
        expect(code).not.toBe("no error");
        expect(await s.entities.readByIds(["a", "b", "c"])).toEqual(before);
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
    });

    test("duplicate timestamps keep the last value, in one request and against stored rows", async (s) => {
      await add(s, [point("p")]);
      const r = await s.history.write([
        {
          id: "p",
          items: [
            { ts: T0, val: 1 },
            { ts: T0, val: 2 },
            { ts: T0 + MIN, val: 3 },
          ],
        },
      ]);
      expect(r.count).toBe(2);
      await s.history.write([{ id: "p", items: [{ ts: T0 + MIN, val: 4 }] }]);
      expect(await readAll(s, "p")).toEqual([
        [T0, 2],
        [T0 + MIN, 4],
      ]);
    });

    test("Numbers (with and without unit), Bools and Strs round-trip exactly", async (s) => {
      await add(s, [point("p")]);
      const vals: HisValue[] = [
        0.1 + 0.2,
        1e-300,
        -0.5,
        123456789.123456,
        new HNumber(Number.MAX_SAFE_INTEGER, "kWh"),
        new HNumber(-2.5e-7, "°F"),
        true,
        false,
        "",
        'quote " and \\ and 😀',
      ];
      await s.history.write([{ id: "p", items: vals.map((val, i) => ({ ts: T0 + i * MIN, val })) }]);
      expect((await readAll(s, "p")).map(([, v]) => v)).toEqual(vals);
    });

    test("a batch with one unknown point is not_found and writes to neither point", async (s) => {
      await add(s, [point("p")]);
      const items = [{ ts: T0, val: 1 }];
      expect(
        await codeOf(
          s.history.write([
            { id: "p", items },
            { id: "zz", items },
          ]),
        ),
      ).toBe("not_found");
      expect(await readAll(s, "p")).toEqual([]);
    });

    test("writing to a record without `his` is invalid", async (s) => {
      await add(s, [rec("x", { point: MARKER })]);
      expect(await codeOf(s.history.write([{ id: "x", items: [{ ts: T0, val: 1 }] }]))).toBe("invalid");
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
      let [now] = await s.entities.readByIds(["p"]);
      expect(now?.get("curVal")).toEqual(new HNumber(7, "kW"));
      expect(now?.get("curStatus")).toBe("ok");
      expect(modOf(now).ms).toBe(modOf(p).ms);
      await s.history.write([{ id: "p", items: [{ ts: T0 + MIN, val: 99 }] }]);
      [now] = await s.entities.readByIds(["p"]);
      expect(now?.get("curVal")).toEqual(new HNumber(7, "kW"));
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
      await add(s, [point("p")]);
      await s.points.write("p", { level: 16, val: new HNumber(50, "kW"), who: "bms", nowMs: T0 });
      await s.points.write("p", { level: 8, val: new HNumber(70, "kW"), who: "op", nowMs: T0 });
      let [r] = await s.entities.readByIds(["p"]);
      expect([r?.get("writeVal"), r?.get("writeLevel")]).toEqual([new HNumber(70, "kW"), 8]);
      await s.points.write("p", { level: 8, val: null, who: "op", nowMs: T0 });
      [r] = await s.entities.readByIds(["p"]);
      expect([r?.get("writeVal"), r?.get("writeLevel")]).toEqual([new HNumber(50, "kW"), 16]);
      await s.points.write("p", { level: 16, val: null, who: "bms", nowMs: T0 });
      [r] = await s.entities.readByIds(["p"]);
      expect(r?.has("writeVal") || r?.has("writeLevel")).toBe(false);
    });

    test("a level-8 duration reports its expiry, and expire() releases it", async (s) => {
      await add(s, [point("p")]);
      await s.points.write("p", { level: 17, val: 1, who: "def", nowMs: T0 });
      const w = await s.points.write("p", { level: 8, val: 5, who: "op", durationMs: 60_000, nowMs: T0 });
      expect(w.nextExpiry).toBe(T0 + 60_000);
      expect((await s.points.expire(T0 + 59_999)).nextExpiry).toBe(T0 + 60_000);
      expect((await s.entities.readByIds(["p"]))[0]?.get("writeVal")).toBe(5);
      const after = await s.points.expire(T0 + 60_000);
      expect(after.nextExpiry).toBeUndefined();
      const [r] = await s.entities.readByIds(["p"]);
      expect([r?.get("writeVal"), r?.get("writeLevel")]).toEqual([1, 17]);
      expect((await s.points.read("p")).levels[7]).toBeNull();
    });

    test("non-writable is invalid, unknown is not_found, a bad level is invalid_value", async (s) => {
      await add(s, [point("p"), rec("x", { point: MARKER })]);
      expect(await codeOf(s.points.read("x"))).toBe("invalid");
      expect(await codeOf(s.points.read("zz"))).toBe("not_found");
      for (const level of [0, 18, 2.5]) {
        expect(await codeOf(s.points.write("p", { level, val: 1, who: "a", nowMs: T0 }))).toBe("invalid_value");
      }
      expect(await codeOf(s.points.write("p", { level: 9, val: 1, who: "a", durationMs: 1000, nowMs: T0 }))).toBe(
        "invalid_value",
      );
    });
  });

  describe(`${name}: change feed`, () => {
    test("a new project starts at 0; commits, curVal and point writes each move the cursor", async (s) => {
      expect(await s.changes.cursor()).toBe(0);
      await add(s, [point("p")]);
      const c1 = await s.changes.cursor();
      expect(c1).toBeGreaterThan(0);
      await s.history.write([{ id: "p", items: [{ ts: T0, val: 1 }] }]);
      const c2 = await s.changes.cursor();
      expect(c2).toBeGreaterThan(c1);
      await s.points.write("p", { level: 8, val: 2, who: "a", nowMs: T0 });
      expect(await s.changes.cursor()).toBeGreaterThan(c2);
    });

    test("changedSince names exactly the asked ids that changed after the cursor", async (s) => {
      const seeded = await add(s, [point("a"), point("b"), point("c")]);
      const since = await s.changes.cursor();
      expect((await s.changes.changedSince(since, ["a", "b", "c"])).changed).toEqual([]);
      await s.entities.commit({ op: "update", rows: [rec("a", { mod: modOf(seeded[0]), dis: "x" })], nowMs: T0 + 1 });
      await s.history.write([{ id: "c", items: [{ ts: T0, val: 1 }] }]);
      const set = await s.changes.changedSince(since, ["a", "b"]);
      expect(set.changed).toEqual(["a"]);
      expect(set.cursor).toBe(await s.changes.cursor());
      expect([...(await s.changes.changedSince(since, ["a", "b", "c"])).changed].sort()).toEqual(["a", "c"]);
      expect((await s.changes.changedSince(set.cursor, ["a", "b", "c"])).changed).toEqual([]);
    });

    test("a removed record counts as changed; a write that changes nothing does not", async (s) => {
      const seeded = await add(s, [point("a"), point("b")]);
      await s.points.write("b", { level: 8, val: 1, who: "a", nowMs: T0 });
      const since = await s.changes.cursor();
      await s.entities.commit({ op: "remove", rows: [rec("a", { mod: modOf(seeded[0]) })], nowMs: T0 + 1 });
      // Level 16 under an occupied level 8 leaves the effective value as it was.
      await s.points.write("b", { level: 16, val: 9, who: "a", nowMs: T0 });
      expect((await s.changes.changedSince(since, ["a", "b"])).changed).toEqual(["a"]);
    });
  });
}
