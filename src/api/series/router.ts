/**
 * The series face, `/ts/{project}/{store}/...`: HoLcStore's three models as store kinds, its sync
 * endpoints (compatible `updates/` and `pack/`, native `feed/`), and the store's sync sources.
 * Every route is described with @hono/zod-openapi; its zod schemas validate the request and type
 * the handler, and the same table gives the auth policy each route's least role.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { DEMO_STORES, seedSeriesDemo } from "../../demo/series.ts";
import { catalogOf } from "../../durable/catalog.ts";
import { openSeries, seriesObjectName } from "../../durable/series-client.ts";
import { SeriesError } from "../../series/errors.ts";
import { formatInstant } from "../../series/instants.ts";
import type { StoreDef } from "../../series/model.ts";
import type { KeyedPoints, SeriesApi } from "../../timeseries/api.ts";
import { definitionJson, normaliseDefinition, StoreDefInput } from "../../timeseries/definition.ts";
import { keyFromObject } from "../../timeseries/keys.ts";
import { LIMITS } from "../../timeseries/limits.ts";
import type { AppDeps, AppEnv } from "../context.ts";
import { HttpError } from "../errors/index.ts";
import { type FaceRoutes, faceRoutes, type Method, type RouteDecl } from "../routes.ts";
import {
  CONTENT_TYPES,
  type ManyItem,
  negotiateOutput,
  type SeriesFormat,
  writeManySeries,
  writePoints,
} from "./bodies/index.ts";
import {
  bodyPoints,
  bodySeries,
  type Ctx,
  flag,
  instant,
  param,
  queryKey,
  queryKeys,
  queryMatch,
  setMode,
} from "./request.ts";
import { route, type SeriesRoute, STORE_PATH, StoreParams, withStore, zodInvalid } from "./shared.ts";
import { sourceRoutes } from "./sources.ts";
import { syncRoutes } from "./sync.ts";

/** The store's keys by name (e.g. version=1&kind=load), checked against the store; repeatable where a route says. */
const keyValue = z.union([z.string(), z.array(z.string())]);

/** A route's own query parameters, documented, plus the store's keys. */
function keyQuery(own: Record<string, string>) {
  return z
    .object(
      Object.fromEntries(Object.entries(own).map(([k, d]) => [k, z.string().optional().openapi({ description: d })])),
    )
    .catchall(keyValue)
    .openapi({ description: "Plus the store's keys by name, e.g. version=1&kind=load" });
}

const WINDOW = { start: "Inclusive start: ISO 8601 (naive = store zone) or epoch ms", end: "Inclusive end" };
const FORMAT = { format: "json, ndjson, csv or arrow (else Accept)", shape: "columnar (default) or pairs" };

const Problem = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).openapi("Problem");

const problems = {
  400: { description: "Bad input", content: { "application/json": { schema: Problem } } },
  404: { description: "No such store or series", content: { "application/json": { schema: Problem } } },
} as const;

/** Bodies our own codecs read (not validated by zod-openapi: they may be CSV or Arrow). */
const SERIES_BODY = {
  content: {
    "application/json": {
      schema: { type: "object", description: '{"index": [...], "values": [...]} or [[t, v], ...]' },
    },
    "application/x-ndjson": { schema: { type: "string", description: 'one {"t": ..., "v": ...} per line' } },
    "text/csv": { schema: { type: "string", description: "time,value" } },
    "application/vnd.apache.arrow.stream": { schema: { type: "string", format: "binary" } },
  },
  required: true,
} as const;

const SERIES_OUT = {
  description: "Series in the negotiated format (Accept, or format=json|ndjson|csv|arrow)",
  content: Object.fromEntries(Object.values(CONTENT_TYPES).map((t) => [t, { schema: { type: "string" as const } }])),
};

function output(c: Ctx): SeriesFormat {
  const f = negotiateOutput(c.req.header("accept"), param(c, "format"));
  if (!f) throw new HttpError(406, "not_acceptable", "no supported format in Accept (json, ndjson, csv, arrow)");
  return f;
}

function streamed(body: ReadableStream<Uint8Array>, format: SeriesFormat, status = 200): Response {
  return new Response(body, { status, headers: { "content-type": CONTENT_TYPES[format] } });
}

/** Every page of a multi-series read, as the codecs' items. */
async function* pages(
  def: StoreDef,
  next: (after: string | null) => ReturnType<SeriesApi["scan"]>,
): AsyncGenerator<ManyItem> {
  let after: string | null = null;
  do {
    const page = await next(after);
    for (const it of page.items) {
      yield {
        keys: Object.fromEntries(def.keys.map((k, i) => [k.name, it.key[i] as string | number | boolean])),
        ...(it.version !== undefined ? { version: it.version } : {}),
        points: it.points,
      };
    }
    after = page.next;
  } while (after !== null);
}

function setResult(c: Ctx, r: Awaited<ReturnType<SeriesApi["set"]>>, status: 200 | 201 = 200): Response {
  return c.json(r, status);
}

const storePath = STORE_PATH;

function dataRoutes(deps: AppDeps): SeriesRoute[] {
  return [
    route(
      "viewer",
      createRoute({
        method: "get",
        path: "/ts/{project}",
        summary: "The project's series stores",
        request: { params: z.object({ project: StoreParams.shape.project }) },
        responses: { 200: { description: "Store names" } },
      }),
      async (c) => {
        const project = c.req.param("project") as string;
        const prefix = `${project}/`;
        const stores: string[] = [];
        let after = prefix;
        for (;;) {
          const page = await catalogOf(c.env).list("series", after, 1000);
          const mine = page.filter((e) => e.name.startsWith(prefix));
          stores.push(...mine.map((e) => e.name.slice(prefix.length)));
          if (mine.length < page.length || page.length < 1000) break;
          after = page.at(-1)?.name ?? after;
        }
        return c.json({ stores });
      },
    ),
    route(
      "admin",
      createRoute({
        method: "put",
        path: storePath,
        summary: "Define a store (frozen once made)",
        request: {
          params: StoreParams,
          body: { content: { "application/json": { schema: StoreDefInput } }, required: true },
        },
        responses: { 200: { description: "Already defined so" }, 201: { description: "Created" }, 409: problems[400] },
      }),
      async (c) => {
        const { project, store } = c.req.param() as { project: string; store: string };
        const input = StoreDefInput.safeParse(await c.req.json());
        if (!input.success) throw zodInvalid(input.error);
        const def = normaliseDefinition(input.data);
        const opened = openSeries(c.env, deps.backend(c.env), deps.clock, project, store);
        try {
          const created = await opened.api.define(def);
          await catalogOf(c.env).register("series", seriesObjectName(project, store), deps.clock.now());
          return c.json({ store, definition: definitionJson(def) }, created ? 201 : 200);
        } finally {
          if (opened.close) c.executionCtx.waitUntil(opened.close());
        }
      },
    ),
    route(
      "viewer",
      createRoute({
        method: "get",
        path: storePath,
        summary: "A store's definition",
        request: { params: StoreParams },
        responses: { 200: { description: "The definition" }, ...problems },
      }),
      (c) => withStore(c, deps, async (_api, def, { store }) => c.json({ store, definition: definitionJson(def) })),
    ),
    route(
      "admin",
      createRoute({
        method: "delete",
        path: storePath,
        summary: "Drop a store and everything in it",
        request: { params: StoreParams },
        responses: { 204: { description: "Dropped" }, ...problems },
      }),
      (c) =>
        withStore(c, deps, async (api, _def, { project, store }) => {
          await api.drop();
          await catalogOf(c.env).setDue("series", seriesObjectName(project, store), null);
          return c.body(null, 204);
        }),
    ),
    route(
      "viewer",
      createRoute({
        method: "get",
        path: `${storePath}/series`,
        summary: "One series (chunked: get; versioned: combined, one version or all; series: every match, flat=one)",
        request: {
          params: StoreParams,
          query: keyQuery({
            ...WINDOW,
            ...FORMAT,
            version: "versioned: a version number, or all",
            combined_delay: "versioned: trimmed off the start of each version before combining (e.g. 1d)",
            flat: "series stores: exactly one match, as one series",
          }),
        },
        responses: { 200: SERIES_OUT, ...problems },
      }),
      (c) =>
        withStore(c, deps, async (api, def) => {
          const format = output(c);
          const startMs = instant(c, "start", def);
          const endMs = instant(c, "end", def);
          const shape = param(c, "shape") === "pairs" ? "pairs" : "columnar";
          if (def.kind === "chunked") {
            const key = queryKey(c, def);
            const points = await api.get(key, startMs, endMs);
            if (!points) throw new SeriesError("not_found", "no live data for this series");
            return streamed(writePoints(points, format, def.zone, { shape }), format);
          }
          if (def.kind === "versioned") {
            const key = queryKey(c, def);
            const v = param(c, "version");
            const delay = param(c, "combined_delay");
            const got = await api.getVersioned(key, {
              ...(v === undefined ? {} : { version: v === "all" ? "all" : versionNumber(v) }),
              ...(delay === undefined ? {} : { combinedDelayMs: durationMs(delay) }),
              ...(startMs === undefined ? {} : { startMs }),
              ...(endMs === undefined ? {} : { endMs }),
            });
            if (!got || got.length === 0) throw new SeriesError("not_found", "no such series (or version)");
            if (v === "all") {
              const items = (async function* () {
                for (const g of got) {
                  yield { keys: keyObj(def, g.key), version: g.version ?? 0, points: g.points };
                }
              })();
              return streamed(writeManySeries(items, format, def.zone, def.keys), format);
            }
            const g = got[0] as (typeof got)[number];
            const meta = {
              version: g.version,
              ...(g.updatedMs === undefined ? {} : { last_modified: formatInstant(g.updatedMs, def.zone) }),
            };
            return streamed(writePoints(g.points, format, def.zone, { shape, meta }), format);
          }
          // series (TimeseriesStore): partial keys give every match; flat demands exactly one.
          const match = queryMatch(c, def);
          if (flag(c, "flat")) {
            const page = await api.getSeries(match, null);
            if (page.items.length !== 1) {
              throw new SeriesError(
                page.items.length === 0 ? "not_found" : "invalid",
                `flat needs exactly one matching series, found ${page.items.length}${page.next ? "+" : ""}`,
              );
            }
            return streamed(writePoints((page.items[0] as KeyedPoints).points, format, def.zone, { shape }), format);
          }
          const items = pages(def, (after) => api.getSeries(match, after));
          return streamed(writeManySeries(items, format, def.zone, def.keys), format);
        }),
    ),
    route(
      "operator",
      createRoute({
        method: "put",
        path: `${storePath}/series`,
        summary:
          "Write one series (mode=create|update|replace; series stores: set|update|replace; versioned: versioning=true)",
        request: {
          params: StoreParams,
          query: keyQuery({
            mode: "create (default), update or replace; series stores: set, update, replace",
            versioning: "versioned: true adds a version",
          }),
          body: SERIES_BODY,
        },
        responses: { 200: { description: "What was written" }, ...problems, 409: problems[400], 413: problems[400] },
      }),
      (c) =>
        withStore(c, deps, async (api, def) => {
          const key = queryKey(c, def);
          if (def.kind === "chunked") {
            const mode = setMode(c, ["create", "update", "replace"] as const, "create");
            return setResult(c, await api.set(key, await bodyPoints(c, def), mode));
          }
          if (def.kind === "versioned") {
            return setResult(c, await api.setVersioned(key, await bodyPoints(c, def), flag(c, "versioning")));
          }
          const mode = setMode(c, ["set", "update", "replace"] as const, "set");
          return setResult(c, await api.setSeries(key, await bodyPoints(c, def), mode));
        }),
    ),
    route(
      "operator",
      createRoute({
        method: "delete",
        path: `${storePath}/series`,
        summary: "Delete the matching series (at least one key; tombstones on a sync store; versioned: version=N)",
        request: { params: StoreParams, query: keyQuery({ version: "versioned: only this version" }) },
        responses: { 200: { description: "What was removed" }, ...problems },
      }),
      (c) =>
        withStore(c, deps, async (api, def) => {
          if (def.kind === "versioned") {
            const v = param(c, "version");
            return setResult(
              c,
              await api.deleteVersion(queryKey(c, def), v === undefined ? undefined : versionNumber(v)),
            );
          }
          const match = queryMatch(c, def);
          if (match.length === 0) throw new SeriesError("invalid", "name at least one key of the series to delete");
          return setResult(c, await api.delete(match));
        }),
    ),
    route(
      "viewer",
      createRoute({
        method: "get",
        path: `${storePath}/scan`,
        summary: "yield_many: every matching series (partial keys) within start..end, streamed",
        request: {
          params: StoreParams,
          query: keyQuery({ ...WINDOW, ...FORMAT, combined_delay: "versioned: as for series" }),
        },
        responses: { 200: SERIES_OUT, ...problems },
      }),
      (c) =>
        withStore(c, deps, async (api, def) => {
          const format = output(c);
          const startMs = instant(c, "start", def);
          const endMs = instant(c, "end", def);
          if (def.kind === "chunked") {
            const match = queryMatch(c, def);
            const items = pages(def, (after) => api.scan(match, startMs, endMs, after));
            return streamed(writeManySeries(items, format, def.zone, def.keys), format);
          }
          if (def.kind === "series") {
            const match = queryMatch(c, def);
            const items = pages(def, (after) => api.getSeries(match, after));
            return streamed(writeManySeries(items, format, def.zone, def.keys), format);
          }
          // versioned: get_many over every combination of the (repeatable) key parameters.
          const keys = queryKeys(c, def, LIMITS.maxSeriesPerRequest);
          const delay = param(c, "combined_delay");
          const items = (async function* () {
            for (const key of keys) {
              const got = await api.getVersioned(key, {
                ...(delay === undefined ? {} : { combinedDelayMs: durationMs(delay) }),
                ...(startMs === undefined ? {} : { startMs }),
                ...(endMs === undefined ? {} : { endMs }),
              });
              const g = got?.[0];
              if (g) yield { keys: keyObj(def, key), version: g.version ?? 0, points: g.points };
            }
          })();
          return streamed(writeManySeries(items, format, def.zone, def.keys), format);
        }),
    ),
    route(
      "operator",
      createRoute({
        method: "post",
        path: `${storePath}/many`,
        summary: "set_many: create several series, all or none (chunked stores)",
        request: { params: StoreParams, body: SERIES_BODY },
        responses: { 201: { description: "Created" }, ...problems, 409: problems[400] },
      }),
      (c) =>
        withStore(c, deps, async (api, def) => {
          const items = await bodySeries(c, def);
          const r = await api.setMany(
            items.map((it) => ({ key: keyFromObject(it.keys, def.keys), points: it.points })),
          );
          return setResult(c, r, 201);
        }),
    ),
    route(
      "viewer",
      createRoute({
        method: "get",
        path: `${storePath}/last`,
        summary: "get_max_horodate: the last instant with a value among the matching series",
        request: { params: StoreParams, query: keyQuery({}) },
        responses: { 200: { description: '{"time": ISO or null, "ms": epoch ms or null}' }, ...problems },
      }),
      (c) =>
        withStore(c, deps, async (api, def) => {
          const ms = await api.maxHorodate(queryMatch(c, def));
          return c.json({ time: ms === null ? null : formatInstant(ms, def.zone), ms });
        }),
    ),
    route(
      "viewer",
      createRoute({
        method: "get",
        path: `${storePath}/holes`,
        summary: "find_holes (versioned): missing runs of each named series within start..end at step",
        request: {
          params: StoreParams,
          query: keyQuery({ ...WINDOW, step: "expected step (default 30min, as HoLcStore's)" }),
        },
        responses: { 200: { description: "Holes" }, ...problems },
      }),
      (c) =>
        withStore(c, deps, async (api, def) => {
          const startMs = instant(c, "start", def);
          const endMs = instant(c, "end", def);
          // HoLcStore's find_holes expects a 30-minute grid unless told otherwise.
          const step = param(c, "step") ?? "30min";
          if (startMs === undefined || endMs === undefined)
            throw new SeriesError("invalid", "holes needs start and end");
          const keys = queryKeys(c, def, LIMITS.maxSeriesPerRequest);
          const holes = await api.findHoles(keys, startMs, endMs, step);
          return c.json({
            holes: holes.map((h) => ({
              keys: keyObj(def, h.key),
              start: formatInstant(h.startMs, def.zone),
              end: formatInstant(h.endMs, def.zone),
            })),
          });
        }),
    ),
  ];
}

function keyObj(def: StoreDef, key: readonly (string | number | boolean)[]): Record<string, string | number | boolean> {
  return Object.fromEntries(def.keys.map((k, i) => [k.name, key[i] as string | number | boolean]));
}

function versionNumber(v: string): number {
  if (!/^\d{1,9}$/.test(v)) throw new SeriesError("invalid", "version must be a whole number or all");
  return Number(v);
}

const DURATION = /^(\d{1,9})(ms|s|min|m|h|d|D)$/;
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  min: 60_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  D: 86_400_000,
};

/** `15min`, `1h`, `2d`, `500ms`: a duration in ms. */
export function durationMs(text: string): number {
  const m = DURATION.exec(text);
  if (!m) throw new SeriesError("invalid", `not a duration: ${JSON.stringify(text.slice(0, 32))} (e.g. 30min, 1h, 1d)`);
  return Number(m[1]) * (UNIT_MS[m[2] as string] as number);
}

let demoSeeded: Promise<unknown> | undefined;

/** Seeds the demo stores once per isolate (after that a no-op: define is idempotent). */
async function ensureDemo(c: Ctx, deps: AppDeps, next: () => Promise<void>): Promise<void> {
  const demo = c.var.config.demoProject;
  if (demo !== undefined && c.req.param("project") === demo) {
    demoSeeded ??= (async () => {
      const closers: (() => Promise<void>)[] = [];
      try {
        const r = await seedSeriesDemo((store) => {
          const o = openSeries(c.env, deps.backend(c.env), deps.clock, demo, store);
          if (o.close) closers.push(o.close);
          return o.api;
        }, deps.clock.now());
        for (const store of Object.keys(DEMO_STORES)) {
          await catalogOf(c.env).register("series", seriesObjectName(demo, store), deps.clock.now());
        }
        if (r.seeded.length > 0) console.log(`seeded series demo: ${r.seeded.join(", ")} (${r.points} points)`);
      } finally {
        await Promise.all(closers.map((f) => f()));
      }
    })().catch((err) => {
      demoSeeded = undefined;
      throw err;
    });
    await demoSeeded;
  }
  await next();
}

/** The face: its router and the route table the auth policy reads. */
export function seriesFace(deps: AppDeps): { readonly face: FaceRoutes; readonly router: OpenAPIHono<AppEnv> } {
  const router = new OpenAPIHono<AppEnv>({
    // zod's verdict becomes the face's own problem body.
    defaultHook: (result) => {
      if (!result.success) throw zodInvalid(result.error);
    },
  });
  // Bodies the codecs read are bounded again as they are read; this also bounds JSON that zod reads.
  router.use("/ts/*", (c, next) =>
    bodyLimit({
      maxSize: c.var.config.maxBodyBytes,
      onError: () => {
        throw new HttpError(413, "payload_too_large", `Request body exceeds ${c.var.config.maxBodyBytes} bytes`);
      },
    })(c, next),
  );
  // The demo project's stores exist before its first request is answered.
  router.use("/ts/:project/*", (c, next) => ensureDemo(c, deps, next));
  router.use("/ts/:project", (c, next) => ensureDemo(c, deps, next));
  const all = [...dataRoutes(deps), ...syncRoutes(deps), ...sourceRoutes(deps)];
  const decls: RouteDecl[] = [];
  for (const r of all) {
    router.openapi(r.route as never, r.handler as never);
    const path = r.route.path.replace(/^\/ts/, "").replace(/\{(\w+)\}/g, ":$1");
    decls.push({ method: r.route.method.toUpperCase() as Method, path, role: r.role });
  }
  return { face: faceRoutes("ts", "json", decls), router };
}
