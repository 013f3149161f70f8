/**
 * The series store on Upstash beyond the shared contract: the paths only its request bound and
 * its optimistic commits take (staged blobs and programs, lost races), negative chunk indexes in
 * its member order, and what a drop leaves behind.
 */
import { describe, expect, it } from "vitest";
import type { SeriesPort } from "../../src/storage/series-port.ts";
import { seriesBase } from "../../src/storage/upstash/keys.ts";
import { upstashSeriesPort } from "../../src/storage/upstash/series.ts";
import { bytes, CHUNKED, cw, k, NOW, put, sameBytes, sw, VERSIONED } from "../contract/series/support.ts";
import { testUpstash } from "../support/upstash.ts";

const u = testUpstash();

function open(): { p: SeriesPort; base: string } {
  const project = `u-${crypto.randomUUID()}`;
  return { p: upstashSeriesPort(u, project, "s"), base: seriesBase(u.target.keyPrefix, project, "s") };
}

/** Every key under `base`, by SCAN. */
async function keysUnder(base: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await u.redis.scan(cursor, { match: `${base}:*`, count: 1000 });
    out.push(...keys);
    cursor = String(next);
  } while (cursor !== "0");
  return out.sort();
}

const A = k("a", 1);
const B = k("b", 2);

/** Runs `fn` recording the largest request body the client sends. */
async function largestRequest(fn: () => Promise<void>): Promise<number> {
  const real = globalThis.fetch;
  let most = 0;
  globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const body = init?.body;
    if (typeof body === "string") most = Math.max(most, new TextEncoder().encode(body).byteLength);
    return real(input, init);
  }) as typeof fetch;
  try {
    await fn();
  } finally {
    globalThis.fetch = real;
  }
  return most;
}

describe("upstash series store", () => {
  it("round-trips blobs larger than one request, leaving no staged key behind", async () => {
    const { p, base } = open();
    await p.define(VERSIONED, NOW);
    // 200 kB of bytes is ~270 kB of base64: over the 64 KiB test bound, so each is staged.
    const big = bytes(200_000, 3);
    const index = bytes(150_000, 4);
    const values = bytes(90_000, 5);
    // Two chunks holding the same bytes: each gets a staged copy of its own.
    await put(p, {
      chunks: [cw(A, 1, { data: big }), cw(A, 2, { data: big }), cw(A, 3)],
      series: [{ key: B, version: 0, count: 2, index, values }],
    });
    expect(sameBytes((await p.chunk(A, 1))?.data, big)).toBe(true);
    expect(sameBytes((await p.chunk(A, 2))?.data, big)).toBe(true);
    const [s] = await p.series(B);
    expect(sameBytes(s?.index, index)).toBe(true);
    expect(sameBytes(s?.values, values)).toBe(true);
    expect((await keysUnder(base)).filter((x) => x.includes(":stage:"))).toEqual([]);
  });

  it("commits a plan larger than one request as one program", async () => {
    const { p } = open();
    await p.define(CHUNKED, NOW);
    const chunks = Array.from({ length: 400 }, (_, i) => cw(k("site", i % 7), i, { data: bytes(300, i) }));
    const c = await put(p, { chunks });
    expect(c.seq).toBe(400);
    const fed = await p.feed(0, 1000, [], true);
    expect(fed.map((x) => x.seq)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(fed.every((x, i) => "data" in x && sameBytes(x.data, bytes(300, i)))).toBe(true);
  });

  it("concurrent writers each land with distinct, gapless seqs", async () => {
    const { p } = open();
    await p.define(CHUNKED, NOW);
    const n = 8;
    const done = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        p.write(NOW + i, async (reads) => {
          // Reads inside the work, so a lost race replans over the newer state.
          await reads.chunks(k("w", i), 0, 10);
          return { plan: { chunks: [cw(k("w", i), 0), cw(k("w", i), 1)] }, result: { i } };
        }),
      ),
    );
    const ends = done.map((d) => d.seq).sort((a, b) => a - b);
    expect(ends).toEqual(Array.from({ length: n }, (_, i) => 2 * (i + 1)));
    expect(new Set(done.map((d) => d.atUs)).size).toBe(n);
    const seqs = (await p.feed(0, 100, [], false)).map((c) => c.seq);
    expect(seqs).toEqual(Array.from({ length: 2 * n }, (_, i) => i + 1));
    // Each writer's two chunks took consecutive seqs.
    for (const d of done) {
      expect((await p.chunk(k("w", d.i), 0))?.seq).toBe(d.seq - 1);
      expect((await p.chunk(k("w", d.i), 1))?.seq).toBe(d.seq);
    }
  });

  it("orders negative chunk indexes before positive ones", async () => {
    const { p } = open();
    await p.define(CHUNKED, NOW);
    const idx = [3, -1, 0, -(2 ** 31), 2 ** 31 - 1, -7];
    await put(p, { chunks: idx.map((i) => cw(A, i)) });
    const sorted = [...idx].sort((a, b) => a - b);
    expect((await p.chunks(A, -(2 ** 40), 2 ** 40)).map((c) => c.chunkIndex)).toEqual(sorted);
    expect((await p.chunks(A, -7, 0)).map((c) => c.chunkIndex)).toEqual([-7, -1, 0]);
    expect((await p.scanChunks([], -10, 10, { key: A, n: -1 }, 10)).map((c) => c.chunkIndex)).toEqual([0, 3]);
    expect((await p.lastChunk([]))?.chunkIndex).toBe(2 ** 31 - 1);
    expect((await p.chunk(A, -(2 ** 31)))?.chunkIndex).toBe(-(2 ** 31));
  });

  it("drop leaves no key of the store but its counters, and the store starts afresh", async () => {
    const { p, base } = open();
    await p.define(VERSIONED, NOW);
    await p.putSource({ name: "up", url: "https://x.test/", protocol: "hayloft", filters: {}, everySeconds: 0 }, NOW);
    await put(p, {
      chunks: [cw(A, 1, { data: bytes(100_000) }), cw(A, 2), cw(A, 3, { deleted: true, data: bytes(0) })],
      series: [sw(B, 0), sw(B, 1)],
    });
    expect((await keysUnder(base)).length).toBeGreaterThan(5);
    await p.drop();
    expect(await keysUnder(base)).toEqual([`${base}:meta`]);
    await p.define(CHUNKED, NOW);
    const c = await put(p, { chunks: [cw(A, 1)] });
    // Three chunks took seqs 1-3 before the drop; the sequence goes on from there.
    expect(c.seq).toBe(4);
    expect((await p.feed(0, 10, [], false)).map((x) => x.seq)).toEqual([4]);
    expect(await p.keys([], null, 10)).toEqual([A]);
  });

  it("keeps every request under the bound, with long keys, many chunks and big blobs", async () => {
    const { p, base } = open();
    await p.define(CHUNKED, NOW);
    // Keys of ~1.5 kB: a page of a thousand members would be 1.5 MB of request.
    const long = (i: number) => k(`${"é".repeat(700)}-${i}`, i);
    const most = await largestRequest(async () => {
      await put(p, { chunks: Array.from({ length: 120 }, (_, i) => cw(long(i), i)) });
      await put(p, { chunks: [cw(A, 1, { data: bytes(300_000, 9) })] }, NOW + 1);
      expect(await p.feed(0, 1000, [], true)).toHaveLength(121);
      expect((await p.scanChunks([{ pos: 1, value: 7 }], 0, 1000, null, 10)).map((c) => c.key)).toEqual([long(7)]);
      expect(await p.keys([], null, 1000)).toHaveLength(121);
      expect((await p.updates(0, 1000, 0, [])).count).toBe(121);
      await put(p, { dropChunks: Array.from({ length: 120 }, (_, i) => ({ key: long(i), chunkIndex: i })) }, NOW + 2);
      expect(await p.keys([], null, 1000)).toEqual([A]);
      await p.drop();
    });
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(u.target.maxRequestBytes);
    expect(await keysUnder(base)).toEqual([`${base}:meta`]);
  });
});
