/** Point priority arrays: levels, effective values, timed overrides. */
import { expect } from "vitest";
import { HNumber, MARKER } from "../../src/haystack/kinds/index.ts";
import { add, type Case, codeOf, MIN, modOf, one, point, rec, T0 } from "./support.ts";

export const POINTS_LABEL = "point priority arrays";

export function pointsCases(test: Case): void {
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

  test("expiries and point writes racing on the same points all succeed, last state consistent", async (s) => {
    const ids = ["a", "b", "c", "d"];
    await add(
      s,
      ids.map((id) => point(id)),
    );
    for (let round = 0; round < 8; round++) {
      const now = T0 + round * 2 * MIN;
      await Promise.all(
        ids.map((id) => s.points.write(id, { level: 8, val: round, who: "op", durationMs: MIN, nowMs: now })),
      );
      // The overrides are due: an expiry runs while every point takes another write.
      await Promise.all([
        s.points.expire(now + MIN),
        ...ids.map((id) => s.points.write(id, { level: 10, val: round + 100, who: "bms", nowMs: now + MIN })),
        s.points.expire(now + MIN),
      ]);
      for (const id of ids) {
        const r = await one(s, id);
        expect([r?.get("writeVal"), r?.get("writeLevel")], `round ${round} @${id}`).toEqual([round + 100, 10]);
        expect((await s.points.read(id)).levels[7]).toBeNull();
      }
    }
  });
}
