/**
 * Frame response bodies, streamed frame by frame as a read produces them: JSON records, NDJSON,
 * CSV and Arrow IPC streams go out as each segment is decoded, Parquet a row group at a time (its
 * footer last). JSON split / columnar need the whole result first (a column's values are one
 * array), so those are gathered up to the read's row limit.
 */
import { frameToArrow } from "../../frames/arrow.ts";
import { writeCsv } from "../../frames/csv.ts";
import { type JsonShape, writeJson, writeNdjson } from "../../frames/json.ts";
import { type Column, type Frame, FrameError, frameLength, type Schema } from "../../frames/model.ts";
import { framesToParquetChunks } from "../../frames/parquet.ts";
import { concatFrames } from "../../frames/rows.ts";
import { emptyFrame } from "../../frames/rules.ts";
import { HttpError } from "../errors/index.ts";

export type OutFormat = "json" | "ndjson" | "csv" | "arrow" | "parquet";

export const OUT_TYPES: Readonly<Record<OutFormat, string>> = {
  json: "application/json",
  ndjson: "application/x-ndjson",
  csv: "text/csv; charset=utf-8",
  arrow: "application/vnd.apache.arrow.stream",
  parquet: "application/vnd.apache.parquet",
};

const BY_TYPE: readonly [string, OutFormat][] = [
  ["application/json", "json"],
  ["application/x-ndjson", "ndjson"],
  ["application/ndjson", "ndjson"],
  ["text/csv", "csv"],
  ["application/vnd.apache.arrow.stream", "arrow"],
  ["application/vnd.apache.parquet", "parquet"],
  ["application/x-parquet", "parquet"],
];

/** The format from `format=` or else Accept (JSON when neither says); 406 when nothing fits. */
export function outFormat(accept: string | undefined, param: string | undefined): OutFormat {
  if (param !== undefined) {
    if (param in OUT_TYPES) return param as OutFormat;
    throw new HttpError(400, "invalid", "format must be json, ndjson, csv, arrow or parquet");
  }
  if (accept === undefined || accept.trim() === "") return "json";
  const ranges = accept.split(",").map((r) => r.split(";")[0]?.trim().toLowerCase() ?? "");
  for (const r of ranges) {
    const hit = BY_TYPE.find(([t]) => t === r);
    if (hit) return hit[1];
    if (r === "*/*" || r === "application/*") return "json";
  }
  throw new HttpError(406, "not_acceptable", "no supported format in Accept (json, ndjson, csv, arrow, parquet)");
}

/**
 * The frame with a validity array on every column the schema calls nullable: Arrow batches of one
 * stream must share the first one's schema, whose fields are nullable by the stored schema.
 */
function withSchemaValidity(f: Frame, schema: Schema): Frame {
  const nullable = new Set(schema.fields.filter((x) => x.nullable).map((x) => x.name));
  const n = frameLength(f);
  return {
    index: f.index,
    columns: f.columns.map((c) =>
      c.valid === undefined && nullable.has(c.name) ? ({ ...c, valid: new Uint8Array(n).fill(1) } as Column) : c,
    ),
  };
}

async function* validated(frames: AsyncIterable<Frame>, schema: Schema): AsyncGenerator<Frame> {
  for await (const f of frames) yield withSchemaValidity(f, schema);
}

/** Bytes of the first IPC message (the schema): continuation marker, int32 length, metadata. */
function schemaLength(stream: Uint8Array): number {
  return 8 + new DataView(stream.buffer, stream.byteOffset, 8).getInt32(4, true);
}

const EOS_BYTES = 8;

async function* arrowPieces(frames: AsyncIterable<Frame>, schema: Schema, zone?: string): AsyncGenerator<Uint8Array> {
  let first = true;
  for await (const f of frames) {
    if (frameLength(f) === 0) continue;
    const bytes = frameToArrow(withSchemaValidity(f, schema));
    // Each frame is written as a one-batch stream: the schema goes once, the end marker once.
    yield bytes.subarray(first ? 0 : schemaLength(bytes), bytes.length - EOS_BYTES);
    first = false;
  }
  if (first) {
    yield frameToArrow(withSchemaValidity(emptyFrame(schema, zone), schema));
    return;
  }
  yield new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
}

async function* textPieces(
  frames: AsyncIterable<Frame>,
  schema: Schema,
  format: "json" | "ndjson" | "csv",
  zone?: string,
): AsyncGenerator<string> {
  let first = true;
  if (format === "json") yield "[";
  for await (const f of frames) {
    if (format === "csv") {
      const pieces = writeCsv(f, 256);
      const header = pieces.next();
      if (first && !header.done) yield header.value;
      yield* pieces;
    } else if (format === "ndjson") {
      yield* writeNdjson(f);
    } else {
      // Records of every frame in one array: each frame's own brackets dropped.
      let k = 0;
      for (const piece of writeJson(f, "records")) {
        if (piece === "[" || piece === "]") continue;
        yield !first && k === 0 ? `,${piece}` : piece;
        k++;
      }
      if (k > 0) first = false;
      continue;
    }
    first = false;
  }
  if (format === "csv" && first) yield* [...writeCsv(emptyFrame(schema, zone))];
  if (format === "json") yield "]";
}

/** Frames gathered whole, up to `maxRows` (else `too_large`). */
export async function gathered(
  frames: AsyncIterable<Frame>,
  schema: Schema,
  maxRows: number,
  zone?: string,
): Promise<Frame> {
  const parts: Frame[] = [];
  let rows = 0;
  for await (const f of frames) {
    rows += frameLength(f);
    if (rows > maxRows) {
      throw new FrameError(
        "too_large",
        `this format needs the whole result: at most ${maxRows} rows (use arrow, csv or ndjson)`,
      );
    }
    if (frameLength(f) > 0) parts.push(f);
  }
  if (parts.length === 0) return emptyFrame(schema, zone);
  return parts.length === 1 ? (parts[0] as Frame) : concatFrames(parts);
}

const PIECE_BYTES = 64 * 1024;

/** Text pieces as UTF-8 chunks of about PIECE_BYTES. */
async function* encoded(pieces: AsyncIterable<string>): AsyncGenerator<Uint8Array> {
  const enc = new TextEncoder();
  let buf: string[] = [];
  let size = 0;
  for await (const p of pieces) {
    buf.push(p);
    size += p.length;
    if (size >= PIECE_BYTES) {
      yield enc.encode(buf.join(""));
      buf = [];
      size = 0;
    }
  }
  if (buf.length > 0) yield enc.encode(buf.join(""));
}

/** Bytes of the output in `format`; `shape` chooses the JSON shape. */
export async function* frameOutput(
  frames: AsyncIterable<Frame>,
  schema: Schema,
  format: OutFormat,
  opts: { readonly shape?: JsonShape; readonly maxRows: number; readonly zone?: string },
): AsyncGenerator<Uint8Array> {
  switch (format) {
    case "arrow":
      yield* arrowPieces(frames, schema, opts.zone);
      return;
    case "parquet":
      yield* framesToParquetChunks(
        withSchemaValidity(emptyFrame(schema, opts.zone), schema),
        validated(frames, schema),
      );
      return;
    case "json":
      if (opts.shape !== undefined && opts.shape !== "records") {
        const whole = await gathered(frames, schema, opts.maxRows, opts.zone);
        yield* encoded(toAsync(writeJson(whole, opts.shape)));
        return;
      }
      yield* encoded(textPieces(frames, schema, "json", opts.zone));
      return;
    default:
      yield* encoded(textPieces(frames, schema, format, opts.zone));
  }
}

async function* toAsync<T>(it: Iterable<T>): AsyncGenerator<T> {
  yield* it;
}

/**
 * A ReadableStream pulling from the generator. The first chunk is produced before the response is
 * made (`start`), so an error found while planning or decoding the first segment is still a clean
 * problem response rather than a cut stream.
 */
export async function streamOf(gen: AsyncGenerator<Uint8Array>): Promise<ReadableStream<Uint8Array>> {
  const first = await gen.next();
  let pending: Uint8Array | undefined = first.done ? undefined : first.value;
  let done = first.done === true;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (pending !== undefined) {
          controller.enqueue(pending);
          pending = undefined;
          return;
        }
        if (done) {
          controller.close();
          return;
        }
        const next = await gen.next();
        if (next.done) {
          done = true;
          controller.close();
        } else controller.enqueue(next.value);
      },
      async cancel() {
        await gen.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
}
