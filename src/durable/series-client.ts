/**
 * How the Worker reaches a series store: straight to its storage when the backend allows
 * (Postgres), else through the store's Durable Object (the embedded default).
 */
import type { Clock } from "../clock.ts";
import type { Env } from "../env.ts";
import type { Backend } from "../storage/backend.ts";
import type { SeriesApi } from "../timeseries/api.ts";
import { remoteSeries } from "../timeseries/rpc.ts";
import { SeriesService } from "../timeseries/service.ts";

export interface OpenSeries {
  readonly api: SeriesApi;
  /** Releases connections once the work (a streamed response included) is over. */
  readonly close?: () => Promise<void>;
}

/** The name of a store's object: one per project and store. */
export function seriesObjectName(project: string, store: string): string {
  return `${project}/${store}`;
}

export function openSeries(env: Env, backend: Backend, clock: Clock, project: string, store: string): OpenSeries {
  const direct = backend.series.direct(project, store);
  if (direct) {
    return { api: new SeriesService(direct.port, clock), ...(direct.close ? { close: direct.close } : {}) };
  }
  return { api: remoteSeries(env.SERIES.getByName(seriesObjectName(project, store)), project, store) };
}
