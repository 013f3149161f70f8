/**
 * Turning an HTTP request into a request grid (HttpApi.fandoc): GET query parameters are one row,
 * each value Zinc (a bare word that is not Zinc is a Str); POST bodies are read in their
 * Content-Type's format, under the configured size and row limits.
 */
import { formatForContentType } from "../../haystack/codec/formats.ts";
import type { ReadLimits } from "../../haystack/codec/types.ts";
import { readZincValue } from "../../haystack/codec/zinc/index.ts";
import { col, HDict, HGrid, type HVal } from "../../haystack/kinds/index.ts";

/** A failure before the request grid exists: answered with its HTTP status (HttpApi.fandoc). */
export class RequestError extends Error {
  constructor(
    readonly status: 400 | 404 | 405 | 406 | 413 | 415,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "RequestError";
  }
}

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
    if (names.length >= MAX_QUERY_PARAMS) throw new RequestError(400, "bad_request", "Too many query parameters");
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

/** The body as text, refusing more than `max` bytes without reading past the limit. */
export async function readBody(req: Request, max: number): Promise<string> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > max) throw tooLarge(max);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new RequestError(400, "bad_request", "Request body is not valid UTF-8");
  }
}

function tooLarge(max: number): RequestError {
  return new RequestError(413, "payload_too_large", `Request body exceeds ${max} bytes`);
}

/** The request grid of a POST: an empty body is an empty grid. */
export function gridFromBody(text: string, contentType: string | null, limits: ReadLimits): HGrid {
  if (text.trim() === "") return new HGrid(HDict.EMPTY, [], []);
  const format = formatForContentType(contentType ?? "text/zinc");
  if (!format?.reader) {
    throw new RequestError(415, "unsupported_media_type", `Cannot read a request body of type ${contentType}`);
  }
  return format.reader.readGrid(text, limits);
}
