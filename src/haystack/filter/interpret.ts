/**
 * The reference evaluator: a direct reading of Filters.fandoc and haxall's `Filter.matchesAt`,
 * with no specialisation. `compileFilter` (eval.ts) is the fast path; tests check the two agree.
 */
import { compare, equals, HDateTime, HDict, type HRef, type HVal, isRef } from "../kinds/index.ts";
import type { CmpFilter, Filter, Path } from "./ast.ts";
import type { FilterContext } from "./context.ts";
import { checkFilterBounds } from "./walk.ts";

/**
 * Evaluates `f` against `d` by walking the AST on every call. Prefer `matches` outside tests.
 * Throws HaystackError("limit_exceeded") for an AST beyond MAX_FILTER_DEPTH or MAX_FILTER_NODES.
 */
export function interpretFilter(f: Filter, d: HDict, cx: FilterContext): boolean {
  checkFilterBounds(f);
  return evalNode(f, d, cx);
}

function evalNode(f: Filter, d: HDict, cx: FilterContext): boolean {
  switch (f.op) {
    case "and":
      return f.args.every((a) => evalNode(a, d, cx));
    case "or":
      return f.args.some((a) => evalNode(a, d, cx));
    case "isSymbol":
      return cx.isA ? cx.isA(d, f.symbol) : symbolHasTerm(f.symbol, d);
    case "isSpec":
      return cx.isSpec ? cx.isSpec(f.spec, d) : false;
    default:
      return matchAt(f, d.get(f.path[0] as string), 0, cx);
  }
}

/** haxall's no-namespace `Symbol.hasTerm`: a tag or conjunct symbol names tags the dict must have. */
export function symbolHasTerm(symbol: string, d: HDict): boolean {
  if (symbol.includes(":")) return false; // a key symbol (`lib:ph`) is never a term
  return symbol.split("-").every((p) => d.has(p));
}

type PathFilter = Exclude<Filter, { op: "and" | "or" | "isSymbol" | "isSpec" }>;

function matchAt(f: PathFilter, val: HVal | undefined, level: number, cx: FilterContext): boolean {
  const path: Path = f.path;
  // Refs lists: each Ref is tried on its own; if none matches, the list itself is tested below.
  if (Array.isArray(val)) {
    for (const e of val as readonly HVal[]) if (isRef(e) && matchAt(f, e, level, cx)) return true;
  }
  let v = val;
  if (level + 1 < path.length) {
    const next = path[level + 1] as string;
    if (isRef(v)) v = cx.deref(v as HRef);
    if (v instanceof HDict) return matchAt(f, v.get(next), level + 1, cx);
    if (v instanceof HDateTime) {
      if (next === "date") return matchAt(f, v.date(), level + 1, cx);
      if (next === "time") return matchAt(f, v.time(), level + 1, cx);
      if (next === "tz") return matchAt(f, v.tz, level + 1, cx);
    }
    if (Array.isArray(v)) return false;
    v = undefined;
  }
  return testVal(f, v);
}

function testVal(f: PathFilter, v: HVal | undefined): boolean {
  const present = v !== undefined && v !== null;
  switch (f.op) {
    case "has":
      return present;
    case "missing":
      return !present;
    case "eq":
      return present && equals(v, f.val);
    case "ne":
      return present && !equals(v, f.val);
    default:
      return present && ordered(f, v as HVal);
  }
}

function ordered(f: CmpFilter, v: HVal): boolean {
  const c = compare(v, f.val);
  if (c === undefined) return false;
  switch (f.op) {
    case "lt":
      return c < 0;
    case "le":
      return c <= 0;
    case "gt":
      return c > 0;
    default:
      return c >= 0;
  }
}
