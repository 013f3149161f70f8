/**
 * Series request and response bodies: JSON (columnar or pairs), NDJSON, CSV and Arrow IPC, chosen
 * by Content-Type / Accept (negotiate.ts). Readers are bounded (bytes, then points and series) and
 * report malformed input as SeriesError "invalid" with its place; writers stream.
 *
 * Readers parse faithfully: order, duplicates and off-grid times are the caller's to judge; only
 * values no series can hold (non-finite times, infinite values) are refused here.
 */
import { SeriesError } from "../../../series/errors.ts";
import { zoneClock } from "../../../series/instants.ts";
import type { KeyDecl, Points } from "../../../series/model.ts";
import { readArrowMany, readArrowPoints } from "./arrow-read.ts";
import { arrowMany, arrowPoints } from "./arrow-write.ts";
import { readCsvMany, readCsvPoints } from "./csv-read.ts";
import { csvMany, csvPoints } from "./csv-write.ts";
import { readJsonMany, readJsonPoints, readNdjsonMany, readNdjsonPoints } from "./json-read.ts";
import { jsonMany, jsonPoints, ndjsonMany, ndjsonPoints } from "./json-write.ts";
import { Budget } from "./points.ts";
import { chunkStream } from "./stream.ts";
import { checkBytes, utf8Text } from "./text.ts";
import type { BodyLimits, ManyItem, SeriesFormat, WriteManyOptions, WritePointsOptions } from "./types.ts";

export { CONTENT_TYPES, inputFormat, negotiateOutput } from "./negotiate.ts";
export type {
  BodyLimits,
  JsonShape,
  ManyItem,
  SeriesFormat,
  WriteManyOptions,
  WritePointsOptions,
} from "./types.ts";

/**
 * The points of a one-series body. `zone` (IANA) is the store's: naive times are local to it.
 * Throws SeriesError "too_large" past `limits`, "invalid" for malformed input.
 */
export function readPoints(body: Uint8Array, format: SeriesFormat, zone: string, limits: BodyLimits): Points {
  const clock = zoneClock(zone);
  const budget = new Budget(limits);
  switch (format) {
    case "json":
      return readJsonPoints(utf8Text(body, limits), clock, budget);
    case "ndjson":
      return readNdjsonPoints(utf8Text(body, limits), clock, budget);
    case "csv":
      return readCsvPoints(utf8Text(body, limits), clock, budget);
    case "arrow":
      checkBytes(body, limits);
      return readArrowPoints(body, clock, budget);
  }
}

/**
 * The series of a many-series body, each key checked against `keys` (every declared key, of its
 * type, no other); items naming the same series (and version) are joined, in body order.
 */
export function readManySeries(
  body: Uint8Array,
  format: SeriesFormat,
  zone: string,
  keys: readonly KeyDecl[],
  limits: BodyLimits,
): ManyItem[] {
  const clock = zoneClock(zone);
  const budget = new Budget(limits);
  switch (format) {
    case "json":
      return readJsonMany(utf8Text(body, limits), clock, keys, budget);
    case "ndjson":
      return readNdjsonMany(utf8Text(body, limits), clock, keys, budget);
    case "csv":
      return readCsvMany(utf8Text(body, limits), clock, keys, budget);
    case "arrow":
      checkBytes(body, limits);
      return readArrowMany(body, clock, keys, budget);
  }
}

/** One series as a streamed body in `format`, times in `zone` (IANA). */
export function writePoints(
  points: Points,
  format: SeriesFormat,
  zone: string,
  opts: WritePointsOptions = {},
): ReadableStream<Uint8Array> {
  const clock = zoneClock(zone);
  checkPoints(points);
  switch (format) {
    case "json":
      return chunkStream(jsonPoints(points, clock, opts.shape ?? "columnar", opts.meta));
    case "ndjson":
      return chunkStream(ndjsonPoints(points, clock));
    case "csv":
      return chunkStream(csvPoints(points, clock));
    case "arrow":
      return chunkStream(arrowPoints(points, zone, opts.meta));
  }
}

/**
 * Many series as one streamed body, an item at a time as `items` yields them (never the whole
 * body in memory). `keys` gives the key columns of CSV and Arrow and the key order of JSON.
 */
export function writeManySeries(
  items: AsyncIterable<ManyItem>,
  format: SeriesFormat,
  zone: string,
  keys: readonly KeyDecl[],
  opts: WriteManyOptions = {},
): ReadableStream<Uint8Array> {
  const clock = zoneClock(zone);
  const shape = opts.shape ?? "columnar";
  const checked = checkedItems(items);
  switch (format) {
    case "json":
      return chunkStream(jsonMany(checked, clock, shape, keys));
    case "ndjson":
      return chunkStream(ndjsonMany(checked, clock, shape, keys));
    case "csv":
      return chunkStream(csvMany(checked, clock, keys, opts.versions ?? false));
    case "arrow":
      return chunkStream(arrowMany(checked, zone, keys, opts.versions ?? false));
  }
}

function checkPoints(p: Points): void {
  if (p.index.length !== p.values.length) {
    throw new SeriesError("invalid", `points have ${p.index.length} times but ${p.values.length} values`);
  }
}

async function* checkedItems(items: AsyncIterable<ManyItem>): AsyncGenerator<ManyItem> {
  for await (const it of items) {
    checkPoints(it.points);
    yield it;
  }
}
