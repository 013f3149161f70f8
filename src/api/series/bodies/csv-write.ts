/**
 * CSV response bodies (LF line ends, RFC 4180 quoting), chunk by chunk: `time,value` for one
 * series; for many, long format with the key columns (declaration order), `version` when asked,
 * then time and value. Times are ISO 8601 in the store's zone; a missing value is an empty cell.
 */
import type { ZoneClock } from "../../../series/instants.ts";
import type { KeyDecl, Points } from "../../../series/model.ts";
import { ByteSink } from "../../byte-sink.ts";
import { csvCell, keyText } from "./keys.ts";
import type { ManyItem } from "./types.ts";

function* rows(s: ByteSink, prefix: string, p: Points, clock: ZoneClock): Generator<Uint8Array> {
  const { index, values } = p;
  for (let i = 0; i < index.length; i++) {
    if (prefix !== "") s.text(prefix);
    s.time(clock, index[i] as number);
    s.byte(44);
    const v = values[i] as number;
    if (Number.isFinite(v)) s.number(v);
    s.byte(10);
    if (s.full) yield s.take() as Uint8Array;
  }
}

export function* csvPoints(p: Points, clock: ZoneClock): Generator<Uint8Array> {
  const s = new ByteSink();
  s.ascii("time,value\n");
  yield* rows(s, "", p, clock);
  const last = s.take();
  if (last) yield last;
}

export async function* csvMany(
  items: AsyncIterable<ManyItem>,
  clock: ZoneClock,
  decls: readonly KeyDecl[],
  versions: boolean,
): AsyncGenerator<Uint8Array> {
  const s = new ByteSink();
  const head = [...decls.map((d) => csvCell(d.name)), ...(versions ? ["version"] : []), "time", "value"];
  s.text(`${head.join(",")}\n`);
  for await (const it of items) {
    const cells = decls.map((d) => {
      const v = it.keys[d.name];
      return v === undefined ? "" : keyText(v);
    });
    if (versions) cells.push(it.version === undefined ? "" : String(it.version));
    yield* rows(s, cells.length > 0 ? `${cells.join(",")},` : "", it.points, clock);
    const chunk = s.take();
    if (chunk) yield chunk;
  }
  const last = s.take();
  if (last) yield last;
}
