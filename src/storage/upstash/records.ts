/**
 * Records on Redis: each record's JSON v4 text under its own key, and the indexes a filter read
 * narrows its candidates with, kept in the same program (program.ts) as the record:
 * - `ids`: a sorted set of every id (score 0, so members sort by byte order: the port's id order);
 * - `t:<tag>`: a set of the ids having the tag;
 * - `r:<tag>:<ref id>`: a set of the ids whose tag is that Ref, or a list holding it (a filter's
 *   `tag == @id` matches both);
 * - `s:<tag>:<text>`: a set of the ids whose tag is that Str, for Strs of at most STR_INDEX_MAX
 *   characters, other than live tags (their values change with every sample).
 * Entity commits, history's curVal and point writes all go through `putRecord`, so the indexes
 * always say what the records hold.
 */
import { writeJsonValue } from "../../haystack/codec/json/index.ts";
import { type HDict, isRef } from "../../haystack/kinds/index.ts";
import { dictFromJson } from "../json-dicts.ts";
import { type Upstash, upstashCall } from "./client.ts";
import { argBytes, type Program } from "./program.ts";

/** Longest Str value with an equality index. */
export const STR_INDEX_MAX = 128;

/** Tags whose Str values follow samples and writes: never value-indexed. */
const LIVE = new Set(["curVal", "curStatus", "writeVal", "writeLevel", "curErr", "writeStatus", "writeErr"]);

export interface RecordKeys {
  rec(id: string): string;
  readonly ids: string;
  tag(name: string): string;
  ref(tag: string, id: string): string;
  str(tag: string, text: string): string;
}

export function recordKeys(base: string): RecordKeys {
  return {
    rec: (id) => `${base}:rec:${id}`,
    ids: `${base}:ids`,
    tag: (name) => `${base}:t:${name}`,
    ref: (tag, id) => `${base}:r:${tag}:${id}`,
    str: (tag, text) => `${base}:s:${tag}:${text}`,
  };
}

/** Whether `tag`'s Str value `text` has an equality index (`s:<tag>:<text>`). */
export function strIndexed(tag: string, text: string): boolean {
  return text.length <= STR_INDEX_MAX && !LIVE.has(tag);
}

/** The index sets a record's id belongs to. */
export function indexKeys(keys: RecordKeys, rec: HDict): Set<string> {
  const out = new Set<string>();
  for (const [tag, v] of rec.entries()) {
    out.add(keys.tag(tag));
    if (isRef(v)) out.add(keys.ref(tag, v.id));
    else if (typeof v === "string" && strIndexed(tag, v)) out.add(keys.str(tag, v));
    else if (Array.isArray(v)) for (const e of v) if (isRef(e)) out.add(keys.ref(tag, e.id));
  }
  return out;
}

/** A record as read: its exact stored text (what a program checks) and the dict. */
export interface StoredRecord {
  readonly text: string;
  readonly rec: HDict;
}

/** Most ids per MGET, however short: bounds the records' text coming back. */
const IDS_PER_MGET = 1000;

/** The stored records of `ids`, one slot each (undefined when absent), in request order. */
export async function readRecords(
  u: Upstash,
  keys: RecordKeys,
  ids: readonly string[],
): Promise<(StoredRecord | undefined)[]> {
  const out: (StoredRecord | undefined)[] = [];
  // Long ids or a long prefix make 1000 keys more than a request may carry: cut by bytes too.
  const budget = u.target.maxRequestBytes - 1024;
  let i = 0;
  while (i < ids.length) {
    const slice: string[] = [];
    let bytes = 0;
    while (i < ids.length && slice.length < IDS_PER_MGET) {
      const key = keys.rec(ids[i] as string);
      const b = argBytes(key);
      if (slice.length > 0 && bytes + b > budget) break;
      slice.push(key);
      bytes += b;
      i++;
    }
    const texts = await upstashCall(() => u.redis.mget<(string | null)[]>(...slice));
    for (const t of texts) out.push(t === null ? undefined : { text: t, rec: dictFromJson(t) });
  }
  return out;
}

/**
 * Adds to `p` the write of record `id` from `before` (as read; undefined: absent) to `after`
 * (undefined: removed), with its index changes, guarded by a check that the record is still
 * `before`. Returns the text written (undefined when removed).
 */
export function putRecord(
  p: Program,
  keys: RecordKeys,
  id: string,
  before: StoredRecord | undefined,
  after: HDict | undefined,
): string | undefined {
  const key = keys.rec(id);
  p.expect(key, before ? { text: before.text } : { absent: true });
  const text = after ? writeJsonValue(after) : undefined;
  if (text !== undefined) p.set(key, text);
  else p.del(key);
  const was = before ? indexKeys(keys, before.rec) : new Set<string>();
  const now = after ? indexKeys(keys, after) : new Set<string>();
  for (const k of was) if (!now.has(k)) p.srem(k, [id]);
  for (const k of now) if (!was.has(k)) p.sadd(k, [id]);
  if (!before && after) p.zadd(keys.ids, [[0, id]]);
  if (before && !after) p.zrem(keys.ids, [id]);
  return text;
}
