/**
 * How results and errors cross the Durable Object RPC boundary. RPC keeps an Error's message
 * but not its class or fields, so failures travel as data and are re-thrown as the same typed
 * error on the caller's side.
 */
import { HaystackError, type HaystackErrorCode } from "../haystack/errors.ts";
import { StoreError, type StoreErrorCode } from "./errors.ts";

export type Wire<T> =
  | { readonly ok: T }
  | { readonly err: { readonly domain: "store" | "haystack"; readonly code: string; readonly message: string } };

/** Runs `fn`, turning a StoreError or HaystackError into data; anything else still throws. */
export async function guard<T>(fn: () => T | Promise<T>): Promise<Wire<T>> {
  try {
    return { ok: await fn() };
  } catch (err) {
    if (err instanceof StoreError) return { err: { domain: "store", code: err.code, message: err.message } };
    if (err instanceof HaystackError) return { err: { domain: "haystack", code: err.code, message: err.message } };
    throw err;
  }
}

/** The value, or the original typed error re-thrown. */
export function unwrap<T>(w: Wire<T>): T {
  if ("ok" in w) return w.ok;
  const { domain, code, message } = w.err;
  if (domain === "store") throw new StoreError(code as StoreErrorCode, message);
  throw new HaystackError(code as HaystackErrorCode, message);
}
