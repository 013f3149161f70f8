/** Releasing what a response needs (a database pool) only once its body is sent. */

/**
 * The response, with `close` run once its body has been sent (or the client went away): a
 * streamed hisRead still needs its connection after the handler returns.
 */
export function afterSent(
  res: Response,
  close: (() => Promise<void>) | undefined,
  ctx: { waitUntil(p: Promise<unknown>): void },
  failed: (err: unknown) => void,
): Response {
  if (!close) return res;
  if (!res.body) {
    ctx.waitUntil(close());
    return res;
  }
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  ctx.waitUntil(res.body.pipeTo(writable).catch(failed).finally(close));
  return new Response(readable, res);
}
