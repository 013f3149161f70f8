/**
 * A series' key on the sync wire: HoLcStore's `attrs` object (`{"version": 1, "kind": "load"}`,
 * ints as JSON numbers, dates as `"YYYY-MM-DD"`) and key filters in query parameters, both
 * checked against the store's key declarations and turned into our canonical key text.
 */
import { SeriesError } from "../series/errors.ts";
import { type KeyDecl, type KeyMatch, type KeyValue, keyOfText, keyText } from "../series/model.ts";
import { clip, isDate } from "./datetime.ts";
import { drfString } from "./drf.ts";

/** `value` checked as a value of key `decl`; `invalid` otherwise. */
function checkValue(decl: KeyDecl, value: unknown): KeyValue {
  const ok =
    decl.type === "int"
      ? Number.isSafeInteger(value)
      : decl.type === "bool"
        ? typeof value === "boolean"
        : decl.type === "date"
          ? typeof value === "string" && isDate(value)
          : typeof value === "string";
  if (!ok)
    throw new SeriesError("invalid", `attrs.${decl.name} is not a ${decl.type}: ${clip(JSON.stringify(value) ?? "")}`);
  return value as KeyValue;
}

/**
 * The canonical key text (series/model.ts keyText) of an `attrs` object that names every declared
 * key and nothing else (`ignore` names extra members to skip, e.g. `chunk_index` in pack replies).
 * @example attrsToKey({ version: 1, kind: "load" }, [{name:"kind",type:"str"},{name:"version",type:"int"}]) === '["load",1]'
 */
export function attrsToKey(attrs: unknown, keys: readonly KeyDecl[], ignore: readonly string[] = []): string {
  if (typeof attrs !== "object" || attrs === null || Array.isArray(attrs)) {
    throw new SeriesError("invalid", "attrs must be an object");
  }
  const rec = attrs as Record<string, unknown>;
  const values = keys.map((decl) => {
    if (!Object.hasOwn(rec, decl.name)) throw new SeriesError("invalid", `attrs lacks key ${decl.name}`);
    return checkValue(decl, rec[decl.name]);
  });
  for (const name of Object.keys(rec)) {
    if (!ignore.includes(name) && !keys.some((k) => k.name === name)) {
      throw new SeriesError("invalid", `attrs has a member that is not a key: ${clip(name)}`);
    }
  }
  return keyText(values);
}

/**
 * The `attrs` JSON of a stored key, members in declaration order, then `extra` members if given.
 * @example attrsJson('["load",1]', keys, [["chunk_index", 24302]]) === '{"kind":"load","version":1,"chunk_index":24302}'
 */
export function attrsJson(key: string, keys: readonly KeyDecl[], extra: readonly [string, number][] = []): string {
  const values = keyOfText(key);
  if (values.length !== keys.length) throw new SeriesError("invalid", `key ${clip(key)} does not fit the store's keys`);
  const parts = keys.map((decl, i) => {
    const v = values[i];
    const text = typeof v === "string" ? drfString(v) : String(v);
    return `${drfString(decl.name)}:${text}`;
  });
  for (const [name, n] of extra) parts.push(`${drfString(name)}:${n}`);
  return `{${parts.join(",")}}`;
}

/** Longest string key value. */
export const MAX_KEY_TEXT = 256;

/** A key value from query text, by the key's type (bools as Django reads them: true/True/t/1). */
export function parseKeyValue(decl: KeyDecl, text: string): KeyValue {
  switch (decl.type) {
    case "int": {
      const n = /^[+-]?\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
      if (!Number.isSafeInteger(n)) throw new SeriesError("invalid", `${decl.name} is not an int: ${clip(text)}`);
      return n;
    }
    case "bool":
      if (["true", "True", "t", "1"].includes(text)) return true;
      if (["false", "False", "f", "0"].includes(text)) return false;
      throw new SeriesError("invalid", `${decl.name} is not a bool: ${clip(text)}`);
    case "date":
      if (!isDate(text)) throw new SeriesError("invalid", `${decl.name} is not a YYYY-MM-DD date: ${clip(text)}`);
      return text;
    case "str":
      if (text.length > MAX_KEY_TEXT)
        throw new SeriesError("invalid", `${decl.name} is longer than ${MAX_KEY_TEXT} characters`);
      return text;
  }
}

/**
 * Key filters from query parameters (`kind=load&version=1`): every name not in `reserved` must be
 * a declared key, given once. HoLcStore hands such parameters to Django's `filter()`; we take
 * exact key matches only.
 */
export function parseKeyFilters(
  params: Iterable<[string, string]>,
  keys: readonly KeyDecl[],
  reserved: readonly string[],
): KeyMatch {
  const match: { pos: number; value: KeyValue }[] = [];
  for (const [name, text] of params) {
    if (reserved.includes(name)) continue;
    const pos = keys.findIndex((k) => k.name === name);
    if (pos < 0) throw new SeriesError("invalid", `unknown parameter: ${clip(name)}`);
    if (match.some((m) => m.pos === pos)) throw new SeriesError("invalid", `parameter given twice: ${clip(name)}`);
    match.push({ pos, value: parseKeyValue(keys[pos] as KeyDecl, text) });
  }
  return match;
}
