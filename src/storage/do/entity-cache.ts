/**
 * The Worker's cache of a project's records, keyed by id and the record's change sequence. A
 * read asks the project object which (id, version) pairs match and fetches only the records this
 * isolate lacks at that version, so repeated reads move ids over RPC, not whole records.
 */
import type { HDict } from "../../haystack/kinds/index.ts";
import { dictFromJson } from "../json-dicts.ts";

/** Records kept per project; past this the project's cache starts over. */
const MAX_RECORDS = 100_000;
/** Projects kept per isolate. */
const MAX_PROJECTS = 64;

interface Entry {
  readonly seq: number;
  readonly rec: HDict;
}

const projects = new Map<string, Map<string, Entry>>();

function cacheOf(key: string): Map<string, Entry> {
  let c = projects.get(key);
  if (!c) {
    if (projects.size >= MAX_PROJECTS) projects.clear();
    c = new Map();
    projects.set(key, c);
  }
  return c;
}

/**
 * The records for `ids` at versions `seqs` (-1: unknown id), fetching missing texts with `fetch`.
 * A record removed between the two calls comes back undefined.
 */
export async function resolveRecords(
  key: string,
  ids: readonly string[],
  seqs: readonly number[],
  fetch: (ids: string[]) => Promise<(string | null)[]>,
): Promise<(HDict | undefined)[]> {
  const cache = cacheOf(key);
  // Cleared before looking anything up, so a read never loses the hits it counted on.
  if (cache.size >= MAX_RECORDS) cache.clear();
  const missing = new Set<string>();
  for (let i = 0; i < ids.length; i++) {
    const seq = seqs[i] as number;
    if (seq >= 0 && cache.get(ids[i] as string)?.seq !== seq) missing.add(ids[i] as string);
  }
  const fetched = new Map<string, HDict>();
  if (missing.size > 0) {
    const list = [...missing];
    const texts = await fetch(list);
    list.forEach((id, i) => {
      const text = texts[i];
      if (text === null || text === undefined) return;
      fetched.set(id, dictFromJson(text));
    });
  }
  return ids.map((id, i) => {
    const seq = seqs[i] as number;
    if (seq < 0) return undefined;
    if (!missing.has(id)) return cache.get(id)?.rec;
    const rec = fetched.get(id);
    if (rec) cache.set(id, { seq, rec });
    return rec;
  });
}
