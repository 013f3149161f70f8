/**
 * Per-credential token buckets: each credential may burst up to its per-minute limit, refilled
 * continuously. Memory is bounded: past `maxKeys` the least recently used bucket is dropped,
 * which can only ever forgive a credential, never block one wrongly.
 */
export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterSec: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(private readonly maxKeys = 10_000) {}

  /** Takes one request from `key`'s bucket of `perMinute` at `nowMs`. */
  take(key: string, perMinute: number, nowMs: number): RateDecision {
    const perMs = perMinute / 60_000;
    let b = this.#buckets.get(key);
    if (b) {
      this.#buckets.delete(key);
      b.tokens = Math.min(perMinute, b.tokens + (nowMs - b.at) * perMs);
      b.at = nowMs;
    } else {
      b = { tokens: perMinute, at: nowMs };
      if (this.#buckets.size >= this.maxKeys) {
        const oldest = this.#buckets.keys().next().value;
        if (oldest !== undefined) this.#buckets.delete(oldest);
      }
    }
    // Re-inserting keeps the Map in least-recently-used order.
    this.#buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000)) };
  }
}
