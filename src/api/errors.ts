import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ConfigError } from "../config.ts";
import { HaystackError, ParseError } from "../haystack/errors.ts";
import { StoreError, type StoreErrorCode } from "../storage/errors.ts";
import { RequestError } from "./haystack/request.ts";

const STORE_STATUS: Readonly<Record<StoreErrorCode, ContentfulStatusCode>> = {
  not_found: 404,
  conflict: 409,
  duplicate: 409,
  invalid: 400,
  unavailable: 503,
  timeout: 504,
};

/** The one error body every face answers with: `{ "error": { "code", "message", ... } }`. */
export interface Problem {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly line?: number;
    readonly column?: number;
  };
}

export interface ProblemResponse {
  readonly status: ContentfulStatusCode;
  readonly body: Problem;
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

/**
 * Maps any thrown value to a status and problem body, once, for the whole app.
 * Client mistakes keep their message; anything unexpected becomes a bare 500 so internals (SQL
 * text, stack traces) never reach the client; the caller logs the original.
 */
export function toProblem(err: unknown): ProblemResponse {
  if (err instanceof ParseError) {
    return {
      status: 400,
      body: { error: { code: err.code, message: err.message, line: err.line, column: err.column } },
    };
  }
  if (err instanceof HaystackError) return { status: 400, body: problem(err.code, err.message) };
  if (err instanceof RequestError) return { status: err.status, body: problem(err.code, err.message) };
  if (err instanceof StoreError) return { status: STORE_STATUS[err.code], body: problem(err.code, err.message) };
  if (err instanceof HTTPException) {
    const status = err.status;
    return { status, body: problem(HTTP_CODES[status] ?? "http_error", err.message || `HTTP ${status}`) };
  }
  // A bad deployment is the operator's to fix and its message holds no secret: say it plainly.
  if (err instanceof ConfigError) return { status: 500, body: problem(err.code, err.message) };
  return { status: 500, body: problem("internal", "Internal error") };
}
