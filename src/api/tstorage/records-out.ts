/**
 * Get results as a streamed body: windows of records (one per socket read) are encoded into 1 MiB
 * chunks, and the socket is read only as fast as the caller reads, a chunk or two ahead of it.
 *
 * NDJSON: one `{"cid", "mid", "moid", "cap", "acq", "payload"}` per line (int64 as decimal strings),
 * then `{"acq": "<horizon>"}`. CSV: a header row `cid,mid,moid,cap,acq,` then `payload` (base64) or
 * one column per value `v0,v1,...` with a format, then a last line `# acq=<horizon>`. A failure
 * after the first byte ends the body with `{"error": {"code", "message"}}` (CSV: `# error=CODE
 * message`) and no horizon: a body without its horizon line is never a complete answer.
 */
import type { GetRecord } from "../../tstorage/response.ts";
import { ByteSink } from "../byte-sink.ts";
import { errorLine } from "../errors/tstorage.ts";
import { ndjsonRecords, payloadJson } from "./ndjson-records.ts";
import { type PayloadCodec, timeText } from "./values.ts";

export type GetFormat = "ndjson" | "csv";

/** Bytes of output per chunk: the runtime's cost per chunk written is worth sparing. */
const CHUNK_BYTES = 1024 * 1024;

export const GET_CONTENT_TYPES: Readonly<Record<GetFormat, string>> = {
  ndjson: "application/x-ndjson; charset=utf-8",
  csv: "text/csv; charset=utf-8",
};

export interface GetBodyOptions {
  readonly format: GetFormat;
  readonly codec: PayloadCodec;
  /** cap, acq and the horizon as RFC 3339 rather than decimal ns. */
  readonly iso: boolean;
  /** Told of a failure after the first byte (the caller sees only its error line). */
  readonly failed: (err: unknown) => void;
}

const CSV_SPECIAL = /[",\r\n]/;
const csvCell = (v: unknown): string => {
  const s = String(v);
  return CSV_SPECIAL.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

function csvLines(records: readonly GetRecord[], o: GetBodyOptions): string {
  let out = "";
  for (const { key, payload } of records) {
    const cells = [
      key.cid,
      key.mid,
      key.moid,
      timeText(key.cap, o.iso),
      timeText(key.acq, o.iso),
      ...o.codec.cells(payload),
    ];
    out += `${cells.map(csvCell).join(",")}\n`;
  }
  return out;
}

/**
 * The body for a get whose first window (`first`) has already been read, so failures before it
 * were still answered with a status; `windows` yields the rest and returns the horizon.
 */
export function getBody(
  first: IteratorResult<GetRecord[], bigint>,
  windows: AsyncGenerator<GetRecord[], bigint, undefined>,
  o: GetBodyOptions,
): ReadableStream<Uint8Array> {
  const out = new ByteSink(CHUNK_BYTES);
  const payload = payloadJson(o.codec);
  let next: IteratorResult<GetRecord[], bigint> | undefined = first;
  let started = false;
  const end = (horizon: bigint): string =>
    o.format === "csv"
      ? `# acq=${timeText(horizon, o.iso)}\n`
      : `${JSON.stringify({ acq: timeText(horizon, o.iso) })}\n`;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let sent = false;
        const emit = (chunk: Uint8Array): void => {
          controller.enqueue(chunk);
          sent = true;
        };
        if (!started) {
          started = true;
          if (o.format === "csv") out.ascii(`${["cid", "mid", "moid", "cap", "acq", ...o.codec.columns].join(",")}\n`);
        }
        try {
          // Windows follow the socket's reads (often a few records). A pull that enqueued nothing
          // would not be called again: go on until a chunk has filled.
          while (!sent) {
            const r: IteratorResult<GetRecord[], bigint> = next ?? (await windows.next());
            next = undefined;
            if (r.done) {
              out.ascii(end(r.value));
              emit(out.take() as Uint8Array);
              controller.close();
              return;
            }
            if (o.format === "csv") {
              out.ascii(csvLines(r.value, o));
              if (out.full) emit(out.take() as Uint8Array);
            } else {
              ndjsonRecords(out, r.value, payload, o.iso, emit);
            }
          }
        } catch (err) {
          o.failed(err);
          const e = errorLine(err);
          // The message may hold any text: written as UTF-8.
          out.text(
            o.format === "csv"
              ? `# error=${e.code} ${e.message.replace(/[\r\n]+/g, " ")}\n`
              : `${JSON.stringify({ error: e })}\n`,
          );
          controller.enqueue(out.take() as Uint8Array);
          controller.close();
          await windows.return(0n).catch(() => undefined);
        }
      },
      async cancel() {
        // The caller went away: stop reading; the client closes the connection on an early return.
        await windows.return(0n).catch(() => undefined);
      },
    },
    // One chunk encoded ahead while the last is sent: reading the socket and formatting overlap the
    // transfer, for the memory of two chunks.
    { highWaterMark: 2 },
  );
}
