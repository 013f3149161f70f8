/**
 * The JSON error style, for every face but Haystack: `{ "error": { "code", "message" } }` with
 * the status the error calls for. Client mistakes keep their message; anything unexpected becomes
 * a bare 500 so internals (SQL text, stack traces) never reach the client.
 */
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ConfigError } from "../../config.ts";
import { FrameError, type FrameErrorCode } from "../../frames/model.ts";
import { HaystackError, ParseError } from "../../haystack/errors.ts";
import { SeriesError, type SeriesErrorCode } from "../../series/errors.ts";
import { StoreError, type StoreErrorCode } from "../../storage/errors.ts";
import { HttpError } from "./http-error.ts";
import { bridgeProblem } from "./tstorage.ts";

const STORE_STATUS: Readonly<Record<StoreErrorCode, ContentfulStatusCode>> = {
  not_found: 404,
  conflict: 409,
  duplicate: 409,
  invalid: 400,
  unavailable: 503,
  timeout: 504,
};

const FRAME_STATUS: Readonly<Record<FrameErrorCode, ContentfulStatusCode>> = {
  invalid: 400,
  duplicate_column: 400,
  unknown_column: 400,
  dtype_mismatch: 400,
  duplicate_index: 409,
  rule_failed: 422,
  schema_changed: 409,
  not_found: 404,
  conflict: 409,
  too_large: 413,
};

const SERIES_STATUS: Readonly<Record<SeriesErrorCode, ContentfulStatusCode>> = {
  invalid: 400,
  bad_frame: 400,
  conflict: 409,
  not_found: 404,
  too_large: 413,
};

export interface Problem {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly line?: number;
    readonly column?: number;
    /** The rule, column or item the error names (frames face). */
    readonly subject?: string;
  };
}

export interface ProblemResponse {
  readonly status: ContentfulStatusCode;
  readonly body: Problem;
  readonly headers: Readonly<Record<string, string>>;
  /** Not the caller's doing: worth a log line. */
  readonly unexpected: boolean;
}

const HTTP_CODES: Readonly<Partial<Record<number, string>>> = {
  400: "bad_request",
  401: "unauthorized",
  409: "conflict",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  406: "not_acceptable",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

export function problem(code: string, message: string): Problem {
  return { error: { code, message } };
}

/** Maps any thrown value to a status and problem body, for every JSON-style face. */
export function toProblem(err: unknown): ProblemResponse {
  const of = (status: ContentfulStatusCode, body: Problem, headers = {}, unexpected = false): ProblemResponse => ({
    status,
    body,
    headers,
    unexpected,
  });
  if (err instanceof ParseError) {
    return of(400, { error: { code: err.code, message: err.message, line: err.line, column: err.column } });
  }
  if (err instanceof HaystackError) return of(400, problem(err.code, err.message));
  if (err instanceof HttpError) return of(err.status, problem(err.code, err.message), err.headers, err.status >= 500);
  if (err instanceof SeriesError) return of(SERIES_STATUS[err.code], problem(err.code, err.message));
  if (err instanceof FrameError) {
    const subject = err.subject === undefined ? {} : { subject: err.subject };
    return of(FRAME_STATUS[err.code], { error: { code: err.code, message: err.message, ...subject } });
  }
  if (err instanceof StoreError) {
    const status = STORE_STATUS[err.code];
    return of(status, problem(err.code, err.message), {}, status >= 500);
  }
  const bridge = bridgeProblem(err);
  if (bridge) return of(bridge.status, bridge.body, bridge.headers, bridge.unexpected);
  if (err instanceof HTTPException) {
    const status = err.status;
    return of(status, problem(HTTP_CODES[status] ?? "http_error", err.message || `HTTP ${status}`));
  }
  if (err instanceof ConfigError) return of(500, problem(err.code, err.message), {}, true);
  return of(500, problem("internal", "Internal error"), {}, true);
}
