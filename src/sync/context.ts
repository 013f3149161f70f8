/**
 * What the two protocol loops of a pull share: the local target, the request policy, the
 * counters, and the steps both take (apply a page part with its cursor move, fetch by `pack/`).
 */
import { SeriesError } from "../series/errors.ts";
import type { KeyDecl } from "../series/model.ts";
import { StoreError } from "../storage/errors.ts";
import type { ChunkWrite, SourceDef } from "../storage/series-port.ts";
import { SyncError } from "./errors.ts";
import { type ChunkRef, parsePackReply } from "./holcstore-wire.ts";
import { type HttpPolicy, requestJson } from "./http.ts";
import type { FeedData } from "./native-wire.ts";

/** The local store a pull writes to (the service layer implements it over the storage port). */
export interface SyncTarget {
  readonly keys: readonly KeyDecl[];
  /** The source's cursor as the last applied page left it, or null before the first. */
  cursor(source: string): Promise<string | null>;
  /**
   * The `updatedUs` of each local chunk (tombstones too), or null where there is none: a chunk
   * whose remote `updated_at` equals it is not fetched again (HoLcStore's `since` is inclusive).
   */
  localUpdatedUs(chunks: readonly ChunkRef[]): Promise<(number | null)[]>;
  /**
   * Upserts `chunks` (keeping their `updatedUs`) and moves the cursor from `expect` to `next`, in
   * one atomic step; StoreError `conflict`, changing nothing, when the cursor is not `expect`.
   */
  applyPage(source: string, expect: string | null, next: string, chunks: readonly ChunkWrite[]): Promise<void>;
}

export interface PullResult {
  /** Listing pages read. */
  pages: number;
  /** Live chunks written. */
  applied: number;
  /** Tombstones written. */
  tombstones: number;
  /** Items not fetched because the local chunk already had their `updated_at`. */
  skipped: number;
  cursor: string | null;
  /** False when the pull stopped at `maxPages` or the deadline with more to read. */
  done: boolean;
}

/** What the protocol loops share. */
export interface PullContext {
  readonly source: SourceDef;
  readonly target: SyncTarget;
  readonly http: HttpPolicy;
  readonly packFetch: typeof fetch | undefined;
  readonly pageSize: number;
  readonly batch: number;
  readonly maxPages: number;
  readonly maxGroup: number;
  readonly data: FeedData;
  readonly emptyFrame: Uint8Array;
  readonly maxItems: number;
  /** HoLcStore refuses POST on pack/; after the first 405 the pull sends GETs with a body. */
  packMethod: "POST" | "GET";
  readonly result: PullResult;
}

/** Turns a wire-format complaint about the remote's answer into SyncError `protocol`. */
export function fromRemote<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof SeriesError) throw new SyncError("protocol", `${what}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** Applies one part of a page through the target, mapping a moved cursor to SyncError `conflict`. */
export async function applyPart(
  ctx: PullContext,
  expect: string | null,
  next: string,
  chunks: readonly ChunkWrite[],
): Promise<void> {
  try {
    await ctx.target.applyPage(ctx.source.name, expect, next, chunks);
  } catch (e) {
    if (e instanceof StoreError && e.code === "conflict") {
      throw new SyncError("conflict", `source ${ctx.source.name}: another pull moved the cursor`, { cause: e });
    }
    throw e;
  }
  for (const c of chunks) {
    if (c.deleted) ctx.result.tombstones += 1;
    else ctx.result.applied += 1;
  }
  ctx.result.cursor = next;
}

/**
 * The chunks `refs` name, from the remote's `pack/` (the JSON `bodies` are what each ref is sent
 * as). Every ref must come back; extra items are ignored. A reply over the body limit is asked
 * again in halves, so a batch of large chunks cannot stall a source for good.
 */
export async function fetchPack(
  ctx: PullContext,
  bodies: readonly unknown[],
  refs: readonly ChunkRef[],
): Promise<ChunkWrite[]> {
  let reply: unknown;
  try {
    reply = await packOnce(ctx, JSON.stringify(bodies));
  } catch (e) {
    if (!(e instanceof SyncError && e.code === "too_large" && refs.length > 1)) throw e;
    const half = Math.ceil(refs.length / 2);
    return [
      ...(await fetchPack(ctx, bodies.slice(0, half), refs.slice(0, half))),
      ...(await fetchPack(ctx, bodies.slice(half), refs.slice(half))),
    ];
  }
  const got = fromRemote("pack/", () => parsePackReply(reply, ctx.target.keys, Math.max(refs.length, ctx.batch)));
  const byRef = new Map(got.map((c) => [`${c.chunkIndex} ${c.key}`, c]));
  return refs.map((r) => {
    const c = byRef.get(`${r.chunkIndex} ${r.key}`);
    if (c === undefined) {
      throw new SyncError("protocol", `pack/: chunk ${r.chunkIndex} of ${r.key} missing from the reply`);
    }
    return c;
  });
}

/** One `pack/` request: POST, or a GET with a body once the remote has refused POST (HoLcStore). */
async function packOnce(ctx: PullContext, body: string): Promise<unknown> {
  const url = `${ctx.source.url}pack/`;
  if (ctx.packMethod === "POST") {
    try {
      return await requestJson(ctx.http, { method: "POST", url, body });
    } catch (e) {
      if (!(e instanceof SyncError && e.details.status === 405)) throw e;
      ctx.packMethod = "GET";
    }
  }
  if (ctx.packFetch === undefined) {
    throw new SyncError(
      "unsupported",
      `source ${ctx.source.name}: its pack/ takes only a GET with a body, which needs a fetch that can send one (packFetch)`,
    );
  }
  return requestJson(ctx.http, { method: "GET", url, body, via: ctx.packFetch });
}

/** Splits `items` into groups of at most `size`. */
export function groups<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Whether another listing page may start. */
export function mayContinue(ctx: PullContext): boolean {
  return ctx.result.pages < ctx.maxPages && ctx.http.now() < ctx.http.deadlineMs;
}
