/**
 * What a filter may ask of the outside world while matching (haxall's HaystackContext): only
 * resolving refs for `->` paths, and optionally def/spec knowledge. Storage back ends implement it.
 */
import { type HDict, type HRef, isRef } from "../kinds/index.ts";

export interface FilterContext {
  /** The record a Ref points at, or undefined when unknown (the path then ends: no value). */
  deref(ref: HRef): HDict | undefined;
  /**
   * `^symbol` with a def namespace (subtypes count). Without it, a symbol matches a dict that has
   * every tag its conjunct parts name (haxall's no-namespace inference).
   */
  isA?(d: HDict, symbol: string): boolean;
  /** Xeto spec membership for `Spec`/`lib::Spec`. Without it, no dict is an instance of any spec. */
  isSpec?(spec: string, d: HDict): boolean;
}

/** A context that resolves nothing: `->` only paths through nested dicts and DateTimes. */
export const NO_REFS: FilterContext = Object.freeze({ deref: () => undefined });

/**
 * A context over an in-memory record set, keyed by each record's `id` Ref (records without one
 * are skipped). Later records win on duplicate ids.
 */
export function recordContext(records: Iterable<HDict>): FilterContext {
  const byId = new Map<string, HDict>();
  for (const r of records) {
    const id = r.get("id");
    if (isRef(id)) byId.set(id.id, r);
  }
  return mapContext(byId);
}

/** A context over a map from ref id (no `@`) to record; the map is used as is, not copied. */
export function mapContext(byId: ReadonlyMap<string, HDict>): FilterContext {
  return {
    deref(ref: HRef): HDict | undefined {
      return byId.get(ref.id);
    },
  };
}
