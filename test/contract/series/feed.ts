/** The two sync listings: the native feed (by seq) and HoLcStore's updates (by updated_at). */
import { expect } from "vitest";
import type { ChunkHead } from "../../../src/storage/series-port.ts";
import { bytes, cw, defined, k, NOW, put, type SeriesCase, US } from "./support.ts";

export const FEED_LABEL = "sync listings";

const A = k("a", 1);
const B = k("b", 1);

const at = (c: ChunkHead) => `${c.key}@${c.chunkIndex}`;

export function feedCases(test: SeriesCase): void {
  test("feed pages by seq, after is exclusive, and every change is served once", async (p) => {
    await defined(p);
    await put(p, { chunks: [cw(A, 1), cw(B, 1), cw(A, 2)] });
    await put(p, { chunks: [cw(A, 1, { data: bytes(4) }), cw(B, 2)] }, NOW + 1);
    expect(await p.sequence()).toBe(5);
    const seen: number[] = [];
    let after = 0;
    for (;;) {
      const page = await p.feed(after, 2, [], false);
      if (page.length === 0) break;
      seen.push(...page.map((c) => c.seq));
      after = page[page.length - 1]?.seq ?? after;
    }
    // Seq 1 was A@1, since rewritten as seq 4: the feed holds each chunk's latest change.
    expect(seen).toEqual([2, 3, 4, 5]);
    const heads = await p.feed(3, 10, [], false);
    expect(heads.map(at)).toEqual([`${A}@1`, `${B}@2`]);
    expect(heads[0]).toEqual({
      key: A,
      chunkIndex: 1,
      startMs: NOW + 1000,
      dtype: "float64",
      deleted: false,
      updatedUs: US + 1000,
      seq: 4,
    });
    expect("data" in (heads[0] as object)).toBe(false);
    const full = await p.feed(3, 1, [], true);
    expect(full).toEqual([{ ...heads[0], data: bytes(4) }]);
    expect((await p.feed(0, 10, [{ pos: 0, value: "b" }], false)).map((c) => c.seq)).toEqual([2, 5]);
    expect(await p.feed(5, 10, [], true)).toEqual([]);
  });

  test("updates: inclusive since, by (updatedUs, key, chunkIndex), with the count of all matching", async (p) => {
    await defined(p);
    await put(p, { chunks: [cw(B, 1), cw(A, 2), cw(A, 1)] }, NOW);
    await put(p, { chunks: [cw(B, 3), cw(A, 3, { deleted: true, data: bytes(0) })] }, NOW + 1);
    // A pulled chunk keeps its server's time, older than anything here.
    await put(p, { chunks: [cw(B, 9, { updatedUs: US - 50 })] }, NOW + 2);
    const all = await p.updates(0, 100, 0, []);
    expect(all.count).toBe(6);
    expect(all.rows.map(at)).toEqual([`${B}@9`, `${A}@1`, `${A}@2`, `${B}@1`, `${A}@3`, `${B}@3`]);
    expect(all.rows.map((r) => r.updatedUs)).toEqual([US - 50, US, US, US, US + 1000, US + 1000]);
    expect(all.rows[4]?.deleted).toBe(true);
    expect("data" in (all.rows[0] as object)).toBe(false);
    // `since` is inclusive: equal to a commit's time, that commit is in.
    const since = await p.updates(US + 1000, 100, 0, []);
    expect(since).toEqual({ count: 2, rows: all.rows.slice(4) });
    const page = await p.updates(US, 2, 1, []);
    expect(page).toEqual({ count: 5, rows: all.rows.slice(2, 4) });
    expect(await p.updates(US, 2, 10, [])).toEqual({ count: 5, rows: [] });
    expect(await p.updates(US + 1001, 10, 0, [])).toEqual({ count: 0, rows: [] });
    const onlyB = await p.updates(0, 100, 0, [{ pos: 0, value: "b" }]);
    expect(onlyB.rows.map(at)).toEqual([`${B}@9`, `${B}@1`, `${B}@3`]);
    expect(onlyB.count).toBe(3);
  });

  test("sequence is the seq of the store's last commit", async (p) => {
    await defined(p);
    expect(await p.sequence()).toBe(0);
    await put(p, { chunks: [cw(A, 1), cw(A, 2)] });
    expect(await p.sequence()).toBe(2);
    await put(p, { dropChunks: [{ key: A, chunkIndex: 1 }] }, NOW + 1);
    expect(await p.sequence()).toBe(2);
  });
}
