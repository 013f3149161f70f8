/**
 * A store's sync sources: registered by an admin (the only URLs a pull ever reaches), pulled by
 * the cron when due or now on request, with their cursor and last outcome as a status resource.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { pullSource, reportDue } from "../../durable/series-pulls.ts";
import { SeriesError } from "../../series/errors.ts";
import type { Source, SourceDef } from "../../storage/series-port.ts";
import type { AppDeps } from "../context.ts";
import { route, type SeriesRoute, STORE_PATH, StoreParams, withStore, zodInvalid } from "./shared.ts";

const storePath = STORE_PATH;
const SOURCE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_FILTERS = 8;
/** At least a minute between scheduled pulls; at most a year. */
const MIN_EVERY_S = 60;
const MAX_EVERY_S = 366 * 86_400;

const SourceParams = StoreParams.extend({ name: z.string().regex(SOURCE_NAME) });

export const SourceInput = z
  .object({
    url: z.string().max(2048),
    protocol: z.enum(["hayloft", "holcstore"]).optional(),
    tokenSecret: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]{0,63}$/)
      .optional(),
    filters: z.record(z.string().max(64), z.string().max(256)).optional(),
    everySeconds: z.number().int().min(0).max(MAX_EVERY_S).optional(),
    pageSize: z.number().int().min(1).max(5000).optional(),
    batch: z.number().int().min(1).max(500).optional(),
  })
  .strict();

/** A remote store's base URL: http(s), no credentials or fragment, ending in `/` as HoLcStore's client needs. */
function checkUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new SeriesError("invalid", "url is not an absolute URL");
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new SeriesError("invalid", "url must be http or https");
  if (u.username || u.password) throw new SeriesError("invalid", "url may not carry credentials: name a tokenSecret");
  if (u.hash || u.search) throw new SeriesError("invalid", "url is the store's base URL, without query or fragment");
  if (!u.pathname.endsWith("/")) throw new SeriesError("invalid", "url must end with / (the store's base URL)");
  return u.href;
}

function sourceJson(s: Source) {
  return s;
}

export function sourceRoutes(deps: AppDeps): SeriesRoute[] {
  return [
    route(
      "viewer",
      createRoute({
        method: "get",
        path: `${storePath}/sources`,
        summary: "The store's sync sources with their status",
        request: { params: StoreParams },
        responses: { 200: { description: "Sources" } },
      }),
      (c) => withStore(c, deps, async (api) => c.json({ sources: (await api.sources()).map(sourceJson) })),
    ),
    route(
      "admin",
      createRoute({
        method: "put",
        path: `${storePath}/sources/{name}`,
        summary: "Register (or change) a source: base URL, protocol, token secret name, key filters, interval",
        request: {
          params: SourceParams,
          body: { content: { "application/json": { schema: SourceInput } }, required: true },
        },
        responses: { 200: { description: "The source" } },
      }),
      (c) =>
        withStore(c, deps, async (api, def, { project, store }) => {
          const parsed = SourceInput.safeParse(await c.req.json());
          if (!parsed.success) throw zodInvalid(parsed.error);
          const b = parsed.data;
          const filters = b.filters ?? {};
          if (Object.keys(filters).length > MAX_FILTERS)
            throw new SeriesError("invalid", `at most ${MAX_FILTERS} filters`);
          for (const k of Object.keys(filters)) {
            if (!def.keys.some((d) => d.name === k))
              throw new SeriesError("invalid", `filter ${k} is not a key of this store`);
          }
          const every = b.everySeconds ?? 0;
          if (every !== 0 && every < MIN_EVERY_S)
            throw new SeriesError("invalid", `everySeconds is 0 (manual) or at least ${MIN_EVERY_S}`);
          const sourceDef: SourceDef = {
            name: c.req.param("name") as string,
            url: checkUrl(b.url),
            protocol: b.protocol ?? "hayloft",
            ...(b.tokenSecret === undefined ? {} : { tokenSecret: b.tokenSecret }),
            filters,
            everySeconds: every,
            ...(b.pageSize === undefined ? {} : { pageSize: b.pageSize }),
            ...(b.batch === undefined ? {} : { batch: b.batch }),
          };
          const source = await api.putSource(sourceDef);
          await reportDue(c.env, project, store, await api.sources());
          return c.json({ source });
        }),
    ),
    route(
      "viewer",
      createRoute({
        method: "get",
        path: `${storePath}/sources/{name}`,
        summary: "A source's status: cursor, last success, last error",
        request: { params: SourceParams },
        responses: { 200: { description: "The source" }, 404: { description: "No such source" } },
      }),
      (c) =>
        withStore(c, deps, async (api) => {
          const s = (await api.sources()).find((x) => x.name === c.req.param("name"));
          if (!s) throw new SeriesError("not_found", `no source ${c.req.param("name")}`);
          return c.json({ source: sourceJson(s) });
        }),
    ),
    route(
      "admin",
      createRoute({
        method: "delete",
        path: `${storePath}/sources/{name}`,
        summary: "Remove a source",
        request: { params: SourceParams },
        responses: { 204: { description: "Removed" }, 404: { description: "No such source" } },
      }),
      (c) =>
        withStore(c, deps, async (api, _def, { project, store }) => {
          if (!(await api.dropSource(c.req.param("name") as string))) {
            throw new SeriesError("not_found", `no source ${c.req.param("name")}`);
          }
          await reportDue(c.env, project, store, await api.sources());
          return c.body(null, 204);
        }),
    ),
    route(
      "admin",
      createRoute({
        method: "post",
        path: `${storePath}/sources/{name}/pull`,
        summary: "Pull a source now",
        request: { params: SourceParams },
        responses: { 200: { description: "What the pull did, and the source's status" } },
      }),
      (c) =>
        withStore(c, deps, async (api, _def, { project, store }) => {
          const s = (await api.sources()).find((x) => x.name === c.req.param("name"));
          if (!s) throw new SeriesError("not_found", `no source ${c.req.param("name")}`);
          const out = await pullSource(c.env, deps, api, s);
          await reportDue(c.env, project, store, await api.sources());
          return c.json(
            {
              ok: out.ok,
              ...(out.result ? { result: out.result } : {}),
              ...(out.error ? { error: out.error } : {}),
              source: out.source,
            },
            out.ok ? 200 : 502,
          );
        }),
    ),
  ];
}
