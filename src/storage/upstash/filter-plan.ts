/**
 * A filter as set algebra over the record indexes (records.ts): a plan whose ids are a SUPERSET of
 * the records the filter matches. The read (filter-read.ts) evaluates every candidate exactly, so
 * a plan may always answer more than the filter does, never less; where unsure it says `all`.
 *
 * How each node narrows, following the evaluator (haystack/filter/eval.ts):
 * - `x`, `x <op> v`, `x->...`: only records having tag `x` can match (a path starts at `x`: without
 *   it every test sees no value, which only `missing` accepts) → `t:x`.
 * - `x == @id` → `r:x:id` (a Ref, or a list holding it: both match); `x == "s"` → `s:x:s` when
 *   Strs like it are indexed (records.ts strIndexed).
 * - `missing x` → every record but `t:x` (null tags are absent, so this is exact); alone it cannot
 *   narrow, inside an `and` it subtracts. `missing x->...` → `all` (no first hop also matches).
 * - `and` → the intersection of its narrowing operands; `or` → the union when all narrow.
 * - `^a-b` without a namespace → the records with every tag `a`, `b` (interpret.ts symbolHasTerm);
 *   `^lib:x` and xeto specs match nothing without a namespace.
 */
import type {
  AndFilter,
  CmpFilter,
  Filter,
  FilterVisitor,
  HasFilter,
  IsSpecFilter,
  IsSymbolFilter,
  MissingFilter,
  OrFilter,
} from "../../haystack/filter/index.ts";
import { visit } from "../../haystack/filter/index.ts";
import { isRef } from "../../haystack/kinds/index.ts";
import { type RecordKeys, strIndexed } from "./records.ts";

/** Set algebra over index keys. `inter`/`union` hold two or more narrowing plans. */
export type Plan =
  | { readonly kind: "all" }
  | { readonly kind: "none" }
  | { readonly kind: "key"; readonly key: string }
  | { readonly kind: "inter"; readonly of: readonly Plan[] }
  | { readonly kind: "union"; readonly of: readonly Plan[] }
  /** `from` without the ids of the `minus` sets. */
  | { readonly kind: "diff"; readonly from: Plan; readonly minus: readonly string[] };

/** A plan that narrows: neither `all` nor `none`. */
export type NarrowPlan = Exclude<Plan, { kind: "all" } | { kind: "none" }>;

/** What a node compiles to before its parent sees it: a plan, or "every record but `key`". */
type Term = Plan | { readonly kind: "without"; readonly key: string };

const ALL: Plan = { kind: "all" };
const NONE: Plan = { kind: "none" };

/** The candidate plan of `f` over the indexes `keys` names. */
export function planFilter(f: Filter, keys: RecordKeys): Plan {
  const t = visit(f, new Planner(keys));
  return t.kind === "without" ? ALL : t;
}

/** The index keys a plan reads, each once, in first-seen order. */
export function planKeys(p: Plan): string[] {
  const out = new Set<string>();
  const walk = (q: Plan): void => {
    if (q.kind === "key") out.add(q.key);
    else if (q.kind === "inter" || q.kind === "union") for (const c of q.of) walk(c);
    else if (q.kind === "diff") {
      walk(q.from);
      for (const k of q.minus) out.add(k);
    }
  };
  walk(p);
  return [...out];
}

/** A stable text of a plan, for deduplicating operands (and for tests to read). */
export function planText(p: Plan): string {
  switch (p.kind) {
    case "all":
    case "none":
      return p.kind;
    case "key":
      return JSON.stringify(p.key);
    case "inter":
    case "union":
      return `${p.kind}(${p.of.map(planText).join(",")})`;
    case "diff":
      return `diff(${planText(p.from)},${p.minus.map((k) => JSON.stringify(k)).join(",")})`;
  }
}

class Planner implements FilterVisitor<Term> {
  constructor(private readonly keys: RecordKeys) {}

  has(f: HasFilter): Term {
    return this.tag(f.path[0]);
  }

  missing(f: MissingFilter): Term {
    const first = f.path[0];
    return f.path.length === 1 && first !== undefined ? { kind: "without", key: this.keys.tag(first) } : ALL;
  }

  cmp(f: CmpFilter): Term {
    const tag = f.path[0];
    if (tag === undefined) return ALL;
    if (f.path.length === 1 && f.op === "eq") {
      const v = f.val;
      if (isRef(v)) return { kind: "key", key: this.keys.ref(tag, v.id) };
      if (typeof v === "string" && strIndexed(tag, v)) return { kind: "key", key: this.keys.str(tag, v) };
    }
    return this.tag(tag);
  }

  and(f: AndFilter): Term {
    const narrow: Plan[] = [];
    const minus: string[] = [];
    for (const a of f.args) {
      const t = visit(a, this);
      if (t.kind === "none") return NONE;
      if (t.kind === "all") continue;
      if (t.kind === "without") minus.push(t.key);
      else if (t.kind === "inter") narrow.push(...t.of);
      else narrow.push(t);
    }
    const base = combine("inter", narrow);
    if (base.kind === "all") {
      // Only `missing` terms: one is still exactly "all but t:x"; more cannot be said as one set.
      return minus.length === 1 && narrow.length === 0 ? { kind: "without", key: minus[0] as string } : ALL;
    }
    if (minus.length === 0) return base;
    return { kind: "diff", from: base, minus: [...new Set(minus)] };
  }

  or(f: OrFilter): Term {
    const narrow: Plan[] = [];
    for (const a of f.args) {
      const t = visit(a, this);
      if (t.kind === "all" || t.kind === "without") return ALL;
      if (t.kind === "none") continue;
      if (t.kind === "union") narrow.push(...t.of);
      else narrow.push(t);
    }
    return narrow.length === 0 ? NONE : combine("union", narrow);
  }

  isSymbol(f: IsSymbolFilter): Term {
    // With no def namespace, eval.ts matches `^a-b` by the tags `a` and `b`; `^lib:x` never.
    if (f.symbol.includes(":")) return NONE;
    return combine(
      "inter",
      f.symbol.split("-").map((part) => ({ kind: "key", key: this.keys.tag(part) })),
    );
  }

  isSpec(_f: IsSpecFilter): Term {
    // The store's context knows no xeto specs, so no record is an instance of one (eval.ts).
    return NONE;
  }

  private tag(name: string | undefined): Term {
    return name === undefined ? ALL : { kind: "key", key: this.keys.tag(name) };
  }
}

/** `inter`/`union` of narrowing plans, each once; a single one stands for itself; none: `all`. */
function combine(kind: "inter" | "union", plans: readonly Plan[]): Plan {
  const seen = new Map<string, Plan>();
  for (const p of plans) seen.set(planText(p), p);
  const of = [...seen.values()];
  if (of.length === 0) return ALL;
  if (of.length === 1) return of[0] as Plan;
  return { kind, of };
}
