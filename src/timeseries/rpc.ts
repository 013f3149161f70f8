/**
 * The series API across the Durable Object RPC boundary (the embedded default): one dispatching
 * method, so the object and its client cannot drift from SeriesApi. RPC keeps an Error's message
 * but not its class, so typed failures travel as data and are re-thrown as the same class.
 */
import { SeriesError, type SeriesErrorCode } from "../series/errors.ts";
import { StoreError, type StoreErrorCode } from "../storage/errors.ts";
import type { SeriesApi } from "./api.ts";

export type SeriesMethod = keyof SeriesApi;

export type SeriesWire<T> =
  | { readonly ok: T }
  | { readonly err: { readonly domain: "series" | "store"; readonly code: string; readonly message: string } };

export interface SeriesRpc extends Rpc.DurableObjectBranded {
  /** Runs `method` of the store's SeriesApi; `project` and `store` name the object's store to it. */
  callSeries(project: string, store: string, method: SeriesMethod, args: unknown[]): Promise<SeriesWire<unknown>>;
}

/** Every method, listed once; `satisfies` fails to compile when SeriesApi gains one not listed. */
const METHODS = {
  definition: 1,
  define: 1,
  drop: 1,
  set: 1,
  setMany: 1,
  get: 1,
  scan: 1,
  maxHorodate: 1,
  delete: 1,
  setVersioned: 1,
  getVersioned: 1,
  findHoles: 1,
  deleteVersion: 1,
  setSeries: 1,
  getSeries: 1,
  updates: 1,
  pack: 1,
  feed: 1,
  applyPulled: 1,
  localUpdatedUs: 1,
  sources: 1,
  putSource: 1,
  dropSource: 1,
  recordPull: 1,
} as const satisfies Record<SeriesMethod, 1>;

export function isSeriesMethod(m: string): m is SeriesMethod {
  return Object.hasOwn(METHODS, m);
}

/** Runs `fn`, turning a SeriesError or StoreError into data; anything else still throws. */
export async function seriesGuard<T>(fn: () => Promise<T>): Promise<SeriesWire<T>> {
  try {
    return { ok: await fn() };
  } catch (err) {
    if (err instanceof SeriesError) return { err: { domain: "series", code: err.code, message: err.message } };
    if (err instanceof StoreError) return { err: { domain: "store", code: err.code, message: err.message } };
    throw err;
  }
}

export function seriesUnwrap<T>(w: SeriesWire<T>): T {
  if ("ok" in w) return w.ok;
  const { domain, code, message } = w.err;
  if (domain === "series") throw new SeriesError(code as SeriesErrorCode, message);
  throw new StoreError(code as StoreErrorCode, message);
}

/** Calls `api[method](...args)` for an object serving RPC. */
export function dispatch(api: SeriesApi, method: string, args: unknown[]): Promise<SeriesWire<unknown>> {
  if (!isSeriesMethod(method))
    return Promise.resolve({ err: { domain: "series", code: "invalid", message: `no method ${method}` } });
  const fn = api[method] as (...a: unknown[]) => Promise<unknown>;
  return seriesGuard(() => fn.apply(api, args));
}

/** SeriesApi over RPC to the store's object. */
export function remoteSeries(stub: { callSeries: SeriesRpc["callSeries"] }, project: string, store: string): SeriesApi {
  const api = {} as Record<SeriesMethod, (...args: unknown[]) => Promise<unknown>>;
  for (const m of Object.keys(METHODS) as SeriesMethod[]) {
    api[m] = async (...args: unknown[]) => seriesUnwrap(await stub.callSeries(project, store, m, args));
  }
  return api as unknown as SeriesApi;
}
