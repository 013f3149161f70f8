/**
 * Filter AST (Filters.fandoc). Plain data, so it can be printed, evaluated in memory, and compiled
 * to SQL or Redis index operations through a `FilterVisitor`.
 */
import type { HVal } from "../kinds/index.ts";

/** A tag path: `siteRef->geoCity` is ["siteRef", "geoCity"]; each `->` dereferences a Ref. */
export type Path = readonly string[];

export type CmpOp = "eq" | "ne" | "lt" | "le" | "gt" | "ge";

export type Filter =
  | { readonly op: "has"; readonly path: Path }
  | { readonly op: "missing"; readonly path: Path }
  | { readonly op: CmpOp; readonly path: Path; readonly val: HVal }
  | { readonly op: "and"; readonly args: readonly Filter[] }
  | { readonly op: "or"; readonly args: readonly Filter[] }
  /** `^name`: the entity implements a def (haxall extension; matched by the symbol's marker tags). */
  | { readonly op: "isSymbol"; readonly symbol: string }
  /** Xeto spec name (`Rtu`, `ph::Equip`): needs a namespace; nothing matches without one. */
  | { readonly op: "isSpec"; readonly spec: string };

export type HasFilter = Extract<Filter, { op: "has" }>;
export type MissingFilter = Extract<Filter, { op: "missing" }>;
export type CmpFilter = Extract<Filter, { op: CmpOp }>;
export type AndFilter = Extract<Filter, { op: "and" }>;
export type OrFilter = Extract<Filter, { op: "or" }>;
export type IsSymbolFilter = Extract<Filter, { op: "isSymbol" }>;
export type IsSpecFilter = Extract<Filter, { op: "isSpec" }>;

/** One method per node type; `visit` dispatches. Back ends (SQL, Redis) implement this. */
export interface FilterVisitor<R> {
  has(f: HasFilter): R;
  missing(f: MissingFilter): R;
  cmp(f: CmpFilter): R;
  and(f: AndFilter): R;
  or(f: OrFilter): R;
  isSymbol(f: IsSymbolFilter): R;
  isSpec(f: IsSpecFilter): R;
}

export function visit<R>(f: Filter, v: FilterVisitor<R>): R {
  switch (f.op) {
    case "has":
      return v.has(f);
    case "missing":
      return v.missing(f);
    case "and":
      return v.and(f);
    case "or":
      return v.or(f);
    case "isSymbol":
      return v.isSymbol(f);
    case "isSpec":
      return v.isSpec(f);
    default:
      return v.cmp(f);
  }
}

/** Bounds for the filter parser (HTTP layer passes configured values). */
export interface FilterLimits {
  /** Longest filter text in characters (default 64 KiB). */
  readonly maxLength?: number;
  /** Deepest nesting of parentheses/and/or (default 64). */
  readonly maxDepth?: number;
  /** Most leaf terms (default 1,000). */
  readonly maxTerms?: number;
  /** Most `->` hops in one path (default 8, DEFAULT_MAX_FILTER_HOPS). */
  readonly maxHops?: number;
}
