/**
 * Pulling from another Hayloft's native feed: `after = cursor`, keyset on the remote's change
 * sequence, so every change comes exactly once and a page applied with `cursor = page.last` is
 * never read again. Inline pages are applied in one step; by-reference pages fetch live chunks
 * through `pack/` in batches, and only the last part moves the cursor (after a crash between
 * parts the page comes again, and chunks already at the listed `updated_at` are skipped).
 */
import type { ChunkWrite } from "../storage/series-port.ts";
import { applyPart, fetchPack, fromRemote, groups, mayContinue, type PullContext } from "./context.ts";
import { SyncError } from "./errors.ts";
import { requestJson } from "./http.ts";
import { type FeedItem, feedUrl, parseFeedPage } from "./native-wire.ts";

export async function pullNative(ctx: PullContext): Promise<void> {
  let cursor = await ctx.target.cursor(ctx.source.name);
  ctx.result.cursor = cursor;
  let after = cursor === null ? 0 : storedSeq(ctx, cursor);
  let limit = ctx.pageSize;
  while (mayContinue(ctx)) {
    const url = feedUrl(ctx.source.url, after, limit, ctx.data, ctx.source.filters);
    let json: unknown;
    try {
      json = await requestJson(ctx.http, { method: "GET", url });
    } catch (e) {
      // A page of large inline chunks over the body limit: ask for smaller pages from here on.
      if (!(e instanceof SyncError && e.code === "too_large" && limit > 1)) throw e;
      limit = Math.ceil(limit / 2);
      continue;
    }
    const page = fromRemote("feed/", () => parseFeedPage(json, ctx.target.keys, after, ctx.maxItems));
    ctx.result.pages += 1;
    if (page.last > after) {
      const next = String(page.last);
      await applyFeed(ctx, page.items, cursor, cursor ?? String(after), next);
      cursor = next;
      after = page.last;
    }
    if (!page.more) {
      ctx.result.done = true;
      return;
    }
  }
}

function storedSeq(ctx: PullContext, cursor: string): number {
  const n = /^\d{1,15}$/.test(cursor) ? Number(cursor) : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw new SyncError("bad_source", `source ${ctx.source.name}: stored cursor is not a sequence number: ${cursor}`);
  }
  return n;
}

function inline(ctx: PullContext, item: FeedItem): ChunkWrite | null {
  const data = item.data ?? (item.deleted ? ctx.emptyFrame : null);
  if (data === null) return null;
  return {
    key: item.key,
    chunkIndex: item.chunkIndex,
    startMs: item.startMs,
    dtype: item.dtype,
    data,
    deleted: item.deleted,
    updatedUs: item.updatedUs,
  };
}

async function applyFeed(
  ctx: PullContext,
  items: readonly FeedItem[],
  expect: string | null,
  hold: string,
  next: string,
): Promise<void> {
  // Only a crash between the parts of a page (by reference) brings a page again, but a later
  // pull may then take it inline: skip what already landed, whichever way it comes.
  const local = items.length === 0 ? [] : await ctx.target.localUpdatedUs(items);
  const ready: ChunkWrite[] = [];
  const byRef: FeedItem[] = [];
  for (const [i, item] of items.entries()) {
    if (local[i] === item.updatedUs) {
      ctx.result.skipped += 1;
      continue;
    }
    const write = inline(ctx, item);
    if (write === null) byRef.push(item);
    else ready.push(write);
  }
  const parts = groups(byRef, ctx.batch);
  if (parts.length === 0) {
    await applyPart(ctx, expect, next, ready);
    return;
  }
  let at = expect;
  for (const [n, part] of parts.entries()) {
    const packed = await fetchPack(
      ctx,
      part.map((i) => i.ref),
      part,
    );
    const to = n === parts.length - 1 ? next : hold;
    await applyPart(ctx, at, to, n === 0 ? [...ready, ...packed] : packed);
    at = to;
  }
}
