/**
 * Ref display names in op responses (the rules in storage/rules/ref-names.ts). Records in the
 * response and those the store sent with a read serve first; the rest are read once, in one batch
 * (the Worker's record cache makes repeats cheap).
 */
import { type HDict, type HRef, isRef } from "../../../haystack/kinds/index.ts";
import { namedRef, refIdsToName, withRefNames } from "../../../storage/rules/ref-names.ts";
import type { OpContext } from "./types.ts";

export async function withRefDis(
  cx: OpContext,
  rows: readonly (HDict | undefined)[],
  known: readonly HDict[] = [],
): Promise<(HDict | undefined)[]> {
  // Each id the response knows a record for: its named Ref, or undefined when it has no dis.
  const named = new Map<string, HRef | undefined>();
  for (const d of known.length > 0 ? [...rows, ...known] : rows) {
    const id = d?.get("id");
    if (isRef(id)) named.set(id.id, namedRef(d));
  }
  const wanted = refIdsToName(rows, (id) => named.has(id));
  if (wanted.length > 0) {
    const recs = await cx.store.entities.readByIds(wanted);
    wanted.forEach((id, i) => {
      named.set(id, namedRef(recs[i]));
    });
  }
  return rows.map((d) => (d ? withRefNames(d, named) : d));
}
