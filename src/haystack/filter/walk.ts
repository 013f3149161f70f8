/**
 * Analyses of a filter AST, mostly written as `FilterVisitor`s: the pattern SQL and Redis back
 * ends follow. They answer what a query planner asks before touching data: which paths a filter
 * reads, which tags every match must carry, how big the filter is, and the same filter without
 * repeated terms.
 */
import { HaystackError } from "../errors.ts";
import { equals, kindOf } from "../kinds/index.ts";
import type { AndFilter, CmpFilter, Filter, FilterVisitor, HasFilter, MissingFilter, OrFilter, Path } from "./ast.ts";
import { visit } from "./ast.ts";

/**
 * Every distinct path the filter reads, in first-use order (`a and b->c == 1 or a` gives
 * [["a"], ["b","c"]]). `^symbol` and spec terms read no fixed path and add none.
 */
export function filterPaths(f: Filter): Path[] {
  checkFilterBounds(f);
  const seen = new Map<string, Path>();
  visit(f, new PathCollector(seen));
  return [...seen.values()];
}

class PathCollector implements FilterVisitor<void> {
  constructor(private readonly seen: Map<string, Path>) {}
  private add(p: Path): void {
    const key = p.join("->");
    if (!this.seen.has(key)) this.seen.set(key, p);
  }
  has(f: HasFilter): void {
    this.add(f.path);
  }
  missing(f: MissingFilter): void {
    this.add(f.path);
  }
  cmp(f: CmpFilter): void {
    this.add(f.path);
  }
  and(f: AndFilter): void {
    for (const a of f.args) visit(a, this);
  }
  or(f: OrFilter): void {
    for (const a of f.args) visit(a, this);
  }
  isSymbol(): void {}
  isSpec(): void {}
}

/**
 * Tags every matching record must itself have, so a back end can start from the smallest tag
 * index and test only those records. `point and equipRef->siteRef->site` gives [point, equipRef];
 * `a or b` gives [] (either alone may match), `(a and b) or (a and c)` gives [a].
 * Sound but not complete: `missing`, `^symbol` and specs (which may use defs) require nothing.
 */
export function requiredTags(f: Filter): string[] {
  checkFilterBounds(f);
  return [...visit(f, REQUIRED)];
}

const NONE: ReadonlySet<string> = new Set();

const REQUIRED: FilterVisitor<ReadonlySet<string>> = {
  // Any `has`/comparison needs the first path segment on the record itself (a ref list there
  // still counts as the tag being present).
  has: (f) => new Set([f.path[0] as string]),
  cmp: (f) => new Set([f.path[0] as string]),
  missing: () => NONE,
  and(f) {
    const out = new Set<string>();
    for (const a of f.args) for (const t of visit(a, REQUIRED)) out.add(t);
    return out;
  },
  or(f) {
    let out: Set<string> | undefined;
    for (const a of f.args) {
      const r = visit(a, REQUIRED);
      out = out === undefined ? new Set(r) : new Set([...out].filter((t) => r.has(t)));
      if (out.size === 0) return NONE;
    }
    return out ?? NONE;
  },
  isSymbol: () => NONE,
  isSpec: () => NONE,
};

/** Deepest AST the compiler, printer and analyses accept; parsed filters stop at FilterLimits.maxDepth. */
export const MAX_FILTER_DEPTH = 1000;
/** Most nodes they accept: also bounds ASTs built in code that share subtrees (a DAG is walked as a tree). */
export const MAX_FILTER_NODES = 100_000;

/**
 * Nesting depth: 1 for a single term, +1 per `and`/`or` level. Compare with FilterLimits.maxDepth.
 * Iterative, so it is safe on any AST, and the guard every recursive walk runs first.
 */
export function filterDepth(f: Filter): number {
  return measure(f, Number.POSITIVE_INFINITY);
}

/**
 * Throws HaystackError("limit_exceeded") when `f` is deeper than MAX_FILTER_DEPTH or has more than
 * MAX_FILTER_NODES nodes, so recursion over it cannot overflow the stack or run unbounded.
 */
export function checkFilterBounds(f: Filter): void {
  if (measure(f, MAX_FILTER_NODES) > MAX_FILTER_DEPTH) {
    throw new HaystackError("limit_exceeded", `filter nested deeper than ${MAX_FILTER_DEPTH}`);
  }
}

function measure(f: Filter, maxNodes: number): number {
  const nodes: Filter[] = [f];
  const depths: number[] = [1];
  let max = 0;
  let seen = 0;
  for (let x = nodes.pop(); x !== undefined; x = nodes.pop()) {
    const d = depths.pop() as number;
    if (++seen > maxNodes) throw new HaystackError("limit_exceeded", `filter has more than ${maxNodes} nodes`);
    if (d > max) max = d;
    if (x.op === "and" || x.op === "or") {
      for (const a of x.args) {
        nodes.push(a);
        depths.push(d + 1);
      }
    }
  }
  return max;
}

/** Number of leaf terms (everything but `and`/`or`). Compare with FilterLimits.maxTerms. */
export function termCount(f: Filter): number {
  checkFilterBounds(f);
  return visit(f, TERMS);
}

const TERMS: FilterVisitor<number> = {
  has: () => 1,
  missing: () => 1,
  cmp: () => 1,
  isSymbol: () => 1,
  isSpec: () => 1,
  and: (f) => sumOf(f.args, TERMS),
  or: (f) => sumOf(f.args, TERMS),
};

function sumOf(args: readonly Filter[], v: FilterVisitor<number>): number {
  let s = 0;
  for (const a of args) s += visit(a, v);
  return s;
}

/**
 * The same filter with nested `and`s (and `or`s) merged into their parent and repeated arguments
 * dropped, first use kept: `a or (b or a)` gives `a or b`, `(x and x)` gives `x`. Sound because a
 * term is true or false for each record (never unknown), so `and`/`or` are associative and
 * idempotent. A back end then does the work of a term written 400 times once. The result is a
 * tree (no node at two places) even when `f` shares subtrees.
 */
export function dedupeFilter(f: Filter): Filter {
  checkFilterBounds(f);
  return new Deduper().node(f).f;
}

/** A node of the result with an id equal for equal nodes; groups keep their arguments' ids. */
interface Interned {
  readonly f: Filter;
  readonly id: number;
  readonly args?: readonly Interned[];
}

class Deduper {
  private readonly leaves = new Map<string, Interned[]>();
  private readonly groups = new Map<string, number>();
  private next = 0;

  node(f: Filter): Interned {
    if (f.op !== "and" && f.op !== "or") return this.leaf(f);
    const seen = new Set<number>();
    const args: Interned[] = [];
    const add = (x: Interned) => {
      if (seen.has(x.id)) return;
      seen.add(x.id);
      args.push(x);
    };
    for (const a of f.args) {
      const x = this.node(a);
      if (x.f.op === f.op && x.args) for (const y of x.args) add(y);
      else add(x);
    }
    if (args.length === 1) return args[0] as Interned;
    const key = `${f.op}(${args.map((a) => a.id).join(",")})`;
    let id = this.groups.get(key);
    if (id === undefined) {
      id = this.next++;
      this.groups.set(key, id);
    }
    return { f: { op: f.op, args: args.map((a) => a.f) }, id, args };
  }

  /** Leaves are bucketed by a cheap key, then told apart exactly (values by `equals`). */
  private leaf(f: Filter): Interned {
    const key = leafKey(f);
    let bucket = this.leaves.get(key);
    if (!bucket) {
      bucket = [];
      this.leaves.set(key, bucket);
    }
    const same = bucket.find((x) => sameLeaf(x.f, f));
    if (same) return same;
    const x = { f, id: this.next++ };
    bucket.push(x);
    return x;
  }
}

function leafKey(f: Filter): string {
  switch (f.op) {
    case "isSymbol":
      return `^${f.symbol}`;
    case "isSpec":
      return `:${f.spec}`;
    case "and":
    case "or":
      throw new TypeError("not a leaf");
    case "has":
    case "missing":
      return `${f.op} ${f.path.join("->")}`;
    default:
      return `${f.op} ${f.path.join("->")} ${kindOf(f.val)} ${String(f.val)}`;
  }
}

function sameLeaf(a: Filter, b: Filter): boolean {
  if (a.op !== b.op) return false;
  if (a.op === "isSymbol") return a.symbol === (b as typeof a).symbol;
  if (a.op === "isSpec") return a.spec === (b as typeof a).spec;
  if (a.op === "and" || a.op === "or") return false;
  const bp = (b as typeof a).path;
  if (a.path.length !== bp.length || a.path.some((s, i) => s !== bp[i])) return false;
  if (!("val" in a)) return true;
  const bv = (b as typeof a).val;
  return kindOf(a.val) === kindOf(bv) && equals(a.val, bv);
}
