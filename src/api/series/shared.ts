/** What the series face's route modules share: the route shape, store parameters, opening a store. */
import type { RouteConfig, z as Z } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import type { Handler } from "hono";
import type { Role } from "../../auth/roles.ts";
import { openSeries } from "../../durable/series-client.ts";
import { SeriesError } from "../../series/errors.ts";
import type { StoreDef } from "../../series/model.ts";
import type { SeriesApi } from "../../timeseries/api.ts";
import { afterSent } from "../after-sent.ts";
import type { AppDeps, AppEnv } from "../context.ts";
import { logFailure } from "../log.ts";
import type { Ctx } from "./request.ts";

export const STORE_PATH = "/ts/{project}/{store}";

export const STORE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export const StoreParams = z.object({
  project: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  store: z.string().regex(STORE_NAME),
});

export interface SeriesRoute {
  readonly role: Role;
  readonly route: RouteConfig;
  readonly handler: Handler<AppEnv>;
}

/** A route of this face: `path` in OpenAPI form under `/ts`. */
export function route(role: Role, config: RouteConfig, handler: Handler<AppEnv>): SeriesRoute {
  return { role, route: config, handler };
}

/** Opens the store for one request, answers with `fn`, and lets go once the response is sent. */
export async function withStore(
  c: Ctx,
  deps: AppDeps,
  fn: (api: SeriesApi, def: StoreDef, names: { project: string; store: string }) => Promise<Response>,
): Promise<Response> {
  const { project, store } = c.req.param() as { project: string; store: string };
  const opened = openSeries(c.env, deps.backend(c.env), deps.clock, project, store);
  try {
    const def = await opened.api.definition();
    if (!def) throw new SeriesError("not_found", `no store ${store} in project ${project}`);
    const res = await fn(opened.api, def, { project, store });
    return afterSent(res, opened.close, c.executionCtx, (e) => logFailure(c.var.config, `${c.req.path} stream`, e));
  } catch (err) {
    if (opened.close) c.executionCtx.waitUntil(opened.close());
    throw err;
  }
}

/** A zod verdict as the face's problem: the first issue, where it is. */
export function zodInvalid(error: Z.ZodError): SeriesError {
  const issue = error.issues[0];
  const where = issue?.path.join(".") || "body";
  return new SeriesError("invalid", `${where}: ${issue?.message ?? "invalid"}`);
}
