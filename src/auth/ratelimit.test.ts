import { describe, expect, it } from "vitest";
import { RateLimiter } from "./ratelimit.ts";

describe("RateLimiter", () => {
  it("allows a burst of the per-minute limit, then refuses with the wait until one request is back", () => {
    const r = new RateLimiter();
    for (let i = 0; i < 60; i++) expect(r.take("k", 60, 0).ok).toBe(true);
    expect(r.take("k", 60, 0)).toEqual({ ok: false, retryAfterSec: 1 });
    expect(r.take("k", 60, 999).ok).toBe(false);
    expect(r.take("k", 60, 1000).ok).toBe(true);
  });

  it("says how long to wait at a slow rate, and keeps credentials apart", () => {
    const r = new RateLimiter();
    expect(r.take("a", 1, 0).ok).toBe(true);
    expect(r.take("a", 1, 0)).toEqual({ ok: false, retryAfterSec: 60 });
    expect(r.take("a", 1, 30_000)).toEqual({ ok: false, retryAfterSec: 30 });
    expect(r.take("b", 1, 0).ok).toBe(true);
  });

  it("holds at most maxKeys buckets, dropping the least recently used", () => {
    const r = new RateLimiter(2);
    r.take("a", 1, 0);
    r.take("b", 1, 0);
    r.take("a", 1, 0); // a is refused, and now the most recently used
    r.take("c", 1, 0); // evicts b
    expect(r.take("a", 1, 0).ok).toBe(false);
    expect(r.take("b", 1, 0).ok).toBe(true);
  });
});
