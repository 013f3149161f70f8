/**
 * JSON and NDJSON response bodies, produced chunk by chunk. Times are ISO 8601 in the store's
 * zone with its offset; missing values are null. Shapes mirror what json-read.ts accepts.
 */
import type { ZoneClock } from "../../../series/instants.ts";
import type { KeyDecl, Points } from "../../../series/model.ts";
import { ByteSink } from "../../byte-sink.ts";
import type { JsonShape, ManyItem } from "./types.ts";

const COMMA = 44;
const QUOTE = 34;
const NL = 10;

function* columnar(s: ByteSink, p: Points, clock: ZoneClock): Generator<Uint8Array> {
  const { index, values } = p;
  s.ascii('"index":[');
  for (let i = 0; i < index.length; i++) {
    if (i > 0) s.byte(COMMA);
    s.byte(QUOTE);
    s.time(clock, index[i] as number);
    s.byte(QUOTE);
    if (s.full) yield s.take() as Uint8Array;
  }
  s.ascii('],"values":[');
  for (let i = 0; i < values.length; i++) {
    if (i > 0) s.byte(COMMA);
    const v = values[i] as number;
    if (Number.isFinite(v)) s.number(v);
    else s.ascii("null");
    if (s.full) yield s.take() as Uint8Array;
  }
  s.byte(0x5d);
}

function* pairs(s: ByteSink, p: Points, clock: ZoneClock): Generator<Uint8Array> {
  const { index, values } = p;
  s.byte(0x5b);
  for (let i = 0; i < index.length; i++) {
    s.ascii(i > 0 ? ',["' : '["');
    s.time(clock, index[i] as number);
    s.ascii('",');
    const v = values[i] as number;
    if (Number.isFinite(v)) s.number(v);
    else s.ascii("null");
    s.byte(0x5d);
    if (s.full) yield s.take() as Uint8Array;
  }
  s.byte(0x5d);
}

/** `"name":value,` for each metadata field but those the body itself uses. */
function metaFields(s: ByteSink, meta: Readonly<Record<string, unknown>> | undefined): void {
  if (!meta) return;
  for (const [k, v] of Object.entries(meta)) {
    if (k === "index" || k === "values" || v === undefined) continue;
    s.text(`${JSON.stringify(k)}:${JSON.stringify(v)},`);
  }
}

/** One series as JSON: columnar (with `meta` fields first) or pairs. */
export function* jsonPoints(
  p: Points,
  clock: ZoneClock,
  shape: JsonShape,
  meta?: Readonly<Record<string, unknown>>,
): Generator<Uint8Array> {
  const s = new ByteSink();
  if (shape === "pairs") yield* pairs(s, p, clock);
  else {
    s.byte(0x7b);
    metaFields(s, meta);
    yield* columnar(s, p, clock);
    s.byte(0x7d);
  }
  const last = s.take();
  if (last) yield last;
}

/** One series as NDJSON: `{"t":"...","v":1.5}` per line. */
export function* ndjsonPoints(p: Points, clock: ZoneClock): Generator<Uint8Array> {
  const s = new ByteSink();
  const { index, values } = p;
  for (let i = 0; i < index.length; i++) {
    s.ascii('{"t":"');
    s.time(clock, index[i] as number);
    s.ascii('","v":');
    const v = values[i] as number;
    if (Number.isFinite(v)) s.number(v);
    else s.ascii("null");
    s.ascii("}\n");
    if (s.full) yield s.take() as Uint8Array;
  }
  const last = s.take();
  if (last) yield last;
}

/** Key values in declaration order (then any others), as a JSON object. */
export function keysJson(decls: readonly KeyDecl[], keys: ManyItem["keys"]): string {
  const ordered: Record<string, unknown> = {};
  for (const d of decls) if (d.name in keys) ordered[d.name] = keys[d.name];
  for (const [k, v] of Object.entries(keys)) if (!(k in ordered)) ordered[k] = v;
  return JSON.stringify(ordered);
}

/** One item object: `{"keys":{..},"version":n,"index":[..],"values":[..]}` or `{"keys":..,"points":[..]}`. */
function* item(
  s: ByteSink,
  it: ManyItem,
  clock: ZoneClock,
  shape: JsonShape,
  decls: readonly KeyDecl[],
): Generator<Uint8Array> {
  s.text(`{"keys":${keysJson(decls, it.keys)},`);
  if (it.version !== undefined) s.ascii(`"version":${it.version},`);
  if (shape === "pairs") {
    s.ascii('"points":');
    yield* pairs(s, it.points, clock);
  } else yield* columnar(s, it.points, clock);
  s.byte(0x7d);
}

/** Many series as JSON: `{"series":[item, ...]}`, written item by item as they arrive. */
export async function* jsonMany(
  items: AsyncIterable<ManyItem>,
  clock: ZoneClock,
  shape: JsonShape,
  decls: readonly KeyDecl[],
): AsyncGenerator<Uint8Array> {
  const s = new ByteSink();
  s.ascii('{"series":[');
  let first = true;
  for await (const it of items) {
    if (!first) s.byte(COMMA);
    first = false;
    yield* item(s, it, clock, shape, decls);
    // Hand each item on as it is done, so a slow source never holds finished bytes back.
    const chunk = s.take();
    if (chunk) yield chunk;
  }
  s.ascii("]}");
  yield s.take() as Uint8Array;
}

/** Many series as NDJSON: one item object per line. */
export async function* ndjsonMany(
  items: AsyncIterable<ManyItem>,
  clock: ZoneClock,
  shape: JsonShape,
  decls: readonly KeyDecl[],
): AsyncGenerator<Uint8Array> {
  const s = new ByteSink();
  for await (const it of items) {
    yield* item(s, it, clock, shape, decls);
    s.byte(NL);
    const chunk = s.take();
    if (chunk) yield chunk;
  }
}
