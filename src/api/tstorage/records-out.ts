/**
 * Get results as a streamed body: one window of records encoded per pull, so what is held is one
 * window (the client's memory limit) and the socket is read only as fast as the caller reads.
 *
 * NDJSON: one `{"cid", "mid", "moid", "cap", "acq", "payload"}` per line (int64 as decimal strings),
 * then `{"acq": "<horizon>"}`. CSV: a header row `cid,mid,moid,cap,acq,` then `payload` (base64) or
 * one column per value `v0,v1,...` with a format, then a last line `# acq=<horizon>`. A failure
 * after the first byte ends the body with `{"error": {"code", "message"}}` (CSV: `# error=CODE
 * message`) and no horizon: a body without its horizon line is never a complete answer.
 */
import type { GetRecord } from "../../tstorage/response.ts";
import { errorLine } from "../errors/tstorage.ts";
import { AsciiBuffer, ndjsonRecords, payloadJson } from "./ascii-lines.ts";
import { type PayloadCodec, timeText } from "./values.ts";

export type GetFormat = "ndjson" | "csv";

/** Output is enqueued in chunks of at least this much (but the last). */
const OUT_CHUNK_BYTES = 1024 * 1024;

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
  const encoder = new TextEncoder();
  const out = new AsciiBuffer();
  const payload = payloadJson(o.codec);
  const write = (records: readonly GetRecord[]): void => {
    if (o.format === "csv") out.text(csvLines(records, o));
    else ndjsonRecords(out, records, payload, o.iso);
  };
  let next: IteratorResult<GetRecord[], bigint> | undefined = first;
  let started = false;
  const end = (horizon: bigint): string =>
    o.format === "csv"
      ? `# acq=${timeText(horizon, o.iso)}\n`
      : `${JSON.stringify({ acq: timeText(horizon, o.iso) })}\n`;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          if (o.format === "csv") out.text(`${["cid", "mid", "moid", "cap", "acq", ...o.codec.columns].join(",")}\n`);
        }
        try {
          // Windows follow the socket's reads (often a few records): gather lines into chunks of a
          // useful size. A pull that enqueued nothing would not be called again.
          while (out.length < OUT_CHUNK_BYTES) {
            const r: IteratorResult<GetRecord[], bigint> = next ?? (await windows.next());
            next = undefined;
            if (r.done) {
              out.text(end(r.value));
              controller.enqueue(out.take());
              controller.close();
              return;
            }
            write(r.value);
          }
        } catch (err) {
          o.failed(err);
          const e = errorLine(err);
          if (out.length > 0) controller.enqueue(out.take());
          // The message may hold any text: encoded as such, not as ASCII.
          controller.enqueue(
            encoder.encode(
              o.format === "csv"
                ? `# error=${e.code} ${e.message.replace(/[\r\n]+/g, " ")}\n`
                : `${JSON.stringify({ error: e })}\n`,
            ),
          );
          controller.close();
          await windows.return(0n).catch(() => undefined);
          return;
        }
        controller.enqueue(out.take());
      },
      async cancel() {
        // The caller went away: stop reading; the client closes the connection on an early return.
        await windows.return(0n).catch(() => undefined);
      },
    },
    // One window encoded ahead while the last is sent: reading the socket and formatting overlap
    // the transfer, for the memory of two windows.
    { highWaterMark: 2 },
  );
}
