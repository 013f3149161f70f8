/**
 * Where a point's history and priority array live, beside its record (records.ts):
 * - `hm:<id>`: the history metadata (HisMeta as JSON): which buckets hold samples, and the newest
 *   sample's time. Every history write checks and rewrites it, so writes to one point are
 *   serialised, and removing the point deletes exactly the buckets it lists.
 * - `hb:<id>:<start>`: one sorted set per BUCKET_MS of time (score = ts ms, member his-codec.ts),
 *   so no set grows without bound however long a point records. The start is the text after the
 *   last `:`, so an id holding `:` cannot make two points' keys meet.
 * - `pa:<id>`: the priority array (priorityToJson as JSON), absent while no level holds a value.
 * - `px`: the pending level-8 expiries of the project (score = expiry ms, member = id), so
 *   `expire` finds due points without reading every array.
 */
import { type Upstash, upstashCall } from "./client.ts";

/** Width of a history bucket: 7 days, 604,800 samples at one a second. */
export const BUCKET_MS = 7 * 86_400_000;

/** The start of the bucket holding `ts`. */
export function bucketOf(ts: number): number {
  return Math.floor(ts / BUCKET_MS) * BUCKET_MS;
}

export interface PointKeys {
  hisMeta(id: string): string;
  hisBucket(id: string, start: number): string;
  array(id: string): string;
  readonly expiries: string;
}

export function pointKeys(base: string): PointKeys {
  return {
    hisMeta: (id) => `${base}:hm:${id}`,
    hisBucket: (id, start) => `${base}:hb:${id}:${start}`,
    array: (id) => `${base}:pa:${id}`,
    expiries: `${base}:px`,
  };
}

/** A point's history metadata: its buckets' starts, ascending, and its newest sample's ts. */
export interface HisMeta {
  readonly buckets: readonly number[];
  readonly newest: number;
}

export function hisMetaFromText(text: string): HisMeta {
  const m = JSON.parse(text) as Partial<HisMeta> | null;
  if (!m || !Array.isArray(m.buckets) || typeof m.newest !== "number") {
    // Only this module writes it: anything else is damage, a server error rather than the caller's.
    throw new Error(`Corrupt history metadata: ${text.slice(0, 100)}`);
  }
  return { buckets: m.buckets, newest: m.newest };
}

export function hisMetaText(m: HisMeta): string {
  return JSON.stringify({ buckets: m.buckets, newest: m.newest });
}

/** Keys per MGET: a key is ~60 bytes of request. */
const KEYS_PER_MGET = 1000;

/** The text of each key (null when absent), in request order, in MGETs of a bounded size. */
export async function getTexts(u: Upstash, keys: readonly string[]): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for (let i = 0; i < keys.length; i += KEYS_PER_MGET) {
    const slice = keys.slice(i, i + KEYS_PER_MGET);
    out.push(...(await upstashCall(() => u.redis.mget<(string | null)[]>(...slice))));
  }
  return out;
}
