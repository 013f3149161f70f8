/**
 * HoLcStore 0.5.12's sync wire (hostore/utils/ts_sync.py), both sides: what our compatible
 * `updates/` and `pack/` routes send, byte for byte as its server does (replayed against the
 * captures in test/fixtures/series/holcstore-wire/), and what our client reads from and sends to
 * a HoLcStore server. Pure functions over the storage port's chunk shapes.
 */
import { fromBase64, toBase64 } from "../auth/base64.ts";
import { SeriesError } from "../series/errors.ts";
import type { Dtype, KeyDecl, KeyMatch } from "../series/model.ts";
import type { ChunkHead, StoredChunk } from "../storage/series-port.ts";
import { attrsJson, attrsToKey, parseKeyFilters } from "./attrs.ts";
import { clip, formatStartTs, formatUpdatedAt, parseSince } from "./datetime.ts";
import { drfString, quotePlus } from "./drf.ts";
import { asArray, asRecord, boolAt, dtypeAt, instantAt, intAt, type Rec, strAt, strOrNullAt } from "./json-read.ts";

/** The `since` of a client that has nothing yet (HoLcStore: 2000-01-01 local to Europe/Paris). */
export const FIRST_SINCE = "2000-01-01T00:00:00+01:00";

/** Query parameters of `updates/` that are not key filters. */
export const UPDATES_PARAMS: readonly string[] = ["since", "limit", "offset"];

// ---- server side --------------------------------------------------------------------------------

export interface UpdatesQuery {
  readonly sinceUs: number;
  readonly limit: number;
  readonly offset: number;
  readonly match: KeyMatch;
}

function positiveInt(text: string, name: string, min: number): number {
  const n = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min)) throw new SeriesError("invalid", `${name} must be an integer >= ${min}: ${clip(text)}`);
  return n;
}

/**
 * The query of `GET updates/`. `since` and `limit` are required (HoLcStore answers 500 without
 * them; we say why, unless the route gives a default limit); a limit over `maxLimit` is cut to
 * it, as DRF's `max_limit` does. Other parameters are key filters.
 */
export function parseUpdatesQuery(
  params: URLSearchParams,
  keys: readonly KeyDecl[],
  opts: { readonly defaultLimit?: number; readonly maxLimit?: number } = {},
): UpdatesQuery {
  const since = params.get("since");
  if (since === null) throw new SeriesError("invalid", "since is required (an ISO 8601 instant with an offset)");
  const limitText = params.get("limit");
  if (limitText === null && opts.defaultLimit === undefined) throw new SeriesError("invalid", "limit is required");
  const limit = limitText === null ? (opts.defaultLimit as number) : positiveInt(limitText, "limit", 1);
  const offsetText = params.get("offset");
  return {
    sinceUs: parseSince(since),
    limit: Math.min(limit, opts.maxLimit ?? Number.MAX_SAFE_INTEGER),
    offset: offsetText === null ? 0 : positiveInt(offsetText, "offset", 0),
    match: parseKeyFilters(params, keys, UPDATES_PARAMS),
  };
}

/** One `results` item of `updates/` (the chunk's head, no bytes). */
function updateItemJson(row: ChunkHead, keys: readonly KeyDecl[]): string {
  return (
    `{"attrs":${attrsJson(row.key, keys)},"chunk_index":${row.chunkIndex},"dtype":${drfString(row.dtype)},` +
    `"start_ts":"${formatStartTs(row.startMs)}","updated_at":"${formatUpdatedAt(row.updatedUs)}",` +
    `"is_deleted":${row.deleted}}`
  );
}

/**
 * The body of `updates/`: DRF's limit/offset envelope. Links come from drf.ts `pageLinks`.
 * `attrs` members follow the store's key order (HoLcStore's follow a Python set's order).
 */
export function updatesEnvelope(page: {
  readonly count: number;
  readonly rows: readonly ChunkHead[];
  readonly keys: readonly KeyDecl[];
  readonly nextUrl: string | null;
  readonly previousUrl: string | null;
}): string {
  const link = (u: string | null): string => (u === null ? "null" : drfString(u));
  const results = page.rows.map((r) => updateItemJson(r, page.keys)).join(",");
  return `{"count":${page.count},"next":${link(page.nextUrl)},"previous":${link(page.previousUrl)},"results":[${results}]}`;
}

/** Chunks named in a `pack/` request. */
export interface ChunkRef {
  readonly key: string;
  readonly chunkIndex: number;
}

/**
 * The chunks a `pack/` body asks for: an array of objects of which only `attrs` and `chunk_index`
 * are read (HoLcStore's client sends whole `updates/` items). At most `max` of them.
 */
export function parsePackRequest(json: unknown, keys: readonly KeyDecl[], max = 1000): ChunkRef[] {
  return asArray(json, "body", max).map((item, i) => {
    const rec = asRecord(item, `body[${i}]`);
    if (!Object.hasOwn(rec, "attrs")) throw new SeriesError("invalid", `body[${i}].attrs is missing`);
    return { key: attrsToKey(rec.attrs, keys), chunkIndex: intAt(rec, "chunk_index", `body[${i}]`, 0) };
  });
}

/** The body of `pack/`: each chunk's bytes in base64 with its attrs (plus chunk_index) and meta. */
export function packResponse(chunks: readonly StoredChunk[], keys: readonly KeyDecl[]): string {
  const items = chunks.map(
    (c) =>
      `{"blob":"${toBase64(c.data)}","attrs":${attrsJson(c.key, keys, [["chunk_index", c.chunkIndex]])},` +
      `"meta":{"dtype":${drfString(c.dtype)},"start_ts":"${formatStartTs(c.startMs)}",` +
      `"is_deleted":${c.deleted},"updated_at":"${formatUpdatedAt(c.updatedUs)}"}}`,
  );
  return `[${items.join(",")}]`;
}

// ---- client side --------------------------------------------------------------------------------

/** One `updates/` item as our client reads it; `raw` is sent back to `pack/` as HoLcStore's client does. */
export interface UpdateItem {
  readonly key: string;
  readonly chunkIndex: number;
  readonly startMs: number;
  readonly dtype: Dtype;
  readonly deleted: boolean;
  readonly updatedUs: number;
  readonly raw: unknown;
}

export interface UpdatesPage {
  readonly count: number;
  readonly next: string | null;
  readonly items: readonly UpdateItem[];
}

function chunkMeta(rec: Rec, path: string): Omit<UpdateItem, "key" | "chunkIndex" | "raw"> {
  return {
    startMs: Math.floor(instantAt(rec, "start_ts", path) / 1000),
    dtype: dtypeAt(rec, "dtype", path),
    deleted: boolAt(rec, "is_deleted", path),
    updatedUs: instantAt(rec, "updated_at", path),
  };
}

/** An `updates/` body, checked (keys must fit the local store's). */
export function parseUpdatesPage(json: unknown, keys: readonly KeyDecl[], maxItems: number): UpdatesPage {
  const env = asRecord(json, "updates");
  const items = asArray(env.results, "updates.results", maxItems).map((item, i): UpdateItem => {
    const path = `updates.results[${i}]`;
    const rec = asRecord(item, path);
    return {
      key: attrsToKey(rec.attrs, keys),
      chunkIndex: intAt(rec, "chunk_index", path, 0),
      ...chunkMeta(rec, path),
      raw: item,
    };
  });
  return { count: intAt(env, "count", "updates", 0), next: strOrNullAt(env, "next", "updates"), items };
}

/** A chunk as a `pack/` reply carries it. */
export interface PackedChunk extends Omit<UpdateItem, "raw"> {
  readonly data: Uint8Array;
}

/** A `pack/` reply, checked. */
export function parsePackReply(json: unknown, keys: readonly KeyDecl[], maxItems: number): PackedChunk[] {
  return asArray(json, "pack", maxItems).map((item, i) => {
    const path = `pack[${i}]`;
    const rec = asRecord(item, path);
    const attrs = asRecord(rec.attrs, `${path}.attrs`);
    const data = fromBase64(strAt(rec, "blob", path));
    if (data === undefined) throw new SeriesError("invalid", `${path}.blob is not base64`);
    return {
      key: attrsToKey(attrs, keys, ["chunk_index"]),
      chunkIndex: intAt(attrs, "chunk_index", `${path}.attrs`, 0),
      ...chunkMeta(asRecord(rec.meta, `${path}.meta`), `${path}.meta`),
      data,
    };
  });
}

/**
 * The first `updates/` URL of a pull, as HoLcStore's client (requests) encodes it: since, limit,
 * then the filters; `offset` only when paging inside one `updated_at`.
 * @example updatesUrl("http://h/api/ts/", FIRST_SINCE, 8, 0, {})
 *   === "http://h/api/ts/updates/?since=2000-01-01T00%3A00%3A00%2B01%3A00&limit=8"
 */
export function updatesUrl(
  base: string,
  since: string,
  limit: number,
  offset: number,
  filters: Readonly<Record<string, string>>,
): string {
  const params: [string, string][] = [
    ["since", since],
    ["limit", String(limit)],
    ...(offset > 0 ? [["offset", String(offset)] as [string, string]] : []),
    ...Object.entries(filters),
  ];
  return `${base}updates/?${params.map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join("&")}`;
}
