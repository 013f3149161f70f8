/**
 * haxall's `Filter.pattern`: the filter with literals replaced by `?` and `and`/`or` operands
 * sorted into one order, so filters that differ only in literals or operand order share a key
 * (haxall uses it to track query shapes for optimisation). Not part of the Haystack spec.
 */
import { HaystackError } from "../errors.ts";
import { compare, type HVal, kindOf } from "../kinds/index.ts";
import type { CmpOp, Filter } from "./ast.ts";
import { checkFilterBounds } from "./walk.ts";

// haxall's FilterType order; sorting by it puts plain tags first and compounds last.
const TYPE = {
  has: 0,
  missing: 1,
  eq: 2,
  ne: 3,
  gt: 4,
  ge: 5,
  lt: 6,
  le: 7,
  and: 8,
  or: 9,
  isSymbol: 10,
  isSpec: 11,
} as const;

const OPS: Record<CmpOp, string> = { eq: "==", ne: "!=", lt: "<", le: "<=", gt: ">", ge: ">=" };

/** haxall's normalised binary tree: and/or nested to the left, operands sorted. */
type Norm =
  | { readonly t: number; readonly text: string; readonly key: string; readonly val?: HVal }
  | { readonly t: 8 | 9; readonly a: Norm; readonly b: Norm };

/**
 * The haxall pattern of `f`: `y == 4 and x == 5` and `x == 1 and y == 2` both give
 * `(x == ?) and (y == ?)`. Throws HaystackError("limit_exceeded") for an AST out of bounds.
 */
export function filterPattern(f: Filter): string {
  checkFilterBounds(f);
  return patternOf(normalize(f));
}

function patternOf(n: Norm): string {
  if ("a" in n) return `(${patternOf(n.a)}) ${n.t === TYPE.and ? "and" : "or"} (${patternOf(n.b)})`;
  return n.text;
}

function normalize(f: Filter): Norm {
  switch (f.op) {
    case "and":
    case "or": {
      const t = TYPE[f.op];
      const parts: Norm[] = [];
      for (const a of f.args) gather(normalize(a), t, parts);
      if (parts.length === 0) throw new HaystackError("invalid_value", `empty '${f.op}' has no pattern`);
      parts.sort(cmpNorm);
      let n = parts[0] as Norm;
      for (let i = 1; i < parts.length; i++) n = { t, a: n, b: parts[i] as Norm };
      return n;
    }
    case "has":
    case "missing": {
      const p = f.path.join("->");
      return { t: TYPE[f.op], key: p, text: f.op === "has" ? p : `not ${p}` };
    }
    case "isSymbol":
      return { t: TYPE.isSymbol, key: f.symbol, text: `^${f.symbol}` };
    case "isSpec":
      return { t: TYPE.isSpec, key: f.spec, text: f.spec };
    default: {
      const p = f.path.join("->");
      return { t: TYPE[f.op], key: p, text: `${p} ${OPS[f.op]} ?`, val: f.val };
    }
  }
}

/** Collects the operands of a same-operator subtree, as haxall's `logicFind` does. */
function gather(n: Norm, t: number, out: Norm[]): void {
  if ("a" in n && n.t === t) {
    gather(n.a, t, out);
    gather(n.b, t, out);
  } else {
    out.push(n);
  }
}

/** haxall's `Filter.compare`: operator type, then the first argument, then the second. */
function cmpNorm(x: Norm, y: Norm): number {
  if (x.t !== y.t) return x.t - y.t;
  if ("a" in x && "a" in y) return cmpNorm(x.a, y.a) || cmpNorm(x.b, y.b);
  if ("a" in x || "a" in y) return 0;
  return strCmp(x.key, y.key) || cmpVal(x.val, y.val);
}

function cmpVal(a: HVal | undefined, b: HVal | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  // Literals of different kinds have no order in haxall; any fixed order keeps the sort stable.
  return compare(a, b) ?? (strCmp(kindOf(a), kindOf(b)) || strCmp(String(a), String(b)));
}

function strCmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
