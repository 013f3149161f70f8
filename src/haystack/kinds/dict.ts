import type { HVal } from "./value.ts";

type Tags = Record<string, HVal>;

/**
 * Tag storage. `Object.create(null)` objects start in V8's slow dictionary mode (about 3x slower
 * lookups, measured); instances of a constructor whose prototype has no prototype stay in fast
 * mode and still cannot see `constructor`, `toString` or `__proto__` through a tag lookup.
 */
const TagStore = function TagStore() {} as unknown as new () => Tags;
Object.setPrototypeOf(TagStore.prototype, null);
delete (TagStore.prototype as { constructor?: unknown }).constructor;

/** A fresh, empty, prototype-free tag object for building a dict with `HDict.unsafeOf`. */
export function newTags(): Tags {
  return new TagStore();
}

/**
 * An immutable dict of tags. Null values are absent tags (Haystack has no null-valued tag), so
 * `get` returns undefined for both. Built from a plain object with `dict({...})`.
 */
export class HDict {
  readonly kind = "dict" as const;
  static readonly EMPTY: HDict = new HDict(newTags());

  private constructor(private readonly tags: Tags) {}

  /** Takes ownership of `tags`: the caller must not keep or mutate it, and it must hold no nulls. */
  static unsafeOf(tags: Tags): HDict {
    return new HDict(tags);
  }

  /** Builds a dict from a plain object or entries, dropping null and undefined values. */
  static of(tags: Readonly<Record<string, HVal | undefined>> | Iterable<readonly [string, HVal | undefined]>): HDict {
    const out = newTags();
    const entries =
      Symbol.iterator in tags ? (tags as Iterable<readonly [string, HVal | undefined]>) : Object.entries(tags);
    let any = false;
    for (const [k, v] of entries) {
      if (v !== null && v !== undefined) {
        out[k] = v;
        any = true;
      }
    }
    return any ? new HDict(out) : HDict.EMPTY;
  }

  get(name: string): HVal | undefined {
    return this.tags[name];
  }

  has(name: string): boolean {
    return this.tags[name] !== undefined;
  }

  /** Tag names in insertion order. */
  names(): string[] {
    return Object.keys(this.tags);
  }

  entries(): [string, HVal][] {
    return Object.entries(this.tags);
  }

  get size(): number {
    return Object.keys(this.tags).length;
  }

  isEmpty(): boolean {
    for (const _ in this.tags) return false;
    return true;
  }

  /** A read-only view of the tags (no copy). */
  toObject(): Readonly<Tags> {
    return this.tags;
  }

  /** A new dict with `name` set (or removed when `val` is null/undefined). */
  with(name: string, val: HVal | undefined): HDict {
    const out = Object.assign(newTags(), this.tags);
    if (val === null || val === undefined) delete out[name];
    else out[name] = val;
    return new HDict(out);
  }

  /** A new dict with these tags merged over this one's (null values remove). */
  merge(changes: Readonly<Record<string, HVal | undefined>>): HDict {
    const out = Object.assign(newTags(), this.tags);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === undefined) delete out[k];
      else out[k] = v;
    }
    return new HDict(out);
  }

  toString(): string {
    return `{${this.names().join(" ")}}`;
  }
}

/** Shorthand for `HDict.of`. */
export function dict(tags: Readonly<Record<string, HVal | undefined>> = {}): HDict {
  return HDict.of(tags);
}
