/**
 * Ref display names, as haxall's read gives them: a bare Ref in a response row (one without a
 * `dis` of its own) carries the `dis` of the record it names. A backend that can cheaply send the
 * named records with a read picks their ids here (ReadResult.refs); the op names the Refs of any
 * response with the same pick, looking up only what nobody sent.
 */
import { HDict, HRef, type HVal, isRef, newTags } from "../../haystack/kinds/index.ts";

/** Most distinct records one pick names: a store's pick for a read, and the op's own lookups. */
export const MAX_REF_NAMES = 50_000;

/**
 * The ids of the records that bare Refs in `rows` name, each once in first-seen order, skipping
 * the rows' own records and those `known` already has a name for; at most `limit`.
 */
export function refIdsToName(
  rows: readonly (HDict | undefined)[],
  known: (id: string) => boolean = () => false,
  limit = MAX_REF_NAMES,
): string[] {
  const skip = new Set<string>();
  for (const d of rows) {
    const id = d?.get("id");
    if (isRef(id)) skip.add(id.id);
  }
  const out: string[] = [];
  for (const d of rows) {
    if (!d) continue;
    const tags = d.toObject();
    for (const k in tags) {
      const v = tags[k];
      if (!isRef(v) || v.dis !== undefined || skip.has(v.id) || known(v.id)) continue;
      if (out.length >= limit) return out;
      skip.add(v.id);
      out.push(v.id);
    }
  }
  return out;
}

/** The Ref that names `rec` (its id with its Str `dis`), or undefined when it has no such dis. */
export function namedRef(rec: HDict | undefined): HRef | undefined {
  const id = rec?.get("id");
  const dis = rec?.get("dis");
  return isRef(id) && typeof dis === "string" ? new HRef(id.id, dis) : undefined;
}

/**
 * `d` with each bare Ref replaced by the named one `named` holds for its id (`d` itself when none
 * is): one Ref object per id, shared by every row that names it.
 */
export function withRefNames(d: HDict, named: ReadonlyMap<string, HRef | undefined>): HDict {
  const tags = d.toObject();
  let out: Record<string, HVal> | undefined;
  for (const k in tags) {
    const v = tags[k] as HVal;
    if (!isRef(v) || v.dis !== undefined) continue;
    const ref = named.get(v.id);
    if (ref === undefined) continue;
    out ??= Object.assign(newTags(), tags);
    out[k] = ref;
  }
  return out ? HDict.unsafeOf(out) : d;
}
