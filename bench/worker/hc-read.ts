/**
 * The filter-read baseline: a Haystack `read` served by haystack-core from records it holds in
 * the Worker's memory, over the same HTTP, in the same local runtime as ours. Each request parses
 * the filter, evaluates it over every record (Refs resolved through an id index), gives each Ref
 * in the answer its target's `dis` as our read does, and writes the grid as Zinc; so both sides
 * pay the round trip, the encode and the transfer, and differ in how they find the records.
 */
import * as hc from "haystack-core";

interface Held {
  readonly dicts: readonly hc.HDict[];
  readonly byId: ReadonlyMap<string, hc.HDict>;
}

/** Record sets by name, loaded once per run outside the timed region. */
const held = new Map<string, Held>();

/** Holds the records of a Zinc grid under `name`; answers how many. */
export function loadRecords(name: string, zinc: string): number {
  const dicts = (hc.ZincReader.readValue(zinc) as hc.HGrid).getRows();
  const byId = new Map<string, hc.HDict>();
  for (const d of dicts) {
    // Decoded now, not on the first timed read: haystack-core decodes lazily.
    d.toObj();
    const id = d.get<hc.HRef>("id");
    if (id) byId.set(id.value, d);
  }
  held.set(name, { dicts, byId });
  return dicts.length;
}

/** `read` by `filter` over the records held as `name`, as a Zinc response. */
export function readFiltered(name: string, filter: string): Response {
  const set = held.get(name);
  if (!set) return new Response(`no records held as ${name}`, { status: 409 });
  const node = hc.HFilter.parse(filter);
  const resolve = (ref: hc.HRef) => set.byId.get(ref.value);
  const named = new Map<string, hc.HRef | null>();
  const rows: hc.HDict[] = [];
  for (const d of set.dicts) if (hc.HFilter.eval(node, { dict: d, resolve })) rows.push(withRefDis(d, set.byId, named));
  return new Response(hc.HGrid.make({ rows }).toZinc(), { headers: { "content-type": "text/zinc; charset=utf-8" } });
}

/** `d` with each Ref carrying its target's `dis` (one Ref per target, shared), as a copy. */
function withRefDis(d: hc.HDict, byId: ReadonlyMap<string, hc.HDict>, named: Map<string, hc.HRef | null>): hc.HDict {
  let out: hc.HDict | undefined;
  for (const k of d.keys) {
    const v = d.get(k);
    if (!hc.valueIsKind<hc.HRef>(v, hc.Kind.Ref)) continue;
    let ref = named.get(v.value);
    if (ref === undefined) {
      const dis = byId.get(v.value)?.get<hc.HStr>("dis")?.value;
      ref = dis === undefined ? null : hc.HRef.make(v.value, dis);
      named.set(v.value, ref);
    }
    if (ref === null) continue;
    out ??= d.newCopy();
    out.set(k, ref);
  }
  return out ?? d;
}
