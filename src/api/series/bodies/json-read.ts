/**
 * JSON and NDJSON request bodies. One series: columnar `{"index": [...], "values": [...]}` or pairs
 * `[[t, v], ...]` (NDJSON: one `{"t": .., "v": ..}` or `[t, v]` per line). Many series:
 * `{"series": [item, ...]}` (NDJSON: one item per line), an item being
 * `{"keys": {...}, "version"?: n, "index": [...], "values": [...]}` or `{"keys": ..., "points": [[t, v], ...]}`.
 * Times are what parseInstant takes; values are numbers, or null for missing. Unknown top-level
 * fields are ignored, so a body this service wrote (with its metadata) reads back.
 */
import { SeriesError } from "../../../series/errors.ts";
import { invalidInstant, shown, type ZoneClock } from "../../../series/instants.ts";
import type { KeyDecl, Points } from "../../../series/model.ts";
import { keysFromJson } from "./keys.ts";
import { type Budget, ManyCollector, PointsBuilder } from "./points.ts";
import { parseJson } from "./text.ts";
import type { ManyItem } from "./types.ts";

function at(where: string, msg: string): SeriesError {
  return new SeriesError("invalid", `${where}${msg}`);
}

// Error places are built only when a check fails: a template string per point would cost more
// than parsing it.

/** A point value: a finite number, or null for missing. */
function valueAt(v: unknown, where: () => string): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (v === null) return Number.NaN;
  throw at(where(), `expected a number or null, got ${shown(v)}`);
}

function timeAt(clock: ZoneClock, v: unknown, where: () => string): number {
  const t = clock.parse(v);
  if (Number.isNaN(t)) throw at(where(), invalidInstant(v).message);
  return t;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function pushPairs(pairs: unknown[], clock: ZoneClock, b: PointsBuilder, where: string): void {
  for (let i = 0; i < pairs.length; i++) {
    const p = pairs[i];
    if (!Array.isArray(p) || p.length !== 2) throw at(where, `[${i}]: expected a [time, value] pair, got ${shown(p)}`);
    b.push(
      timeAt(clock, p[0], () => `${where}[${i}][0]: `),
      valueAt(p[1], () => `${where}[${i}][1]: `),
    );
  }
}

function pushColumnar(obj: Record<string, unknown>, clock: ZoneClock, b: PointsBuilder, where: string): void {
  const { index, values } = obj;
  if (!Array.isArray(index) || !Array.isArray(values)) throw at(where, `"index" and "values" must be arrays`);
  if (index.length !== values.length) {
    throw at(where, `"index" has ${index.length} items but "values" has ${values.length}`);
  }
  for (let i = 0; i < index.length; i++) {
    b.push(
      timeAt(clock, index[i], () => `${where}index[${i}]: `),
      valueAt(values[i], () => `${where}values[${i}]: `),
    );
  }
}

/** The points of one series body, in either shape. */
function pushSeries(v: unknown, clock: ZoneClock, b: PointsBuilder, where: string): void {
  if (Array.isArray(v)) pushPairs(v, clock, b, where);
  else if (isObject(v) && "index" in v) pushColumnar(v, clock, b, where);
  else throw at(where, `expected {"index": [...], "values": [...]} or [[time, value], ...]`);
}

function sizeOf(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  return isObject(v) && Array.isArray(v.index) ? v.index.length : 0;
}

/** One JSON body of one series. */
export function readJsonPoints(text: string, clock: ZoneClock, budget: Budget): Points {
  const doc = parseJson(text);
  const n = sizeOf(doc);
  budget.room(n);
  const b = new PointsBuilder(budget, n);
  pushSeries(doc, clock, b, "");
  return b.build();
}

function versionOf(v: unknown, where: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
  throw at(where, `"version" must be a non-negative integer, got ${shown(v)}`);
}

/** One item of a many-series body into the collector. */
function pushItem(
  v: unknown,
  clock: ZoneClock,
  decls: readonly KeyDecl[],
  many: ManyCollector,
  budget: Budget,
  where: string,
): void {
  if (!isObject(v)) throw at(where, `expected a series object, got ${shown(v)}`);
  let keys: ReturnType<typeof keysFromJson>;
  try {
    keys = keysFromJson(decls, v.keys);
  } catch (e) {
    throw e instanceof SeriesError ? at(where, e.message) : e;
  }
  const version = versionOf(v.version, where);
  const points = v.points;
  const n = points === undefined ? sizeOf(v) : sizeOf(points);
  budget.room(n);
  const b = many.series(keys, version, n);
  if (points !== undefined) {
    if (!Array.isArray(points)) throw at(where, `"points" must be an array of [time, value] pairs`);
    pushPairs(points, clock, b, `${where}points`);
  } else pushColumnar(v, clock, b, where);
}

/** A JSON body of many series: `{"series": [...]}`. */
export function readJsonMany(text: string, clock: ZoneClock, decls: readonly KeyDecl[], budget: Budget): ManyItem[] {
  const doc = parseJson(text);
  if (!isObject(doc) || !Array.isArray(doc.series)) throw at("", `expected {"series": [...]}`);
  if (doc.series.length > budget.limits.maxSeries) {
    throw new SeriesError("too_large", `body has more than ${budget.limits.maxSeries} series`);
  }
  const many = new ManyCollector(decls, budget);
  doc.series.forEach((item, i) => {
    pushItem(item, clock, decls, many, budget, `series[${i}]: `);
  });
  return many.items();
}

/** Each non-blank line of `text` as parsed JSON, with its 1-based line number. */
function* ndjsonLines(text: string): Generator<readonly [unknown, number]> {
  let line = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    line++;
    const raw = text.slice(start, end);
    if (raw.trim() !== "") yield [parseJson(raw, () => `line ${line}: `), line];
    start = end + 1;
  }
}

/** One series as NDJSON: a `{"t": .., "v": ..}` object or a `[t, v]` pair per line. */
export function readNdjsonPoints(text: string, clock: ZoneClock, budget: Budget): Points {
  const b = new PointsBuilder(budget);
  for (const [v, line] of ndjsonLines(text)) {
    const where = () => `line ${line}: `;
    if (Array.isArray(v) && v.length === 2) b.push(timeAt(clock, v[0], where), valueAt(v[1], where));
    else if (isObject(v) && "t" in v && "v" in v) b.push(timeAt(clock, v.t, where), valueAt(v.v, where));
    else throw at(where(), `expected {"t": time, "v": value} or [time, value], got ${shown(v)}`);
  }
  return b.build();
}

/** Many series as NDJSON: one series object per line. */
export function readNdjsonMany(text: string, clock: ZoneClock, decls: readonly KeyDecl[], budget: Budget): ManyItem[] {
  const many = new ManyCollector(decls, budget);
  for (const [v, line] of ndjsonLines(text)) pushItem(v, clock, decls, many, budget, `line ${line}: `);
  return many.items();
}
