/**
 * Streams a grid as UTF-8 bytes through any GridEncoder: rows are pulled from the source only when
 * the consumer asks for more, their text is batched into chunks of `chunkBytes` (a chunk ends up to
 * 3 bytes short when a multi-byte character would straddle the boundary; the last may be shorter),
 * so a million-row response never exists as one string or buffer.
 */
import type { HCol, HDict, HRow } from "../kinds/index.ts";
import type { GridEncoder } from "./types.ts";

export interface GridStreamOptions {
  /** Bytes per emitted chunk (default 64 KiB); the last chunk may be shorter. */
  readonly chunkBytes?: number;
}

const DEFAULT_CHUNK = 64 * 1024;

/** Rows that arrive in batches (a page of history at a time): one await per batch, not per row. */
export interface RowBatches {
  readonly batches: AsyncIterable<readonly HRow[]>;
}

export type RowSource = Iterable<HRow> | AsyncIterable<HRow> | RowBatches;

function isBatches(rows: RowSource): rows is RowBatches {
  return "batches" in rows;
}

/**
 * A byte stream of `meta`, `cols` and `rows` in the encoder's format. A row source that throws
 * (or rejects) errors the stream; cancelling the stream closes the source's iterator.
 *
 * ```ts
 * return new Response(encodeGridStream(jsonEncoder(), meta, cols, rowsFromDb()), { headers });
 * ```
 */
export function encodeGridStream(
  encoder: GridEncoder,
  meta: HDict,
  cols: readonly HCol[],
  rows: RowSource,
  opts: GridStreamOptions = {},
): ReadableStream<Uint8Array> {
  if (isBatches(rows)) return batchStream(encoder, meta, cols, rows.batches);
  const chunkBytes = Math.max(16, Math.floor(opts.chunkBytes ?? DEFAULT_CHUNK));
  const utf8 = new TextEncoder();
  const isAsync = Symbol.asyncIterator in rows;
  let syncIt: Iterator<HRow> | undefined;
  let asyncIt: AsyncIterator<HRow> | undefined;
  let pending = "";
  let done = false;

  /** Moves up to `chunkBytes` of pending text into one chunk; never splits a surrogate pair. */
  const emit = (controller: ReadableStreamDefaultController<Uint8Array>): void => {
    const buf = new Uint8Array(chunkBytes);
    const { read, written } = utf8.encodeInto(pending, buf);
    pending = read === pending.length ? "" : pending.slice(read);
    controller.enqueue(written === chunkBytes ? buf : buf.subarray(0, written));
  };

  return new ReadableStream<Uint8Array>({
    start() {
      pending = encoder.begin(meta, cols);
      if (isAsync) asyncIt = (rows as AsyncIterable<HRow>)[Symbol.asyncIterator]();
      else syncIt = (rows as Iterable<HRow>)[Symbol.iterator]();
    },

    async pull(controller) {
      // One UTF-16 unit is at least one byte, so `chunkBytes` units always fill a chunk.
      while (!done && pending.length < chunkBytes) {
        const r = syncIt ? syncIt.next() : await (asyncIt as AsyncIterator<HRow>).next();
        if (r.done) {
          done = true;
          pending += encoder.end();
        } else {
          pending += encoder.row(r.value);
        }
      }
      if (pending.length > 0) emit(controller);
      if (done && pending.length === 0) controller.close();
    },

    async cancel(reason) {
      done = true;
      pending = "";
      if (syncIt?.return) syncIt.return();
      if (asyncIt?.return) await asyncIt.return(reason);
    },
  });
}

/**
 * The batch path: each batch becomes one chunk, straight from the encoder's bytes when it has a
 * byte path (no string per row), else from its row texts.
 */
function batchStream(
  encoder: GridEncoder,
  meta: HDict,
  cols: readonly HCol[],
  batches: AsyncIterable<readonly HRow[]>,
): ReadableStream<Uint8Array> {
  const utf8 = new TextEncoder();
  let it: AsyncIterator<readonly HRow[]> | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(utf8.encode(encoder.begin(meta, cols)));
      it = batches[Symbol.asyncIterator]();
    },
    async pull(controller) {
      for (;;) {
        const r = await (it as AsyncIterator<readonly HRow[]>).next();
        if (r.done) {
          const tail = encoder.end();
          if (tail !== "") controller.enqueue(utf8.encode(tail));
          controller.close();
          return;
        }
        if (r.value.length === 0) continue;
        const bytes = encoder.rowBytes
          ? encoder.rowBytes(r.value)
          : utf8.encode(r.value.map((row) => encoder.row(row)).join(""));
        controller.enqueue(bytes);
        return;
      }
    },
    async cancel(reason) {
      await it?.return?.(reason);
    },
  });
}
