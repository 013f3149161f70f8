/**
 * The frames port across the Durable Object RPC boundary (the embedded default): one dispatching
 * method, so the object and its client cannot drift from FramesPort. RPC keeps an Error's message
 * but not its class, so a StoreError travels as data and is re-thrown as a StoreError.
 */
import { StoreError, type StoreErrorCode } from "../errors.ts";
import type { FramesPort } from "../frames-port.ts";

export type FramesMethod = keyof FramesPort;

export type FramesWire<T> = { readonly ok: T } | { readonly err: { readonly code: string; readonly message: string } };

export interface FramesRpc extends Rpc.DurableObjectBranded {
  /** Runs `method` of the collection's port; `project` and `collection` name the object's collection. */
  callFrames(project: string, collection: string, method: FramesMethod, args: unknown[]): Promise<FramesWire<unknown>>;
}

/** Every method, listed once; `satisfies` fails to compile when FramesPort gains one not listed. */
const METHODS = {
  collection: 1,
  drop: 1,
  items: 1,
  item: 1,
  versions: 1,
  version: 1,
  versionAt: 1,
  snapshots: 1,
  snapshot: 1,
  putSegments: 1,
  blobs: 1,
  commit: 1,
  sweep: 1,
} as const satisfies Record<FramesMethod, 1>;

export function isFramesMethod(m: string): m is FramesMethod {
  return Object.hasOwn(METHODS, m);
}

/** Calls `port[method](...args)` for an object serving RPC, a StoreError returned as data. */
export async function dispatchFrames(port: FramesPort, method: string, args: unknown[]): Promise<FramesWire<unknown>> {
  if (!isFramesMethod(method)) return { err: { code: "invalid", message: `No frames method ${method}` } };
  const fn = port[method] as (...a: unknown[]) => Promise<unknown>;
  try {
    return { ok: await fn.apply(port, args) };
  } catch (err) {
    if (err instanceof StoreError) return { err: { code: err.code, message: err.message } };
    throw err;
  }
}

function unwrap<T>(w: FramesWire<T>): T {
  if ("ok" in w) return w.ok;
  throw new StoreError(w.err.code as StoreErrorCode, w.err.message);
}

/** FramesPort over RPC to the collection's object. */
export function remoteFrames(
  stub: { callFrames: FramesRpc["callFrames"] },
  project: string,
  collection: string,
): FramesPort {
  const port = {} as Record<FramesMethod, (...args: unknown[]) => Promise<unknown>>;
  for (const m of Object.keys(METHODS) as FramesMethod[]) {
    port[m] = async (...args: unknown[]) => unwrap(await stub.callFrames(project, collection, m, args));
  }
  return port as unknown as FramesPort;
}
