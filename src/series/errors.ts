/**
 * Failures of the series core with stable codes; the series face turns them into JSON problem
 * bodies (`invalid` 400, `bad_frame` 400, `conflict` 409, `not_found` 404, `too_large` 413).
 */
export type SeriesErrorCode = "invalid" | "bad_frame" | "conflict" | "not_found" | "too_large";

export class SeriesError extends Error {
  constructor(
    readonly code: SeriesErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "SeriesError";
  }
}
