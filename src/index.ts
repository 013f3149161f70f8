/**
 * The Worker's entry (wrangler.toml `main`): the handlers and the Durable Object classes, on the
 * system clock and the configured backend.
 */
import { systemClock } from "./clock.ts";
import { AuthObject as AuthObjectImpl } from "./durable/auth.ts";
import { CatalogObject as CatalogObjectImpl } from "./durable/catalog.ts";
import { FramesObject as FramesObjectImpl } from "./durable/frames.ts";
import { ProjectObject as ProjectObjectImpl } from "./durable/project.ts";
import { SeriesObject as SeriesObjectImpl } from "./durable/series.ts";
import type { Env } from "./env.ts";
import { composeWorker, projectObjectDeps } from "./worker.ts";

export class ProjectObject extends ProjectObjectImpl {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, projectObjectDeps(systemClock));
  }
}

export class AuthObject extends AuthObjectImpl {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, systemClock);
  }
}

export class CatalogObject extends CatalogObjectImpl {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, systemClock);
  }
}

export class SeriesObject extends SeriesObjectImpl {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, systemClock);
  }
}

export class FramesObject extends FramesObjectImpl {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, systemClock);
  }
}

export default composeWorker(systemClock) satisfies ExportedHandler<Env>;
