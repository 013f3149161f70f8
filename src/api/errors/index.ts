/**
 * Errors become responses here, in the style of the face they happened on: Haystack error grids
 * under `/api`, JSON problem bodies everywhere else. The app's error handler, the auth middleware
 * and the Haystack router all answer through this one door.
 */
import { negotiate } from "../../haystack/codec/formats.ts";
import { errorGridResponse, gridFailure, type Phase } from "./grid.ts";
import { toProblem } from "./problem.ts";

export type ErrorStyle = "haystack" | "json";

export interface FailureContext {
  /** The request's Accept header, for the format of an error grid. */
  readonly accept: string | undefined;
  /** Haystack only: whether the request grid had been read (default: not yet). */
  readonly phase?: Phase;
  /** Add stack traces (ERR_TRACE, development only). */
  readonly trace: boolean;
  /** Told of failures that are not the caller's doing. */
  readonly log: (err: unknown) => void;
}

export function failureResponse(err: unknown, style: ErrorStyle, cx: FailureContext): Response {
  if (style === "haystack") {
    const f = gridFailure(err, cx.phase ?? "request", cx.trace);
    if (f.unexpected) cx.log(err);
    return errorGridResponse(negotiate(cx.accept), f);
  }
  const p = toProblem(err);
  if (p.unexpected) cx.log(err);
  return Response.json(p.body, { status: p.status, headers: p.headers });
}

export { HttpError } from "./http-error.ts";
