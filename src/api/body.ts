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
export async function readBytes(req: Request, max: number): Promise<Uint8Array> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > max) throw tooLarge(max);
  if (!req.body) return new Uint8Array(0);
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
  return bytes;
}

function tooLarge(max: number): HttpError {
  return new HttpError(413, "payload_too_large", `Request body exceeds ${max} bytes`);
}
