/**
 * One object per project and series store: on the embedded default it holds the store's data,
 * and on every backend it is the one place writes to the store are serialised.
 */
import type { Clock } from "../clock.ts";
import type { Env } from "../env.ts";
import type { SeriesObjectRpc } from "../objects.ts";
import { SERIES_SCHEMA } from "../storage/do/series-schema.ts";
import { SqlObject } from "./shell.ts";

export class SeriesObject extends SqlObject implements SeriesObjectRpc {
  constructor(ctx: DurableObjectState, env: Env, clock: Clock) {
    super(ctx, env, SERIES_SCHEMA, clock);
  }
}

/** The object of store `store` in `project`. */
export function seriesObject(env: Env, project: string, store: string): DurableObjectStub<SeriesObjectRpc> {
  return env.SERIES.getByName(`${project}/${store}`);
}
