import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { adminRouter } from "./api/auth/admin.ts";
import { authenticate } from "./api/auth/middleware.ts";
import { problem, toProblem } from "./api/errors.ts";
import { haystackRouter } from "./api/haystack/router.ts";
import { logFailure } from "./api/log.ts";
import type { Principal } from "./auth/principal.ts";
import { type Config, type Env, loadConfig } from "./config.ts";
import { DESCRIPTION, NAME, VERSION } from "./version.ts";

export interface AppEnv {
  Bindings: Env;
  /** `principal` is set by the auth middleware on every guarded route before its handler runs. */
  Variables: { config: Config; principal: Principal };
}

export interface Face {
  readonly id: "haystack" | "series" | "frames" | "tstorage";
  readonly title: string;
  /** Fixed by outside clients (ARCHITECTURE.md): never change a root. */
  readonly root: string;
  readonly live: boolean;
}

/** The four faces; each flips `live` when its router is mounted in a later issue. */
export const FACES: readonly Face[] = [
  { id: "haystack", title: "Project Haystack 4 HTTP API", root: "/api/{project}/{op}", live: true },
  { id: "series", title: "Chunked series store and sync", root: "/ts/{project}/{store}/", live: false },
  { id: "frames", title: "Dataframe collections", root: "/frames/{project}/{collection}/", live: false },
  { id: "tstorage", title: "TStorage bridge", root: "/tstorage/", live: false },
];

/** Builds the Hono app: config first, then one router per face; errors are mapped once, in onError. */
export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  // A bad deployment fails every request loudly instead of serving with a guessed setting.
  app.use(async (c, next) => {
    c.set("config", loadConfig(c.env));
    await next();
  });

  app.get("/", (c) =>
    c.json({
      name: NAME,
      version: VERSION,
      description: DESCRIPTION,
      storage: c.var.config.storage.kind,
      faces: FACES,
    }),
  );

  // Every face sits behind the one auth middleware; its policy decides what each path needs.
  app.use(authenticate());

  app.route("/api", haystackRouter());
  app.route("/admin", adminRouter());

  app.notFound((c) => c.json(problem("not_found", `No route for ${c.req.method} ${c.req.path}`), 404));

  app.onError((err, c) => {
    // An exception built around a ready response (e.g. 401 with WWW-Authenticate) keeps its headers.
    if (err instanceof HTTPException && err.res) return err.getResponse();
    const { status, body } = toProblem(err);
    if (status >= 500) logFailure(c.var.config, `${c.req.method} ${c.req.path} failed`, err);
    return c.json(body, status);
  });

  return app;
}
