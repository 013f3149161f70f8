/**
 * The history port on Upstash with Redis out of reach: a write staged over many requests answers
 * `unavailable` and leaves nothing behind (no bucket, metadata or staging key, no curVal), and the
 * store serves again once Redis is back. Through the fault stand-in, in the project whose files
 * run one at a time.
 */
import { afterEach, describe, expect, it } from "vitest";
import { HDict, HRef, MARKER } from "../../src/haystack/kinds/index.ts";
import { StoreError } from "../../src/storage/errors.ts";
import { haystackBase } from "../../src/storage/upstash/keys.ts";
import { upstashStore } from "../../src/storage/upstash/project.ts";
import { faultyUpstash, upstashControl } from "../support/upstash.ts";

const u = faultyUpstash();
const T0 = Date.UTC(2024, 0, 1);

afterEach(async () => {
  await upstashControl("up");
});

describe("upstash history, Redis out of reach", () => {
  it("a write answers unavailable and leaves nothing; the store then serves", async () => {
    const project = `hf-${crypto.randomUUID()}`;
    const s = upstashStore(u, project);
    const base = haystackBase(u.target.keyPrefix, project);
    const point = HDict.of({ id: new HRef("p"), point: MARKER, his: MARKER, kind: "Number" });
    await s.entities.commit({ op: "add", rows: [point], nowMs: T0 });
    const items = Array.from({ length: 20_000 }, (_, i) => ({ ts: T0 + i, val: i }));
    await upstashControl("down");
    const err = await s.history
      .write([{ id: "p", items }])
      .catch((e: unknown) => e)
      .finally(() => upstashControl("up"));
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe("unavailable");
    const left = (await u.redis.keys(`${base}:*`)).filter((k) => /:(hm|hb|pa|stage):/.test(k));
    expect(left).toEqual([]);
    expect((await s.entities.readByIds(["p"]))[0]?.has("curVal")).toBe(false);
    expect((await s.history.write([{ id: "p", items }])).count).toBe(items.length);
  }, 60_000);
});
