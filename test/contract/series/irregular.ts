/** Irregular series of versioned and series stores: versions, scans, drops. */
import { expect } from "vitest";
import { bytes, defined, k, NOW, put, type SeriesCase, sw, US, VERSIONED } from "./support.ts";

export const IRREGULAR_LABEL = "irregular series";

const A = k("p1", 1);
const B = k("p1", 2);
const C = k("p2", 1);

export function irregularCases(test: SeriesCase): void {
  test("versions: the highest, all newest first, or one", async (p) => {
    await defined(p, VERSIONED);
    expect(await p.maxVersion(A)).toBe(-1);
    expect(await p.series(A)).toEqual([]);
    await put(p, { series: [sw(A, 0), sw(A, 2)] });
    await put(p, { series: [sw(A, 1)] }, NOW + 1);
    expect(await p.maxVersion(A)).toBe(2);
    const all = await p.series(A);
    expect(all.map((s) => [s.version, s.updatedUs])).toEqual([
      [2, US],
      [1, US + 1000],
      [0, US],
    ]);
    expect(all[0]).toEqual({
      key: A,
      version: 2,
      count: 3,
      index: bytes(24, 3),
      values: bytes(24, 103),
      updatedUs: US,
    });
    expect(await p.series(A, 1)).toEqual([{ ...sw(A, 1), updatedUs: US + 1000 }]);
    expect(await p.series(A, 7)).toEqual([]);
    expect(await p.hasSeries(A)).toBe(true);
    expect(await p.hasSeries(B)).toBe(false);
  });

  test("writing a version again replaces it", async (p) => {
    await defined(p, VERSIONED);
    await put(p, { series: [sw(A, 0)] });
    await put(p, { series: [{ ...sw(A, 0, 50), count: 8 }] }, NOW + 1);
    expect(await p.series(A)).toEqual([{ ...sw(A, 0, 50), count: 8, updatedUs: US + 1000 }]);
  });

  test("scanSeries: the newest version of each, or all, by (key, version desc), paged", async (p) => {
    await defined(p, VERSIONED);
    await put(p, { series: [sw(A, 0), sw(A, 1), sw(A, 2), sw(B, 0), sw(C, 4), sw(C, 1)] });
    const v = (rows: { key: string; version: number }[]) => rows.map((s) => `${s.key}/${s.version}`);
    expect(v(await p.scanSeries([], false, null, 10))).toEqual([`${A}/2`, `${B}/0`, `${C}/4`]);
    const every = v(await p.scanSeries([], true, null, 10));
    expect(every).toEqual([`${A}/2`, `${A}/1`, `${A}/0`, `${B}/0`, `${C}/4`, `${C}/1`]);
    const paged: string[] = [];
    let after = null;
    for (;;) {
      const page = await p.scanSeries([], true, after, 4);
      if (page.length === 0) break;
      paged.push(...v(page));
      const last = page[page.length - 1];
      after = last ? { key: last.key, n: last.version } : null;
    }
    expect(paged).toEqual(every);
    expect(v(await p.scanSeries([], false, { key: A, n: 2 }, 10))).toEqual([`${B}/0`, `${C}/4`]);
    expect(v(await p.scanSeries([{ pos: 0, value: "p1" }], false, null, 10))).toEqual([`${A}/2`, `${B}/0`]);
    expect(v(await p.scanSeries([{ pos: 1, value: 1 }], true, null, 10))).toEqual([
      `${A}/2`,
      `${A}/1`,
      `${A}/0`,
      `${C}/4`,
      `${C}/1`,
    ]);
  });

  test("dropSeries removes one version or every version", async (p) => {
    await defined(p, VERSIONED);
    await put(p, { series: [sw(A, 0), sw(A, 1), sw(B, 0)] });
    await put(p, { dropSeries: [{ key: A, version: 1 }] }, NOW + 1);
    expect((await p.series(A)).map((s) => s.version)).toEqual([0]);
    expect(await p.maxVersion(A)).toBe(0);
    await put(p, { dropSeries: [{ key: A }, { key: C }] }, NOW + 2);
    expect(await p.series(A)).toEqual([]);
    expect(await p.hasSeries(A)).toBe(false);
    expect(await p.keys([], null, 10)).toEqual([B]);
  });
}
