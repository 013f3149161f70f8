import { type Context, Hono } from "hono";
import { adminFace } from "./api/auth/admin.ts";
import { authenticate } from "./api/auth/middleware.ts";
import { createPolicy } from "./api/auth/policy.ts";
import type { AppDeps, AppEnv } from "./api/context.ts";
import { cors } from "./api/cors.ts";
import { failureResponse, HttpError } from "./api/errors/index.ts";
import { framesFace } from "./api/frames/router.ts";
import { haystackFace } from "./api/haystack/router.ts";
import { logFailure } from "./api/log.ts";
import { openApiDocument } from "./api/openapi.ts";
import { seriesFace } from "./api/series/router.ts";
import { tstorageFace } from "./api/tstorage/router.ts";
import { loadConfig } from "./config.ts";
import { DESCRIPTION, NAME, VERSION } from "./version.ts";

export interface Face {
  readonly id: "haystack" | "series" | "frames" | "tstorage";
  readonly title: string;
  /**
   * Fixed by outside clients (haystack-nclient calls /api/{project}/{op}; a HoLcStore sync client
   * appends updates/ and pack/ to its store's URL): never change a root.
   */
  readonly root: string;
  readonly live: boolean;
}

/** The four faces; each flips `live` when its router is mounted. */
export const FACES: readonly Face[] = [
  { id: "haystack", title: "Project Haystack 4 HTTP API", root: "/api/{project}/{op}", live: true },
  { id: "series", title: "Chunked series store and sync", root: "/ts/{project}/{store}/", live: true },
  { id: "frames", title: "Dataframe collections", root: "/frames/{project}/{collection}/", live: true },
  { id: "tstorage", title: "TStorage bridge", root: "/tstorage/{project}/{target}/", live: true },
];

/** The faces whose routers are mounted, each with the route declarations the auth policy reads. */
export function mountedFaces(deps: AppDeps) {
  return [haystackFace(deps), adminFace(deps.clock), seriesFace(deps), tstorageFace(deps), framesFace(deps)] as const;
}

/**
 * Builds the Hono app from what the composition root chose: config first, then the one auth
 * middleware (its policy read from the faces' route declarations), then one router per face;
 * errors are answered once, in each face's style.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const [haystack, admin, series, tstorage, frames] = mountedFaces(deps);
  const policy = createPolicy([haystack.face, admin.face, series.face, tstorage.face, frames.face]);
  const openapi = openApiDocument(series.router, [haystack.face, admin.face], [tstorage.router, frames.router]);

  // A bad deployment fails every request loudly instead of serving with a guessed setting.
  app.use(async (c, next) => {
    c.set("config", loadConfig(c.env));
    await next();
  });

  // Before auth: a preflight carries no token.
  app.use(cors());

  app.get("/", (c) =>
    c.json({
      name: NAME,
      version: VERSION,
      description: DESCRIPTION,
      storage: c.var.config.storage.kind,
      faces: FACES,
    }),
  );

  app.get("/openapi.json", (c) => c.json(openapi()));

  app.use(authenticate(policy, deps.clock));

  app.route("/api", haystack.router);
  app.route("/admin", admin.router);
  app.route("/", series.router);
  app.route("/", tstorage.router);
  app.route("/", frames.router);

  const answer = (err: unknown, c: Context<AppEnv>) =>
    failureResponse(err, policy.styleFor(c.req.path), {
      accept: c.req.header("accept"),
      trace: c.var.config?.errTrace ?? false,
      log: (e) => logFailure(c.var.config, `${c.req.method} ${c.req.path} failed`, e),
    });
  app.notFound((c) => answer(new HttpError(404, "not_found", `No route for ${c.req.method} ${c.req.path}`), c));
  app.onError(answer);

  return app;
}
