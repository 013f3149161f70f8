import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { problem, toProblem } from "./api/errors.ts";
import { haystackRouter } from "./api/haystack/router.ts";
import { type Config, type Env, loadConfig } from "./config.ts";
import { DESCRIPTION, NAME, VERSION } from "./version.ts";

export interface AppEnv {
  Bindings: Env;
  Variables: { config: Config };
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

  app.route("/api", haystackRouter());

  app.notFound((c) => c.json(problem("not_found", `No route for ${c.req.method} ${c.req.path}`), 404));

  app.onError((err, c) => {
    // An exception built around a ready response (e.g. 401 with WWW-Authenticate) keeps its headers.
    if (err instanceof HTTPException && err.res) return err.getResponse();
    const { status, body } = toProblem(err);
    if (status >= 500) console.error(`${c.req.method} ${c.req.path} failed:`, err);
    return c.json(body, status);
  });

  return app;
}
