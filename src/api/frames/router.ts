/**
 * The frames face, `/frames/{project}/{collection}/...`: PyStore's collections, items, metadata and
 * snapshots on ArcticDB's versioned model (src/dataframes/). Every route is described with
 * @hono/zod-openapi; the same table gives the auth policy each route's least role. Frame bodies
 * are read by Content-Type and answered by Accept (or `format=`): JSON, NDJSON, CSV, Arrow IPC,
 * Parquet.
 */
import { createRoute, OpenAPIHono, type RouteConfig, z } from "@hono/zod-openapi";
import type { Context, Handler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Role } from "../../auth/roles.ts";
import type { AsOf, Meta, Op, ReadRequest } from "../../dataframes/api.ts";
import { FramesService, MAX_SNAPSHOT_ITEMS } from "../../dataframes/service.ts";
import { DEMO_COLLECTION, DEMO_ITEMS, seedFramesDemo } from "../../demo/frames.ts";
import type { JsonShape } from "../../frames/json.ts";
import { readJson, toJson } from "../../frames/json.ts";
import { ON_DUP, type OnDup } from "../../frames/merge.ts";
import { type Frame, FrameError, frameLength } from "../../frames/model.ts";
import { parseIsoNs } from "../../frames/predicates.ts";
import { EVOLVE_STRATEGIES } from "../../frames/rules.ts";
import { StoreError } from "../../storage/errors.ts";
import { MAX_FRAMES_PAGE, type Strategy } from "../../storage/frames-port.ts";
import { afterSent } from "../after-sent.ts";
import type { AppDeps, AppEnv } from "../context.ts";
import { HttpError } from "../errors/index.ts";
import { logFailure } from "../log.ts";
import { type FaceRoutes, faceRoutes, type Method, type RouteDecl } from "../routes.ts";
import { bodyKind, frameBatches, frameBody } from "./bodies-in.ts";
import { frameOutput, gathered, OUT_TYPES, outFormat, streamOf } from "./bodies-out.ts";

type Ctx = Context<AppEnv>;

interface FramesRoute {
  readonly role: Role;
  readonly route: RouteConfig;
  readonly handler: Handler<AppEnv>;
}

const route = (role: Role, config: RouteConfig, handler: Handler<AppEnv>): FramesRoute => ({
  role,
  route: config,
  handler,
});

const Problem = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).openapi("FramesProblem");
const problem = (description: string) => ({ description, content: { "application/json": { schema: Problem } } });
const PROBLEMS = {
  400: problem("Bad input: invalid, unknown_column, duplicate_column, dtype_mismatch, schema_changed, rule_failed"),
  404: problem("No such collection, item, version or snapshot (not_found)"),
  409: problem("Exists already, a duplicate index with on_dup=error, or a concurrent change (conflict)"),
  413: problem("Body, rows or result over the limits (too_large, payload_too_large)"),
} as const;

const NAME = z.string().min(1).max(200);
const ProjectParams = z.object({ project: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
const CollectionParams = ProjectParams.extend({ collection: NAME });
const ItemParams = CollectionParams.extend({ item: NAME });
const SnapshotParams = CollectionParams.extend({ snapshot: NAME });

const q = (description: string) => z.string().optional().openapi({ description });

const FRAME_BODY = {
  content: {
    "application/json": { schema: { type: "object", description: "records, split or columnar (pandas to_json)" } },
    "application/x-ndjson": { schema: { type: "string", description: "one record per line (streamed)" } },
    "text/csv": { schema: { type: "string", description: "index first (streamed)" } },
    "application/vnd.apache.arrow.stream": { schema: { type: "string", format: "binary" } },
    "application/vnd.apache.arrow.file": { schema: { type: "string", format: "binary" } },
    "application/vnd.apache.parquet": { schema: { type: "string", format: "binary" } },
  },
  required: true,
} as const;

const FRAME_OUT = {
  description: "The rows in the negotiated format (Accept, or format=json|ndjson|csv|arrow|parquet)",
  content: Object.fromEntries(Object.values(OUT_TYPES).map((t) => [t, { schema: { type: "string" as const } }])),
};

const READ_QUERY = z.object({
  columns: q("Comma-separated columns to return (default all)"),
  filters: q('PyStore DNF filters as JSON, e.g. [["price",">",100],["sym","in",["A","B"]]]'),
  start: q("Inclusive index start: ISO 8601 or int64 (epoch ns for timestamps)"),
  end: q("Inclusive index end"),
  head: q("First n rows"),
  tail: q("Last n rows"),
  version: q("Read this version"),
  snapshot: q("Read the version this snapshot names"),
  as_of: q("A version number, a snapshot name, or an ISO 8601 time (the newest version made by then)"),
  format: q("json, ndjson, csv, arrow or parquet (else Accept)"),
  shape: q("JSON shape: records (default, streamed), split or columnar"),
});

const WRITE_QUERY = z.object({
  overwrite: q("true: replace an existing item (a new version)"),
  metadata: q("Item metadata as a JSON object"),
  strategy: q("Schema evolution: strict (default), add_only or compatible"),
  zone: q("IANA zone for zoneless timestamps in CSV / JSON bodies"),
  index: q("CSV: false when the first column is not the index"),
  index_col: q('JSON / NDJSON: the key holding the index (default "index", or the item\'s index on append)'),
});

const APPEND_QUERY = WRITE_QUERY.pick({ metadata: true, zone: true, index: true, index_col: true }).extend({
  on_dup: q("keep_last (default), keep_first, error or keep_all"),
});

const CollectionBody = z
  .object({
    rules: z.array(z.unknown()).optional().openapi({ description: "Validation rules (README, Frames)" }),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("FramesCollection");

const SnapshotBody = z
  .object({
    items: z
      .array(NAME)
      .max(MAX_SNAPSHOT_ITEMS)
      .optional()
      .openapi({ description: "Items to name (default every live item)" }),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("FramesSnapshot");

const OpBody = z
  .object({
    op: z.enum(["write", "append", "update", "delete_range", "metadata", "delete"]),
    item: NAME,
    data: z.unknown().optional().openapi({ description: "The rows as JSON (records, split or columnar)" }),
    overwrite: z.boolean().optional(),
    strategy: z.enum(EVOLVE_STRATEGIES as [Strategy, ...Strategy[]]).optional(),
    on_dup: z.enum(ON_DUP as [OnDup, ...OnDup[]]).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    start: z.union([z.string(), z.number()]).optional(),
    end: z.union([z.string(), z.number()]).optional(),
    zone: z.string().optional(),
    index_col: z.string().optional().openapi({ description: 'The key of `data` holding the index (default "index")' }),
  })
  .openapi("FramesOp");
const OpsBody = z.object({ ops: z.array(OpBody).max(1000) }).openapi("FramesOps");

const ReadSpec = z.object({
  item: NAME,
  columns: z.array(z.string()).optional(),
  filters: z.unknown().optional(),
  start: z.union([z.string(), z.number()]).optional(),
  end: z.union([z.string(), z.number()]).optional(),
  head: z.number().int().min(0).optional(),
  tail: z.number().int().min(0).optional(),
  as_of: z.union([z.string(), z.number()]).optional(),
});
const BatchReadBody = z.object({ items: z.array(ReadSpec).max(1000) }).openapi("FramesBatchRead");

const PruneBody = z
  .object({
    keep: z.number().int().min(1).optional().openapi({ description: "Keep the newest n versions" }),
    before: z.string().optional().openapi({ description: "Prune versions made before this ISO 8601 time" }),
  })
  .openapi("FramesPrune");

function param(c: Ctx, name: string): string | undefined {
  return c.req.query(name);
}

function jsonParam(c: Ctx, name: string): unknown {
  const text = param(c, name);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new FrameError("invalid", `${name} must be JSON`);
  }
}

/** A JSON body that may be left out (an empty body is `{}`), checked by `schema`. */
async function optionalBody<T>(c: Ctx, schema: z.ZodType<T>): Promise<Partial<T>> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FrameError("invalid", "the body must be JSON");
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new FrameError("invalid", `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
  }
  return r.data;
}

function intParam(c: Ctx, name: string): number | undefined {
  const text = param(c, name);
  if (text === undefined) return undefined;
  if (!/^\d{1,15}$/.test(text)) throw new FrameError("invalid", `${name} must be a whole number`);
  return Number(text);
}

function flagParam(c: Ctx, name: string): boolean {
  const text = param(c, name)?.toLowerCase();
  if (text === undefined || text === "false" || text === "0") return false;
  if (text === "true" || text === "1" || text === "") return true;
  throw new FrameError("invalid", `${name} must be true or false`);
}

function metaParam(c: Ctx): Meta | undefined {
  return jsonParam(c, "metadata") as Meta | undefined;
}

function strategyParam(c: Ctx): Strategy | undefined {
  const s = param(c, "strategy");
  if (s === undefined) return undefined;
  if (!(EVOLVE_STRATEGIES as readonly string[]).includes(s)) {
    throw new FrameError("invalid", `strategy must be one of ${EVOLVE_STRATEGIES.join(", ")}`);
  }
  return s as Strategy;
}

function onDupParam(text: string | undefined): OnDup {
  if (text === undefined) return "keep_last";
  if (!(ON_DUP as readonly string[]).includes(text))
    throw new FrameError("invalid", `on_dup must be one of ${ON_DUP.join(", ")}`);
  return text as OnDup;
}

/** `as_of`: digits are a version, an ISO time a time, anything else a snapshot name. */
export function asOfOf(v: { version?: string | number; snapshot?: string; as_of?: string | number }): AsOf | undefined {
  const given = [v.version, v.snapshot, v.as_of].filter((x) => x !== undefined);
  if (given.length > 1) throw new FrameError("invalid", "give one of version, snapshot and as_of");
  if (v.version !== undefined) {
    const text = String(v.version);
    if (!/^\d{1,9}$/.test(text)) throw new FrameError("invalid", "version must be a whole number");
    return { version: Number(text) };
  }
  if (v.snapshot !== undefined) return { snapshot: v.snapshot };
  if (v.as_of === undefined) return undefined;
  const text = String(v.as_of);
  if (/^\d{1,9}$/.test(text)) return { version: Number(text) };
  const ns = /^\d{4}-\d\d-\d\d/.test(text) ? parseIsoNs(text) : undefined;
  if (ns !== undefined) return { atMs: Number(ns / 1_000_000n) };
  return { snapshot: text };
}

function readRequest(c: Ctx): ReadRequest {
  const columns = param(c, "columns");
  const head = intParam(c, "head");
  const tail = intParam(c, "tail");
  const asOf = asOfOf({
    ...(param(c, "version") === undefined ? {} : { version: param(c, "version") as string }),
    ...(param(c, "snapshot") === undefined ? {} : { snapshot: param(c, "snapshot") as string }),
    ...(param(c, "as_of") === undefined ? {} : { as_of: param(c, "as_of") as string }),
  });
  const start = param(c, "start");
  const end = param(c, "end");
  return {
    ...(columns === undefined ? {} : { columns: columns === "" ? [] : columns.split(",").map((s) => s.trim()) }),
    ...(param(c, "filters") === undefined ? {} : { filters: jsonParam(c, "filters") }),
    ...(start === undefined ? {} : { start }),
    ...(end === undefined ? {} : { end }),
    ...(head === undefined ? {} : { head }),
    ...(tail === undefined ? {} : { tail }),
    ...(asOf === undefined ? {} : { asOf }),
  };
}

function shapeParam(c: Ctx): JsonShape | undefined {
  const s = param(c, "shape");
  if (s === undefined) return undefined;
  if (s !== "records" && s !== "split" && s !== "columnar")
    throw new FrameError("invalid", "shape must be records, split or columnar");
  return s;
}

/** Opens the collection for one request, answers with `fn`, and lets go once the response is sent. */
async function withCollection(
  c: Ctx,
  deps: AppDeps,
  fn: (svc: FramesService, names: { project: string; collection: string }) => Promise<Response>,
): Promise<Response> {
  const { project, collection } = c.req.param() as { project: string; collection: string };
  const opened = deps.backend(c.env).frames.open(project, collection);
  try {
    const svc = new FramesService(collection, opened.port, deps.clock);
    const res = await fn(svc, { project, collection });
    return afterSent(res, opened.close, c.executionCtx, (e) => logFailure(c.var.config, `${c.req.path} stream`, e));
  } catch (err) {
    if (opened.close) c.executionCtx.waitUntil(opened.close());
    throw err;
  }
}

function bodyOptions(c: Ctx, streamed: boolean) {
  const cfg = c.var.config;
  const zone = param(c, "zone");
  return {
    maxBytes: cfg.maxBodyBytes,
    maxRows: cfg.maxRequestRows,
    ...(streamed ? { stream: { maxBytes: cfg.framesMaxStreamBytes, maxRows: cfg.framesMaxStreamRows } } : {}),
    ...(zone === undefined ? {} : { zone }),
    csvIndex: param(c, "index") === undefined ? true : flagParam(c, "index"),
    ...(param(c, "index_col") === undefined ? {} : { indexName: param(c, "index_col") as string }),
  };
}

/** A frame from a JSON value inside a batch or transaction body. */
function frameOfJson(
  data: unknown,
  o: { zone?: string | undefined; index_col?: string | undefined },
  maxRows: number,
): Frame {
  if (data === undefined) throw new FrameError("invalid", "this step needs data");
  return readJson(JSON.stringify(data), {
    maxRows,
    ...(o.zone === undefined ? {} : { zone: o.zone }),
    ...(o.index_col === undefined ? {} : { indexName: o.index_col }),
  });
}

function opOf(o: z.infer<typeof OpBody>, maxRows: number): Op {
  const data = () => frameOfJson(o.data, o, maxRows);
  const meta = o.metadata as Meta | undefined;
  switch (o.op) {
    case "write":
      return {
        op: "write",
        item: o.item,
        frame: data(),
        options: {
          ...(meta === undefined ? {} : { metadata: meta }),
          ...(o.overwrite === undefined ? {} : { overwrite: o.overwrite }),
          ...(o.strategy === undefined ? {} : { strategy: o.strategy }),
        },
      };
    case "append":
      return {
        op: "append",
        item: o.item,
        frame: data(),
        onDup: o.on_dup ?? "keep_last",
        ...(meta ? { metadata: meta } : {}),
      };
    case "update":
      return { op: "update", item: o.item, frame: data() };
    case "delete_range":
      if (o.start === undefined || o.end === undefined)
        throw new FrameError("invalid", "delete_range needs start and end");
      return { op: "delete_range", item: o.item, start: String(o.start), end: String(o.end) };
    case "metadata":
      if (meta === undefined) throw new FrameError("invalid", "metadata needs metadata");
      return { op: "metadata", item: o.item, metadata: meta };
    case "delete":
      return { op: "delete", item: o.item };
  }
}

const COLL = "/frames/{project}/{collection}";
const ITEM = `${COLL}/items/{item}`;

function collectionRoutes(deps: AppDeps): FramesRoute[] {
  return [
    route(
      "viewer",
      createRoute({
        method: "get",
        path: "/frames/{project}",
        summary: "The project's collections",
        request: { params: ProjectParams, query: z.object({ after: q("Page after this name"), limit: q("At most") }) },
        responses: { 200: { description: "Collection names, and where the next page starts" } },
      }),
      async (c) => {
        const project = c.req.param("project") as string;
        const limit = intParam(c, "limit") ?? MAX_FRAMES_PAGE;
        if (limit < 1 || limit > MAX_FRAMES_PAGE)
          throw new FrameError("invalid", `limit must be 1 to ${MAX_FRAMES_PAGE}`);
        const names = await deps.backend(c.env).frames.collections(project, param(c, "after") ?? "", limit);
        return c.json({ collections: names, next: names.length === limit ? (names.at(-1) ?? null) : null });
      },
    ),
    route(
      "admin",
      createRoute({
        method: "put",
        path: COLL,
        summary: "Create a collection (409 if it exists, unless overwrite=true empties it)",
        request: {
          params: CollectionParams,
          query: z.object({ overwrite: q("true: replace an existing collection and everything in it") }),
          body: { content: { "application/json": { schema: CollectionBody } }, required: false },
        },
        responses: { 201: { description: "Created" }, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => {
          const body = await optionalBody(c, CollectionBody);
          const info = await svc.create({
            ...(body.rules === undefined ? {} : { rules: body.rules }),
            ...(body.metadata === undefined ? {} : { metadata: body.metadata as Meta }),
            overwrite: flagParam(c, "overwrite"),
          });
          return c.json(info, 201);
        }),
    ),
    route(
      "viewer",
      createRoute({
        method: "get",
        path: COLL,
        summary: "A collection: its rules and metadata",
        request: { params: CollectionParams },
        responses: { 200: { description: "The collection" }, ...PROBLEMS },
      }),
      (c) => withCollection(c, deps, async (svc) => c.json(await svc.info())),
    ),
    route(
      "admin",
      createRoute({
        method: "patch",
        path: COLL,
        summary: "Replace a collection's rules and/or metadata",
        request: { params: CollectionParams, body: { content: { "application/json": { schema: CollectionBody } } } },
        responses: { 200: { description: "The collection" }, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => {
          const body = c.req.valid("json" as never) as z.infer<typeof CollectionBody>;
          return c.json(
            await svc.configure({
              ...(body.rules === undefined ? {} : { rules: body.rules }),
              ...(body.metadata === undefined ? {} : { metadata: body.metadata as Meta }),
            }),
          );
        }),
    ),
    route(
      "admin",
      createRoute({
        method: "delete",
        path: COLL,
        summary: "Delete a collection and everything in it",
        request: { params: CollectionParams },
        responses: { 204: { description: "Deleted" }, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => {
          await svc.drop();
          return c.body(null, 204);
        }),
    ),
    route(
      "viewer",
      createRoute({
        method: "get",
        path: `${COLL}/items`,
        summary: "Items, optionally those whose metadata has every given key equal (from an index)",
        request: {
          params: CollectionParams,
          query: z.object({
            where: q('Metadata equalities as a JSON object, e.g. {"source":"yahoo"}'),
            after: q("Page after this item"),
            limit: q(`At most (1 to ${MAX_FRAMES_PAGE})`),
            deleted: q("true: also deleted items that snapshots still hold"),
          }),
        },
        responses: { 200: { description: "Items and where the next page starts" }, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => {
          const limit = intParam(c, "limit") ?? MAX_FRAMES_PAGE;
          const where = jsonParam(c, "where") as Meta | undefined;
          const items = await svc.items({
            limit,
            ...(where === undefined ? {} : { where }),
            ...(param(c, "after") === undefined ? {} : { after: param(c, "after") as string }),
            deleted: flagParam(c, "deleted"),
          });
          return c.json({ items, next: items.length === limit ? (items.at(-1)?.name ?? null) : null });
        }),
    ),
  ];
}

function itemRoutes(deps: AppDeps): FramesRoute[] {
  const stepResult = (c: Ctx, r: unknown, status: 200 | 201 = 200) => c.json(r as object, status);
  return [
    route(
      "operator",
      createRoute({
        method: "put",
        path: ITEM,
        summary: "Write an item (409 if it exists, unless overwrite=true)",
        request: { params: ItemParams, query: WRITE_QUERY, body: FRAME_BODY },
        responses: { 201: { description: "The version written" }, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => {
          const item = c.req.param("item") as string;
          const frame = await frameBody(c.req.raw, bodyKind(c.req.header("content-type")), bodyOptions(c, false));
          const meta = metaParam(c);
          const strategy = strategyParam(c);
          const r = await svc.apply({
            op: "write",
            item,
            frame,
            options: {
              overwrite: flagParam(c, "overwrite"),
              ...(meta === undefined ? {} : { metadata: meta }),
              ...(strategy === undefined ? {} : { strategy }),
            },
          });
          return stepResult(c, r, 201);
        }),
    ),
    route(
      "operator",
      createRoute({
        method: "post",
        path: `${ITEM}/append`,
        summary:
          "Append rows, deduplicated by on_dup; NDJSON, CSV and Arrow stream bodies are streamed, still all-or-nothing",
        request: { params: ItemParams, query: APPEND_QUERY, body: FRAME_BODY },
        responses: { 200: { description: "The version written" }, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => {
          const item = c.req.param("item") as string;
          const onDup = onDupParam(param(c, "on_dup"));
          const meta = metaParam(c);
          const kind = bodyKind(c.req.header("content-type"));
          // Text bodies are typed by the item's schema, so "1" in a float column is 1.0, not int64.
          const info = kind === "csv" || kind === "ndjson" || kind === "json" ? await svc.item(item) : undefined;
          const opts = { ...bodyOptions(c, true), ...(info ? { schema: info.schema } : {}) };
          async function* steps(): AsyncGenerator<Op> {
            for await (const frame of frameBatches(c.req.raw, kind, opts)) {
              yield { op: "append", item, frame, onDup, ...(meta === undefined ? {} : { metadata: meta }) };
            }
          }
          const r = await svc.stream(steps());
          if (r === null) throw new FrameError("invalid", "the body holds no rows");
          return stepResult(c, r);
        }),
    ),
    route(
      "operator",
      createRoute({
        method: "post",
        path: `${ITEM}/update`,
        summary: "Replace the rows inside the body's index range with the body's rows (ArcticDB's update)",
        request: {
          params: ItemParams,
          query: WRITE_QUERY.pick({ zone: true, index: true, index_col: true }),
          body: FRAME_BODY,
        },
        responses: { 200: { description: "The version written" }, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => {
          const item = c.req.param("item") as string;
          const kind = bodyKind(c.req.header("content-type"));
          const info = kind === "arrow" || kind === "parquet" ? undefined : await svc.item(item);
          const frame = await frameBody(c.req.raw, kind, {
            ...bodyOptions(c, false),
            ...(info ? { schema: info.schema } : {}),
          });
          return stepResult(c, await svc.apply({ op: "update", item, frame }));
        }),
    ),
    route(
      "operator",
      createRoute({
        method: "delete",
        path: `${ITEM}/rows`,
        summary: "Delete the rows with start <= index <= end",
        request: { params: ItemParams, query: z.object({ start: q("Inclusive start"), end: q("Inclusive end") }) },
        responses: { 200: { description: "The version written" }, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => {
          const start = param(c, "start");
          const end = param(c, "end");
          if (start === undefined || end === undefined) throw new FrameError("invalid", "give start and end");
          return stepResult(
            c,
            await svc.apply({ op: "delete_range", item: c.req.param("item") as string, start, end }),
          );
        }),
    ),
    route(
      "operator",
      createRoute({
        method: "delete",
        path: ITEM,
        summary: "Delete an item (snapshots keep the versions they name)",
        request: { params: ItemParams },
        responses: { 204: { description: "Deleted" }, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => {
          await svc.apply({ op: "delete", item: c.req.param("item") as string });
          return c.body(null, 204);
        }),
    ),
    route(
      "viewer",
      createRoute({
        method: "get",
        path: ITEM,
        summary: "Read an item: columns, start/end, filters, head/tail, as of a version, snapshot or time",
        request: { params: ItemParams, query: READ_QUERY },
        responses: { 200: FRAME_OUT, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => {
          const format = outFormat(c.req.header("accept"), param(c, "format"));
          const shape = shapeParam(c);
          const r = await svc.read(c.req.param("item") as string, readRequest(c));
          const body = await streamOf(
            frameOutput(r.frames, r.schema, format, {
              maxRows: c.var.config.maxReadRows,
              ...(shape === undefined ? {} : { shape }),
              ...(r.zone === undefined ? {} : { zone: r.zone }),
            }),
          );
          return new Response(body, {
            headers: {
              "content-type": OUT_TYPES[format],
              "hayloft-version": String(r.version),
              ...(r.zone === undefined ? {} : { "hayloft-zone": r.zone }),
            },
          });
        }),
    ),
    route(
      "viewer",
      createRoute({
        method: "get",
        path: `${ITEM}/info`,
        summary: "An item's version, rows, schema, zone, metadata and storage (as_of like reads)",
        request: { params: ItemParams, query: READ_QUERY.pick({ version: true, snapshot: true, as_of: true }) },
        responses: { 200: { description: "The item" }, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => {
          const asOf = readRequest(c).asOf;
          return c.json(await svc.item(c.req.param("item") as string, asOf));
        }),
    ),
    route(
      "viewer",
      createRoute({
        method: "get",
        path: `${ITEM}/metadata`,
        summary: "An item's metadata (as_of like reads)",
        request: { params: ItemParams, query: READ_QUERY.pick({ version: true, snapshot: true, as_of: true }) },
        responses: { 200: { description: "The metadata" }, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => {
          const info = await svc.item(c.req.param("item") as string, readRequest(c).asOf);
          return c.json(info.metadata);
        }),
    ),
    route(
      "operator",
      createRoute({
        method: "put",
        path: `${ITEM}/metadata`,
        summary: "Replace an item's metadata (a new version sharing every segment)",
        request: {
          params: ItemParams,
          body: { content: { "application/json": { schema: z.record(z.string(), z.unknown()) } }, required: true },
        },
        responses: { 200: { description: "The version written" }, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => {
          const metadata = c.req.valid("json" as never) as Meta;
          return stepResult(c, await svc.apply({ op: "metadata", item: c.req.param("item") as string, metadata }));
        }),
    ),
    route(
      "operator",
      createRoute({
        method: "put",
        path: `${ITEM}/strategy`,
        summary: "Set an item's schema evolution strategy",
        request: {
          params: ItemParams,
          body: {
            content: {
              "application/json": {
                schema: z.object({ strategy: z.enum(EVOLVE_STRATEGIES as [Strategy, ...Strategy[]]) }),
              },
            },
            required: true,
          },
        },
        responses: { 204: { description: "Set" }, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => {
          const body = c.req.valid("json" as never) as { strategy: Strategy };
          await svc.setStrategy(c.req.param("item") as string, body.strategy);
          return c.body(null, 204);
        }),
    ),
    route(
      "viewer",
      createRoute({
        method: "get",
        path: `${ITEM}/versions`,
        summary: "An item's versions, newest first",
        request: { params: ItemParams },
        responses: { 200: { description: "Versions" }, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => c.json({ versions: await svc.versions(c.req.param("item") as string) })),
    ),
    route(
      "operator",
      createRoute({
        method: "post",
        path: `${ITEM}/versions/prune`,
        summary: "Prune old versions (keep the newest n, or those before a time); snapshots keep theirs",
        request: {
          params: ItemParams,
          body: { content: { "application/json": { schema: PruneBody } }, required: true },
        },
        responses: { 200: { description: "Pruned versions and freed segments" }, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => {
          const body = c.req.valid("json" as never) as z.infer<typeof PruneBody>;
          let beforeMs: number | undefined;
          if (body.before !== undefined) {
            const ns = parseIsoNs(body.before);
            if (ns === undefined) throw new FrameError("invalid", "before must be an ISO 8601 time");
            beforeMs = Number(ns / 1_000_000n);
          }
          return c.json(
            await svc.prune(c.req.param("item") as string, {
              ...(body.keep === undefined ? {} : { keep: body.keep }),
              ...(beforeMs === undefined ? {} : { beforeMs }),
            }),
          );
        }),
    ),
  ];
}

function collectionWideRoutes(deps: AppDeps): FramesRoute[] {
  return [
    route(
      "viewer",
      createRoute({
        method: "get",
        path: `${COLL}/snapshots`,
        summary: "Snapshots",
        request: { params: CollectionParams },
        responses: { 200: { description: "Snapshots" }, ...PROBLEMS },
      }),
      (c) => withCollection(c, deps, async (svc) => c.json({ snapshots: await svc.snapshots() })),
    ),
    route(
      "operator",
      createRoute({
        method: "put",
        path: `${COLL}/snapshots/{snapshot}`,
        summary: "Create a snapshot: names the current version of every item (or of `items`), copying nothing",
        request: { params: SnapshotParams, body: { content: { "application/json": { schema: SnapshotBody } } } },
        responses: { 201: { description: "The snapshot" }, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => {
          const body = await optionalBody(c, SnapshotBody);
          const s = await svc.createSnapshot(c.req.param("snapshot") as string, {
            ...(body.items === undefined ? {} : { items: body.items }),
            ...(body.metadata === undefined ? {} : { metadata: body.metadata as Meta }),
          });
          return c.json(s, 201);
        }),
    ),
    route(
      "viewer",
      createRoute({
        method: "get",
        path: `${COLL}/snapshots/{snapshot}`,
        summary: "A snapshot: the version of each item it names",
        request: { params: SnapshotParams },
        responses: { 200: { description: "The snapshot" }, ...PROBLEMS },
      }),
      (c) => withCollection(c, deps, async (svc) => c.json(await svc.snapshot(c.req.param("snapshot") as string))),
    ),
    route(
      "operator",
      createRoute({
        method: "delete",
        path: `${COLL}/snapshots/{snapshot}`,
        summary: "Delete a snapshot (versions only it held are freed)",
        request: { params: SnapshotParams },
        responses: { 204: { description: "Deleted" }, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => {
          await svc.dropSnapshot(c.req.param("snapshot") as string);
          return c.body(null, 204);
        }),
    ),
    route(
      "operator",
      createRoute({
        method: "post",
        path: `${COLL}/batch`,
        summary: "Many steps, each committed on its own; errors reported per item",
        request: {
          params: CollectionParams,
          body: { content: { "application/json": { schema: OpsBody } }, required: true },
        },
        responses: { 200: { description: "A result or an error per step" }, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => {
          const body = c.req.valid("json" as never) as z.infer<typeof OpsBody>;
          const maxRows = c.var.config.maxRequestRows;
          // A step whose data does not parse is that step's error, as a store error would be.
          const results = [];
          for (const o of body.ops) {
            let op: Op;
            try {
              op = opOf(o, maxRows);
            } catch (err) {
              if (!(err instanceof FrameError)) throw err;
              results.push({ item: o.item, error: { code: err.code, message: err.message } });
              continue;
            }
            results.push(...(await svc.batch([op])));
          }
          return c.json({ results });
        }),
    ),
    route(
      "operator",
      createRoute({
        method: "post",
        path: `${COLL}/transaction`,
        summary: "Steps (write, append, update, delete_range, metadata, delete) committed together or not at all",
        request: {
          params: CollectionParams,
          body: { content: { "application/json": { schema: OpsBody } }, required: true },
        },
        responses: { 200: { description: "The result of each step" }, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => {
          const body = c.req.valid("json" as never) as z.infer<typeof OpsBody>;
          const ops = body.ops.map((o) => opOf(o, c.var.config.maxRequestRows));
          return c.json({ results: await svc.transact(ops) });
        }),
    ),
    route(
      "viewer",
      createRoute({
        method: "post",
        path: `${COLL}/batch/read`,
        summary: "Read many items in one request (JSON columnar per item); errors reported per item",
        request: {
          params: CollectionParams,
          body: { content: { "application/json": { schema: BatchReadBody } }, required: true },
        },
        responses: { 200: { description: "Rows or an error per item" }, ...PROBLEMS },
      }),
      (c) =>
        withCollection(c, deps, async (svc) => {
          const body = c.req.valid("json" as never) as z.infer<typeof BatchReadBody>;
          const text = await batchRead(svc, body.items, c.var.config.maxReadRows);
          return new Response(text, { headers: { "content-type": "application/json" } });
        }),
    ),
  ];
}

/**
 * The answer of a batch read as JSON text: each item's rows in the columnar shape, written once
 * (not written, parsed and written again), within `maxRows` over all items.
 */
async function batchRead(svc: FramesService, specs: z.infer<typeof BatchReadBody>["items"], maxRows: number) {
  const out: string[] = [];
  let rows = 0;
  for (const s of specs) {
    try {
      const asOf = asOfOf(s.as_of === undefined ? {} : { as_of: s.as_of });
      const r = await svc.read(s.item, {
        ...(s.columns === undefined ? {} : { columns: s.columns }),
        ...(s.filters === undefined ? {} : { filters: s.filters }),
        ...(s.start === undefined ? {} : { start: String(s.start) }),
        ...(s.end === undefined ? {} : { end: String(s.end) }),
        ...(s.head === undefined ? {} : { head: s.head }),
        ...(s.tail === undefined ? {} : { tail: s.tail }),
        ...(asOf === undefined ? {} : { asOf }),
      });
      const frame = await gathered(r.frames, r.schema, maxRows - rows, r.zone);
      rows += frameLength(frame);
      out.push(`{"item":${JSON.stringify(s.item)},"version":${r.version},"data":${toJson(frame, "columnar")}}`);
    } catch (err) {
      if (err instanceof FrameError || err instanceof StoreError) {
        out.push(JSON.stringify({ item: s.item, error: { code: err.code, message: err.message } }));
      } else throw err;
    }
  }
  return `{"results":[${out.join(",")}]}`;
}

let demoSeeded: Promise<unknown> | undefined;

/** Seeds the demo collection once per isolate (after that a no-op). */
async function ensureDemo(c: Ctx, deps: AppDeps, next: () => Promise<void>): Promise<void> {
  const demo = c.var.config.demoProject;
  if (demo !== undefined && c.req.param("project") === demo) {
    demoSeeded ??= (async () => {
      const opened = deps.backend(c.env).frames.open(demo, DEMO_COLLECTION);
      try {
        if (await seedFramesDemo(new FramesService(DEMO_COLLECTION, opened.port, deps.clock))) {
          console.log(`seeded frames demo: ${DEMO_COLLECTION} (${Object.keys(DEMO_ITEMS).join(", ")})`);
        }
      } finally {
        await opened.close?.();
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
export function framesFace(deps: AppDeps): { readonly face: FaceRoutes; readonly router: OpenAPIHono<AppEnv> } {
  const router = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        throw new FrameError("invalid", `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
      }
    },
  });
  // Streamed appends are bounded as they are read (FRAMES_MAX_STREAM_BYTES); every other body here
  // is read whole and bounded by MAX_BODY_BYTES, JSON that zod reads included.
  router.use("/frames/*", (c, next) => {
    if (c.req.method === "POST" && c.req.path.endsWith("/append")) return next();
    return bodyLimit({
      maxSize: c.var.config.maxBodyBytes,
      onError: () => {
        throw new HttpError(413, "payload_too_large", `Request body exceeds ${c.var.config.maxBodyBytes} bytes`);
      },
    })(c, next);
  });
  router.use("/frames/:project/*", (c, next) => ensureDemo(c, deps, next));
  router.use("/frames/:project", (c, next) => ensureDemo(c, deps, next));
  const all = [...collectionRoutes(deps), ...itemRoutes(deps), ...collectionWideRoutes(deps)];
  const decls: RouteDecl[] = [];
  for (const r of all) {
    router.openapi(r.route as never, r.handler as never);
    const path = r.route.path.replace(/^\/frames/, "").replace(/\{(\w+)\}/g, ":$1");
    decls.push({ method: r.route.method.toUpperCase() as Method, path, role: r.role });
  }
  return { face: faceRoutes("frames", "json", decls), router };
}
