/**
 * Read-only analyses of a filter AST, written as `FilterVisitor`s: the pattern SQL and Redis
 * back ends follow. They answer what a query planner asks before touching data: which paths a
 * filter reads, which tags every match must carry, and how big the filter is.
 */
import { HaystackError } from "../errors.ts";
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
