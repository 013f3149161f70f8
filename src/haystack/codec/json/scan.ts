/**
 * JSON text scanning for the error path only. Reading uses native `JSON.parse`; these scanners run
 * after a failure to say WHERE it happened: the first syntax error (V8 messages do not always carry
 * a position), or the text offset of a value reached by a key/index path (for errors found while
 * converting parsed JSON into Haystack values). Both are iterative, so hostile nesting cannot
 * overflow the stack.
 */
import { ParseError, positionOf } from "../../errors.ts";

/** Key/index steps from the root to a value, e.g. `["rows", 3, "ts"]`. */
export type JsonPath = readonly (string | number)[];

class Stop {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

function ws(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
    i++;
  }
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Index just past the string starting at the `"` at `i`. */
function skipString(s: string, i: number): number {
  const n = s.length;
  i++;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c < 32) throw new Stop(i, "control character in string");
    if (c === 92) {
      const e = s.charCodeAt(i + 1);
      if (e === 117) {
        for (let k = 2; k < 6; k++) if (!isHex(s.charCodeAt(i + k))) throw new Stop(i, "bad \\u escape");
        i += 6;
        continue;
      }
      // " \ / b f n r t
      if (e !== 34 && e !== 92 && e !== 47 && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116) {
        throw new Stop(i, "bad escape in string");
      }
      i += 2;
      continue;
    }
    i++;
  }
  throw new Stop(n, "unterminated string");
}

function digits(s: string, i: number): number {
  const start = i;
  for (;;) {
    const c = s.charCodeAt(i);
    if (!(c >= 48 && c <= 57)) break; // NaN past the end must stop too
    i++;
  }
  if (i === start) throw new Stop(i, "expected digit");
  return i;
}

function skipNumber(s: string, i: number): number {
  if (s.charCodeAt(i) === 45) i++;
  if (s.charCodeAt(i) === 48) i++;
  else i = digits(s, i);
  if (s.charCodeAt(i) === 46) i = digits(s, i + 1);
  const e = s.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    const sign = s.charCodeAt(i);
    if (sign === 43 || sign === 45) i++;
    i = digits(s, i);
  }
  return i;
}

function skipScalar(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 34) return skipString(s, i);
  if (c === 45 || (c >= 48 && c <= 57)) return skipNumber(s, i);
  for (const lit of ["true", "false", "null"]) if (s.startsWith(lit, i)) return i + lit.length;
  if (i >= s.length) throw new Stop(i, "unexpected end of input");
  throw new Stop(i, `unexpected character '${String.fromCharCode(c)}'`);
}

/** Validates `s` as JSON and throws a Stop at the first error (nothing when it is valid). */
function validate(s: string): void {
  const stack: number[] = [];
  let i = ws(s, 0);
  let state = 0; // 0 = value expected, 1 = object key expected, 2 = a value just ended
  for (;;) {
    if (state === 0) {
      const c = s.charCodeAt(i);
      if (c === 123 || c === 91) {
        stack.push(c);
        i = ws(s, i + 1);
        if (s.charCodeAt(i) === c + 2) {
          stack.pop();
          i++;
          state = 2;
        } else state = c === 123 ? 1 : 0;
      } else {
        i = skipScalar(s, i);
        state = 2;
      }
    } else if (state === 1) {
      if (s.charCodeAt(i) !== 34) throw new Stop(i, "expected a double-quoted property name");
      i = ws(s, skipString(s, i));
      if (s.charCodeAt(i) !== 58) throw new Stop(i, "expected ':' after property name");
      i = ws(s, i + 1);
      state = 0;
    } else {
      i = ws(s, i);
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (i < s.length) throw new Stop(i, "unexpected text after the JSON value");
        return;
      }
      const c = s.charCodeAt(i);
      if (c === 44) {
        i = ws(s, i + 1);
        state = top === 123 ? 1 : 0;
      } else if (c === top + 2) {
        stack.pop();
        i++;
      } else if (i >= s.length) {
        throw new Stop(i, "unexpected end of input");
      } else {
        throw new Stop(i, top === 123 ? "expected ',' or '}'" : "expected ',' or ']'");
      }
    }
  }
}

/**
 * `JSON.parse` whose SyntaxError becomes a ParseError at the offending line and column.
 */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    let offset = text.length;
    let message = e.message;
    try {
      validate(text);
    } catch (stop) {
      if (!(stop instanceof Stop)) throw stop;
      offset = stop.offset;
      message = stop.message;
    }
    throw new ParseError(`invalid JSON: ${message}`, positionOf(text, offset));
  }
}

/** Index just past the value starting at `i` (no validation beyond what skipping needs). */
export function skipValue(s: string, i: number): number {
  let depth = 0;
  for (;;) {
    i = ws(s, i);
    const c = s.charCodeAt(i);
    if (c === 123 || c === 91) {
      depth++;
      i++;
    } else if (c === 125 || c === 93) {
      depth--;
      i++;
    } else if (c === 44 || c === 58) {
      i++;
    } else {
      i = skipScalar(s, i);
    }
    if (depth <= 0) return i;
  }
}

/**
 * Offset in `text` (valid JSON) of the value reached by `path` from the value at `start`; when a step cannot be followed,
 * the offset of the deepest value reached. Used to position conversion errors.
 */
export function offsetOfPath(text: string, path: JsonPath, start = 0): number {
  let i = ws(text, start);
  try {
    for (const step of path) {
      const c = text.charCodeAt(i);
      let j = ws(text, i + 1);
      if (typeof step === "number" && c === 91) {
        for (let k = 0; k < step; k++) j = ws(text, ws(text, skipValue(text, j)) + 1); // value, then ','
        i = ws(text, j);
      } else if (typeof step === "string" && c === 123) {
        for (;;) {
          if (text.charCodeAt(j) !== 34) return i;
          const end = skipString(text, j);
          const key = JSON.parse(text.slice(j, end)) as string;
          j = ws(text, ws(text, end) + 1); // past ':'
          if (key === step) break;
          j = ws(text, ws(text, skipValue(text, j)) + 1); // past ','
        }
        i = j;
      } else {
        return i;
      }
    }
  } catch (e) {
    if (e instanceof Stop) return i;
    throw e;
  }
  return i;
}
