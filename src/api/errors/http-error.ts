/**
 * A refusal that carries its own HTTP status: a request that cannot be read (400, 413, 415), a
 * route or method that does not exist (404, 405), a format nobody asked for (406), or a caller
 * who may not (401, 403, 429). Both error styles write it with this status.
 */
export type HttpErrorStatus = 400 | 401 | 403 | 404 | 405 | 406 | 413 | 415 | 426 | 429 | 503;

export class HttpError extends Error {
  constructor(
    readonly status: HttpErrorStatus,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}
