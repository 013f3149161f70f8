/**
 * The one order in which every backend hands out a record's tags: `id` first, `dis` next when
 * present, the other tags in UTF-16 code-unit order, `mod` last. Storage does not keep key order
 * (Postgres JSONB sorts keys shortest first), so each backend applies it on decode, and a record
 * stored earlier in any order comes out the same; a read's grid then has the same columns
 * everywhere.
 */
import { HDict, type HVal, newTags } from "../../haystack/kinds/index.ts";

const FIRST = "id";
const SECOND = "dis";
const LAST = "mod";

function rank(name: string): number {
  return name === FIRST ? 0 : name === SECOND ? 1 : name === LAST ? 3 : 2;
}

/** Orders tag names as records hand them out: `compareTagNames("mod", "zone") > 0`. */
export function compareTagNames(a: string, b: string): number {
  const d = rank(a) - rank(b);
  if (d !== 0) return d;
  return a < b ? -1 : a > b ? 1 : 0;
}

function inOrder(names: readonly string[]): boolean {
  for (let i = 1; i < names.length; i++)
    if (compareTagNames(names[i - 1] as string, names[i] as string) >= 0) return false;
  return true;
}

/**
 * `d` with its tags in record order; `d` itself when they already are (records written since
 * this order was kept), so the common decode costs one pass over the names.
 */
export function inTagOrder(d: HDict): HDict {
  const names = d.names();
  if (inOrder(names)) return d;
  const tags = d.toObject();
  // The plain sort compares code units natively, faster than a comparator called per pair.
  const middle = names.filter((n) => rank(n) === 2).sort();
  const out = newTags();
  for (const n of [FIRST, SECOND, ...middle, LAST]) if (n in tags) out[n] = tags[n] as HVal;
  return HDict.unsafeOf(out);
}
