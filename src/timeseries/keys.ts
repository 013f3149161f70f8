/**
 * Series keys as requests carry them: typed values checked against the store's declarations,
 * from query parameters (all keys for one series, any subset for a match) or a JSON object.
 */
import { SeriesError } from "../series/errors.ts";
import type { KeyDecl, KeyMatch, KeyType, KeyValue, SeriesKey } from "../series/model.ts";
import { MAX_KEY_TEXT, parseKeyValue as parseKeyText } from "../sync/attrs.ts";
import { isDate } from "../sync/datetime.ts";

function typeOk(v: unknown, type: KeyType): v is KeyValue {
  switch (type) {
    case "int":
      return typeof v === "number" && Number.isSafeInteger(v);
    case "str":
      return typeof v === "string" && v.length <= MAX_KEY_TEXT;
    case "date":
      return typeof v === "string" && isDate(v);
    case "bool":
      return typeof v === "boolean";
  }
}

/** Throws `invalid` unless `key` has one value of the right type per declared key. */
export function checkKey(key: SeriesKey, decls: readonly KeyDecl[]): void {
  if (key.length !== decls.length) {
    throw new SeriesError(
      "invalid",
      `a series is named by ${decls.length} key(s): ${decls.map((d) => d.name).join(", ")}`,
    );
  }
  decls.forEach((d, i) => {
    if (!typeOk(key[i], d.type)) throw new SeriesError("invalid", `key ${d.name} must be a ${d.type}`);
  });
}

/** A key value from query-string text (the one parser the sync endpoints use too). */
export function parseKeyValue(text: string, d: KeyDecl): KeyValue {
  return parseKeyText(d, text);
}

/** A value given as JSON (a body's `keys` object), checked against its declaration. */
export function jsonKeyValue(v: unknown, d: KeyDecl): KeyValue {
  if (typeOk(v, d.type)) return v;
  // Query strings and CSV only have text: accept the same spelling in JSON.
  if (typeof v === "string" && d.type !== "str") return parseKeyValue(v, d);
  throw new SeriesError("invalid", `key ${d.name} must be a ${d.type}`);
}

/** Every declared key from `get` (one series); a missing key is an error naming it. */
export function fullKey(get: (name: string) => string | undefined, decls: readonly KeyDecl[]): SeriesKey {
  return decls.map((d) => {
    const text = get(d.name);
    if (text === undefined)
      throw new SeriesError(
        "invalid",
        `missing key ${d.name} (this store's keys: ${decls.map((x) => x.name).join(", ")})`,
      );
    return parseKeyValue(text, d);
  });
}

/** The keys present in `get` as a match (a subset; none = every series). */
export function partialKey(get: (name: string) => string | undefined, decls: readonly KeyDecl[]): KeyMatch {
  const out: { pos: number; value: KeyValue }[] = [];
  decls.forEach((d, pos) => {
    const text = get(d.name);
    if (text !== undefined) out.push({ pos, value: parseKeyValue(text, d) });
  });
  return out;
}

/** A full key from a JSON object `{name: value}`; unknown names are refused. */
export function keyFromObject(obj: unknown, decls: readonly KeyDecl[]): SeriesKey {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
    throw new SeriesError("invalid", "keys must be an object of key names to values");
  }
  const rec = obj as Record<string, unknown>;
  for (const name of Object.keys(rec)) {
    if (!decls.some((d) => d.name === name)) throw new SeriesError("invalid", `unknown key ${name}`);
  }
  return decls.map((d) => {
    if (!(d.name in rec)) throw new SeriesError("invalid", `missing key ${d.name}`);
    return jsonKeyValue(rec[d.name], d);
  });
}

/** Key values by name, in declaration order (how responses name a series). */
export function keyObject(key: SeriesKey, decls: readonly KeyDecl[]): Record<string, KeyValue> {
  const out: Record<string, KeyValue> = {};
  decls.forEach((d, i) => {
    out[d.name] = key[i] as KeyValue;
  });
  return out;
}
