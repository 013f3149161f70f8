/**
 * Errors of the Haystack core. Each has a stable `code`; the HTTP layer maps them once.
 * Parse errors carry the position of the offending input (1-based line and column, 0-based offset).
 */
export type HaystackErrorCode =
  | "parse_error"
  | "limit_exceeded"
  | "invalid_value"
  | "invalid_range"
  | "unknown_tz"
  | "unsupported";

export class HaystackError extends Error {
  constructor(
    readonly code: HaystackErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "HaystackError";
  }
}

export interface SourcePosition {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/** Syntax error in Zinc, Trio, JSON or a filter, with where it happened. */
export class ParseError extends HaystackError {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  constructor(message: string, pos: SourcePosition, code: HaystackErrorCode = "parse_error") {
    super(code, `${message} [line ${pos.line}, column ${pos.column}]`);
    this.name = "ParseError";
    this.line = pos.line;
    this.column = pos.column;
    this.offset = pos.offset;
  }
}

/** Input beyond a configured bound (nesting depth, size, terms). Still reports a position. */
export class LimitError extends ParseError {
  constructor(message: string, pos: SourcePosition) {
    super(message, pos, "limit_exceeded");
    this.name = "LimitError";
  }
}

/** Computes the 1-based line/column of `offset` in `text`. Only called on the error path. */
export function positionOf(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1, offset };
}
