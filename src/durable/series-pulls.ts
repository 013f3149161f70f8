/**
 * Pulling a store's sync sources: one now (the admin's "pull" route) or every due one (the cron,
 * through the catalog entry `project/store`). A pull's outcome is recorded on its source; a
 * failure backs off (doubling from a minute, up to a day);
 * the store's catalog entry always carries its soonest due source.
 */
import type { Clock } from "../clock.ts";
import type { Env } from "../env.ts";
import type { Backend } from "../storage/backend.ts";
import type { Source } from "../storage/series-port.ts";
import { type PullResult, pull } from "../sync/pull.ts";
import type { SeriesApi } from "../timeseries/api.ts";
import { catalogOf } from "./catalog.ts";
import { openSeries, seriesObjectName } from "./series-client.ts";

const BACKOFF_BASE_MS = 60_000;
const BACKOFF_MAX_MS = 86_400_000;
/** Names a source may give for its token secret: a Worker secret's name, never a var we own. */
const SECRET_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
const OWN_VARS = new Set(["AUTH_SECRET", "AUTH_SECRET_PREVIOUS", "ADMIN_PASSWORD", "DATABASE_URL"]);

export interface PullDeps {
  readonly backend: (env: Env) => Backend;
  readonly clock: Clock;
  /** Outbound HTTP (tests hand in a Worker's own fetch). */
  readonly fetch: typeof fetch;
  /** A fetch that can send a GET with a body, for a HoLcStore whose `pack/` refuses POST. */
  readonly packFetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface PullOutcome {
  readonly ok: boolean;
  readonly result?: PullResult;
  readonly error?: string;
  readonly source: Source;
}

/** The token a source names, from the Worker's secrets. */
export function sourceToken(env: Env, source: Source): string | undefined {
  if (source.tokenSecret === undefined) return undefined;
  if (!SECRET_NAME.test(source.tokenSecret) || OWN_VARS.has(source.tokenSecret)) {
    throw new Error(`token secret name ${source.tokenSecret} is not allowed`);
  }
  const v = (env as unknown as Record<string, unknown>)[source.tokenSecret];
  if (typeof v !== "string" || v === "") throw new Error(`the Worker has no secret ${source.tokenSecret}`);
  return v;
}

/** After the k-th failure in a row, the next try is 1, 2, 4, ... minutes later, at most a day. */
function backoffMs(failuresBefore: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.min(failuresBefore, 20), BACKOFF_MAX_MS);
}

/** Runs one pull of `source` into the store and records how it went. */
export async function pullSource(env: Env, deps: PullDeps, api: SeriesApi, source: Source): Promise<PullOutcome> {
  const def = await api.definition();
  const started = deps.clock.now();
  try {
    if (def?.kind !== "chunked") throw new Error("sources pull into chunked stores only");
    const result = await pull({
      source,
      token: sourceToken(env, source),
      fetch: deps.fetch,
      ...(deps.packFetch ? { packFetch: deps.packFetch } : {}),
      ...(source.pageSize === undefined ? {} : { pageSize: source.pageSize }),
      ...(source.batch === undefined ? {} : { batch: source.batch }),
      sleep: deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      now: () => deps.clock.now(),
      target: {
        keys: def.keys,
        cursor: async (name) => (await api.sources()).find((s) => s.name === name)?.state.cursor ?? null,
        localUpdatedUs: (refs) => api.localUpdatedUs(refs),
        applyPage: (name, expect, next, chunks) => api.applyPulled(name, expect, next, chunks),
      },
    });
    const nextDueMs = source.everySeconds > 0 ? started + source.everySeconds * 1000 : null;
    return { ok: true, result, source: await api.recordPull(source.name, { ok: true, nextDueMs }) };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    const nextDueMs = source.everySeconds > 0 ? deps.clock.now() + backoffMs(source.state.failures) : null;
    return { ok: false, error, source: await api.recordPull(source.name, { ok: false, error, nextDueMs }) };
  }
}

/** Tells the catalog when the store's soonest source is due (null: none is). */
export async function reportDue(env: Env, project: string, store: string, sources: readonly Source[]): Promise<void> {
  const due = sources.map((s) => s.state.nextDueMs).filter((d): d is number => d !== null);
  await catalogOf(env).setDue("series", seriesObjectName(project, store), due.length ? Math.min(...due) : null);
}

/** The cron's runner for a store's catalog entry: every due source, one after another. */
export function seriesPullRunner(deps: PullDeps) {
  return async (env: Env, name: string): Promise<{ ran: number; failed: number }> => {
    const slash = name.indexOf("/");
    const project = name.slice(0, slash);
    const store = name.slice(slash + 1);
    const { api, close } = openSeries(env, deps.backend(env), deps.clock, project, store);
    try {
      const now = deps.clock.now();
      let ran = 0;
      let failed = 0;
      for (const s of await api.sources()) {
        if (s.state.nextDueMs === null || s.state.nextDueMs > now) continue;
        const out = await pullSource(env, deps, api, s);
        if (out.ok) ran++;
        else failed++;
      }
      await reportDue(env, project, store, await api.sources());
      return { ran, failed };
    } finally {
      await close?.();
    }
  };
}
