/**
 * Which `->` paths a filter walks more than once, and where to walk each of them once: the SQL
 * compiler (filter-sql.ts) evaluates such a path a single time per record, at the smallest
 * `and`/`or` node that holds every term using it, and lets those terms start from its result.
 * Without this, `a->b->c == 1 or a->b->c == 2 or ...` looks up the same records once per term.
 */
import type { Filter, Path } from "../../haystack/filter/ast.ts";

/** A path's identity: its first `length` segments, JSON-encoded (tag names may hold any character). */
export function pathKey(path: Path, length = path.length): string {
  return JSON.stringify(path.slice(0, length));
}

/** A proper prefix several terms walk past (`a->b` of `a->b->c`), and the segments after it. */
export interface SharedPrefix {
  readonly path: Path;
  readonly next: ReadonlySet<string>;
}

/** What one `and`/`or` node walks once for the terms under it. */
export interface SharedWalks {
  /** Prefixes whose records the terms step on from; shortest first, so a prefix's own comes first. */
  readonly prefixes: SharedPrefix[];
  /** Whole paths (of two or more segments) several terms test the values of. */
  readonly paths: Path[];
}

/**
 * For each `and`/`or` node, the prefixes and whole paths used by two or more terms whose smallest
 * common node it is. A shared path's proper prefixes are shared too, at the same node or above.
 * `f` must be a tree, each node at one place, as `dedupeFilter` makes it.
 */
export function sharedWalks(f: Filter): Map<Filter, SharedWalks> {
  const prefixes = new Map<string, Use<SharedPrefix & { next: Set<string> }>>();
  const paths = new Map<string, Use<Path>>();
  const stack: Filter[] = [];
  const walk = (x: Filter): void => {
    if (x.op === "and" || x.op === "or") {
      stack.push(x);
      for (const a of x.args) walk(a);
      stack.pop();
      return;
    }
    if (x.op === "isSymbol" || x.op === "isSpec" || x.path.length < 2) return;
    for (let k = 1; k < x.path.length; k++) {
      const next = x.path[k] as string;
      const u = note(prefixes, pathKey(x.path, k), stack, () => ({
        path: x.path.slice(0, k),
        next: new Set<string>(),
      }));
      u.what.next.add(next);
    }
    note(paths, pathKey(x.path), stack, () => x.path);
  };
  walk(f);
  const out = new Map<Filter, SharedWalks>();
  const at = (node: Filter): SharedWalks => {
    let s = out.get(node);
    if (!s) {
      s = { prefixes: [], paths: [] };
      out.set(node, s);
    }
    return s;
  };
  for (const u of prefixes.values()) if (u.count > 1 && u.common > 0) at(lowest(u)).prefixes.push(u.what);
  for (const u of paths.values()) if (u.count > 1 && u.common > 0) at(lowest(u)).paths.push(u.what);
  for (const s of out.values()) s.prefixes.sort((a, b) => a.path.length - b.path.length);
  return out;
}

interface Use<T> {
  readonly what: T;
  count: number;
  /** The `and`/`or` nodes above the first use, root first. */
  readonly chain: readonly Filter[];
  /** How much of `chain` every use so far sits under. */
  common: number;
}

function note<T>(uses: Map<string, Use<T>>, key: string, stack: readonly Filter[], what: () => T): Use<T> {
  const u = uses.get(key);
  if (!u) {
    const first = { what: what(), count: 1, chain: [...stack], common: stack.length };
    uses.set(key, first);
    return first;
  }
  u.count++;
  // Both are paths from the root, equal down to some depth and apart below it.
  while (u.common > 0 && stack[u.common - 1] !== u.chain[u.common - 1]) u.common--;
  return u;
}

/** The smallest node holding every use. */
function lowest(u: Use<unknown>): Filter {
  return u.chain[u.common - 1] as Filter;
}

/** Whether a term under `f` walks past one of `prefixes` or tests one of `paths` (pathKey values). */
export function usesAny(f: Filter, prefixes: ReadonlySet<string>, paths: ReadonlySet<string>): boolean {
  if (f.op === "and" || f.op === "or") return f.args.some((a) => usesAny(a, prefixes, paths));
  if (f.op === "isSymbol" || f.op === "isSpec" || f.path.length < 2) return false;
  if (paths.has(pathKey(f.path))) return true;
  for (let k = 1; k < f.path.length; k++) if (prefixes.has(pathKey(f.path, k))) return true;
  return false;
}
