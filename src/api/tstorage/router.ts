/**
 * The TStorage bridge, `/tstorage/{project}/{target}/...`: GET, GETACQ, PUT and PUTA over HTTP
 * against TStorage servers named in TSTORAGE_TARGETS. A caller names a target bound to its
 * project, never an address, so the bridge cannot be used to open arbitrary TCP connections.
 * Every route is described with @hono/zod-openapi; the same table gives the auth policy each
 * route's least role.
 */
import { createRoute, OpenAPIHono, type RouteConfig, z } from "@hono/zod-openapi";
import type { Context, Handler } from "hono";
import type { Role } from "../../auth/roles.ts";
import type { TStorageTarget } from "../../config.ts";
import { KEY_MAX, KEY_MIN, type Key, rangeProblem } from "../../tstorage/key.ts";
import type { TStorageSession } from "../../tstorage/transport.ts";
import { afterSent } from "../after-sent.ts";
import type { AppDeps, AppEnv } from "../context.ts";
import { BridgeError, notFound, unreachable } from "../errors/tstorage.ts";
import { logFailure } from "../log.ts";
import { type FaceRoutes, faceRoutes, type Method, type RouteDecl } from "../routes.ts";
import { PutBodyReader } from "./records-in.ts";
import { GET_CONTENT_TYPES, type GetFormat, getBody } from "./records-out.ts";
import { invalid, KEY_FIELDS, keyField, payloadCodec, timeText } from "./values.ts";

type Ctx = Context<AppEnv>;

/** Put records checked before any of them is sent: a put of at most this many is all-or-nothing. */
export const PUT_WINDOW = { records: 10_000, bytes: 4 * 1024 * 1024 } as const;

const Problem = z
  .object({
    error: z.object({
      code: z.string().openapi({ description: "A TStorage status name (INVARG, RETRY, ...) or the bridge's own" }),
      message: z.string(),
      line: z.number().int().optional().openapi({ description: "Put bodies: the 1-based line or array element" }),
    }),
  })
  .openapi("TStorageProblem");

const problem = (description: string) => ({ description, content: { "application/json": { schema: Problem } } });
const PROBLEMS = {
  400: problem("Bad input (INVARG, INVALID_KEY) or the server refused it as such"),
  404: problem("No such target for this project (not_found)"),
  502: problem("The server failed or refused the bridge (ERROR, IOERR, DISCONNECTED, NOPERM, ...)"),
  503: problem("Unreachable target (unreachable) or the server asked to retry (RETRY, TIMEOUT, INACTIVE)"),
} as const;

const ProjectParams = z.object({ project: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
// Not pattern-checked: anything that is not a configured name (a host:port too) is a plain 404.
const TargetParams = ProjectParams.extend({
  target: z.string().openapi({ description: "A target name from TSTORAGE_TARGETS bound to the project" }),
});

// Queries are strict: a misspelt bound (midmin) must not silently widen a box to everything.
const bound = (description: string) => z.string().optional().openapi({ description });
const BOX = Object.fromEntries(
  KEY_FIELDS.flatMap((f) => {
    const kind = f === "cap" || f === "acq" ? "decimal ns since 2001 or RFC 3339" : "decimal";
    return [
      [`${f}Min`, bound(`Inclusive lower bound of ${f} (${kind}; default Key.min)`)],
      [`${f}Max`, bound(`Exclusive upper bound of ${f} (${kind}; default Key.max)`)],
    ];
  }),
);
const TIMES = {
  times: z.enum(["ns", "iso"]).optional().openapi({ description: "iso: cap, acq and acq horizons as RFC 3339" }),
};
const FORMAT = {
  format: z
    .string()
    .optional()
    .openapi({ description: "Python struct letters typing payloads (e.g. <d?); without it payloads are base64" }),
};

const Acq = z.object({ acq: z.string().openapi({ description: "The committed acq horizon of the range" }) });
const PutAnswer = z.object({
  acqMin: z.string(),
  acqMax: z.string().openapi({ description: "The acq range the records were stored with" }),
  records: z.number().int(),
});

const RECORD_DOC =
  '{"cid": 1, "mid": "42", "moid": 0, "cap": "2026-01-01T00:00:00Z" or ns, "acq": (puta), "payload": [..] / scalar with format, else base64}';
const PUT_BODY = {
  content: {
    "application/json": { schema: { type: "array" as const, description: `Records ${RECORD_DOC}` } },
    "application/x-ndjson": { schema: { type: "string" as const, description: `One record per line: ${RECORD_DOC}` } },
  },
  required: true,
};

interface BridgeRoute {
  readonly role: Role;
  readonly route: RouteConfig;
  readonly handler: Handler<AppEnv>;
}

/** The target a request names, if it exists and is bound to the project; else the same 404 for both. */
function targetOf(c: Ctx): TStorageTarget {
  const { project, target } = c.req.param() as { project: string; target: string };
  const t = c.var.config.tstorage.targets.get(target);
  if (!t || (t.projects !== undefined && !t.projects.includes(project))) throw notFound();
  return t;
}

/** Opens a session to the request's target; any failure to connect is 503 `unreachable`. */
async function open(c: Ctx, deps: AppDeps): Promise<TStorageSession> {
  const t = targetOf(c);
  const session = deps.tstorage({ hostname: t.hostname, port: t.port });
  try {
    await session.connect();
  } catch (e) {
    c.executionCtx.waitUntil(session.close().catch(() => undefined));
    logFailure(c.var.config, `${c.req.path}: TStorage target unreachable`, e);
    throw unreachable(c.req.param("target") as string);
  }
  return session;
}

function box(c: Ctx): { min: Key; max: Key } {
  const q = c.req.query();
  const bound = (edge: Key, suffix: "Min" | "Max"): Key =>
    Object.fromEntries(
      KEY_FIELDS.map((f) => {
        const raw = q[`${f}${suffix}`];
        return [f, raw === undefined ? edge[f] : keyField(f, raw)];
      }),
    ) as unknown as Key;
  return { min: bound(KEY_MIN, "Min"), max: bound(KEY_MAX, "Max") };
}

const iso = (c: Ctx): boolean => c.req.query("times") === "iso";

function getFormat(c: Ctx): GetFormat {
  return /\btext\/csv\b/i.test(c.req.header("accept") ?? "") ? "csv" : "ndjson";
}

function routes(deps: AppDeps): BridgeRoute[] {
  return [
    {
      role: "viewer",
      route: createRoute({
        method: "get",
        path: "/tstorage/{project}",
        summary: "The TStorage targets bound to the project (names only, never addresses)",
        request: { params: ProjectParams },
        responses: {
          200: {
            description: "Target names",
            content: { "application/json": { schema: z.object({ targets: z.array(z.string()) }) } },
          },
        },
      }),
      handler: (c) => {
        const project = c.req.param("project") as string;
        const targets = [...c.var.config.tstorage.targets]
          .filter(([, t]) => t.projects === undefined || t.projects.includes(project))
          .map(([name]) => name)
          .sort();
        return c.json({ targets });
      },
    },
    {
      role: "viewer",
      route: createRoute({
        method: "get",
        path: "/tstorage/{project}/{target}/records",
        summary: "GET: the records in a key box, streamed as NDJSON (or CSV by Accept: text/csv), then the acq horizon",
        description:
          "Each field is a half-open range [<f>Min, <f>Max). NDJSON: one record per line, int64 as decimal " +
          'strings, last line {"acq": horizon}. CSV: header cid,mid,moid,cap,acq,payload (or v0,v1,... ' +
          'with format), last line "# acq=horizon". A failure after the first byte ends the body with ' +
          '{"error": {code, message}} (CSV "# error=CODE message") and no horizon line.',
        request: { params: TargetParams, query: z.strictObject({ ...BOX, ...FORMAT, ...TIMES }) },
        responses: {
          200: {
            description: "Records, then the horizon",
            content: {
              "application/x-ndjson": { schema: { type: "string" } },
              "text/csv": { schema: { type: "string" } },
            },
          },
          ...PROBLEMS,
          413: problem("A record larger than TSTORAGE_GET_MAX_RECORD_BYTES (NO_MEMORY)"),
        },
      }),
      handler: async (c) => {
        const { min, max } = box(c);
        const why = rangeProblem(min, max);
        // Both servers refuse an empty box; saying so here gives a 400 rather than the mock's bare ERROR.
        if (why !== undefined) throw invalid(`key range: ${why}`);
        const codec = payloadCodec(c.req.query("format"));
        const format = getFormat(c);
        const session = await open(c, deps);
        const close = () => session.close();
        try {
          const windows = session.getIter(min, max, { maxRecordBytes: c.var.config.tstorage.limits.getMaxRecordBytes });
          const first = await windows.next();
          const failed = (e: unknown) => logFailure(c.var.config, `${c.req.path} stream`, e);
          const body = getBody(first, windows, { format, codec, iso: iso(c), failed });
          const res = new Response(body, { headers: { "content-type": GET_CONTENT_TYPES[format] } });
          return afterSent(res, close, c.executionCtx, failed);
        } catch (e) {
          c.executionCtx.waitUntil(close().catch(() => undefined));
          throw e;
        }
      },
    },
    {
      role: "viewer",
      route: createRoute({
        method: "get",
        path: "/tstorage/{project}/{target}/acq",
        summary: "GETACQ: the committed acq horizon of a key box, clamped to acqMax",
        request: { params: TargetParams, query: z.strictObject({ ...BOX, ...TIMES }) },
        responses: {
          200: { description: "The horizon", content: { "application/json": { schema: Acq } } },
          ...PROBLEMS,
        },
      }),
      handler: async (c) => {
        const { min, max } = box(c);
        // Not range-checked here: the real server answers an empty range, the mock refuses it.
        const session = await open(c, deps);
        try {
          const acq = await session.getAcq(min, max);
          return c.json({ acq: timeText(acq, iso(c)) });
        } finally {
          c.executionCtx.waitUntil(session.close().catch(() => undefined));
        }
      },
    },
    putRoute(deps, false),
    putRoute(deps, true),
  ];
}

function putRoute(deps: AppDeps, withAcq: boolean): BridgeRoute {
  return {
    role: "operator",
    route: createRoute({
      method: "post",
      path: withAcq ? "/tstorage/{project}/{target}/records/puta" : "/tstorage/{project}/{target}/records",
      summary: withAcq
        ? "PUTA: store records with the acq each carries"
        : "PUT: store records; the server stamps acq (a record's acq, if given, is ignored)",
      description:
        "A JSON array, or NDJSON (Content-Type application/x-ndjson) streamed through in windows of " +
        `${PUT_WINDOW.records} records. Every record of a window is checked before any of it is sent, so a ` +
        "put of at most one window is all-or-nothing. TStorage has no transactions: when a later window " +
        "holds a bad record, the put is cut off without its terminator: nothing of that window or after " +
        "is sent, and the 400 says how many records before it were handed to the client (those in " +
        "complete batches may have been stored: the vendor mock keeps every record that arrived whole).",
      request: { params: TargetParams, query: z.strictObject({ ...FORMAT, ...TIMES }), body: PUT_BODY },
      responses: {
        200: { description: "Stored", content: { "application/json": { schema: PutAnswer } } },
        ...PROBLEMS,
        413: problem("Over the records or bytes limit per put (payload_too_large)"),
        415: problem("A body other than JSON or NDJSON"),
      },
    }),
    handler: async (c) => {
      targetOf(c);
      const limits = c.var.config.tstorage.limits;
      const type = c.req.header("content-type") ?? "application/json";
      const ndjson = /^application\/(x-)?ndjson\b/i.test(type);
      if (!ndjson && !/^application\/json\b/i.test(type)) {
        throw new BridgeError(415, "unsupported_media_type", "send application/json or application/x-ndjson");
      }
      const reader = new PutBodyReader(c.req.raw.body, ndjson, c.req.header("content-length") ?? null, {
        withAcq,
        codec: payloadCodec(c.req.query("format")),
        maxRecords: limits.maxPutRecords,
        // A JSON array is held whole to be parsed, so it also stays within the service's body limit;
        // NDJSON streams through and only the put limit applies.
        maxBytes: ndjson ? limits.maxPutBytes : Math.min(limits.maxPutBytes, c.var.config.maxBodyBytes),
        windowRecords: PUT_WINDOW.records,
        windowBytes: PUT_WINDOW.bytes,
      });
      await reader.prime();
      const session = await open(c, deps);
      try {
        const records = reader.records();
        const r = await (withAcq ? session.puta(records) : session.put(records)).catch((e: unknown) => {
          throw reader.failure === undefined ? e : cutShort(reader.failure, reader.count);
        });
        return c.json({
          acqMin: timeText(r.acqMin, iso(c)),
          acqMax: timeText(r.acqMax, iso(c)),
          records: reader.count,
        });
      } finally {
        c.executionCtx.waitUntil(session.close().catch(() => undefined));
      }
    },
  };
}

/** A body failure after some records went out: the put was cut off, and the caller is told how far it got. */
function cutShort(failure: unknown, sent: number): unknown {
  if (!(failure instanceof BridgeError) || sent === 0) return failure;
  return new BridgeError(
    failure.status,
    failure.code,
    `${failure.message}; the put was cut off without its terminator; up to ${sent} records before line ${failure.line ?? "?"} may have been stored (TStorage has no transactions)`,
    failure.line,
  );
}

/** The face: its router and the route table the auth policy reads. */
export function tstorageFace(deps: AppDeps): { readonly face: FaceRoutes; readonly router: OpenAPIHono<AppEnv> } {
  const router = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        throw invalid(`${issue?.path.join(".") || "request"}: ${issue?.message ?? "invalid"}`);
      }
    },
  });
  const decls: RouteDecl[] = [];
  for (const r of routes(deps)) {
    router.openapi(r.route as never, r.handler as never);
    const path = r.route.path.replace(/^\/tstorage/, "").replace(/\{(\w+)\}/g, ":$1");
    decls.push({ method: r.route.method.toUpperCase() as Method, path, role: r.role });
  }
  return { face: faceRoutes("tstorage", "json", decls), router };
}
