/** History rollups: the same buckets and values from every backend (rules in src/storage/rollup.ts). */
import { expect } from "vitest";
import { HNumber } from "../../src/haystack/kinds/index.ts";
import { type HisValue, hisValueAt } from "../../src/storage/his-page.ts";
import type { HisItem, ProjectStore } from "../../src/storage/ports.ts";
import type { Fold } from "../../src/storage/rollup.ts";
import { add, type Case, codeOf, MIN, point, rec, T0 } from "./support.ts";

export const ROLLUP_LABEL = "history rollups";

async function rollup(s: ProjectStore, id: string, start: number, end: number, intervalMs: number, fold: Fold) {
  const out: [number, HisValue][] = [];
  for await (const p of s.history.rollup(id, { start, end }, { intervalMs, fold })) {
    for (let i = 0; i < p.count; i++) out.push([(p.ts[i] as number) - T0, hisValueAt(p, i)]);
  }
  return out;
}

const kw = (n: number) => new HNumber(n, "kW");

export function rollupCases(test: Case): void {
  test("numeric folds take a bucket's Numbers; count, first and last take every sample", async (s) => {
    await add(s, [point("p")]);
    // Ten kW samples a minute apart, and a Str between the third and fourth.
    const items: HisItem[] = Array.from({ length: 10 }, (_, i) => ({ ts: T0 + i * MIN, val: kw(i) }));
    items.push({ ts: T0 + 2.5 * MIN, val: "note" });
    await s.history.write([{ id: "p", items }]);
    const at = (fold: Fold) => rollup(s, "p", T0, T0 + 10 * MIN, 5 * MIN, fold);
    expect(await at("avg")).toEqual([
      [0, kw(2)],
      [5 * MIN, kw(7)],
    ]);
    expect(await at("sum")).toEqual([
      [0, kw(10)],
      [5 * MIN, kw(35)],
    ]);
    expect(await at("min")).toEqual([
      [0, kw(0)],
      [5 * MIN, kw(5)],
    ]);
    expect(await at("max")).toEqual([
      [0, kw(4)],
      [5 * MIN, kw(9)],
    ]);
    expect(await at("count")).toEqual([
      [0, 6],
      [5 * MIN, 5],
    ]);
    expect(await at("first")).toEqual([
      [0, kw(0)],
      [5 * MIN, kw(5)],
    ]);
    expect(await at("last")).toEqual([
      [0, kw(4)],
      [5 * MIN, kw(9)],
    ]);
  });

  test("buckets start at the span's start; a bucket with no Number has no avg row but counts", async (s) => {
    await add(s, [point("p")]);
    await s.history.write([
      {
        id: "p",
        items: [
          { ts: T0, val: 1 },
          { ts: T0 + MIN, val: 3 },
          { ts: T0 + 2 * MIN, val: true },
          { ts: T0 + 3 * MIN, val: 5 },
          { ts: T0 + 7 * MIN, val: "x" },
        ],
      },
    ]);
    // From T0 + 1 min in 2-minute buckets: [1,3) [3,5) [5,7) [7,9); the sample at T0 is outside.
    const from = T0 + MIN;
    const to = T0 + 9 * MIN;
    expect(await rollup(s, "p", from, to, 2 * MIN, "avg")).toEqual([
      [MIN, 3],
      [3 * MIN, 5],
    ]);
    expect(await rollup(s, "p", from, to, 2 * MIN, "count")).toEqual([
      [MIN, 2],
      [3 * MIN, 1],
      [7 * MIN, 1],
    ]);
    expect(await rollup(s, "p", from, to, 2 * MIN, "last")).toEqual([
      [MIN, true],
      [3 * MIN, 5],
      [7 * MIN, "x"],
    ]);
    expect(await rollup(s, "p", from, to, 2 * MIN, "sum")).toEqual([
      [MIN, 3],
      [3 * MIN, 5],
    ]);
  });

  test("numeric folds skip NaN; INF and -INF fold as numbers; count, first and last take NaN as it is", async (s) => {
    await add(s, [point("p")]);
    const { NaN: NAN, POSITIVE_INFINITY: INF, NEGATIVE_INFINITY: NINF } = Number;
    const buckets: HisValue[][] = [
      [kw(1), new HNumber(NAN, "kW"), kw(3)],
      [new HNumber(NAN, "kW"), NAN],
      [INF, 5],
      [NINF, INF],
      [new HNumber(NAN, "kW"), 2, kw(4)],
    ];
    const items = buckets.flatMap((vals, b) => vals.map((val, i) => ({ ts: T0 + b * 10 * MIN + i * MIN, val })));
    await s.history.write([{ id: "p", items }]);
    const at = (fold: Fold) => rollup(s, "p", T0, T0 + 50 * MIN, 10 * MIN, fold);
    const b = (i: number) => i * 10 * MIN;
    expect(await at("avg")).toEqual([
      [b(0), kw(2)],
      [b(2), INF],
      [b(3), NAN],
      [b(4), 3],
    ]);
    expect(await at("sum")).toEqual([
      [b(0), kw(4)],
      [b(2), INF],
      [b(3), NAN],
      [b(4), 6],
    ]);
    expect(await at("min")).toEqual([
      [b(0), kw(1)],
      [b(2), 5],
      [b(3), NINF],
      [b(4), 2],
    ]);
    expect(await at("max")).toEqual([
      [b(0), kw(3)],
      [b(2), INF],
      [b(3), INF],
      [b(4), 4],
    ]);
    expect(await at("count")).toEqual([
      [b(0), 3],
      [b(1), 2],
      [b(2), 2],
      [b(3), 2],
      [b(4), 3],
    ]);
    expect(await at("first")).toEqual([
      [b(0), kw(1)],
      [b(1), new HNumber(NAN, "kW")],
      [b(2), INF],
      [b(3), NINF],
      [b(4), new HNumber(NAN, "kW")],
    ]);
    expect(await at("last")).toEqual([
      [b(0), kw(3)],
      [b(1), NAN],
      [b(2), 5],
      [b(3), INF],
      [b(4), kw(4)],
    ]);
  });

  test("a sum or avg past the largest double is INF or -INF, as IEEE arithmetic gives it", async (s) => {
    await add(s, [point("p")]);
    const vals = [1e308, 1e308, -1e308, -1e308, 1, 2];
    await s.history.write([{ id: "p", items: vals.map((val, i) => ({ ts: T0 + i * MIN, val })) }]);
    const at = (fold: Fold) => rollup(s, "p", T0, T0 + 6 * MIN, 2 * MIN, fold);
    const { POSITIVE_INFINITY: INF, NEGATIVE_INFINITY: NINF } = Number;
    expect(await at("sum")).toEqual([
      [0, INF],
      [2 * MIN, NINF],
      [4 * MIN, 3],
    ]);
    expect(await at("avg")).toEqual([
      [0, INF],
      [2 * MIN, NINF],
      [4 * MIN, 1.5],
    ]);
    expect(await at("max")).toEqual([
      [0, 1e308],
      [2 * MIN, -1e308],
      [4 * MIN, 2],
    ]);
  });

  test("a rollup of an unknown point is not_found, of a non-his record invalid, of an empty span empty", async (s) => {
    await add(s, [point("p"), rec("x")]);
    expect(await codeOf(rollup(s, "zz", T0, T0 + MIN, MIN, "avg"))).toBe("not_found");
    expect(await codeOf(rollup(s, "x", T0, T0 + MIN, MIN, "avg"))).toBe("invalid");
    expect(await rollup(s, "p", T0, T0 + 60 * MIN, MIN, "count")).toEqual([]);
  });
}
