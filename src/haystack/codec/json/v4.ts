/**
 * JSON v4 ("Hayson", Json.fandoc #v4): plain JSON for null, bool, str, unitless finite numbers,
 * lists and dicts; `{"_kind": ...}` objects for everything else. Text is read by a direct scanner
 * (v4-text.ts), parsed JSON by a converter (v4-convert.ts); writing builds UTF-8 bytes (v4-write.ts).
 * Grid meta drops `ver` on read; writers always emit `ver:"3.0"`.
 */
import { ParseError, positionOf } from "../../errors.ts";
import { HGrid, type HVal } from "../../kinds/index.ts";
import type { GridReader, GridWriter, ReadLimits, ValueReader, ValueWriter } from "../types.ts";
import { ctxOf, toReadError } from "./common.ts";
import { val4 } from "./v4-convert.ts";
import { HaysonText } from "./v4-text.ts";
import { jsonEncoder, writeJsonGrid, writeJsonValue } from "./v4-write.ts";

export { type Json, valToJson4 } from "./v4-plain.ts";
export { jsonEncoder, writeJsonGrid, writeJsonValue } from "./v4-write.ts";

const START = { line: 1, column: 1, offset: 0 };

/**
 * Reads one Haystack value from JSON v4. A string argument is JSON text; anything else is taken
 * as already-parsed JSON (see `json4ToVal`). Errors are ParseError/LimitError with a position.
 */
export function readJsonValue(input: unknown, limits?: ReadLimits): HVal {
  if (typeof input !== "string") return json4ToVal(input, limits);
  return new HaysonText(input, ctxOf(limits)).top();
}

/** Reads a JSON v4 grid (text or parsed JSON); any other kind is a ParseError. */
export function readJsonGrid(input: unknown, limits?: ReadLimits): HGrid {
  const v = readJsonValue(input, limits);
  if (v instanceof HGrid) return v;
  throw new ParseError("JSON value is not a grid", typeof input === "string" ? positionOf(input, 0) : START);
}

/** Converts already-parsed JSON v4 to a Haystack value; errors name the JSON path. */
export function json4ToVal(json: unknown, limits?: ReadLimits): HVal {
  try {
    return val4(json, ctxOf(limits), 0);
  } catch (e) {
    throw toReadError(e, undefined);
  }
}

export const JSON4_READER: GridReader & ValueReader = {
  readGrid: (text, limits) => readJsonGrid(text, limits),
  readValue: (text, limits) => readJsonValue(text, limits),
};

export const JSON4_WRITER: GridWriter & ValueWriter = {
  writeGrid: writeJsonGrid,
  writeValue: writeJsonValue,
  encoder: jsonEncoder,
};
