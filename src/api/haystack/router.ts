/**
 * The Haystack face: `GET|POST /api/{project}/{op}`. Failures before the request grid is read
 * answer with their HTTP status; after it, with an HTTP 200 error grid (503 when storage is down).
 */
import { Hono } from "hono";
import { type Config, PROJECT_NAME } from "../../config.ts";
import { registerProject } from "../../durable/catalog.ts";
import { type ProjectObjectStub, projectObject, watchClient } from "../../durable/project-client.ts";
import { negotiate } from "../../haystack/codec/formats.ts";
import type { Format } from "../../haystack/codec/types.ts";
import type { HGrid } from "../../haystack/kinds/index.ts";
import type { OpenStore } from "../../storage/backend.ts";
import { unwrap } from "../../storage/wire.ts";
import { LIVE_PATH } from "../../watch/live-protocol.ts";
import { afterSent } from "../after-sent.ts";
import { authorityFor } from "../auth/authority.ts";
import { authStub } from "../auth/middleware.ts";
import { readBody } from "../body.ts";
import type { AppDeps, AppEnv } from "../context.ts";
import type { Phase } from "../errors/grid.ts";
import { failureResponse, HttpError } from "../errors/index.ts";
import { logFailure } from "../log.ts";
import type { FaceRoutes, Method } from "../routes.ts";
import { LIVE_ROLE, liveSocket } from "./live.ts";
import { findOp, OPS } from "./ops/registry.ts";
import type { Op, OpContext } from "./ops/types.ts";
import { gridFromBody, gridFromQuery } from "./request.ts";
import { gridResponse } from "./respond.ts";

/** How often (ms) a request to the demo project checks that its history reaches now. */
const DEMO_TOP_UP_MS = 60_000;
let demoCheckedAt = Number.NEGATIVE_INFINITY;

/** The face's routes as the auth policy reads them: each op's own least role. */
const HAYSTACK_ROUTES: FaceRoutes = {
  root: "api",
  errors: "haystack",
  routes: [
    ...OPS.flatMap((op) =>
      (op.noSideEffects ? (["GET", "POST"] as Method[]) : (["POST"] as Method[])).map((method) => ({
        method,
        path: `/:project/${op.name}`,
        role: op.minRole,
      })),
    ),
    { method: "GET", path: `/:project/${LIVE_PATH}`, role: LIVE_ROLE },
  ],
  // An op needs its role whatever the method, so a GET of a side-effect op is 405 only for those
  // who may call the op at all.
  roleFor: (_method, path) =>
    path.split("/").slice(2).join("/") === LIVE_PATH ? LIVE_ROLE : findOp(path.split("/")[2] ?? "")?.minRole,
};

export function haystackFace(deps: AppDeps): { readonly face: FaceRoutes; readonly router: Hono<AppEnv> } {
  const router = new Hono<AppEnv>();

  router.all(`/:project/${LIVE_PATH}`, async (c) => {
    const project = c.req.param("project");
    try {
      if (!PROJECT_NAME.test(project)) throw new HttpError(404, "not_found", `No project named ${project}`);
      return await liveSocket(c, project, deps.clock.now());
    } catch (err) {
      return failureResponse(err, "haystack", {
        accept: c.req.header("accept"),
        phase: "request",
        trace: c.var.config.errTrace,
        log: (e) => logFailure(c.var.config, `live socket on ${project} failed`, e),
      });
    }
  });

  router.all("/:project/:op", async (c) => {
    const config = c.var.config;
    const { project, op: opName } = c.req.param();
    const fail = (err: unknown, phase: Phase) =>
      failureResponse(err, "haystack", {
        accept: c.req.header("accept"),
        phase,
        trace: config.errTrace,
        log: (e) => logFailure(config, `${opName} on ${project} failed`, e),
      });
    let format: Format | undefined;
    let req: HGrid;
    let op: Op;
    try {
      format = negotiate(c.req.header("accept"));
      if (!PROJECT_NAME.test(project)) throw new HttpError(404, "not_found", `No project named ${project}`);
      op = findOp(opName) ?? notFound(opName);
      if (!format) throw new HttpError(406, "not_acceptable", "No supported format in Accept");
      req = await requestGrid(c.req.raw, op, config);
    } catch (err) {
      return fail(err, "request");
    }
    let opened: OpenStore | undefined;
    try {
      const nowMs = deps.clock.now();
      const stub = projectObject(c.env, project);
      c.executionCtx.waitUntil(registerProject(c.env, project, nowMs));
      opened = deps.backend(c.env).haystack.inWorker(project);
      if (project === config.demoProject) await topUpDemo(stub, project, nowMs);
      const principal = c.var.principal;
      const cx: OpContext = {
        project,
        store: opened.store,
        watches: watchClient(stub, project),
        config,
        nowMs,
        host: new URL(c.req.url).hostname,
        principal,
        endSession: async () => {
          if (principal.via !== "token" || principal.expiresMs === undefined) return;
          const auth = authStub(c.env, project);
          await authorityFor(config.auth).revokeToken(auth, project, principal.credentialId, principal.expiresMs);
        },
      };
      const streamFailed = (err: unknown) => logFailure(config, `${opName} on ${project} failed mid-stream`, err);
      const out = await op.run(req, cx);
      if (op.changesRecords) c.executionCtx.waitUntil(pokeLive(stub, project, config));
      return afterSent(gridResponse(format, out), opened.close, c.executionCtx, streamFailed);
    } catch (err) {
      return afterSent(fail(err, "op"), opened?.close, c.executionCtx, () => {});
    }
  });

  // Any other path under the face is still answered in the face's own terms.
  router.all("*", (c) => {
    throw new HttpError(404, "not_found", `No Haystack route ${c.req.path}`);
  });

  return { face: HAYSTACK_ROUTES, router };
}

/**
 * Tells the project's object that records may have changed, so live sockets get them: writes on
 * Postgres and Upstash never pass through the object. A lost poke delays a push until the next
 * write, never loses it: the object reads the change feed from its own cursor.
 */
async function pokeLive(stub: ProjectObjectStub, project: string, config: Config): Promise<void> {
  try {
    await stub.liveNotify(project);
  } catch (err) {
    logFailure(config, `live push on ${project} failed`, err);
  }
}

function notFound(name: string): never {
  throw new HttpError(404, "not_found", `Unknown op ${name}`);
}

async function requestGrid(raw: Request, op: Op, config: Config): Promise<HGrid> {
  if (raw.method === "GET") {
    if (!op.noSideEffects) {
      throw new HttpError(405, "method_not_allowed", `${op.name} has side effects: use POST`, { allow: "POST" });
    }
    return gridFromQuery(new URL(raw.url));
  }
  if (raw.method !== "POST") {
    const allow = op.noSideEffects ? "GET, POST" : "POST";
    throw new HttpError(405, "method_not_allowed", `${raw.method} is not allowed`, { allow });
  }
  const text = await readBody(raw, config.maxBodyBytes);
  return gridFromBody(text, raw.headers.get("content-type"), {
    maxRows: config.maxRequestRows,
    maxCols: config.maxRequestCols,
    maxDepth: config.maxRequestDepth,
  });
}

/** Seeds and tops up the demo, in the project's object, whatever the backend. */
async function topUpDemo(stub: ProjectObjectStub, project: string, now: number): Promise<void> {
  if (now - demoCheckedAt < DEMO_TOP_UP_MS) return;
  unwrap(await stub.ensureDemo(project, now));
  demoCheckedAt = now;
}
