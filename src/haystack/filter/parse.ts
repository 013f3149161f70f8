/**
 * Filter text to AST (Filters.fandoc grammar plus haxall's `^symbol`, spec names and `//` comments).
 * `and` binds tighter than `or`; chains of one operator become one n-ary node, while parentheses
 * keep their grouping. Every bound in FilterLimits is checked before the work it guards.
 */

import { Tok, Tokenizer } from "../codec/tokenizer.ts";
import { LimitError, positionOf } from "../errors.ts";
import type { HSymbol, HVal } from "../kinds/index.ts";
import type { CmpOp, Filter, FilterLimits, Path } from "./ast.ts";

/**
 * Most `->` hops in one path. Real models need three or four (`equipRef->siteRef->geoCity`); each
 * hop costs a backend one record lookup per record tested, so a long path is refused outright.
 */
export const DEFAULT_MAX_FILTER_HOPS = 8;

export const DEFAULT_FILTER_LIMITS: Required<FilterLimits> = {
  maxLength: 64 * 1024,
  maxDepth: 64,
  maxTerms: 1_000,
  maxHops: DEFAULT_MAX_FILTER_HOPS,
};

function cmpOp(t: Tok): CmpOp | undefined {
  switch (t) {
    case Tok.Eq:
      return "eq";
    case Tok.NotEq:
      return "ne";
    case Tok.Lt:
      return "lt";
    case Tok.LtEq:
      return "le";
    case Tok.Gt:
      return "gt";
    case Tok.GtEq:
      return "ge";
    default:
      return undefined;
  }
}

function isUpper(s: string): boolean {
  const c = s.charCodeAt(0);
  return c >= 65 && c <= 90;
}

class FilterParser {
  private readonly t: Tokenizer;
  private depth = 0;
  private terms = 0;

  constructor(
    text: string,
    private readonly maxDepth: number,
    private readonly maxTerms: number,
    private readonly maxHops: number,
  ) {
    this.t = new Tokenizer(text, { newlines: false });
    this.t.next();
  }

  parse(): Filter {
    const f = this.or();
    if (!this.t.is(Tok.Eof)) throw this.t.error(`Expected end of filter, not ${this.t.describe()}`);
    return f;
  }

  /** Loops, not recursion, over `a or b or c`, so long chains cost no stack. */
  private or(): Filter {
    const first = this.and();
    if (!this.t.isId("or")) return first;
    const args: Filter[] = [first];
    while (this.t.isId("or")) {
      this.t.next();
      args.push(this.and());
    }
    return { op: "or", args };
  }

  private and(): Filter {
    const first = this.term();
    if (!this.t.isId("and")) return first;
    const args: Filter[] = [first];
    while (this.t.isId("and")) {
      this.t.next();
      args.push(this.term());
    }
    return { op: "and", args };
  }

  private term(): Filter {
    const t = this.t;
    if (t.is(Tok.LParen)) {
      if (++this.depth > this.maxDepth) throw t.limitError(`Filter nesting deeper than ${this.maxDepth}`);
      t.next();
      const f = this.or();
      if (!t.is(Tok.RParen)) throw t.error(`Expected ')', not ${t.describe()}`);
      t.next();
      this.depth--;
      return f;
    }
    this.countTerm();
    if (t.is(Tok.Symbol)) {
      const symbol = (t.val as HSymbol).val;
      t.next();
      return { op: "isSymbol", symbol };
    }
    if (!t.is(Tok.Id)) throw t.error(`Expected tag name, not ${t.describe()}`);
    const name = t.val as string;
    const from = t.start;
    if (isUpper(name)) {
      t.next();
      return { op: "isSpec", spec: name };
    }
    t.next();
    // `not` is a keyword only when a name follows; alone or before `==`/`->` it is a tag name.
    if (name === "not" && t.is(Tok.Id)) {
      const at = t.start;
      return { op: "missing", path: this.path(this.name(), at) };
    }
    if (t.is(Tok.Colon2) || t.is(Tok.Dot)) return { op: "isSpec", spec: this.specQName(name) };
    const path = this.path(name, from);
    const op = cmpOp(t.tok);
    if (op === undefined) return { op: "has", path };
    t.next();
    return { op, path, val: this.value() };
  }

  private countTerm(): void {
    if (++this.terms > this.maxTerms) throw this.t.limitError(`Filter has more than ${this.maxTerms} terms`);
  }

  /** The current identifier, consumed. */
  private name(): string {
    const t = this.t;
    if (!t.is(Tok.Id)) throw t.error(`Expected tag name, not ${t.describe()}`);
    const n = t.val as string;
    t.next();
    return n;
  }

  /** A path whose first segment `first` (which started at `from`) is already consumed. */
  private path(first: string, from: number): Path {
    if (!this.t.is(Tok.Arrow)) return [first];
    const segs = [first];
    while (this.t.is(Tok.Arrow)) {
      if (segs.length > this.maxHops) {
        const shown = segs.join("->");
        const brief = shown.length > 120 ? `${shown.slice(0, 120)}...` : `${shown}->...`;
        throw this.t.limitError(`Path ${brief} has more than ${this.maxHops} '->' hops`, from);
      }
      this.t.next();
      segs.push(this.name());
    }
    return segs;
  }

  /** `lib.sub::Name` after its first identifier. */
  private specQName(first: string): string {
    const t = this.t;
    let s = first;
    while (t.is(Tok.Dot)) {
      t.next();
      s += `.${this.name()}`;
    }
    if (!t.is(Tok.Colon2)) throw t.error(`Expected '::' in spec name, not ${t.describe()}`);
    t.next();
    if (!t.is(Tok.Id) || !isUpper(t.val as string)) {
      throw t.error(`Expected capitalised spec name, not ${t.describe()}`);
    }
    return `${s}::${this.name()}`;
  }

  private value(): HVal {
    const t = this.t;
    let v: HVal;
    if (t.isLiteral()) v = t.val;
    else if (t.isId("true")) v = true;
    else if (t.isId("false")) v = false;
    else throw t.error(`Expected value literal, not ${t.describe()}`);
    t.next();
    return v;
  }
}

/**
 * Parses a Haystack filter into its AST; throws ParseError (with line/column) on bad syntax and
 * LimitError (a ParseError with code `limit_exceeded`) past `limits`, e.g. a path with more than
 * `maxHops` arrows.
 *
 * @example
 * parseFilter("equip and siteRef->geoCity == \"Chicago\"")
 * // { op: "and", args: [{ op: "has", path: ["equip"] },
 * //   { op: "eq", path: ["siteRef", "geoCity"], val: "Chicago" }] }
 */
export function parseFilter(text: string, limits: FilterLimits = {}): Filter {
  const maxLength = limits.maxLength ?? DEFAULT_FILTER_LIMITS.maxLength;
  if (text.length > maxLength) {
    throw new LimitError(`Filter longer than ${maxLength} characters`, positionOf(text, maxLength));
  }
  const maxDepth = limits.maxDepth ?? DEFAULT_FILTER_LIMITS.maxDepth;
  const maxTerms = limits.maxTerms ?? DEFAULT_FILTER_LIMITS.maxTerms;
  const maxHops = limits.maxHops ?? DEFAULT_FILTER_LIMITS.maxHops;
  return new FilterParser(text, maxDepth, maxTerms, maxHops).parse();
}

/** Parses a tag path such as `siteRef->geoCity` into its segments. */
export function parsePath(text: string): Path {
  if (text.length > DEFAULT_FILTER_LIMITS.maxLength) {
    throw new LimitError("Path too long", positionOf(text, DEFAULT_FILTER_LIMITS.maxLength));
  }
  const t = new Tokenizer(text, { newlines: false });
  t.next();
  if (!t.is(Tok.Id)) throw t.error(`Expected tag name, not ${t.describe()}`);
  const segs = [t.val as string];
  t.next();
  while (t.is(Tok.Arrow)) {
    t.next();
    if (!t.is(Tok.Id)) throw t.error(`Expected tag name, not ${t.describe()}`);
    segs.push(t.val as string);
    t.next();
  }
  if (!t.is(Tok.Eof)) throw t.error(`Expected end of path, not ${t.describe()}`);
  return segs;
}
