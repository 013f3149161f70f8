import { readCapped } from "../bytes.ts";
import { HttpError } from "./errors/http-error.ts";

/** The body as UTF-8 text, refusing more than `max` bytes without reading past the limit. */
export async function readBody(req: Request, max: number): Promise<string> {
  const bytes = await readBytes(req, max);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new HttpError(400, "bad_request", "Request body is not valid UTF-8");
  }
}

/** The body's bytes, refusing more than `max` without reading past the limit. */
export function readBytes(req: Request, max: number): Promise<Uint8Array> {
  return readCapped(req.body, req.headers.get("content-length"), max, () => tooLarge(max));
}

function tooLarge(max: number): HttpError {
  return new HttpError(413, "payload_too_large", `Request body exceeds ${max} bytes`);
}
