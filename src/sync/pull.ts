/**
 * The sync client: pulls a remote store (another Hayloft's native feed, or a HoLcStore server's
 * `updates/` + `pack/`) into a local one, page by page. Each page is applied together with the
 * move of the source's cursor, so a pull killed at any point and run again loses and duplicates
 * nothing. The local store is reached through `SyncTarget`, the remote through an injected
 * `fetch`; time and sleeping are injected too.
 */
import type { SourceDef } from "../storage/series-port.ts";
import type { PullContext, PullResult, SyncTarget } from "./context.ts";
import { SyncError } from "./errors.ts";
import { UPDATES_PARAMS } from "./holcstore-wire.ts";
import { EMPTY_LZ4_FRAME } from "./lz4-empty.ts";
import { FEED_PARAMS, type FeedData } from "./native-wire.ts";
import { pullHolcstore } from "./pull-holcstore.ts";
import { pullNative } from "./pull-native.ts";

export type { PullResult, SyncTarget } from "./context.ts";

export interface PullOptions {
  readonly source: SourceDef;
  /** The token (the value of the source's secret), sent as `Bearer` (hayloft) or DRF's `Token` (holcstore). */
  readonly token?: string;
  readonly fetch: typeof fetch;
  /**
   * A fetch that can send a GET with a body, which HoLcStore's `pack/` requires (it refuses POST
   * with 405) and the platform's fetch cannot send (see http1.ts). Without it, a HoLcStore that
   * refuses POST fails the pull with `unsupported`.
   */
  readonly packFetch?: typeof fetch;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly target: SyncTarget;
  /** Items asked per listing page (HoLcStore's page_size; default 200). */
  readonly pageSize?: number;
  /** Chunks asked per `pack/` request (HoLcStore's batch; default 50). */
  readonly batch?: number;
  /** Listing pages after which the pull stops (done: false) and resumes next time (default 10,000). */
  readonly maxPages?: number;
  /** Epoch ms (by `now`) after which no new page, wait or retry starts (default: none). */
  readonly deadlineMs?: number;
  /** The largest response body read (default 32 MiB). */
  readonly maxBodyBytes?: number;
  /** Retries of a request after a network error or 5xx (default 3). */
  readonly retries?: number;
  /** 429 answers waited out per request (default 5). */
  readonly rateLimitWaits?: number;
  /** The longest `Retry-After` waited in place (default 2 min); longer ends the pull with `rate_limited`. */
  readonly maxRetryAfterMs?: number;
  readonly requestTimeoutMs?: number;
  /** HoLcStore: the largest page asked for to read one `updated_at` shared by many chunks whole (default 5,000). */
  readonly maxGroup?: number;
  /** Native feed: chunk bytes inline (default) or fetched by reference through `pack/`. */
  readonly data?: FeedData;
  /** The bytes of a tombstone (an LZ4 frame of nothing; default as python-lz4 writes it). */
  readonly emptyFrame?: Uint8Array;
}

/**
 * Pulls `opts.source` into `opts.target` until the remote has nothing newer, `maxPages` or the
 * deadline. Throws SyncError (or the target's own errors) on failure; pages applied before the
 * failure stay applied, with their cursor.
 */
export async function pull(opts: PullOptions): Promise<PullResult> {
  checkSource(opts.source, opts.token);
  const pageSize = positive(opts.pageSize ?? 200, "pageSize");
  const ctx: PullContext = {
    source: opts.source,
    target: opts.target,
    http: {
      fetch: opts.fetch,
      sleep: opts.sleep,
      now: opts.now,
      authorization:
        opts.token === undefined ? null : `${opts.source.protocol === "holcstore" ? "Token" : "Bearer"} ${opts.token}`,
      deadlineMs: opts.deadlineMs ?? Number.POSITIVE_INFINITY,
      maxBodyBytes: opts.maxBodyBytes ?? 32 * 1024 * 1024,
      retries: opts.retries ?? 3,
      rateLimitWaits: opts.rateLimitWaits ?? 5,
      maxRetryAfterMs: opts.maxRetryAfterMs ?? 120_000,
      requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
    },
    packFetch: opts.packFetch,
    pageSize,
    batch: positive(opts.batch ?? 50, "batch"),
    maxPages: positive(opts.maxPages ?? 10_000, "maxPages"),
    maxGroup: Math.max(pageSize, opts.maxGroup ?? 5000),
    data: opts.data ?? "inline",
    emptyFrame: opts.emptyFrame ?? EMPTY_LZ4_FRAME,
    maxItems: Math.max(pageSize, opts.maxGroup ?? 5000),
    packMethod: "POST",
    result: { pages: 0, applied: 0, tombstones: 0, skipped: 0, cursor: null, done: false },
  };
  if (opts.source.protocol === "holcstore") await pullHolcstore(ctx);
  else await pullNative(ctx);
  return ctx.result;
}

function positive(n: number, name: string): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new SyncError("bad_source", `${name} must be a positive integer`);
  return n;
}

/** Refuses a source whose URL or filters could send a request anywhere but where it says. */
function checkSource(source: SourceDef, token: string | undefined): void {
  let url: URL;
  try {
    url = new URL(source.url);
  } catch {
    throw new SyncError("bad_source", `source ${source.name}: not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new SyncError("bad_source", `source ${source.name}: only http and https URLs are pulled`);
  }
  if (
    url.username !== "" ||
    url.password !== "" ||
    url.search !== "" ||
    url.hash !== "" ||
    !url.pathname.endsWith("/")
  ) {
    throw new SyncError(
      "bad_source",
      `source ${source.name}: the URL must be a store's base URL ending in / without credentials, query or fragment`,
    );
  }
  if (url.href !== source.url) {
    throw new SyncError("bad_source", `source ${source.name}: the URL is not in canonical form (${url.href})`);
  }
  const reserved = source.protocol === "holcstore" ? UPDATES_PARAMS : FEED_PARAMS;
  for (const name of Object.keys(source.filters)) {
    if (reserved.includes(name)) throw new SyncError("bad_source", `source ${source.name}: ${name} cannot be a filter`);
  }
  if (token !== undefined && !/^[\x21-\x7e]+$/.test(token)) {
    throw new SyncError("bad_source", `source ${source.name}: the token has characters a header cannot carry`);
  }
}
