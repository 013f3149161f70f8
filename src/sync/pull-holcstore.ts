/**
 * Pulling from a HoLcStore server (`updates/` + `pack/`), correct against its hazards.
 *
 * HoLcStore's own client fixes `since` once and follows `next` (offset paging). Over a set that
 * changes while it reads, that skips rows: a chunk updated mid-pull moves to the end of the
 * `(updated_at, pk)` order, every row behind it moves up one place, and the next offset jumps
 * over one of them, whose `updated_at` then lies below the cursor for good. So we never follow
 * offsets across different `updated_at` values: after each page we ask again from
 * `since = the page's last updated_at`, offset 0. Each request is one consistent snapshot, every
 * row before that instant was on this page or an earlier one, and rows changed meanwhile come
 * back later with their new `updated_at`. The rows at exactly `since` come again (`since` is
 * inclusive); the local `updatedUs` recognises them and they are not fetched again.
 *
 * When a whole page shares the one `updated_at` it started from (one HoLcStore write stamps every
 * chunk it touches with the same instant: a replace or delete of many chunks), `since` cannot
 * move. We then ask for that instant's rows in one bigger page (up to `maxGroup`, one snapshot,
 * so no offset hazard), and only for a group larger than that (or a server that caps `limit`)
 * page through it by offset, which can still miss a row if chunks of that very group change
 * during the pass. The cursor never records an offset: a restart reads such a group again from
 * its start (cheaply: known chunks are skipped, not fetched).
 *
 * The cursor is the last page's `updated_at` (`...Z`), stored with the page. Pages are applied in
 * parts of one `pack/` batch each (bounded memory); only the last part of a page moves the cursor.
 * `updated_at` comes from HoLcStore's application clock, not commit order; a transaction stamped
 * before our read and committed after it can still be missed, as by HoLcStore's own client.
 */
import { applyPart, fetchPack, fromRemote, groups, mayContinue, type PullContext } from "./context.ts";
import { formatSinceParam, formatUpdatedAt, parseSince } from "./datetime.ts";
import { SyncError } from "./errors.ts";
import { FIRST_SINCE, parseUpdatesPage, type UpdateItem, type UpdatesPage, updatesUrl } from "./holcstore-wire.ts";
import { requestJson } from "./http.ts";

export async function pullHolcstore(ctx: PullContext): Promise<void> {
  let cursor = await ctx.target.cursor(ctx.source.name);
  ctx.result.cursor = cursor;
  let sinceUs = cursor === null ? parseSince(FIRST_SINCE) : storedSince(ctx, cursor);
  let sinceText = cursor === null ? FIRST_SINCE : formatSinceParam(sinceUs);
  let limit = ctx.pageSize;
  let offset = 0;
  while (mayContinue(ctx)) {
    const url = updatesUrl(ctx.source.url, sinceText, limit, offset, ctx.source.filters);
    const json = await requestJson(ctx.http, { method: "GET", url });
    const page = fromRemote("updates/", () => parseUpdatesPage(json, ctx.target.keys, ctx.maxItems));
    ctx.result.pages += 1;
    const last = page.items[page.items.length - 1];
    if (last === undefined) {
      ctx.result.done = true;
      return;
    }
    checkOrder(page, sinceUs);
    const advance = last.updatedUs > sinceUs;
    const hold = cursor ?? formatUpdatedAt(sinceUs);
    const next = advance ? formatUpdatedAt(last.updatedUs) : hold;
    await applyUpdates(ctx, page.items, cursor, hold, next);
    cursor = next;
    if (page.next === null) {
      ctx.result.done = true;
      return;
    }
    if (advance) {
      sinceUs = last.updatedUs;
      sinceText = formatSinceParam(sinceUs);
      limit = ctx.pageSize;
      offset = 0;
    } else if (offset === 0 && limit < ctx.maxGroup && page.items.length >= limit) {
      limit = Math.min(ctx.maxGroup, Math.max(page.count, limit + 1));
    } else {
      offset += page.items.length;
    }
  }
}

function storedSince(ctx: PullContext, cursor: string): number {
  try {
    return parseSince(cursor);
  } catch {
    throw new SyncError("bad_source", `source ${ctx.source.name}: stored cursor is not an instant: ${cursor}`);
  }
}

/** The page must be in `updated_at` order from `since`, or "its last row" is not where to go on from. */
function checkOrder(page: UpdatesPage, sinceUs: number): void {
  let prev = sinceUs;
  for (const item of page.items) {
    if (item.updatedUs < prev) {
      throw new SyncError("protocol", "updates/: results are not in updated_at order from since");
    }
    prev = item.updatedUs;
  }
}

/** Applies one listing page: tombstones with the first part, live chunks fetched batch by batch. */
async function applyUpdates(
  ctx: PullContext,
  items: readonly UpdateItem[],
  expect: string | null,
  hold: string,
  next: string,
): Promise<void> {
  const local = await ctx.target.localUpdatedUs(items.map((i) => ({ key: i.key, chunkIndex: i.chunkIndex })));
  const fresh = items.filter((item, i) => local[i] !== item.updatedUs);
  ctx.result.skipped += items.length - fresh.length;
  const tombstones = fresh
    .filter((i) => i.deleted)
    .map((i) => ({
      key: i.key,
      chunkIndex: i.chunkIndex,
      startMs: i.startMs,
      dtype: i.dtype,
      data: ctx.emptyFrame,
      deleted: true,
      updatedUs: i.updatedUs,
    }));
  const parts = groups(
    fresh.filter((i) => !i.deleted),
    ctx.batch,
  );
  if (parts.length === 0) {
    await applyPart(ctx, expect, next, tombstones);
    return;
  }
  let at = expect;
  for (const [n, part] of parts.entries()) {
    const packed = await fetchPack(
      ctx,
      part.map((i) => i.raw),
      part,
    );
    const to = n === parts.length - 1 ? next : hold;
    await applyPart(ctx, at, to, n === 0 ? [...tombstones, ...packed] : packed);
    at = to;
  }
}
