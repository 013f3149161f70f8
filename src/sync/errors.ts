/**
 * Why a pull failed, with stable codes: the source's status resource shows them and the scheduler
 * chooses its backoff by them (`rate_limited` carries the wait the remote asked for).
 *
 * - `bad_source`: the registered source cannot be used as is (URL, filters, stored cursor).
 * - `unauthorized` / `forbidden` / `not_found`: the remote said 401 / 403 / 404; retrying will not help.
 * - `rejected`: another 4xx, or a redirect (never followed: outbound URLs are only the registered ones).
 * - `rate_limited`: 429 for longer than the pull may wait.
 * - `unavailable`: network errors, timeouts and 5xx, after the retries.
 * - `too_large`: a response over the body limit.
 * - `protocol`: a response that is not what the protocol says (bad JSON, keys that do not fit).
 * - `unsupported`: the remote needs something this runtime cannot do (a GET with a body).
 * - `conflict`: another pull of the same source moved the cursor first; nothing was applied.
 */
export type SyncErrorCode =
  | "bad_source"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "rejected"
  | "rate_limited"
  | "unavailable"
  | "too_large"
  | "protocol"
  | "unsupported"
  | "conflict";

export class SyncError extends Error {
  constructor(
    readonly code: SyncErrorCode,
    message: string,
    readonly details: { readonly status?: number; readonly retryAfterMs?: number; readonly cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "SyncError";
  }
}
