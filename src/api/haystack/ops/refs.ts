/**
 * Ref display names, as haxall's read gives them: every Ref in a response row carries the `dis`
 * of the record it names. Records in the response serve first; the rest are read once, in one
 * batch (the Worker's record cache makes repeats cheap).
 */
import { HDict, HRef, type HVal, isRef, newTags } from "../../../haystack/kinds/index.ts";
import type { OpContext } from "./types.ts";

/** Most distinct records looked up for one response; refs beyond stay bare. */
const MAX_LOOKUPS = 10_000;

function disOf(d: HDict | undefined): string | undefined {
  const dis = d?.get("dis");
  return typeof dis === "string" ? dis : undefined;
}

export async function withRefDis(
  cx: OpContext,
  rows: readonly (HDict | undefined)[],
  known: readonly HDict[] = [],
): Promise<(HDict | undefined)[]> {
  // One decorated Ref per id (null: no dis to give), shared by every row that names it.
  const refs = new Map<string, HRef | null>();
  for (const d of known.length > 0 ? [...rows, ...known] : rows) {
    const id = d?.get("id");
    if (isRef(id)) {
      const dis = disOf(d);
      refs.set(id.id, dis === undefined ? null : new HRef(id.id, dis));
    }
  }
  const wanted: string[] = [];
  for (const d of rows) {
    if (!d) continue;
    const tags = d.toObject();
    for (const k in tags) {
      const v = tags[k];
      if (isRef(v) && v.dis === undefined && !refs.has(v.id) && wanted.length < MAX_LOOKUPS) {
        refs.set(v.id, null);
        wanted.push(v.id);
      }
    }
  }
  if (wanted.length > 0) {
    const recs = await cx.store.entities.readByIds(wanted);
    wanted.forEach((id, i) => {
      const dis = disOf(recs[i]);
      if (dis !== undefined) refs.set(id, new HRef(id, dis));
    });
  }
  return rows.map((d) => (d ? decorate(d, refs) : d));
}

function decorate(d: HDict, refs: ReadonlyMap<string, HRef | null>): HDict {
  const tags = d.toObject();
  let out: Record<string, HVal> | undefined;
  for (const k in tags) {
    const v = tags[k] as HVal;
    if (!isRef(v) || v.dis !== undefined) continue;
    const named = refs.get(v.id);
    if (!named) continue;
    out ??= Object.assign(newTags(), tags);
    out[k] = named;
  }
  return out ? HDict.unsafeOf(out) : d;
}
