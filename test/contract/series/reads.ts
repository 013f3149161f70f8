/** Reading chunks: by series, scans with partial keys and ranges, the last chunk, the keys. */
import { expect } from "vitest";
import type { KeyMatch } from "../../../src/series/model.ts";
import type { SeriesPort } from "../../../src/storage/series-port.ts";
import { bytes, cw, defined, k, NOW, put, type SeriesCase, sw, VERSIONED } from "./support.ts";

export const READS_LABEL = "reads";

/** One series per key type mix: int, str, bool and date positions. */
const K1 = k("a", 1, true, "2024-01-01");
const K2 = k("a", 2, false, "2024-01-02");
const K3 = k("1", 1, true, "2024-01-01");
const K4 = k("b", 10, false, "2024-01-01");
const K5 = k('é "q" \\ ✓', 1, true, "2024-02-01");
const ALL = [K1, K2, K3, K4, K5];

async function seed(p: SeriesPort): Promise<void> {
  await defined(p);
  await put(p, { chunks: ALL.flatMap((key, i) => [cw(key, 100 + i), cw(key, 200 + i)]) });
}

const scanKeys = async (p: SeriesPort, m: KeyMatch) =>
  [...new Set((await p.scanChunks(m, 0, 1000, null, 100)).map((c) => c.key))].sort();
const sorted = (...keys: string[]) => [...keys].sort();

export function readsCases(test: SeriesCase): void {
  test("chunks lists one series' chunks in index order within inclusive bounds", async (p) => {
    await defined(p);
    const A = k("a", 1);
    await put(p, { chunks: [cw(A, 5), cw(A, 2), cw(A, 9), cw(k("a", 2), 3)] });
    await put(p, { chunks: [cw(A, 9, { deleted: true, data: bytes(0) })] }, NOW + 1);
    expect((await p.chunks(A, 2, 9)).map((c) => [c.chunkIndex, c.deleted])).toEqual([
      [2, false],
      [5, false],
      [9, true],
    ]);
    expect((await p.chunks(A, 3, 8)).map((c) => c.chunkIndex)).toEqual([5]);
    expect(await p.chunks(A, 10, 20)).toEqual([]);
    expect((await p.chunks(A, 5, 5))[0]).toEqual({ ...cw(A, 5), updatedUs: NOW * 1000, seq: 1 });
  });

  test("partial keys match by position, value and type: int 1 is not '1' nor true", async (p) => {
    await seed(p);
    expect(await scanKeys(p, [])).toEqual(sorted(...ALL));
    expect(await scanKeys(p, [{ pos: 1, value: 1 }])).toEqual(sorted(K1, K3, K5));
    expect(await scanKeys(p, [{ pos: 0, value: "1" }])).toEqual([K3]);
    expect(await scanKeys(p, [{ pos: 0, value: 1 }])).toEqual([]);
    expect(await scanKeys(p, [{ pos: 2, value: true }])).toEqual(sorted(K1, K3, K5));
    expect(await scanKeys(p, [{ pos: 2, value: false }])).toEqual(sorted(K2, K4));
    expect(await scanKeys(p, [{ pos: 2, value: 1 }])).toEqual([]);
    expect(await scanKeys(p, [{ pos: 1, value: true }])).toEqual([]);
    expect(await scanKeys(p, [{ pos: 3, value: "2024-01-01" }])).toEqual(sorted(K1, K3, K4));
    expect(
      await scanKeys(p, [
        { pos: 0, value: "a" },
        { pos: 3, value: "2024-01-01" },
      ]),
    ).toEqual([K1]);
    expect(await scanKeys(p, [{ pos: 0, value: 'é "q" \\ ✓' }])).toEqual([K5]);
    expect(await scanKeys(p, [{ pos: 1, value: 10 }])).toEqual([K4]);
    expect(await scanKeys(p, [{ pos: 7, value: "a" }])).toEqual([]);
    // The same matching everywhere a match is taken.
    const m: KeyMatch = [{ pos: 1, value: 2 }];
    expect(await p.keys(m, null, 10)).toEqual([K2]);
    expect((await p.feed(0, 100, m, false)).map((c) => c.key)).toEqual([K2, K2]);
    expect((await p.updates(0, 100, 0, m)).count).toBe(2);
    expect((await p.lastChunk(m))?.chunkIndex).toBe(201);
  });

  test("scanChunks pages by (key, chunkIndex) within the range, live chunks only", async (p) => {
    await seed(p);
    await put(p, { chunks: [cw(K2, 101, { deleted: true, data: bytes(0) })] }, NOW + 1);
    const want = (await p.scanChunks([], 0, 1000, null, 100)).map((c) => `${c.key}@${c.chunkIndex}`);
    const expected = ALL.flatMap((key, i) => [`${key}@${100 + i}`, `${key}@${200 + i}`])
      .filter((x) => x !== `${K2}@101`)
      .sort((a, b) => {
        const [ka, ia] = [a.slice(0, a.lastIndexOf("@")), Number(a.slice(a.lastIndexOf("@") + 1))];
        const [kb, ib] = [b.slice(0, b.lastIndexOf("@")), Number(b.slice(b.lastIndexOf("@") + 1))];
        return ka < kb ? -1 : ka > kb ? 1 : ia - ib;
      });
    expect(want).toEqual(expected);
    const paged: string[] = [];
    let after = null;
    for (;;) {
      const page = await p.scanChunks([], 0, 1000, after, 3);
      if (page.length === 0) break;
      expect(page.length).toBeLessThanOrEqual(3);
      paged.push(...page.map((c) => `${c.key}@${c.chunkIndex}`));
      const last = page[page.length - 1];
      after = last ? { key: last.key, n: last.chunkIndex } : null;
    }
    expect(paged).toEqual(want);
    const inRange = await p.scanChunks([], 101, 200, null, 100);
    expect(inRange.map((c) => c.chunkIndex).sort()).toEqual([100 + 2, 100 + 3, 100 + 4, 200]);
    expect(await p.scanChunks([], 0, 1000, null, 0)).toEqual([]);
  });

  test("lastChunk is the live chunk with the highest index among the matching series", async (p) => {
    await seed(p);
    expect((await p.lastChunk([]))?.chunkIndex).toBe(204);
    expect((await p.lastChunk([{ pos: 0, value: "a" }]))?.key).toBe(K2);
    await put(p, { chunks: [cw(K2, 201, { deleted: true, data: bytes(0) })] }, NOW + 1);
    expect(await p.lastChunk([{ pos: 0, value: "a" }])).toEqual({ ...cw(K1, 200), updatedUs: NOW * 1000, seq: 2 });
    expect(await p.lastChunk([{ pos: 0, value: "zz" }])).toBeNull();
  });

  test("keys pages in key order over live chunks and irregular series", async (p) => {
    await defined(p, VERSIONED);
    const keys = [k("x", 3), k("x", 10), k("y", 1), k("a", 1)];
    await put(p, {
      chunks: [cw(keys[0] as string, 1), cw(keys[1] as string, 1)],
      series: [sw(keys[2] as string, 0), sw(keys[2] as string, 1), sw(keys[3] as string, 0)],
    });
    await put(p, { chunks: [cw(k("dead", 1), 1, { deleted: true, data: bytes(0) })] }, NOW + 1);
    const all = [...keys].sort();
    expect(await p.keys([], null, 10)).toEqual(all);
    expect(await p.keys([], null, 2)).toEqual(all.slice(0, 2));
    expect(await p.keys([], all[1] as string, 2)).toEqual(all.slice(2, 4));
    expect(await p.keys([], all[3] as string, 2)).toEqual([]);
    expect(await p.keys([{ pos: 0, value: "x" }], null, 10)).toEqual([k("x", 10), k("x", 3)]);
    expect(await p.hasSeries(k("y", 1))).toBe(true);
    expect(await p.hasSeries(k("dead", 1))).toBe(false);
  });
}
