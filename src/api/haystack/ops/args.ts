/** Reading op arguments out of request grids, with errors that say which argument is wrong. */
import { HaystackError } from "../../../haystack/errors.ts";
import { type Filter, parseFilter } from "../../../haystack/filter/index.ts";
import { col, HDict, HGrid, type HRow, type HVal, isRef } from "../../../haystack/kinds/index.ts";
import { parseDuration } from "../../../haystack/time/duration.ts";
import type { OpContext } from "./types.ts";

export function badArg(message: string): HaystackError {
  return new HaystackError("invalid_value", message);
}

/** The first row as a dict, or an error naming the op that needs one. */
export function firstRow(req: HGrid, op: string): HDict {
  if (req.rows.length === 0) throw badArg(`${op} needs a request row`);
  return req.rowDict(0);
}

/** A Ref's id (no `@`), or an error naming the argument. */
export function refId(v: HVal | undefined, what: string): string {
  if (!isRef(v)) throw badArg(`${what} must be a Ref`);
  return v.id;
}

/** Every row's `id` Ref, in order. */
export function rowIds(req: HGrid): string[] {
  const c = req.colIdx("id");
  if (c < 0) return [];
  return req.rows.map((r, i) => refId(r[c] ?? undefined, `row ${i + 1} id`));
}

/**
 * An optional duration argument in whole milliseconds (parseDuration: a time unit, rounded to the
 * nearest millisecond, 1ms..100yr), or undefined when absent or null; errors name `what`.
 */
export function durationMs(v: HVal | undefined, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  return parseDuration(v, what);
}

/** A Str argument, or undefined. */
export function optStr(v: HVal | undefined, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw badArg(`${what} must be a Str`);
  return v;
}

/** Grid whose rows are the dicts (all-null rows for undefined): columns in first-seen order, `id` first. */
export function dictsGrid(
  rows: readonly (HDict | undefined)[],
  meta: HDict = HDict.EMPTY,
  always: readonly string[] = [],
): HGrid {
  const index = new Map<string, number>([["id", 0]]);
  for (const n of always) if (!index.has(n)) index.set(n, index.size);
  for (const r of rows) if (r) for (const n of r.names()) if (!index.has(n)) index.set(n, index.size);
  const names = [...index.keys()];
  const out: HRow[] = rows.map((r) => names.map((n) => r?.get(n) ?? null));
  return new HGrid(
    meta,
    names.map((n) => col(n)),
    out,
  );
}

/** A request's filter text parsed under the configured length and depth limits. */
export function requestFilter(text: string, cx: OpContext): Filter {
  return parseFilter(text, {
    maxLength: cx.config.maxFilterLength,
    maxDepth: cx.config.maxFilterDepth,
    maxHops: cx.config.maxFilterHops,
  });
}
