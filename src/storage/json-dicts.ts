/**
 * Records as they cross the Durable Object boundary and sit in storage (SQLite, JSONB): JSON v4
 * text. Every backend decodes records here, so each comes out in the one tag order of
 * tag-order.ts whatever order its text holds.
 */
import { readJsonValue } from "../haystack/codec/json/index.ts";
import { type HDict, isDict } from "../haystack/kinds/index.ts";
import { inTagOrder } from "./tag-order.ts";

/** One record from its JSON v4 text; throws when the text is not a dict. */
export function dictFromJson(text: string): HDict {
  const v = readJsonValue(text);
  if (!isDict(v)) throw new TypeError("expected a JSON v4 dict");
  return inTagOrder(v);
}

/** A list of records from JSON v4 text; throws when the text is not a list of dicts. */
export function dictsFromJson(text: string): HDict[] {
  const v = readJsonValue(text);
  if (!Array.isArray(v) || !v.every(isDict)) throw new TypeError("expected a JSON v4 list of dicts");
  return (v as HDict[]).map(inTagOrder);
}
