/**
 * One object per project and series store. On the embedded default it holds the store's data in
 * its SQLite and answers the series API over RPC; writes to the store are serialised here.
 */
import type { Clock } from "../clock.ts";
import type { Env } from "../env.ts";
import type { SeriesObjectRpc } from "../objects.ts";
import { doSeriesPort } from "../storage/do/series.ts";
import { SERIES_SCHEMA } from "../storage/do/series-schema.ts";
import type { SeriesApi } from "../timeseries/api.ts";
import { dispatch, type SeriesMethod, type SeriesWire } from "../timeseries/rpc.ts";
import { SeriesService } from "../timeseries/service.ts";
import { SqlObject } from "./shell.ts";

export class SeriesObject extends SqlObject implements SeriesObjectRpc {
  #api: SeriesApi | undefined;

  constructor(ctx: DurableObjectState, env: Env, clock: Clock) {
    super(ctx, env, SERIES_SCHEMA, clock);
  }

  async callSeries(
    _project: string,
    _store: string,
    method: SeriesMethod,
    args: unknown[],
  ): Promise<SeriesWire<unknown>> {
    await this.ready();
    // Built on first use so a test's USE_CLOCK swap (before any call) is the clock it runs on.
    this.#api ??= new SeriesService(doSeriesPort(this.sql), { now: () => this.clock.now() });
    return dispatch(this.#api, method, args);
  }
}
