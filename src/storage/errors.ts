/**
 * Storage failures with stable codes, one class for every backend. The Haystack face turns them
 * into error grids; `unavailable` (a backend that cannot be reached) becomes HTTP 503, `timeout`
 * (a query stopped at the configured time limit) 504. A message is ours, written for the client;
 * what the backend said stays in `cause`, for logs only.
 */
export type StoreErrorCode = "not_found" | "conflict" | "duplicate" | "invalid" | "unavailable" | "timeout";

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
    this.name = "StoreError";
  }
}

export function notFound(what: string): StoreError {
  return new StoreError("not_found", what);
}

export function invalid(what: string): StoreError {
  return new StoreError("invalid", what);
}
