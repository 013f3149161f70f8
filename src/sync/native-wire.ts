/**
 * Our native change feed, both sides. It pages by the store's change sequence (assigned in commit
 * order by the storage port), keyset and exclusive, so a reader that stores `last` after applying
 * a page sees every change exactly once, which HoLcStore's `updated_at >= since` with offsets
 * cannot promise.
 *
 * `GET {store}/feed/?after=SEQ&limit=N[&data=inline|ref][&<key>=<value>...]` answers
 *
 *     {"after":0,"last":2,"more":true,"items":[{"seq":1,"attrs":{"kind":"load","version":1},
 *      "chunk_index":24288,"start_ts":"2023-12-31T23:00:00Z","dtype":"float64","is_deleted":false,
 *      "updated_at":"2026-11-22T13:19:10.008945Z","blob":"BCJNGGhA..."}, ...]}
 *
 * - `after`: the request's; `last`: the seq to ask after next time (the last item's, or `after`
 *   when there are none); `more`: whether changes after `last` exist (ask again at once).
 * - `data=inline` (default): each item carries `blob`, base64 of the stored bytes (tombstones
 *   too). `data=ref`: no `blob`; the reader fetches live chunks with `POST pack/` (HoLcStore's
 *   body and reply), which returns their current state (possibly a later one, which the feed
 *   then lists again: applying it twice is harmless, upserts keep the latest).
 * - Key filters as in `updates/`: exact matches on declared keys.
 */
import { fromBase64, toBase64 } from "../auth/base64.ts";
import { SeriesError } from "../series/errors.ts";
import type { Dtype, KeyDecl, KeyMatch } from "../series/model.ts";
import type { ChunkHead, StoredChunk } from "../storage/series-port.ts";
import { attrsJson, attrsToKey, parseKeyFilters } from "./attrs.ts";
import { clip, formatStartTs, formatUpdatedAt } from "./datetime.ts";
import { drfString, quotePlus } from "./drf.ts";
import { asArray, asRecord, boolAt, dtypeAt, instantAt, intAt, strAt } from "./json-read.ts";

export type FeedData = "inline" | "ref";

/** Query parameters of `feed/` that are not key filters. */
export const FEED_PARAMS: readonly string[] = ["after", "limit", "data"];

export interface FeedQuery {
  readonly after: number;
  readonly limit: number;
  readonly data: FeedData;
  readonly match: KeyMatch;
}

function intParam(params: URLSearchParams, name: string, min: number, fallback: number): number {
  const text = params.get(name);
  if (text === null) return fallback;
  const n = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min)) throw new SeriesError("invalid", `${name} must be an integer >= ${min}: ${clip(text)}`);
  return n;
}

/** The query of `GET feed/`; `after` defaults to 0, `limit` to `defaultLimit` and is cut to `maxLimit`. */
export function parseFeedQuery(
  params: URLSearchParams,
  keys: readonly KeyDecl[],
  opts: { readonly defaultLimit?: number; readonly maxLimit?: number } = {},
): FeedQuery {
  const maxLimit = opts.maxLimit ?? 1000;
  const data = params.get("data") ?? "inline";
  if (data !== "inline" && data !== "ref")
    throw new SeriesError("invalid", `data must be inline or ref: ${clip(data)}`);
  return {
    after: intParam(params, "after", 0, 0),
    limit: Math.min(intParam(params, "limit", 1, opts.defaultLimit ?? 100), maxLimit),
    data,
    match: parseKeyFilters(params, keys, FEED_PARAMS),
  };
}

function itemJson(c: StoredChunk | ChunkHead, keys: readonly KeyDecl[], data: FeedData): string {
  let blob = "";
  if (data === "inline") {
    if (!("data" in c)) throw new SeriesError("invalid", "an inline feed page needs the chunks' bytes");
    blob = `,"blob":"${toBase64(c.data)}"`;
  }
  return (
    `{"seq":${c.seq},"attrs":${attrsJson(c.key, keys)},"chunk_index":${c.chunkIndex},` +
    `"start_ts":"${formatStartTs(c.startMs)}","dtype":${drfString(c.dtype)},"is_deleted":${c.deleted},` +
    `"updated_at":"${formatUpdatedAt(c.updatedUs)}"${blob}}`
  );
}

/**
 * The body of `feed/`. `items` are the port's `feed(after, limit, ...)` rows in seq order; `more`
 * is whether there are others (a route asks the port for limit + 1 rows and drops the extra).
 */
export function feedPage(page: {
  readonly after: number;
  readonly items: readonly (StoredChunk | ChunkHead)[];
  readonly more: boolean;
  readonly keys: readonly KeyDecl[];
  readonly data: FeedData;
}): string {
  const lastItem = page.items[page.items.length - 1];
  const last = lastItem === undefined ? page.after : lastItem.seq;
  const items = page.items.map((c) => itemJson(c, page.keys, page.data)).join(",");
  return `{"after":${page.after},"last":${last},"more":${page.more},"items":[${items}]}`;
}

/** One feed item as our client reads it; `data` is null when the page was asked for by reference. */
export interface FeedItem {
  readonly seq: number;
  readonly key: string;
  readonly chunkIndex: number;
  readonly startMs: number;
  readonly dtype: Dtype;
  readonly deleted: boolean;
  readonly updatedUs: number;
  readonly data: Uint8Array | null;
  /** `{"attrs", "chunk_index"}`, what `pack/` asks for. */
  readonly ref: { readonly attrs: unknown; readonly chunk_index: number };
}

export interface FeedPageIn {
  readonly after: number;
  readonly last: number;
  readonly more: boolean;
  readonly items: readonly FeedItem[];
}

/**
 * A `feed/` body, checked: it answers `after`, its seqs rise strictly within (after, last], and a
 * page that says `more` makes progress (else a reader would ask for it forever).
 */
export function parseFeedPage(json: unknown, keys: readonly KeyDecl[], after: number, maxItems: number): FeedPageIn {
  const page = asRecord(json, "feed");
  const gotAfter = intAt(page, "after", "feed", 0);
  if (gotAfter !== after) throw new SeriesError("invalid", `feed.after is ${gotAfter}, asked for ${after}`);
  const last = intAt(page, "last", "feed", after);
  const more = boolAt(page, "more", "feed");
  let prev = after;
  const items = asArray(page.items, "feed.items", maxItems).map((raw, i): FeedItem => {
    const path = `feed.items[${i}]`;
    const rec = asRecord(raw, path);
    const seq = intAt(rec, "seq", path, prev + 1);
    if (seq > last) throw new SeriesError("invalid", `${path}.seq is past feed.last`);
    prev = seq;
    let data: Uint8Array | null = null;
    if (Object.hasOwn(rec, "blob")) {
      const bytes = fromBase64(strAt(rec, "blob", path));
      if (bytes === undefined) throw new SeriesError("invalid", `${path}.blob is not base64`);
      data = bytes;
    }
    const chunkIndex = intAt(rec, "chunk_index", path, 0);
    return {
      seq,
      key: attrsToKey(rec.attrs, keys),
      chunkIndex,
      startMs: Math.floor(instantAt(rec, "start_ts", path) / 1000),
      dtype: dtypeAt(rec, "dtype", path),
      deleted: boolAt(rec, "is_deleted", path),
      updatedUs: instantAt(rec, "updated_at", path),
      data,
      ref: { attrs: rec.attrs, chunk_index: chunkIndex },
    };
  });
  if (more && last === after) throw new SeriesError("invalid", "feed says more but makes no progress");
  return { after, last, more, items };
}

/**
 * A `feed/` URL under a store's base URL.
 * @example feedUrl("https://h/ts/p/s/", 0, 100, "inline", { kind: "load" })
 *   === "https://h/ts/p/s/feed/?after=0&limit=100&data=inline&kind=load"
 */
export function feedUrl(
  base: string,
  after: number,
  limit: number,
  data: FeedData,
  filters: Readonly<Record<string, string>>,
): string {
  const params: [string, string][] = [
    ["after", String(after)],
    ["limit", String(limit)],
    ["data", data],
    ...Object.entries(filters),
  ];
  return `${base}feed/?${params.map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join("&")}`;
}
