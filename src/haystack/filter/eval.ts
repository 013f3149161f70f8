/**
 * Filter evaluation (Filters.fandoc, with haxall's `Filter.matchesAt` rules for ref lists and
 * `->date`/`->time`/`->tz`). The AST is compiled once into closures, each specialised for its
 * literal's kind, so matching a record allocates nothing on the common paths.
 */
import { compare, equals, type HDateTime, type HDict, type HNumber, type HRef, type HVal } from "../kinds/index.ts";
import type { AndFilter, CmpFilter, CmpOp, Filter, FilterVisitor, OrFilter, Path } from "./ast.ts";
import { visit } from "./ast.ts";
import { type FilterContext, NO_REFS } from "./context.ts";
import { checkFilterBounds } from "./walk.ts";

export { type FilterContext, mapContext, NO_REFS, recordContext } from "./context.ts";
export { interpretFilter, symbolHasTerm } from "./interpret.ts";

/** A compiled filter. `cx` resolves refs for `->` paths (pass NO_REFS when there is nothing to resolve). */
export type Matcher = (d: HDict, cx: FilterContext) => boolean;

/** Tests the value found at the end of a path; undefined means the path reached nothing. */
type Test = (v: HVal | undefined) => boolean;

const cache = new WeakMap<Filter, Matcher>();

/**
 * Does `d` match `f`? Compiles `f` on first use and caches the result per AST object, so
 * callers matching many records with one parsed filter pay compilation once.
 * Example: `matches(parseFilter("point and equipRef->siteRef->site"), rec, recordContext(recs))`.
 */
export function matches(f: Filter, d: HDict, cx: FilterContext = NO_REFS): boolean {
  let m = cache.get(f);
  if (m === undefined) {
    m = compileFilter(f);
    cache.set(f, m);
  }
  return m(d, cx);
}

export interface CompileOptions {
  /**
   * Promise that the context answers the same for the same ref while the matcher is used with
   * it, so each `->` path may remember its result per ref id (points share a few equips).
   * The memo is dropped whenever the matcher sees a different context object.
   */
  readonly snapshot?: boolean;
}

/**
 * Compiles `f` to a matcher. Operands of `and`/`or` are reordered cheapest first (single tags
 * before `->` paths); filters have no side effects, so only speed changes.
 * Throws HaystackError("limit_exceeded") for an AST beyond MAX_FILTER_DEPTH or MAX_FILTER_NODES.
 */
export function compileFilter(f: Filter, opts: CompileOptions = {}): Matcher {
  checkFilterBounds(f);
  return new Compiler(opts.snapshot === true).compile(f);
}

const snapshotCache = new WeakMap<Filter, Matcher>();

/**
 * The records of `records` that match `f`, in order. The context is taken as a snapshot for the
 * duration of the call, so `->` paths are resolved once per distinct ref rather than per record.
 */
export function filterRecords(f: Filter, records: Iterable<HDict>, cx: FilterContext = NO_REFS): HDict[] {
  let m = snapshotCache.get(f);
  if (m === undefined) {
    m = compileFilter(f, { snapshot: true });
    snapshotCache.set(f, m);
  }
  // A fresh context object per call resets the matcher's memos, so the snapshot lasts one call.
  const once: FilterContext = {
    deref: (ref) => cx.deref(ref),
    isA: cx.isA && ((d, sym) => cx.isA?.(d, sym) === true),
    isSpec: cx.isSpec && ((spec, d) => cx.isSpec?.(spec, d) === true),
  };
  const out: HDict[] = [];
  for (const r of records) if (m(r, once)) out.push(r);
  return out;
}

class Compiler implements FilterVisitor<Matcher> {
  constructor(private readonly snapshot: boolean) {}

  compile(f: Filter): Matcher {
    return visit(f, this);
  }

  has(f: Extract<Filter, { op: "has" }>): Matcher {
    // A ref list at the end of a path holds a value either way, so `has` needs no list walk.
    if (f.path.length === 1) {
      const n = f.path[0] as string;
      return (d) => d.get(n) !== undefined;
    }
    return pathMatcher(f.path, present, this.snapshot);
  }

  missing(f: Extract<Filter, { op: "missing" }>): Matcher {
    if (f.path.length === 1) {
      const n = f.path[0] as string;
      return (d) => d.get(n) === undefined;
    }
    return pathMatcher(f.path, absent, this.snapshot);
  }

  cmp(f: CmpFilter): Matcher {
    return pathMatcher(f.path, cmpTest(f.op, f.val), this.snapshot);
  }

  and(f: AndFilter): Matcher {
    const ms = this.operands(f);
    const [a, b, c] = ms;
    if (a === undefined) return () => true;
    if (ms.length === 1) return a;
    if (ms.length === 2 && b) return (d, cx) => a(d, cx) && b(d, cx);
    if (ms.length === 3 && b && c) return (d, cx) => a(d, cx) && b(d, cx) && c(d, cx);
    return (d, cx) => {
      for (let i = 0; i < ms.length; i++) if (!(ms[i] as Matcher)(d, cx)) return false;
      return true;
    };
  }

  or(f: OrFilter): Matcher {
    const ms = this.operands(f);
    const [a, b, c] = ms;
    if (a === undefined) return () => false;
    if (ms.length === 1) return a;
    if (ms.length === 2 && b) return (d, cx) => a(d, cx) || b(d, cx);
    if (ms.length === 3 && b && c) return (d, cx) => a(d, cx) || b(d, cx) || c(d, cx);
    return (d, cx) => {
      for (let i = 0; i < ms.length; i++) if ((ms[i] as Matcher)(d, cx)) return true;
      return false;
    };
  }

  isSymbol(f: Extract<Filter, { op: "isSymbol" }>): Matcher {
    const sym = f.symbol;
    const parts = sym.includes(":") ? undefined : sym.split("-");
    return (d, cx) => {
      if (cx.isA !== undefined) return cx.isA(d, sym);
      if (parts === undefined) return false;
      for (let i = 0; i < parts.length; i++) if (!d.has(parts[i] as string)) return false;
      return true;
    };
  }

  isSpec(f: Extract<Filter, { op: "isSpec" }>): Matcher {
    const spec = f.spec;
    return (d, cx) => cx.isSpec?.(spec, d) === true;
  }

  private operands(f: AndFilter | OrFilter): Matcher[] {
    const order = f.args.map((a, i) => ({ a, i, c: cost(a) }));
    order.sort((x, y) => x.c - y.c || x.i - y.i);
    return order.map((o) => this.compile(o.a));
  }
}

/**
 * Rough relative cost: each `->` hop is a dereference, far dearer than a tag lookup. Looks at most
 * a few levels down so ordering stays linear in the size of the AST.
 */
function cost(f: Filter, levels = 3): number {
  switch (f.op) {
    case "and":
    case "or": {
      if (levels === 0) return 100;
      let c = 0;
      for (const a of f.args) c += cost(a, levels - 1);
      return c;
    }
    case "isSymbol":
    case "isSpec":
      return 2;
    case "has":
    case "missing":
      return 1 + 10 * (f.path.length - 1);
    default:
      return 2 + 10 * (f.path.length - 1);
  }
}

function present(v: HVal | undefined): boolean {
  return v !== undefined && v !== null;
}

function absent(v: HVal | undefined): boolean {
  return v === undefined || v === null;
}

/**
 * Walks `path` from a record. A Ref mid-path is dereferenced through the context; a nested Dict
 * is entered directly; a DateTime answers `date`, `time` and `tz`; in a list only the Refs are
 * followed, and any of them matching is enough (Filters.fandoc "Ref lists").
 */
function pathMatcher(path: Path, test: Test, snapshot: boolean): Matcher {
  const segs = path.slice();
  const last = segs.length - 1;
  const first = segs[0] as string;
  if (last === 0) {
    return (d) => {
      const v = d.get(first);
      return Array.isArray(v) ? anyRef(v, test) || test(v) : test(v);
    };
  }
  // General walk, taken only for ref lists and DateTimes (haxall `matchesAt`).
  const at = (val: HVal | undefined, level: number, cx: FilterContext): boolean => {
    if (Array.isArray(val)) {
      for (let i = 0; i < val.length; i++) {
        const e = val[i] as HVal;
        if (kindOf(e) === "ref" && at(e, level, cx)) return true;
      }
      return level === last && test(val);
    }
    if (level === last) return test(val);
    let v: HVal | undefined = val;
    if (kindOf(v) === "ref") v = cx.deref(v as HRef);
    const next = segs[level + 1] as string;
    const k = kindOf(v);
    if (k === "dict") return at((v as HDict).get(next), level + 1, cx);
    if (k === "dateTime") {
      const dt = v as HDateTime;
      if (next === "date") return at(dt.date(), level + 1, cx);
      if (next === "time") return at(dt.time(), level + 1, cx);
      if (next === "tz") return at(dt.tz, level + 1, cx);
    }
    return test(undefined);
  };
  // Fast walk for the usual shape (single Refs and nested Dicts), with no recursion.
  const walk = (start: HVal | undefined, cx: FilterContext): boolean => {
    let v = start;
    for (let level = 0; level < last; level++) {
      const k = kindOf(v);
      let next: HDict | undefined;
      if (k === "ref") {
        next = cx.deref(v as HRef);
        if (next === undefined) return test(undefined);
      } else if (k === "dict") {
        next = v as HDict;
      } else {
        return v === undefined ? test(undefined) : at(v, level, cx);
      }
      v = next.get(segs[level + 1] as string);
    }
    return Array.isArray(v) ? at(v, last, cx) : test(v);
  };
  if (!snapshot) return (d, cx) => walk(d.get(first), cx);
  // Everything past a first-segment Ref depends only on its id and the (stable) context.
  const memo = new Map<string, boolean>();
  let memoCx: FilterContext | undefined;
  let lastId: string | undefined;
  let lastResult = false;
  return (d, cx) => {
    const v = d.get(first);
    if (kindOf(v) !== "ref") return walk(v, cx);
    const id = (v as HRef).id;
    if (cx !== memoCx) {
      memo.clear();
      memoCx = cx;
      lastId = undefined;
    } else if (id === lastId) {
      return lastResult; // records usually arrive grouped by equip, so most hits are this cheap
    }
    let r = memo.get(id);
    if (r === undefined) {
      r = walk(v, cx);
      memo.set(id, r);
    }
    lastId = id;
    lastResult = r;
    return r;
  };
}

/**
 * The `kind` of an object value, undefined for primitives and lists. Hot paths test this rather
 * than `instanceof`, which V8 makes several times dearer when the answer is no.
 */
function kindOf(v: HVal | undefined): string | undefined {
  return typeof v === "object" && v !== null ? (v as { readonly kind?: string }).kind : undefined;
}

function anyRef(list: readonly HVal[], test: Test): boolean {
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (kindOf(e) === "ref" && test(e)) return true;
  }
  return false;
}

/** The value test for a comparison, specialised on the literal's kind to skip generic dispatch. */
function cmpTest(op: CmpOp, val: HVal): Test {
  if (op === "eq") return eqTest(val);
  if (op === "ne") {
    const eq = eqTest(val);
    return (v) => v !== undefined && v !== null && !eq(v);
  }
  if (typeof val === "number") {
    const x = val;
    switch (op) {
      case "lt":
        return (v) => typeof v === "number" && v < x;
      case "le":
        return (v) => typeof v === "number" && v <= x;
      case "gt":
        return (v) => typeof v === "number" && v > x;
      default:
        return (v) => typeof v === "number" && v >= x;
    }
  }
  if (typeof val === "string") {
    const s = val;
    switch (op) {
      case "lt":
        return (v) => typeof v === "string" && v < s;
      case "le":
        return (v) => typeof v === "string" && v <= s;
      case "gt":
        return (v) => typeof v === "string" && v > s;
      default:
        return (v) => typeof v === "string" && v >= s;
    }
  }
  const accept = orderAccept(op);
  return (v) => {
    if (v === undefined || v === null) return false;
    const c = compare(v, val);
    return c !== undefined && accept(c);
  };
}

function orderAccept(op: Exclude<CmpOp, "eq" | "ne">): (c: number) => boolean {
  switch (op) {
    case "lt":
      return (c) => c < 0;
    case "le":
      return (c) => c <= 0;
    case "gt":
      return (c) => c > 0;
    default:
      return (c) => c >= 0;
  }
}

/** Equality as `equals` defines it (units must match, refs compare ids), without its dispatch. */
function eqTest(val: HVal): Test {
  if (typeof val === "string" || typeof val === "boolean") return (v) => v === val;
  if (typeof val === "number" && !Number.isNaN(val)) return (v) => v === val;
  const k = kindOf(val);
  if (k === "ref") {
    const id = (val as HRef).id;
    return (v) => kindOf(v) === "ref" && (v as HRef).id === id;
  }
  if (k === "number" && !Number.isNaN((val as HNumber).val)) {
    const { val: x, unit } = val as HNumber;
    return (v) => kindOf(v) === "number" && (v as HNumber).val === x && (v as HNumber).unit === unit;
  }
  return (v) => v !== undefined && v !== null && equals(v, val);
}
