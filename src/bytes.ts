/** Byte helpers: reading a body whole but never past a limit (the one bounded reader), and joining parts. */

/** The parts joined into one array (the part itself when there is one). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * The stream's bytes, throwing `tooLarge()` as soon as `declaredLength` (a Content-Length) or the
 * bytes read exceed `max`; the stream is cancelled then, so nothing past the limit is read.
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  declaredLength: string | null,
  max: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  if (declaredLength !== null && Number(declaredLength) > max) {
    await body?.cancel();
    throw tooLarge();
  }
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      throw tooLarge();
    }
    parts.push(value);
  }
  return concatBytes(parts);
}
