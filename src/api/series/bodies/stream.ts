/** Byte chunks from a (sync or async) generator as a ReadableStream that pulls one chunk at a time. */

/**
 * Pull-driven: a chunk is produced only when the consumer asks, so a slow client holds back the
 * source instead of letting the body pile up in memory; cancelling closes the generator (its
 * `finally` blocks run, e.g. a storage cursor is released).
 */
export function chunkStream(chunks: Iterator<Uint8Array> | AsyncIterator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const r = await chunks.next();
          if (r.done) controller.close();
          else controller.enqueue(r.value);
        } catch (e) {
          controller.error(e);
        }
      },
      async cancel(reason) {
        await chunks.return?.(reason);
      },
    },
    { highWaterMark: 1 },
  );
}
