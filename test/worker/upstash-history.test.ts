/**
 * History and priority arrays on Upstash where the store contract does not reach: the bucket
 * layout (src/storage/upstash/point-keys.ts), writes far over the request bound (staged, still one
 * atomic step), removal deleting every key a point owned, and writes racing a removal. Real Redis
 * through the REST stand-in, with the 64 KiB test request bound.
 */
import { describe, expect, it } from "vitest";
import { HDict, HNumber, HRef, MARKER } from "../../src/haystack/kinds/index.ts";
import type { StoreError } from "../../src/storage/errors.ts";
import { type HisValue, hisValueAt } from "../../src/storage/his-page.ts";
import type { HisItem, ProjectStore } from "../../src/storage/ports.ts";
import { haystackBase } from "../../src/storage/upstash/keys.ts";
import { BUCKET_MS, bucketOf, pointKeys } from "../../src/storage/upstash/point-keys.ts";
import { upstashStore } from "../../src/storage/upstash/project.ts";
import { testUpstash } from "../support/upstash.ts";

const u = testUpstash();
const T0 = Date.UTC(2024, 0, 1);

function open(bound = u): { s: ProjectStore; base: string } {
  const project = `h-${crypto.randomUUID()}`;
  return { s: upstashStore(bound, project), base: haystackBase(u.target.keyPrefix, project) };
}

function point(id: string): HDict {
  return HDict.of({ id: new HRef(id), point: MARKER, his: MARKER, writable: MARKER, kind: "Number" });
}

async function readAll(s: ProjectStore, id: string, start = 0, end = 8.64e15, pageRows?: number) {
  const out: [number, HisValue][] = [];
  const sizes: number[] = [];
  for await (const p of s.history.read(id, { start, end }, pageRows)) {
    sizes.push(p.count);
    for (let i = 0; i < p.count; i++) out.push([p.ts[i] as number, hisValueAt(p, i)]);
  }
  return { out, sizes };
}

/** Every key of the project but its records, indexes and change feed: what a point's data left. */
async function pointDataKeys(base: string): Promise<string[]> {
  const keys = await u.redis.keys(`${base}:*`);
  return keys.filter((k) => /:(hm|hb|pa|stage):/.test(k)).sort();
}

describe("upstash history", () => {
  it("keeps samples in one sorted set per bucket and reads across bucket edges in full pages", async () => {
    const { s, base } = open();
    await s.entities.commit({ op: "add", rows: [point("p")], nowMs: T0 });
    const edge = bucketOf(T0) + BUCKET_MS;
    // Samples on both sides of two bucket edges, and one far back (before 1970).
    const times = [edge - 2, edge - 1, edge, edge + 1, edge + BUCKET_MS - 1, edge + BUCKET_MS, -86_400_000 * 365];
    const items: HisItem[] = times.map((ts, i) => ({ ts, val: i % 2 ? new HNumber(i, "kW|x") : `s|${i}|😀` }));
    expect((await s.history.write([{ id: "p", items }])).count).toBe(times.length);
    const pk = pointKeys(base);
    const buckets = [...new Set(times.map(bucketOf))].sort((a, b) => a - b);
    expect(await pointDataKeys(base)).toEqual([pk.hisMeta("p"), ...buckets.map((b) => pk.hisBucket("p", b))].sort());
    expect(JSON.parse((await u.redis.get<string>(pk.hisMeta("p"))) as string)).toEqual({
      buckets,
      newest: edge + BUCKET_MS,
    });
    const sorted = items.slice().sort((a, b) => a.ts - b.ts);
    // Pages of 2 fill across bucket edges: every page but the last is full.
    const all = await readAll(s, "p", -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 2);
    expect(all.sizes).toEqual([2, 2, 2, 1]);
    expect(all.out).toEqual(sorted.map((it) => [it.ts, it.val]));
    // A span ending exactly on an edge excludes the edge; one starting on it includes it.
    expect((await readAll(s, "p", edge - 1, edge)).out.map(([t]) => t)).toEqual([edge - 1]);
    expect((await readAll(s, "p", edge, edge + BUCKET_MS)).out.map(([t]) => t)).toEqual([
      edge,
      edge + 1,
      edge + BUCKET_MS - 1,
    ]);
    // An overwrite at an edge replaces exactly that sample.
    await s.history.write([{ id: "p", items: [{ ts: edge, val: false }] }]);
    expect(await u.redis.zcard(pk.hisBucket("p", edge))).toBe(3);
    expect((await readAll(s, "p", edge, edge + 1)).out).toEqual([[edge, false]]);
  });

  // The test bound (64 KiB: ~65 staging requests) and Upstash's default (1 MiB).
  it.each([
    ["64 KiB", u],
    ["1 MiB", testUpstash(1024 * 1024)],
  ])(
    "stores a 100,000-sample write exactly in one step, bound %s, and reads it back",
    async (bound, client) => {
      const { s, base } = open(client);
      await s.entities.commit({ op: "add", rows: [point("p")], nowMs: T0 });
      const n = 100_000;
      // One sample a 10 s: about 12 buckets.
      const items: HisItem[] = Array.from({ length: n }, (_, i) => ({
        ts: T0 + i * 10_000,
        val: i % 3 === 0 ? new HNumber(i / 7, "kW") : i % 3 === 1 ? i * 0.1 : `v${i}`,
      }));
      let t = performance.now();
      expect((await s.history.write([{ id: "p", items }])).count).toBe(n);
      const writeMs = performance.now() - t;
      t = performance.now();
      const { out } = await readAll(s, "p");
      const readMs = performance.now() - t;
      expect(out).toHaveLength(n);
      expect(out.every(([ts, v], i) => ts === items[i]?.ts && sameValue(v, items[i]?.val))).toBe(true);
      // Overwrite every sample (the merge path replacing by score), also staged.
      const again = items.map((it, i) => ({ ts: it.ts, val: i }));
      t = performance.now();
      await s.history.write([{ id: "p", items: again }]);
      const overwriteMs = performance.now() - t;
      const back = await readAll(s, "p");
      expect(back.out.every(([ts, v], i) => ts === items[i]?.ts && v === i)).toBe(true);
      expect((await s.entities.readByIds(["p"]))[0]?.get("curVal")).toBe(n - 1);
      // No staging key is left behind.
      expect((await pointDataKeys(base)).filter((k) => k.includes(":stage:"))).toEqual([]);
      console.log(
        `100k samples, bound ${bound}: write ${writeMs.toFixed(0)} ms, overwrite ${overwriteMs.toFixed(0)} ms, read ${readMs.toFixed(0)} ms`,
      );
    },
    120_000,
  );

  it("a batch failing on any point writes nothing, even one staged over many requests", async () => {
    const { s, base } = open();
    await s.entities.commit({ op: "add", rows: [point("p")], nowMs: T0 });
    const items = Array.from({ length: 20_000 }, (_, i) => ({ ts: T0 + i, val: i }));
    await expect(
      s.history.write([
        { id: "p", items },
        { id: "zz", items: [{ ts: T0, val: 1 }] },
      ]),
    ).rejects.toMatchObject({ code: "not_found" });
    // (Redis out of reach: test/worker-upstash/history-faults-upstash.test.ts.)
    expect(await pointDataKeys(base)).toEqual([]);
    expect((await s.entities.readByIds(["p"]))[0]?.has("curVal")).toBe(false);
    // The store goes on serving.
    expect((await s.history.write([{ id: "p", items }])).count).toBe(items.length);
  }, 60_000);

  it("writes racing on one point all land, and curVal is the newest of them", async () => {
    const { s, base } = open();
    await s.entities.commit({ op: "add", rows: [point("p")], nowMs: T0 });
    // Eight writers, each a run of samples in its own bucket, in a shuffled order.
    const order = [3, 7, 0, 5, 1, 6, 2, 4];
    await Promise.all(
      order.map((w) =>
        s.history.write([
          {
            id: "p",
            items: Array.from({ length: 100 }, (_, i) => ({ ts: T0 + w * BUCKET_MS + i, val: w * 1000 + i })),
          },
        ]),
      ),
    );
    const { out } = await readAll(s, "p");
    expect(out).toHaveLength(800);
    expect((await s.entities.readByIds(["p"]))[0]?.get("curVal")).toBe(7099);
    const meta = JSON.parse((await u.redis.get<string>(pointKeys(base).hisMeta("p"))) as string);
    expect(meta).toEqual({
      buckets: order.map((w) => bucketOf(T0 + w * BUCKET_MS)).sort((a, b) => a - b),
      newest: T0 + 7 * BUCKET_MS + 99,
    });
  });

  it("removing a point deletes its history buckets, metadata, array and pending expiry", async () => {
    const { s, base } = open();
    const [p] = await s.entities.commit({ op: "add", rows: [point("p"), point("q")], nowMs: T0 });
    const spread = Array.from({ length: 30 }, (_, i) => ({ ts: T0 + i * BUCKET_MS, val: i }));
    await s.history.write([
      { id: "p", items: spread },
      { id: "q", items: [{ ts: T0, val: 1 }] },
    ]);
    await s.points.write("p", { level: 8, val: 5, who: "op", durationMs: 60_000, nowMs: T0 });
    await s.points.write("q", { level: 8, val: 6, who: "op", durationMs: 120_000, nowMs: T0 });
    const pk = pointKeys(base);
    expect((await pointDataKeys(base)).filter((k) => k.includes(":p:") || k.endsWith(":p"))).toHaveLength(32);
    await s.entities.commit({
      op: "remove",
      rows: [HDict.of({ id: new HRef("p"), mod: p?.get("mod") })],
      nowMs: T0 + 1,
    });
    const left = await pointDataKeys(base);
    expect(left).toEqual([pk.hisBucket("q", bucketOf(T0)), pk.hisMeta("q"), pk.array("q")].sort());
    expect(await u.redis.zrange(pk.expiries, 0, -1)).toEqual(["q"]);
    expect((await s.points.expire(T0)).nextExpiry).toBe(T0 + 120_000);
  });

  it("a history or point write racing a removal either lands before it and goes with it, or is not_found", async () => {
    const { s, base } = open();
    for (let round = 0; round < 10; round++) {
      const id = `r${round}`;
      const [rec] = await s.entities.commit({ op: "add", rows: [point(id)], nowMs: T0 });
      await s.history.write([{ id, items: [{ ts: T0, val: 0 }] }]);
      const outcomes = await Promise.allSettled([
        s.history.write([{ id, items: Array.from({ length: 50 }, (_, i) => ({ ts: T0 + i * BUCKET_MS, val: i })) }]),
        s.points.write(id, { level: 8, val: 1, who: "op", durationMs: 1000, nowMs: T0 }),
        s.entities.commit({
          op: "remove",
          rows: [HDict.of({ id: new HRef(id), mod: rec?.get("mod") })],
          nowMs: T0 + 1,
        }),
      ]);
      expect(outcomes[2].status).toBe("fulfilled");
      for (const o of outcomes.slice(0, 2)) {
        if (o.status === "rejected") expect((o.reason as StoreError).code).toBe("not_found");
      }
      expect(await pointDataKeys(base)).toEqual([]);
      expect(await u.redis.zrange(pointKeys(base).expiries, 0, -1)).toEqual([]);
    }
  }, 60_000);
});

function sameValue(a: HisValue | undefined, b: HisValue | undefined): boolean {
  if (a instanceof HNumber && b instanceof HNumber) return a.unit === b.unit && Object.is(a.val, b.val);
  return Object.is(a, b);
}
