/**
 * Where things live in Redis. Every key of one project (Haystack) or one store (series) shares a
 * hash tag, `{...}`, so on a clustered Redis they sit in one slot and a Lua program may touch them
 * together. Project and store names are [A-Za-z0-9_-] (checked at the edge), so they never hold
 * `{`, `}` or `:`.
 */

/** The base of every key of a Haystack project: `<prefix>:{h:<project>}`. */
export function haystackBase(prefix: string, project: string): string {
  return `${prefix}:{h:${project}}`;
}

/** The base of every key of a series store: `<prefix>:{s:<project>:<store>}`. */
export function seriesBase(prefix: string, project: string, store: string): string {
  return `${prefix}:{s:${project}:${store}}`;
}

/** The change feed of a project: its sequence, and each record's latest change (id -> seq). */
export function changeKeys(base: string): { readonly seq: string; readonly chg: string } {
  return { seq: `${base}:seq`, chg: `${base}:chg` };
}
