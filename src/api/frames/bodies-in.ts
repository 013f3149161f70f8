/**
 * Frame request bodies by Content-Type: JSON (records, split or columnar), NDJSON, CSV, Arrow IPC
 * (stream or file) and Parquet. `frameBody` reads a whole body (bounded by bytes and rows);
 * `frameBatches` reads NDJSON, CSV and Arrow streams batch by batch without holding the body, for
 * streamed appends; the other formats arrive whole even there (Parquet and Arrow files keep their
 * footer last, JSON documents need their end).
 */
import { framesFromArrow, framesFromArrowStream } from "../../frames/arrow.ts";
import { readCsv, readCsvStream } from "../../frames/csv.ts";
import { readJson, readNdjsonStream } from "../../frames/json.ts";
import { type Frame, FrameError, type Schema } from "../../frames/model.ts";
import { parquetToFrame } from "../../frames/parquet.ts";
import { concatFrames } from "../../frames/rows.ts";
import { readBody, readBytes } from "../body.ts";
import { HttpError } from "../errors/index.ts";

export type BodyKind = "json" | "ndjson" | "csv" | "arrow" | "parquet";

const KINDS: readonly [RegExp, BodyKind][] = [
  [/^application\/(x-)?ndjson$|^application\/jsonl$/, "ndjson"],
  [/^application\/json$/, "json"],
  [/^text\/csv$/, "csv"],
  [/^application\/vnd\.apache\.arrow\.(stream|file)$/, "arrow"],
  [/^application\/(vnd\.apache\.parquet|x-parquet|parquet)$/, "parquet"],
];

/** The body's kind from its Content-Type, or 415. */
export function bodyKind(contentType: string | undefined): BodyKind {
  const t = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const hit = KINDS.find(([re]) => re.test(t));
  if (!hit) {
    throw new HttpError(
      415,
      "unsupported_media_type",
      "Content-Type must be application/json, application/x-ndjson, text/csv, application/vnd.apache.arrow.stream, application/vnd.apache.arrow.file or application/vnd.apache.parquet",
    );
  }
  return hit[1];
}

export interface BodyOptions {
  /** Bytes and rows of a body read whole (JSON, Parquet, Arrow files, and any non-streamed write). */
  readonly maxBytes: number;
  readonly maxRows: number;
  /**
   * Bytes and rows of a body read batch by batch (`frameBatches` on NDJSON, CSV, Arrow streams);
   * the whole-body bounds when absent. Only those formats get them: the others are held whole.
   */
  readonly stream?: { readonly maxBytes: number; readonly maxRows: number };
  /** Declared dtypes for text formats (an item's schema on append / update). */
  readonly schema?: Schema;
  /** IANA zone for zoneless timestamps in text formats. */
  readonly zone?: string;
  /** CSV: whether the first column is the index (default true). */
  readonly csvIndex?: boolean;
  /** JSON and NDJSON: the key holding the index (default "index", or the item's index name). */
  readonly indexName?: string;
}

/** Rows per batch of a streamed body. */
export const STREAM_BATCH_ROWS = 50_000;

function textOptions(o: BodyOptions) {
  return {
    ...(o.indexName === undefined ? {} : { indexName: o.indexName }),
    maxBytes: o.maxBytes,
    maxRows: o.maxRows,
    ...(o.schema === undefined ? {} : { schema: o.schema }),
    ...(o.zone === undefined ? {} : { zone: o.zone }),
  };
}

/** What a Parquet body may decompress to (pages and what decoding rebuilds). */
const PARQUET_DECODED_BYTES = 64 * 1024 * 1024;

/** CSV names its index in the header's first field. */
function csvOptions(o: BodyOptions) {
  const { indexName: _, ...rest } = textOptions(o);
  return rest;
}

/** A whole body as one frame. */
export async function frameBody(req: Request, kind: BodyKind, o: BodyOptions): Promise<Frame> {
  switch (kind) {
    case "json":
      return readJson(await readBody(req, o.maxBytes), textOptions(o));
    case "csv":
      return readCsv(await readBody(req, o.maxBytes), { ...csvOptions(o), index: o.csvIndex ?? true });
    case "arrow":
      return framesFromArrow(await readBytes(req, o.maxBytes), { maxRows: o.maxRows, maxBytes: o.maxBytes });
    case "parquet":
      // Decoded pages are bounded too: workerd has 128 MB per isolate.
      return parquetToFrame(await readBytes(req, o.maxBytes), {
        maxBytes: o.maxBytes,
        maxRows: o.maxRows,
        maxDecodedBytes: PARQUET_DECODED_BYTES,
      });
    case "ndjson": {
      const parts: Frame[] = [];
      for await (const f of frameBatches(req, kind, o)) parts.push(f);
      if (parts.length === 0) throw new FrameError("invalid", "the body holds no rows");
      return parts.length === 1 ? (parts[0] as Frame) : concatFrames(parts);
    }
  }
}

async function* chunks(req: Request): AsyncGenerator<Uint8Array> {
  if (!req.body) return;
  const reader = req.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** A body as frames of at most STREAM_BATCH_ROWS rows (whole-body formats as one frame). */
export async function* frameBatches(req: Request, kind: BodyKind, whole: BodyOptions): AsyncGenerator<Frame> {
  const o = whole.stream === undefined ? whole : { ...whole, ...whole.stream };
  const text = { ...textOptions(o), batchRows: STREAM_BATCH_ROWS };
  switch (kind) {
    case "ndjson":
      yield* readNdjsonStream(chunks(req), text);
      return;
    case "csv":
      yield* readCsvStream(chunks(req), { ...csvOptions(o), batchRows: STREAM_BATCH_ROWS, index: o.csvIndex ?? true });
      return;
    case "arrow":
      if ((req.headers.get("content-type") ?? "").includes("arrow.file")) {
        yield await frameBody(req, kind, whole);
        return;
      }
      yield* framesFromArrowStream(chunks(req), { maxRows: o.maxRows, maxBytes: o.maxBytes });
      return;
    default:
      yield await frameBody(req, kind, whole);
  }
}
