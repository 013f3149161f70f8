/**
 * The one order in which every backend hands out a record's tags: `id` first, `dis` next when
 * present, the other tags in UTF-16 code-unit order, `mod` last. Storage does not keep key order
 * (Postgres JSONB sorts keys shortest first), so each backend applies it on decode, and a record
 * stored earlier in any order comes out the same; a read's grid then has the same columns
 * everywhere.
 */
import { HDict, type HVal, newTags } from "../haystack/kinds/index.ts";

/** Records with more tags than this sort natively; an insertion sort is faster below it. */
const SMALL = 32;

function rank(name: string): number {
  return name === "id" ? 0 : name === "dis" ? 1 : name === "mod" ? 3 : 2;
}

function before(a: string, b: string): boolean {
  const d = rank(a) - rank(b);
  return d !== 0 ? d < 0 : a < b;
}

/** Orders tag names as records hand them out: `compareTagNames("mod", "zone") > 0`. */
export function compareTagNames(a: string, b: string): number {
  return a === b ? 0 : before(a, b) ? -1 : 1;
}

function inOrder(names: readonly string[]): boolean {
  for (let i = 1; i < names.length; i++) if (!before(names[i - 1] as string, names[i] as string)) return false;
  return true;
}

/**
 * `d` with its tags in record order; `d` itself when they already are (records written since
 * this order was kept), so the common decode costs one pass over the names. A read decodes every
 * row on Postgres, so the reorder sorts in place without a comparator call per pair.
 */
export function inTagOrder(d: HDict): HDict {
  const names = d.names();
  if (inOrder(names)) return d;
  if (names.length > SMALL) names.sort(compareTagNames);
  else {
    for (let i = 1; i < names.length; i++) {
      const name = names[i] as string;
      let j = i - 1;
      for (; j >= 0 && before(name, names[j] as string); j--) names[j + 1] = names[j] as string;
      names[j + 1] = name;
    }
  }
  const tags = d.toObject();
  const out = newTags();
  for (const n of names) out[n] = tags[n] as HVal;
  return HDict.unsafeOf(out);
}
