/**
 * Which records history and priority-array calls accept, with one set of errors for every
 * backend: an unknown id is `not_found`, a record without the `his` (history) or `writable`
 * (priority array) marker `invalid`. A backend answers only whether each record exists and
 * carries the marker, however it stores records (a map lookup, `tags ? 'his'` in SQL).
 */
import type { HDict } from "../../haystack/kinds/index.ts";
import { StoreError } from "../errors.ts";

/** The marker a call needs: `his` for history, `writable` for priority arrays. */
export type PointMarker = "his" | "writable";

/** Whether a record has the marker; undefined when there is no record. */
export type Marked = boolean | undefined;

const WHAT: Readonly<Record<PointMarker, string>> = { his: "a his point", writable: "a writable point" };

/** `marked` for a backend that holds the record itself. */
export function markedIn(rec: HDict | undefined, marker: PointMarker): Marked {
  return rec === undefined ? undefined : rec.has(marker);
}

export function checkPoint(id: string, marker: PointMarker, marked: Marked): void {
  if (marked === undefined) throw new StoreError("not_found", `Unknown point @${id}`);
  if (!marked) throw new StoreError("invalid", `@${id} is not ${WHAT[marker]}`);
}

/** Every id checked in the order given, so a batch fails on the same id everywhere. */
export function checkPoints(ids: readonly string[], marker: PointMarker, marked: (id: string) => Marked): void {
  for (const id of ids) checkPoint(id, marker, marked(id));
}
