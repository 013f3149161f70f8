/**
 * The Haystack face: `GET|POST /api/{project}/{op}`. Failures before the request grid is read
 * answer with their HTTP status; after it, with an HTTP 200 error grid (503 when storage is down).
 */
import { Hono } from "hono";
import type { AppEnv } from "../../app.ts";
import { type Config, PROJECT_NAME } from "../../config.ts";
import { seedDemo } from "../../demo/seed.ts";
import { negotiate } from "../../haystack/codec/formats.ts";
import type { Format } from "../../haystack/codec/types.ts";
import { HaystackError } from "../../haystack/errors.ts";
import type { HGrid } from "../../haystack/kinds/index.ts";
import { type ProjectStub, watchClient } from "../../storage/do/client.ts";
import { StoreError } from "../../storage/errors.ts";
import { type OpenStore, openStore } from "../../storage/open.ts";
import type { ProjectStore } from "../../storage/ports.ts";
import { unwrap } from "../../storage/wire.ts";
import { authorityFor } from "../auth/authority.ts";
import { authStub } from "../auth/middleware.ts";
import { logFailure } from "../log.ts";
import { findOp } from "./ops/registry.ts";
import type { Op, OpContext } from "./ops/types.ts";
import { gridFromBody, gridFromQuery, RequestError, readBody } from "./request.ts";
import { type ErrorInfo, errorResponse, gridResponse } from "./respond.ts";

/** How often (ms) a request to the demo project checks that its history reaches now. */
const DEMO_TOP_UP_MS = 60_000;
let demoCheckedAt = Number.NEGATIVE_INFINITY;

export function haystackRouter(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.all("/:project/:op", async (c) => {
    const config = c.var.config;
    const { project, op: opName } = c.req.param();
    let format: Format | undefined;
    let req: HGrid;
    let op: Op;
    try {
      format = negotiate(c.req.header("accept"));
      if (!PROJECT_NAME.test(project)) throw new RequestError(404, "not_found", `No project named ${project}`);
      op = findOp(opName) ?? notFound(opName);
      if (!format) throw new RequestError(406, "not_acceptable", "No supported format in Accept");
      req = await requestGrid(c.req.raw, op, config);
    } catch (err) {
      return preGridFailure(err, format, config);
    }
    let opened: OpenStore | undefined;
    try {
      const stub = c.env.PROJECT.get(c.env.PROJECT.idFromName(project));
      const principal = c.var.principal;
      opened = openStore(config, c.env, project);
      if (project === config.demoProject)
        await topUpDemo(stub, config.storage.kind === "do" ? undefined : opened.store);
      const cx: OpContext = {
        project,
        store: opened.store,
        watches: watchClient(stub, project),
        config,
        nowMs: Date.now(),
        host: new URL(c.req.url).hostname,
        principal,
        endSession: async () => {
          if (principal.via !== "token" || principal.expiresMs === undefined) return;
          const stub = authStub(c, project);
          await authorityFor(config.auth).revokeToken(stub, project, principal.credentialId, principal.expiresMs);
        },
      };
      return afterSent(gridResponse(format, await op.run(req, cx)), opened.close, c.executionCtx);
    } catch (err) {
      const { info, status } = opFailure(err, config);
      if (status >= 500 || info.code === "internal") logFailure(config, `${opName} on ${project} failed`, err);
      return afterSent(errorResponse(format, info, status), opened?.close, c.executionCtx);
    }
  });

  // Any other path under the face is still answered in the face's own terms.
  app.all("*", (c) =>
    errorResponse(
      negotiate(c.req.header("accept")),
      { code: "not_found", dis: `No Haystack route ${c.req.path}` },
      404,
    ),
  );

  return app;
}

/**
 * The response, with `close` run once its body has been sent (or the client went away): a
 * streamed hisRead still needs its connection after the handler returns.
 */
function afterSent(
  res: Response,
  close: (() => Promise<void>) | undefined,
  ctx: { waitUntil(p: Promise<unknown>): void },
): Response {
  if (!close) return res;
  if (!res.body) {
    ctx.waitUntil(close());
    return res;
  }
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  ctx.waitUntil(
    res.body
      .pipeTo(writable)
      .catch(() => {})
      .finally(close),
  );
  return new Response(readable, res);
}

function notFound(name: string): never {
  throw new RequestError(404, "not_found", `Unknown op ${name}`);
}

async function requestGrid(raw: Request, op: Op, config: Config): Promise<HGrid> {
  if (raw.method === "GET") {
    if (!op.noSideEffects) {
      throw new RequestError(405, "method_not_allowed", `${op.name} has side effects: use POST`, { allow: "POST" });
    }
    return gridFromQuery(new URL(raw.url));
  }
  if (raw.method !== "POST") {
    const allow = op.noSideEffects ? "GET, POST" : "POST";
    throw new RequestError(405, "method_not_allowed", `${raw.method} is not allowed`, { allow });
  }
  const text = await readBody(raw, config.maxBodyBytes);
  return gridFromBody(text, raw.headers.get("content-type"), {
    maxRows: config.maxRequestRows,
    maxCols: config.maxRequestCols,
    maxDepth: config.maxRequestDepth,
  });
}

function preGridFailure(err: unknown, format: Format | undefined, config: Config): Response {
  if (err instanceof RequestError) {
    const res = errorResponse(format, { code: err.code, dis: err.message }, err.status);
    for (const [k, v] of Object.entries(err.headers)) res.headers.set(k, v);
    return res;
  }
  if (err instanceof HaystackError) {
    return errorResponse(format, { code: err.code, dis: err.message, ...trace(err, config) }, 400);
  }
  logFailure(config, "reading a Haystack request failed", err);
  return errorResponse(format, { code: "internal", dis: "Internal error", ...trace(err, config) }, 500);
}

function opFailure(err: unknown, config: Config): { info: ErrorInfo; status: number } {
  if (err instanceof StoreError) {
    return {
      info: { code: err.code, dis: err.message, ...trace(err, config) },
      status: err.code === "unavailable" ? 503 : 200,
    };
  }
  if (err instanceof HaystackError)
    return { info: { code: err.code, dis: err.message, ...trace(err, config) }, status: 200 };
  return { info: { code: "internal", dis: "Internal error", ...trace(err, config) }, status: 200 };
}

function trace(err: unknown, config: Config): { trace?: string } {
  if (!config.errTrace || !(err instanceof Error)) return {};
  return { trace: err.stack ?? String(err) };
}

/** Seeds and tops up the demo: inside the project object on the embedded default, else through `store`. */
async function topUpDemo(stub: ProjectStub, store: ProjectStore | undefined): Promise<void> {
  const now = Date.now();
  if (now - demoCheckedAt < DEMO_TOP_UP_MS) return;
  if (store) await seedDemo(store, now);
  else unwrap(await stub.ensureDemo(now));
  demoCheckedAt = now;
}
