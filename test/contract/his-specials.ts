/** NaN, INF and -INF history samples: valid Haystack Numbers, stored and returned exactly. */
import { expect } from "vitest";
import { HNumber } from "../../src/haystack/kinds/index.ts";
import type { HisValue } from "../../src/storage/his-page.ts";
import { hisValueAt } from "../../src/storage/his-page.ts";
import type { HisItem } from "../../src/storage/ports.ts";
import { add, type Case, END_OF_TIME, MIN, one, point, readAll, T0 } from "./support.ts";

export const HIS_SPECIALS_LABEL = "NaN and INF history";

const { NaN: NAN, POSITIVE_INFINITY: INF, NEGATIVE_INFINITY: NINF } = Number;

/** The same value: Object.is on the number (so NaN is NaN and INF not -INF), and the same unit. */
function same(a: HisValue | undefined, b: HisValue | undefined): boolean {
  if (a instanceof HNumber && b instanceof HNumber) return a.unit === b.unit && Object.is(a.val, b.val);
  return Object.is(a, b);
}

function expectSame(got: readonly HisValue[], want: readonly HisValue[], what: string): void {
  expect(got.length, what).toBe(want.length);
  want.forEach((w, i) => {
    expect(same(got[i], w), `${what} sample ${i}: ${String(got[i])} is not ${String(w)}`).toBe(true);
  });
}

const SPECIALS: readonly HisValue[] = [
  NAN,
  INF,
  NINF,
  new HNumber(NAN, "kW"),
  new HNumber(INF, "kW"),
  new HNumber(NINF, "°F"),
];

export function hisSpecialsCases(test: Case): void {
  test("NaN, INF and -INF, with and without a unit, round-trip exactly", async (s) => {
    await add(s, [point("p")]);
    const items = SPECIALS.map((val, i) => ({ ts: T0 + i * MIN, val }));
    expect((await s.history.write([{ id: "p", items }])).count).toBe(SPECIALS.length);
    expectSame(
      (await readAll(s, "p")).map(([, v]) => v),
      SPECIALS,
      "read",
    );
  });

  test("NaN and INF overwrite ordinary numbers and are overwritten by them", async (s) => {
    await add(s, [point("p")]);
    const ordinary: HisValue[] = [1, new HNumber(2, "kW"), 3, 4, new HNumber(5, "kW"), new HNumber(6, "°F")];
    const at = (vals: readonly HisValue[]) => vals.map((val, i) => ({ ts: T0 + i * MIN, val }));
    await s.history.write([{ id: "p", items: at(ordinary) }]);
    await s.history.write([{ id: "p", items: at(SPECIALS) }]);
    expectSame(
      (await readAll(s, "p")).map(([, v]) => v),
      SPECIALS,
      "specials over numbers",
    );
    const mixed = SPECIALS.map((v, i) => (i % 2 === 0 ? (ordinary[i] as HisValue) : v));
    await s.history.write([{ id: "p", items: at(mixed) }]);
    expectSame(
      (await readAll(s, "p")).map(([, v]) => v),
      mixed,
      "every other one back to a number",
    );
  });

  test("NaN and INF mixed with ordinary numbers come back exactly across page boundaries", async (s) => {
    await add(s, [point("p")]);
    const cycle: HisValue[] = [0.1, NAN, INF, new HNumber(-2.5, "kW"), NINF, new HNumber(NAN, "kW"), 7];
    const items: HisItem[] = Array.from({ length: 250 }, (_, i) => ({
      ts: T0 + i * 1000,
      val: cycle[i % 7] as HisValue,
    }));
    await s.history.write([{ id: "p", items }]);
    const got: HisValue[] = [];
    const sizes: number[] = [];
    for await (const page of s.history.read("p", { start: 0, end: END_OF_TIME }, 100)) {
      sizes.push(page.count);
      for (let i = 0; i < page.count; i++) {
        expect(page.ts[i]).toBe(T0 + got.length * 1000);
        got.push(hisValueAt(page, i));
      }
    }
    expect(sizes).toEqual([100, 100, 50]);
    expectSame(
      got,
      items.map((it) => it.val),
      "paged read",
    );
  });

  test("a NaN or INF newest sample becomes curVal, and the same value again is no change", async (s) => {
    await add(s, [point("p")]);
    await s.history.write([{ id: "p", items: [{ ts: T0, val: new HNumber(NAN, "kW") }] }]);
    const curVal = (await one(s, "p"))?.get("curVal");
    expect(curVal instanceof HNumber && curVal.unit === "kW" && Number.isNaN(curVal.val)).toBe(true);
    const cursor = await s.changes.cursor();
    await s.history.write([{ id: "p", items: [{ ts: T0 + MIN, val: new HNumber(NAN, "kW") }] }]);
    expect(await s.changes.cursor()).toBe(cursor);
    await s.history.write([{ id: "p", items: [{ ts: T0 + 2 * MIN, val: NINF }] }]);
    expect((await one(s, "p"))?.get("curVal")).toBe(NINF);
    expect(await s.changes.cursor()).toBeGreaterThan(cursor);
  });
}
