/** Sizes: blobs past DO SQLite's 2 MB row limit round-trip; past the store's own limit they are refused. */
import { expect } from "vitest";
import { MAX_SERIES_BLOB_BYTES } from "../../../src/storage/rules/series-plan.ts";
import type { StoredChunk } from "../../../src/storage/series-port.ts";
import { bytes, codeOf, cw, defined, k, messageOf, NOW, put, type SeriesCase, sameBytes } from "./support.ts";

export const LIMITS_LABEL = "limits";

const A = k("a", 1);

export function limitsCases(test: SeriesCase): void {
  test("a chunk and a series over 2 MB come back whole from every read", async (p) => {
    await defined(p);
    const big = bytes(3 * 1024 * 1024 + 17, 7);
    const index = bytes(2_500_000, 8);
    const values = bytes(1024 * 1024, 9);
    await put(p, {
      chunks: [cw(A, 3, { data: big }), cw(A, 4)],
      series: [{ key: A, version: 0, count: 9, index, values }],
    });
    expect(sameBytes((await p.chunk(A, 3))?.data, big)).toBe(true);
    expect(sameBytes((await p.chunks(A, 3, 3))[0]?.data, big)).toBe(true);
    expect(sameBytes((await p.scanChunks([], 0, 10, null, 10))[0]?.data, big)).toBe(true);
    expect((await p.lastChunk([]))?.chunkIndex).toBe(4);
    const [fed] = await p.feed(0, 1, [], true);
    expect(fed?.chunkIndex).toBe(3);
    // Asked with data, the feed gives whole chunks.
    expect(sameBytes((fed as StoredChunk | undefined)?.data, big)).toBe(true);
    const [s] = await p.series(A);
    expect(sameBytes(s?.index, index)).toBe(true);
    expect(sameBytes(s?.values, values)).toBe(true);
    // Rewritten small, then big again shorter: no part of an older blob lingers.
    const small = bytes(10, 3);
    await put(p, { chunks: [cw(A, 3, { data: small })] }, NOW + 1);
    expect(sameBytes((await p.chunk(A, 3))?.data, small)).toBe(true);
    const shorter = bytes(2 * 1024 * 1024 + 1, 4);
    await put(p, { chunks: [cw(A, 3, { data: shorter })] }, NOW + 2);
    expect(sameBytes((await p.chunk(A, 3))?.data, shorter)).toBe(true);
    await put(p, { dropChunks: [{ key: A, chunkIndex: 3 }], dropSeries: [{ key: A }] }, NOW + 3);
    expect(await p.chunk(A, 3)).toBeNull();
    await put(
      p,
      { chunks: [cw(A, 3, { data: small })], series: [{ key: A, version: 0, count: 1, index: small, values: small }] },
      NOW + 4,
    );
    expect(sameBytes((await p.chunk(A, 3))?.data, small)).toBe(true);
    expect((await p.series(A, 0))[0]?.index).toEqual(small);
  });

  test("a blob over the store's limit is refused with a clear message, nothing written", async (p) => {
    await defined(p);
    const huge = new Uint8Array(MAX_SERIES_BLOB_BYTES + 1);
    const plan = { chunks: [cw(A, 1), cw(A, 2, { data: huge })] };
    expect(await codeOf(put(p, plan))).toBe("invalid");
    expect(await messageOf(put(p, plan))).toMatch(/over the \d+-byte limit/);
    expect(await p.sequence()).toBe(0);
    const series = { series: [{ key: A, version: 0, count: 0, index: new Uint8Array(0), values: huge }] };
    expect(await codeOf(put(p, series))).toBe("invalid");
    expect(await p.series(A)).toEqual([]);
  });

  test("pages, offsets and key filters out of bounds are refused", async (p) => {
    await defined(p);
    expect(await codeOf(p.feed(0, -1, [], false))).toBe("invalid");
    expect(await codeOf(p.updates(0, 10, 1.5, []))).toBe("invalid");
    expect(await codeOf(p.updates(0.5, 10, 0, []))).toBe("invalid");
    expect(await codeOf(p.feed(1.5, 10, [], false))).toBe("invalid");
    expect(await codeOf(p.scanChunks([], 0, Number.NaN, null, 10))).toBe("invalid");
    expect(await codeOf(p.keys([{ pos: 1000, value: "a" }], null, 10))).toBe("invalid");
    expect(await codeOf(p.keys([{ pos: -1, value: "a" }], null, 10))).toBe("invalid");
    expect(await codeOf(p.keys([{ pos: 0, value: Number.NaN }], null, 10))).toBe("invalid");
    const many = Array.from({ length: 40 }, (_, i) => ({ pos: i, value: i }));
    expect(await codeOf(p.scanChunks(many, 0, 10, null, 10))).toBe("invalid");
  });
}
