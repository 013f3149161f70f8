/** History: spans, pages, duplicates, exact values, curVal. */
import { expect } from "vitest";
import { HNumber, MARKER } from "../../src/haystack/kinds/index.ts";
import type { HisValue } from "../../src/storage/his-page.ts";
import type { HisItem } from "../../src/storage/ports.ts";
import { add, type Case, codeOf, MIN, messageOf, modOf, one, point, readAll, rec, T0 } from "./support.ts";

export const HISTORY_LABEL = "history";

export function historyCases(test: Case): void {
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
      "NULL",
      "{a,b}",
      ' "" ',
      "tab\tnew\nline",
    ];
    await s.history.write([{ id: "p", items: vals.map((val, i) => ({ ts: T0 + i * MIN, val })) }]);
    let back = (await readAll(s, "p")).map(([, v]) => v);
    for (let i = 0; i < vals.length; i++) expect(back[i], `sample ${i}`).toEqual(vals[i]);
    expect(back).toHaveLength(vals.length);
    // Over the stored samples (an overwrite, not an append), each instant taking another kind.
    const shifted = vals.map((_, i) => vals[(i + 1) % vals.length] as HisValue);
    await s.history.write([{ id: "p", items: shifted.map((val, i) => ({ ts: T0 + i * MIN, val })) }]);
    back = (await readAll(s, "p")).map(([, v]) => v);
    for (let i = 0; i < vals.length; i++) expect(back[i], `overwritten sample ${i}`).toEqual(shifted[i]);
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

  test("a batch's samples are checked before its points: a bad sample is invalid even after an unknown point", async (s) => {
    await add(s, [point("p")]);
    const cursor = await s.changes.cursor();
    const good = [{ ts: T0, val: 1 }];
    const bad: HisItem[][] = [[{ ts: T0 + 0.5, val: 1 }], [{ ts: T0, val: MARKER as unknown as HisValue }]];
    for (const items of bad) {
      const batch = [
        { id: "zz", items: good },
        { id: "p", items },
      ];
      expect(await codeOf(s.history.write(batch))).toBe("invalid");
      expect(await messageOf(s.history.write([{ id: "p", items }]))).toMatch(/^@p: /);
    }
    expect(await messageOf(s.history.write([{ id: "p", items: bad[1] as HisItem[] }]))).toBe(
      "@p: a history value must be a Number, Bool or Str",
    );
    expect(await readAll(s, "p")).toEqual([]);
    expect(await s.changes.cursor()).toBe(cursor);
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
    // Past two pages of every backend's default size, ending in a part page.
    const n = 55_001;
    const items = Array.from({ length: n }, (_, i) => ({ ts: T0 + i * 1000, val: i }));
    await s.history.write([{ id: "p", items }]);
    const got = await readAll(s, "p");
    expect(got).toHaveLength(n);
    expect(got.every(([ts, v], i) => ts === T0 + i * 1000 && v === i)).toBe(true);
  });

  test("instants from year 1 to year 9999 round-trip to the millisecond, before 1970 too", async (s) => {
    await add(s, [point("p")]);
    const times = [
      "0001-01-01T00:00:00.001Z",
      "1000-06-15T12:34:56.789Z",
      "1969-12-31T23:59:59.999Z",
      "1970-01-01T00:00:00.000Z",
      "2024-02-29T23:59:59.999Z",
      "9999-12-31T23:59:59.999Z",
    ].map((iso) => new Date(iso).getTime());
    await s.history.write([{ id: "p", items: times.map((ts, i) => ({ ts, val: i })) }]);
    const got = await readAll(s, "p", times[0], (times[5] as number) + 1);
    expect(got).toEqual(times.map((ts, i) => [ts, i]));
  });

  test("a reader may stop after its first page; the store goes on serving", async (s) => {
    await add(s, [point("p")]);
    await s.history.write([{ id: "p", items: Array.from({ length: 500 }, (_, i) => ({ ts: T0 + i, val: i })) }]);
    for await (const page of s.history.read("p", { start: T0, end: T0 + 500 }, 100)) {
      expect(page.count).toBe(100);
      break;
    }
    await s.history.write([{ id: "p", items: [{ ts: T0 + 500, val: 500 }] }]);
    expect(await readAll(s, "p")).toHaveLength(501);
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
}
