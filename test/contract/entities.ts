/** Entities: add, read, update, remove, all-or-nothing commits. */
import { expect } from "vitest";
import { parseFilter } from "../../src/haystack/filter/index.ts";
import { HDateTime, HDict, HNumber, HRef, MARKER, REMOVE } from "../../src/haystack/kinds/index.ts";
import type { CommitOp } from "../../src/storage/ports.ts";
import { add, type Case, codeOf, ids, MIN, modOf, one, point, rec, T0 } from "./support.ts";

export const ENTITIES_LABEL = "entities";

export function entitiesCases(test: Case): void {
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
    expect(await codeOf(s.entities.commit({ op: "remove", rows: [rec("a", { mod: stale })], nowMs: T0 + 2000 }))).toBe(
      "conflict",
    );
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
    expect(await codeOf(s.entities.commit({ op: "update", rows: [rec("zz", { mod })], nowMs: T0 }))).toBe("not_found");
    expect(await codeOf(s.entities.commit({ op: "remove", rows: [rec("zz", { mod })], nowMs: T0 }))).toBe("not_found");
    expect(await codeOf(s.entities.commit({ op: "update", rows: [rec("a", { x: 1 })], nowMs: T0 }))).toBe("invalid");
    expect((await one(s, "a"))?.has("x")).toBe(false);
  });

  test("remove deletes the record, answers its id, and a second remove is not_found", async (s) => {
    const [a] = await add(s, [rec("a", { tag: MARKER }), rec("b", { tag: MARKER })]);
    const out = await s.entities.commit({ op: "remove", rows: [rec("a", { mod: modOf(a) })], nowMs: T0 + 1 });
    expect(out).toEqual([HDict.of({ id: new HRef("a") })]);
    expect(ids(await s.entities.readByIds(["a", "b"]))).toEqual([undefined, "b"]);
    expect(ids((await s.entities.read(parseFilter("tag"), { limit: 10 })).rows)).toEqual(["b"]);
    expect(await codeOf(s.entities.commit({ op: "remove", rows: [rec("a", { mod: modOf(a) })], nowMs: T0 + 2 }))).toBe(
      "not_found",
    );
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
}
