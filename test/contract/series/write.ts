/** Commits: all or nothing, the change sequence, updated_at, the cursor's compare-and-set. */
import { expect } from "vitest";
import { StoreError } from "../../../src/storage/errors.ts";
import { bytes, codeOf, cw, defined, feedAll, k, NOW, put, type SeriesCase, US, VERSIONED } from "./support.ts";

export const WRITE_LABEL = "writes";

const A = k("a", 1);
const B = k("b", 2);
const SOURCE = {
  name: "up",
  url: "https://example.test/ts/p/s/",
  protocol: "hayloft",
  filters: {},
  everySeconds: 0,
} as const;

export function writeCases(test: SeriesCase): void {
  test("each chunk a commit writes takes the next seq, in plan order; the commit reports the last", async (p) => {
    await defined(p);
    const c = await p.write(NOW, async (reads) => {
      expect(await reads.chunks(A, 0, 100)).toEqual([]);
      return { plan: { chunks: [cw(B, 5), cw(A, 7), cw(A, 6)] }, result: { mine: "kept" } };
    });
    expect(c).toEqual({ mine: "kept", seq: 3, atUs: US });
    expect(await p.sequence()).toBe(3);
    expect(await feedAll(p)).toEqual([`${B}@5#1`, `${A}@7#2`, `${A}@6#3`]);
    const stored = await p.chunk(A, 7);
    expect(stored).toEqual({ ...cw(A, 7), updatedUs: US, seq: 2 });
    const next = await put(p, { chunks: [cw(B, 6)] }, NOW + 1);
    expect(next.seq).toBe(4);
  });

  test("a commit writing no chunk takes no seq", async (p) => {
    await defined(p, VERSIONED);
    await put(p, { chunks: [cw(A, 1)] });
    const c = await put(p, { series: [{ key: A, version: 0, count: 0, index: bytes(0), values: bytes(0) }] }, NOW + 1);
    expect(c.seq).toBe(1);
    expect(await p.sequence()).toBe(1);
  });

  test("updatedUs: a given one is kept, else the commit's; every commit's time is distinct and rising", async (p) => {
    await defined(p);
    expect((await put(p, { chunks: [cw(A, 1)] }, NOW)).atUs).toBe(US);
    // The clock did not move, then went back: still 1 µs after the last commit.
    expect((await put(p, { chunks: [cw(A, 2)] }, NOW)).atUs).toBe(US + 1);
    expect((await put(p, { chunks: [cw(A, 3)] }, NOW - 5000)).atUs).toBe(US + 2);
    const pulled = await put(p, { chunks: [cw(A, 4, { updatedUs: 123 }), cw(A, 5)] }, NOW + 7);
    expect(pulled.atUs).toBe(US + 7000);
    expect((await p.chunk(A, 4))?.updatedUs).toBe(123);
    expect((await p.chunk(A, 5))?.updatedUs).toBe(US + 7000);
    expect((await p.chunk(A, 2))?.updatedUs).toBe(US + 1);
  });

  test("an upsert replaces the chunk, bytes and flags, under a new seq", async (p) => {
    await defined(p);
    await put(p, { chunks: [cw(A, 1), cw(A, 2)] });
    const data = bytes(40, 99);
    await put(p, { chunks: [cw(A, 1, { data, startMs: 42, dtype: "float32" })] }, NOW + 1);
    expect(await p.chunk(A, 1)).toEqual({
      key: A,
      chunkIndex: 1,
      startMs: 42,
      dtype: "float32",
      data,
      deleted: false,
      updatedUs: US + 1000,
      seq: 3,
    });
    expect(await feedAll(p)).toEqual([`${A}@2#2`, `${A}@1#3`]);
    await put(p, { chunks: [cw(A, 1, { data: bytes(0), deleted: true })] }, NOW + 2);
    expect(await p.chunk(A, 1)).toMatchObject({ deleted: true, data: new Uint8Array(0), seq: 4 });
  });

  test("work that throws changes nothing", async (p) => {
    await defined(p);
    await put(p, { chunks: [cw(A, 1)] });
    const boom = p.write(NOW + 1, async (reads) => {
      await reads.chunks(A, 0, 10);
      throw new Error("boom");
    });
    await expect(boom).rejects.toThrow("boom");
    const refused = p.write(NOW + 1, async () => {
      throw new StoreError("invalid", "bad body");
    });
    expect(await codeOf(refused)).toBe("invalid");
    expect(await p.sequence()).toBe(1);
    expect(await feedAll(p)).toEqual([`${A}@1#1`]);
    // The failed commits did not take a time either.
    expect((await put(p, { chunks: [cw(A, 2)] })).atUs).toBe(US + 1);
  });

  test("a cursor that moved fails the whole commit with conflict, rows and all", async (p) => {
    await defined(p);
    await p.putSource(SOURCE, NOW);
    await put(p, { chunks: [cw(A, 1)], cursor: { source: "up", expect: null, next: "1" } });
    expect((await p.sources())[0]?.state.cursor).toBe("1");
    const stale = put(p, {
      chunks: [cw(A, 2), cw(B, 3)],
      dropChunks: [{ key: A, chunkIndex: 1 }],
      series: [{ key: B, version: 0, count: 1, index: bytes(8), values: bytes(8) }],
      cursor: { source: "up", expect: null, next: "3" },
    });
    expect(await codeOf(stale)).toBe("conflict");
    expect(await p.sequence()).toBe(1);
    expect(await feedAll(p)).toEqual([`${A}@1#1`]);
    expect(await p.series(B)).toEqual([]);
    expect((await p.sources())[0]?.state.cursor).toBe("1");
    // A cursor of a source that is not there: not_found, nothing written.
    const gone = put(p, { chunks: [cw(A, 2)], cursor: { source: "nope", expect: null, next: "1" } });
    expect(await codeOf(gone)).toBe("not_found");
    expect(await p.sequence()).toBe(1);
    // From the cursor it holds, the next page goes through.
    const c = await put(p, { chunks: [cw(A, 2)], cursor: { source: "up", expect: "1", next: "2" } });
    expect(c.seq).toBe(2);
    expect((await p.sources())[0]?.state.cursor).toBe("2");
  });

  test("concurrent writes are serialised: each one's reads see every earlier commit", async (p) => {
    await defined(p, VERSIONED);
    const n = 6;
    // Each appends a byte to one chunk and takes max+1 as a new version: a lost update or a
    // duplicate version would show.
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        p.write(NOW + i, async (reads) => {
          const [old] = await reads.chunks(A, 0, 0);
          const data = new Uint8Array([...(old?.data ?? []), i]);
          const v = (await reads.maxVersion(B)) + 1;
          return {
            plan: {
              chunks: [cw(A, 0, { data })],
              series: [{ key: B, version: v, count: 1, index: bytes(8), values: bytes(8) }],
            },
            result: {},
          };
        }),
      ),
    );
    expect((await p.chunk(A, 0))?.data.length).toBe(n);
    expect([...((await p.chunk(A, 0))?.data ?? [])].sort()).toEqual(Array.from({ length: n }, (_, i) => i));
    expect((await p.series(B)).map((s) => s.version)).toEqual([5, 4, 3, 2, 1, 0]);
    expect(await p.sequence()).toBe(n);
    expect((await p.chunk(A, 0))?.seq).toBe(n);
  });

  test("plans a store cannot hold as given are refused before anything is written", async (p) => {
    await defined(p);
    const bad = [
      { chunks: [cw(A, 1), cw(A, 1)] },
      { chunks: [cw(A, 1.5)] },
      { chunks: [cw(A, 1, { dtype: "float16" as never })] },
      { chunks: [cw("", 1)] },
      { chunks: [cw("a", 1)] },
      { chunks: [cw('[ "a", 1]', 1)] },
      { chunks: [cw('{"a":1}', 1)] },
      { chunks: [cw(A, 2 ** 31)] },
      { chunks: [cw(A, 1, { updatedUs: -1 })] },
      { chunks: [cw(A, 1, { data: [1, 2] as never })] },
      { series: [{ key: A, version: -1, count: 0, index: bytes(0), values: bytes(0) }] },
      { dropSeries: [{ key: A, version: 0.5 }] },
    ];
    for (const plan of bad) expect(await codeOf(put(p, plan))).toBe("invalid");
    expect(await p.sequence()).toBe(0);
    expect(await p.keys([], null, 10)).toEqual([]);
  });

  test("dropChunks removes chunks outright and takes no seq", async (p) => {
    await defined(p);
    await put(p, { chunks: [cw(A, 1), cw(A, 2)] });
    const c = await put(
      p,
      {
        dropChunks: [
          { key: A, chunkIndex: 1 },
          { key: B, chunkIndex: 9 },
        ],
      },
      NOW + 1,
    );
    expect(c.seq).toBe(2);
    expect(await p.chunk(A, 1)).toBeNull();
    expect(await feedAll(p)).toEqual([`${A}@2#2`]);
    expect(await p.hasSeries(A)).toBe(true);
    await put(p, { dropChunks: [{ key: A, chunkIndex: 2 }] }, NOW + 2);
    expect(await p.hasSeries(A)).toBe(false);
  });

  test("drops apply before upserts, so a commit may drop and rewrite one chunk", async (p) => {
    await defined(p);
    await put(p, { chunks: [cw(A, 1)] });
    const data = bytes(8, 5);
    await put(p, { dropChunks: [{ key: A, chunkIndex: 1 }], chunks: [cw(A, 1, { data })] }, NOW + 1);
    expect((await p.chunk(A, 1))?.data).toEqual(data);
  });

  test("a tombstone is a chunk: it takes a seq and is served by chunk and chunks, not by scans", async (p) => {
    await defined(p);
    await put(p, { chunks: [cw(A, 1), cw(A, 2)] });
    await put(p, {
      chunks: [cw(A, 1, { deleted: true, data: bytes(0) }), cw(A, 2, { deleted: true, data: bytes(0) })],
    });
    expect(await p.sequence()).toBe(4);
    expect((await p.chunks(A, 0, 10)).map((c) => [c.chunkIndex, c.deleted])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(await p.hasSeries(A)).toBe(false);
    expect(await p.keys([], null, 10)).toEqual([]);
    expect(await p.scanChunks([], 0, 10, null, 10)).toEqual([]);
    expect(await p.lastChunk([])).toBeNull();
    expect((await p.feed(2, 10, [], false)).map((c) => c.deleted)).toEqual([true, true]);
  });
}
