/**
 * Sync endpoints of a chunked sync store: HoLcStore 0.5.12's `updates/` and `pack/`, served as
 * its client expects them (the captures in test/fixtures/series/holcstore-wire are the reference),
 * and our native `feed/`, which pages by the store's commit-ordered sequence instead.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { SeriesError } from "../../series/errors.ts";
import { pageLinks } from "../../sync/drf.ts";
import { packResponse, parsePackRequest, parseUpdatesQuery, updatesEnvelope } from "../../sync/holcstore-wire.ts";
import { feedPage, parseFeedQuery } from "../../sync/native-wire.ts";
import { LIMITS } from "../../timeseries/limits.ts";
import { readBody } from "../body.ts";
import type { AppDeps } from "../context.ts";
import { route, type SeriesRoute, STORE_PATH, StoreParams, withStore } from "./shared.ts";

const storePath = STORE_PATH;
const MAX_PACK_BODY = 1024 * 1024;
/** DRF's default page when a client gives no limit (HoLcStore itself answers 500 then). */
const DEFAULT_UPDATES_LIMIT = 100;

const SyncQuery = z
  .object({})
  .catchall(z.union([z.string(), z.array(z.string())]))
  .openapi({ description: "since, limit, offset (updates/); after, limit, data (feed/); plus key filters" });

export function syncRoutes(deps: AppDeps): SeriesRoute[] {
  const updates = (path: string, hide: boolean) =>
    route(
      "viewer",
      createRoute({
        method: "get",
        path,
        hide,
        summary: "HoLcStore sync: chunks updated at or after since (inclusive), DRF limit/offset pages",
        request: { params: StoreParams, query: SyncQuery },
        responses: { 200: { description: '{"count", "next", "previous", "results"}' } },
      }),
      (c) =>
        withStore(c, deps, async (api, def) => {
          const url = new URL(c.req.url);
          const q = parseUpdatesQuery(url.searchParams, def.keys, {
            defaultLimit: DEFAULT_UPDATES_LIMIT,
            maxLimit: LIMITS.maxUpdatesPage,
          });
          const { count: total, rows } = await api.updates(q.sinceUs, q.limit, q.offset, q.match);
          const links = pageLinks(url, q.limit, q.offset, total);
          const text = updatesEnvelope({
            count: total,
            rows,
            keys: def.keys,
            nextUrl: links.next,
            previousUrl: links.previous,
          });
          return c.body(text, 200, { "content-type": "application/json" });
        }),
    );
  const pack = (method: "get" | "post", path: string, hide: boolean) =>
    route(
      "viewer",
      createRoute({
        method,
        path,
        hide,
        summary: "HoLcStore sync: the chunks named in the JSON body (a GET with a body, or a POST)",
        request: { params: StoreParams },
        responses: { 200: { description: '[{"blob", "attrs", "meta"}]' } },
      }),
      (c) =>
        withStore(c, deps, async (api, def) => {
          const text = await readBody(c.req.raw, MAX_PACK_BODY);
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            throw new SeriesError("invalid", "pack/ takes a JSON array of update items");
          }
          const chunks = await api.pack(parsePackRequest(json, def.keys, LIMITS.maxPack));
          return c.body(packResponse(chunks, def.keys), 200, { "content-type": "application/json" });
        }),
    );
  return [
    updates(`${storePath}/updates/`, false),
    updates(`${storePath}/updates`, true),
    pack("get", `${storePath}/pack/`, false),
    pack("post", `${storePath}/pack/`, false),
    pack("get", `${storePath}/pack`, true),
    pack("post", `${storePath}/pack`, true),
    route(
      "viewer",
      createRoute({
        method: "get",
        path: `${storePath}/feed/`,
        summary: "Native sync: changes after seq `after` in commit order (exclusive keyset), data=inline|ref",
        request: { params: StoreParams, query: SyncQuery },
        responses: { 200: { description: '{"after", "last", "more", "items"}' } },
      }),
      (c) =>
        withStore(c, deps, async (api, def) => {
          const q = parseFeedQuery(new URL(c.req.url).searchParams, def.keys, { maxLimit: LIMITS.maxFeedPage });
          // One more than asked tells whether another page follows.
          const items = await api.feed(q.after, q.limit + 1, q.match, q.data === "inline");
          const more = items.length > q.limit;
          const page = feedPage({ after: q.after, items: items.slice(0, q.limit), more, keys: def.keys, data: q.data });
          return c.body(page, 200, { "content-type": "application/json" });
        }),
    ),
  ];
}
