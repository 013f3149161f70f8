/**
 * The atomic write programs (src/storage/upstash/program.ts) and the change feed on the real Redis
 * through the REST stand-in: checks guard every write, a failed check writes nothing, programs too
 * big for one request are staged and still run as one step, and samples replace by score.
 */
import { describe, expect, it } from "vitest";
import { upstashChanges } from "../../src/storage/upstash/changes.ts";
import { changeKeys } from "../../src/storage/upstash/keys.ts";
import { optimistic, Program } from "../../src/storage/upstash/program.ts";
import { testUpstash } from "../support/upstash.ts";

const u = testUpstash();
const base = () => `${u.target.keyPrefix}:{t:${crypto.randomUUID()}}`;

describe("upstash programs", () => {
  it("write when every check holds, and nothing when one fails", async () => {
    const b = base();
    const long = "x".repeat(500);
    expect(await new Program().expect(`${b}:a`, { absent: true }).set(`${b}:a`, long).run(u)).toEqual({
      ok: true,
      values: [],
    });
    // The long value is checked by SHA-1; a stale expectation fails the whole program.
    const stale = await new Program()
      .expect(`${b}:a`, { text: long })
      .expect(`${b}:b`, { text: "nope" })
      .set(`${b}:a`, "changed")
      .sadd(`${b}:s`, ["m"])
      .run(u);
    expect(stale).toEqual({ ok: false, conflictKey: `${b}:b` });
    expect(await u.redis.get(`${b}:a`)).toBe(long);
    expect(await u.redis.exists(`${b}:s`)).toBe(0);
    const ok = await new Program()
      .expect(`${b}:a`, { text: long })
      .set(`${b}:a`, "short")
      .bump(`${b}:seq`, `${b}:chg`, ["a"])
      .run(u);
    expect(ok).toEqual({ ok: true, values: [1] });
    expect(await new Program().expect(`${b}:a`, { text: "short" }).del(`${b}:a`).run(u)).toMatchObject({ ok: true });
    expect(await u.redis.exists(`${b}:a`)).toBe(0);
  });

  it("merge samples so a sample replaces the one at its score, staged when too big for a request", async () => {
    const b = base();
    const k = `${b}:h`;
    await new Program()
      .zmerge(k, [
        [1, "1|a"],
        [2, "2|b"],
        [3, "3|c"],
      ])
      .run(u);
    await new Program()
      .zmerge(k, [
        [2, "2|B"],
        [4, "4|d"],
      ])
      .run(u);
    expect(await u.redis.zrange(k, 0, -1)).toEqual(["1|a", "2|B", "3|c", "4|d"]);
    // 20,000 samples: far over the 64 KiB test bound, so the program goes through a staging list.
    const many: [number, string][] = [];
    for (let i = 0; i < 20_000; i++) many.push([i * 10, `${i * 10}|v${i}`]);
    many.push([4, "4|D"]); // replaces 4|d
    const p = new Program().zmerge(k, many).set(`${b}:done`, "1");
    expect(p.bytes).toBeGreaterThan(u.target.maxRequestBytes);
    expect(await p.run(u)).toMatchObject({ ok: true });
    expect(await u.redis.zcard(k)).toBe(20_000 + 4);
    expect(await u.redis.zrange(k, 1, 4)).toEqual(["1|a", "2|B", "3|c", "4|D"]);
    expect(Number(await u.redis.zscore(k, "10|v1"))).toBe(10);
    expect(await u.redis.get(`${b}:done`)).toBe("1");
    // The staging list is gone.
    expect(await u.redis.keys(`${b}:stage:*`)).toEqual([]);
  });

  it("run nothing when a staged key is gone (expired), rather than fail halfway", async () => {
    const b = base();
    const staged = `${b}:stage:gone`;
    const r = await new Program().set(`${b}:first`, "1").renameStaged(`${b}:blob`, staged).run(u);
    expect(r).toEqual({ ok: false, conflictKey: staged });
    expect(await u.redis.exists(`${b}:first`, `${b}:blob`)).toBe(0);
    // Present, it is moved in whole.
    await u.redis.set(staged, "bytes", { ex: 60 });
    expect(await new Program().renameStaged(`${b}:blob`, staged).run(u)).toMatchObject({ ok: true });
    expect([await u.redis.get(`${b}:blob`), await u.redis.ttl(`${b}:blob`)]).toEqual(["bytes", -1]);
  });

  it("bump the change feed once per program, and report changes once", async () => {
    const b = base();
    const { seq, chg } = changeKeys(b);
    const feed = upstashChanges(u, b);
    expect(await feed.cursor()).toBe(0);
    const r = await new Program().bump(seq, chg, ["a", "b"]).run(u);
    expect(r).toEqual({ ok: true, values: [1] });
    await new Program().bump(seq, chg, ["b"]).run(u);
    expect(await feed.changedSince(0, ["a", "b", "c"])).toEqual({ cursor: 2, changed: ["a", "b"] });
    expect(await feed.changedSince(1, ["a", "b", "c"])).toEqual({ cursor: 2, changed: ["b"] });
    expect(await feed.changedSince(2, ["a", "b"])).toEqual({ cursor: 2, changed: [] });
  });

  it("retry a lost race until the write holds", async () => {
    const b = base();
    const key = `${b}:counter`;
    await u.redis.set(key, "0");
    // Ten writers each add one with compare-and-set: every one lands, none is lost.
    await Promise.all(
      Array.from({ length: 10 }, () =>
        optimistic(u, async () => {
          const v = (await u.redis.get<string>(key)) ?? "0";
          return { program: new Program().expect(key, { text: v }).set(key, String(Number(v) + 1)), answer: () => 0 };
        }),
      ),
    );
    expect(await u.redis.get(key)).toBe("10");
  });
});
