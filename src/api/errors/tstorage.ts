/**
 * The bridge's failures as HTTP: its own refusals (BridgeError) and TStorage's status codes
 * (TStorageError), both written as `{"error": {"code", "message"}}` with the TStorage code name, so a
 * caller sees INVARG or RETRY exactly as the vendor clients name them.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { StatusCode } from "../../tstorage/status.ts";
import { TStorageError } from "../../tstorage/status.ts";

/** Seconds a caller should wait before retrying a 503 the server asked for (RETRY, INACTIVE ...). */
export const RETRY_AFTER_SECONDS = 1;

/** A refusal of the bridge itself: bad input, a limit, an unknown target, an unreachable server. */
export class BridgeError extends Error {
  override readonly name = "BridgeError";
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    /** The 1-based record (NDJSON line or JSON array element) a body error is about. */
    readonly line?: number,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export const notFound = (): BridgeError =>
  // One message for unknown and unbound targets: a project must not learn another's target names.
  new BridgeError(404, "not_found", "no such TStorage target for this project");

/** The cause is logged, not told: it names the target's address, which callers never learn. */
export const unreachable = (target: string): BridgeError =>
  new BridgeError(503, "unreachable", `TStorage target ${JSON.stringify(target)} is unreachable`, undefined, {
    "retry-after": String(RETRY_AFTER_SECONDS),
  });

/**
 * HTTP status per TStorage code. NO_MEMORY is 413: it is the bridge's own window limit (or the
 * server's) refusing the size of what was asked, which a smaller request fixes; 507 would blame
 * the server's disk. The server refusing us (NOPERM, UNAUTHORIZED) is a bad gateway, not the
 * caller's 403: the bridge's own auth already let the caller in.
 */
const STATUS: Readonly<Record<StatusCode, ContentfulStatusCode>> = {
  INVARG: 400,
  INVALID_KEY: 400,
  BAD_REQUEST: 400,
  NOIMPL: 501,
  NO_MEMORY: 413,
  NOMEM: 503,
  RETRY: 503,
  TIMEOUT: 503,
  INACTIVE: 503,
  NOTSTARTED: 503,
  RUNNING: 503,
  TIMED_OUT: 504,
  DISCONNECTED: 502,
  UNPARSEABLE: 502,
  IOERR: 502,
  INTERNAL: 502,
  FILESYSTEM: 502,
  UNKNOWN: 502,
  ERROR: 502,
  ABORT: 502,
  ABORTED: 502,
  CONTINUE: 502,
  REDIR: 502,
  NOPERM: 502,
  UNAUTHORIZED: 502,
};

export interface BridgeProblem {
  readonly status: ContentfulStatusCode;
  readonly body: { readonly error: { readonly code: string; readonly message: string; readonly line?: number } };
  readonly headers: Readonly<Record<string, string>>;
  /** Not the caller's doing: worth a log line. */
  readonly unexpected: boolean;
}

/** The problem for a bridge or TStorage error, or undefined for anything else. */
export function bridgeProblem(err: unknown): BridgeProblem | undefined {
  if (err instanceof BridgeError) {
    const error = { code: err.code, message: err.message, ...(err.line === undefined ? {} : { line: err.line }) };
    return { status: err.status, body: { error }, headers: err.headers, unexpected: false };
  }
  if (err instanceof TStorageError) {
    const status = STATUS[err.code] ?? 502;
    const headers: Record<string, string> = status === 503 ? { "retry-after": String(RETRY_AFTER_SECONDS) } : {};
    return { status, body: { error: { code: err.code, message: err.message } }, headers, unexpected: status >= 500 };
  }
  return undefined;
}

/** What an error line in a stream says: the code and message only, never internals. */
export function errorLine(err: unknown): { code: string; message: string } {
  const p = bridgeProblem(err);
  return p ? p.body.error : { code: "internal", message: "Internal error" };
}
