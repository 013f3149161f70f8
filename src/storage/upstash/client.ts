/**
 * The Upstash REST client as every Upstash store uses it, and what its failures mean to the faces.
 *
 * Settings that matter here:
 * - `automaticDeserialization: false`: the client would otherwise JSON.parse every string it gets
 *   back (a stored "12" would come out as the number 12); we store text and parse it ourselves.
 * - no retries: a write whose answer was lost may have run; retrying it blindly could apply it
 *   twice (a cut INCR counted twice, in our tests). Our writes are compare-and-set programs
 *   (program.ts), so the caller decides. `{ retries: 0 }`, not `retry: false`: in 1.39.0 `false`
 *   still sends a failed request a second time (its loop runs attempts + 1 times, with attempts 1).
 * - `responseEncoding: false`: replies come as plain JSON strings, not base64 (the client's
 *   default), which the client would decode string by string (atob, then UTF-8). Every value we
 *   store is UTF-8 text we wrote (records, encoded samples, base64 blobs), which JSON carries
 *   exactly; skipping the decoding made a 1M-sample hisRead 1.7x as fast (bench/upstash.bench.ts).
 */
import { Redis } from "@upstash/redis/cloudflare";
import { StoreError } from "../errors.ts";

export interface UpstashTarget {
  readonly url: string;
  readonly token: string;
  /** Largest request body we send, in bytes; work that needs more is split. */
  readonly maxRequestBytes: number;
  /** Prefix of every key. */
  readonly keyPrefix: string;
}

/** One deployment's Redis: the client and the bounds every store keeps. */
export interface Upstash {
  readonly redis: Redis;
  readonly target: UpstashTarget;
}

const clients = new Map<string, Redis>();

/** The client for `target`, made once per isolate (it holds no connection: every call is a fetch). */
export function openUpstash(target: UpstashTarget): Upstash {
  const id = `${target.url}\n${target.token}`;
  let redis = clients.get(id);
  if (!redis) {
    redis = new Redis({
      url: target.url,
      token: target.token,
      automaticDeserialization: false,
      retry: { retries: 0, backoff: () => 0 },
      enableTelemetry: false,
      // One request per call: a pipeline is built explicitly where one is wanted, so a request's
      // size is always known (auto-pipelining would merge calls past UPSTASH_MAX_REQUEST_BYTES).
      enableAutoPipelining: false,
      readYourWrites: false,
      responseEncoding: false,
    });
    clients.set(id, redis);
  }
  return { redis, target };
}

/** Replies Redis gives while it cannot serve (loading, busy with a script, failing over). */
const TRANSIENT = /^(BUSY|LOADING|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY)\b/;

/**
 * What a failed call means: Redis or the REST endpoint out of reach, cut mid-request, busy or
 * answering garbage is `unavailable` (HTTP 503, retry); a reply refusing the command is a bug of
 * ours and stays an Error (500) with Redis's words kept for the log only.
 */
export function upstashFailure(err: unknown): Error {
  if (err instanceof StoreError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : "";
  // The client's own error for a reply Redis sent: `UpstashError` with Redis's message.
  if (name === "UpstashError" && /^[A-Z]+ /.test(message) && !TRANSIENT.test(message)) {
    if (/max request size|max single record size|max key size/i.test(message)) {
      return new StoreError("invalid", "The request is larger than the database accepts", { cause: err });
    }
    return new Error("Redis refused a command", { cause: err });
  }
  return new StoreError("unavailable", "The database is unavailable: retry", { cause: err });
}

/** Runs one call, turning its failure into what it means (upstashFailure). */
export async function upstashCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw upstashFailure(e);
  }
}
