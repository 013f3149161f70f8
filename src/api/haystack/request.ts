/**
 * Turning an HTTP request into a request grid (HttpApi.fandoc): GET query parameters are one row,
 * each value Zinc (a bare word that is not Zinc is a Str); POST bodies are read in their
 * Content-Type's format, under the configured size and row limits.
 */
import { formatForContentType } from "../../haystack/codec/formats.ts";
import type { ReadLimits } from "../../haystack/codec/types.ts";
import { readZincValue } from "../../haystack/codec/zinc/index.ts";
import { col, HDict, HGrid, type HVal } from "../../haystack/kinds/index.ts";
import { HttpError } from "../errors/http-error.ts";

/** Most query parameters a GET may carry. */
const MAX_QUERY_PARAMS = 100;

function queryValue(text: string): HVal {
  try {
    return readZincValue(text, { maxDepth: 16 });
  } catch {
    return text;
  }
}

export function gridFromQuery(url: URL): HGrid {
  const names: string[] = [];
  const cells: HVal[] = [];
  for (const [name, value] of url.searchParams) {
    if (names.length >= MAX_QUERY_PARAMS) throw new HttpError(400, "bad_request", "Too many query parameters");
    if (names.includes(name)) continue;
    names.push(name);
    cells.push(queryValue(value));
  }
  if (names.length === 0) return new HGrid(HDict.EMPTY, [], []);
  return new HGrid(
    HDict.EMPTY,
    names.map((n) => col(n)),
    [cells],
  );
}

/** The request grid of a POST: an empty body is an empty grid. */
export function gridFromBody(text: string, contentType: string | null, limits: ReadLimits): HGrid {
  if (text.trim() === "") return new HGrid(HDict.EMPTY, [], []);
  const format = formatForContentType(contentType ?? "text/zinc");
  if (!format?.reader) {
    throw new HttpError(415, "unsupported_media_type", `Cannot read a request body of type ${contentType}`);
  }
  return format.reader.readGrid(text, limits);
}
