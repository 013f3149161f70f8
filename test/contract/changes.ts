/** The change feed behind watches. */
import { expect } from "vitest";
import { add, type Case, MIN, modOf, one, point, rec, T0 } from "./support.ts";

export const CHANGES_LABEL = "change feed";

export function changesCases(test: Case): void {
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
}
