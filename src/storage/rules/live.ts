/**
 * Live tags: the tags that follow a point's state rather than edits (`curVal`/`curStatus` from
 * history, `writeVal`/`writeLevel` from the priority array). They are set without touching `mod`,
 * so a sensor update never invalidates a client's optimistic commit, and a set that changes
 * nothing is no change for watches. Each backend reads the record under its transaction's lock,
 * asks `withLive` for the new one, and when there is one writes it and bumps the change feed.
 */
import { equals, type HDict, type HVal } from "../../haystack/kinds/index.ts";
import { effective, type PriorityArray } from "../../haystack/point/index.ts";
import type { HisValue } from "../his-page.ts";
import { inTagOrder } from "../tag-order.ts";

/** Tags to set; undefined removes one. */
export type LiveTags = Readonly<Record<string, HVal | undefined>>;

/** The record with `tags` applied, or undefined when it already holds exactly them. */
export function withLive(rec: HDict, tags: LiveTags): HDict | undefined {
  let differs = false;
  for (const k in tags) {
    const v = tags[k];
    if (v === undefined ? rec.has(k) : !equals(rec.get(k), v)) differs = true;
  }
  return differs ? inTagOrder(rec.merge(tags)) : undefined;
}

/**
 * The curVal a history write sets: its newest sample, when that is at or after the newest stored
 * before the write (`storedNewest` undefined: none); a backfill sets nothing.
 */
export function curValTags(
  newest: { readonly ts: number; readonly val: HisValue },
  storedNewest: number | undefined,
): LiveTags | undefined {
  if (storedNewest !== undefined && newest.ts < storedNewest) return undefined;
  return { curVal: newest.val, curStatus: "ok" };
}

/** writeVal/writeLevel from the array's effective value at `nowMs`; both removed when no level holds one. */
export function writeTags(arr: PriorityArray, nowMs: number): LiveTags {
  const eff = effective(arr, nowMs);
  return { writeVal: eff?.val, writeLevel: eff?.level };
}
