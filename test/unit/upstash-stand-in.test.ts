/**
 * The Upstash REST stand-in (scripts/upstash-stand-in.ts) with the real `@upstash/redis` client
 * against the real Redis on 127.0.0.1:6379: what the Upstash backend (issue 15) will stand on.
 */
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StandIn, startUpstashStandIn } from "../../scripts/upstash-stand-in.ts";

const TOKEN = "stand-in-test-token";
let standIn: StandIn;
let redis: Redis;
const RUN = `standin:${process.pid}:${Date.now()}`;
const k = (name: string) => `${RUN}:${name}`;

beforeAll(async () => {
  standIn = await startUpstashStandIn({ port: 0, token: TOKEN });
  redis = new Redis({ url: standIn.url, token: TOKEN, enableAutoPipelining: false, retry: false });
});

afterAll(async () => {
  // Leave nothing of this run in the shared Redis.
  const keys = await redis.keys(`${RUN}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await standIn.close();
});

describe("the Upstash REST stand-in", () => {
  it("runs single commands with the client's base64 encoding: strings, JSON, unicode, numbers, null", async () => {
    const s = k("s");
    expect(await redis.set(s, "h\u00e9llo \u{1F600}")).toBe("OK");
    expect(await redis.get(s)).toBe("h\u00e9llo \u{1F600}");
    await redis.set(k("j"), { a: [1, 2], b: "x" });
    expect(await redis.get(k("j"))).toEqual({ a: [1, 2], b: "x" });
    expect(await redis.incrby(k("n"), 41)).toBe(41);
    expect(await redis.get(k("missing"))).toBeNull();
    // A stored "OK" comes back as the client would get it from Upstash (unencoded, exactly "OK").
    await redis.set(k("ok"), "OK");
    expect(await redis.get(k("ok"))).toBe("OK");
  });

  it("gives hashes and sorted sets in Redis' own flat shapes, which the client reshapes", async () => {
    const h = k("h");
    await redis.hset(h, { f1: "v1", f2: 2 });
    expect(await redis.hgetall(h)).toEqual({ f1: "v1", f2: 2 });
    const z = k("z");
    await redis.zadd(z, { score: 1.5, member: "a" }, { score: -3, member: "b" });
    expect(await redis.zrange(z, 0, -1, { withScores: true })).toEqual(["b", -3, "a", 1.5]);
    expect(await redis.zrange(z, "-inf", "+inf", { byScore: true })).toEqual(["b", "a"]);
  });

  it("runs pipelines, MULTI/EXEC transactions and Lua scripts", async () => {
    const p = redis.pipeline();
    p.set(k("p1"), "1");
    p.incr(k("p1"));
    p.get(k("p1"));
    expect(await p.exec()).toEqual(["OK", 2, 2]);
    const tx = redis.multi();
    tx.rpush(k("l"), "a", "b");
    tx.lrange(k("l"), 0, -1);
    expect(await tx.exec()).toEqual([2, ["a", "b"]]);
    const script = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
    expect(await redis.eval(script, [k("e")], ["5"])).toBe(5);
  });

  it("answers Redis' errors as the client expects, and refuses a wrong token", async () => {
    await redis.set(k("str"), "x");
    await expect(redis.lpush(k("str"), "y")).rejects.toThrow(/WRONGTYPE/);
    const p = redis.pipeline();
    p.set(k("p2"), "1");
    p.lpush(k("p2"), "y");
    await expect(p.exec()).rejects.toThrow(/WRONGTYPE/);
    expect(await redis.get(k("p2"))).toBe(1);
    const stranger = new Redis({ url: standIn.url, token: "wrong", retry: false });
    await expect(stranger.get(k("s"))).rejects.toThrow();
    const raw = await fetch(standIn.url, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body: "{" });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ error: "ERR the body is not JSON" });
  });
});
