/**
 * The canonical text of a filter AST: it parses back to the same AST. Spacing follows haxall's
 * `Filter.toStr` (`a->b == 2`, `not a`), but operands keep their written order (haxall sorts them).
 */
import { HaystackError } from "../errors.ts";
import { type AndFilter, type CmpOp, type Filter, type FilterVisitor, type OrFilter, type Path, visit } from "./ast.ts";
import { writeFilterVal } from "./literal.ts";
import { checkFilterBounds } from "./walk.ts";

const OPS: Record<CmpOp, string> = { eq: "==", ne: "!=", lt: "<", le: "<=", gt: ">", ge: ">=" };

/**
 * Canonical filter text. Parentheses appear only where precedence needs them (`and` binds
 * tighter than `or`) and around a nested group of the same operator, which the parser would
 * otherwise flatten. Example: `{op:"and", args:[has a, {op:"or", args:[has b, has c]}]}` prints
 * `a and (b or c)`. Throws HaystackError("invalid_value") for an AST no text can express
 * (an empty and/or, a tag name the grammar cannot read, a value with no filter literal), and
 * HaystackError("limit_exceeded") beyond MAX_FILTER_DEPTH or MAX_FILTER_NODES.
 */
export function filterToString(f: Filter): string {
  checkFilterBounds(f);
  return new Printer().print(f);
}

/** Writes a path as `a->b->c`, checking each name is a tag name the filter grammar can read. */
export function pathToString(path: Path): string {
  if (path.length === 0) throw new HaystackError("invalid_value", "empty filter path");
  for (const name of path) checkTagName(name);
  return path.join("->");
}

class Printer implements FilterVisitor<string> {
  print(f: Filter): string {
    return visit(f, this);
  }

  has(f: Extract<Filter, { op: "has" }>): string {
    return pathToString(f.path);
  }

  missing(f: Extract<Filter, { op: "missing" }>): string {
    return `not ${pathToString(f.path)}`;
  }

  cmp(f: Extract<Filter, { op: CmpOp }>): string {
    return `${pathToString(f.path)} ${OPS[f.op]} ${writeFilterVal(f.val)}`;
  }

  and(f: AndFilter): string {
    return this.group(f, " and ");
  }

  or(f: OrFilter): string {
    return this.group(f, " or ");
  }

  isSymbol(f: Extract<Filter, { op: "isSymbol" }>): string {
    return `^${f.symbol}`;
  }

  isSpec(f: Extract<Filter, { op: "isSpec" }>): string {
    return f.spec;
  }

  private group(f: AndFilter | OrFilter, sep: string): string {
    const { args } = f;
    if (args.length === 0) throw new HaystackError("invalid_value", `empty '${f.op}' has no filter text`);
    if (args.length === 1) return this.print(args[0] as Filter);
    let out = "";
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as Filter;
      const s = this.print(a);
      out += (i === 0 ? "" : sep) + (needsParens(f.op, a) ? `(${s})` : s);
    }
    return out;
  }
}

/**
 * An operand of `and` needs parentheses when it is an `or`; any nested group of the same operator
 * needs them to stay a separate node. A bare `has not` followed by anything would read as the
 * `not` keyword (`not and b` is `missing(and)` then junk), so as an operand it is always wrapped.
 */
function needsParens(parent: "and" | "or", a: Filter): boolean {
  let x = a;
  // A one-operand group prints as its operand, so precedence is decided by what is inside.
  while ((x.op === "and" || x.op === "or") && x.args.length === 1) x = x.args[0] as Filter;
  if (x.op === "and" || x.op === "or") return x.op === parent || x.op === "or";
  return x.op === "has" && x.path.length === 1 && x.path[0] === "not";
}

/**
 * Tag names the grammar reads as a path segment: a lower-case letter or `_` first, then letters,
 * digits and `_`. An upper-case first letter would read as a spec name.
 */
function checkTagName(name: string): void {
  const c0 = name.charCodeAt(0);
  let ok = (c0 >= 97 && c0 <= 122) || c0 === 95;
  for (let i = 1; ok && i < name.length; i++) {
    const c = name.charCodeAt(i);
    ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
  }
  if (!ok) throw new HaystackError("invalid_value", `'${name}' is not a tag name a filter can express`);
}
