/**
 * Storage failures with stable codes, one class for every backend. The Haystack face turns them
 * into error grids; `unavailable` (a backend that cannot be reached) becomes HTTP 503.
 */
export type StoreErrorCode = "not_found" | "conflict" | "duplicate" | "invalid" | "unavailable";

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "StoreError";
  }
}

export function notFound(what: string): StoreError {
  return new StoreError("not_found", what);
}

export function invalid(what: string): StoreError {
  return new StoreError("invalid", what);
}
