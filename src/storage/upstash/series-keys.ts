/**
 * Where a series store lives in Redis (every key under the store's hash-tagged base, keys.ts), and
 * the member texts its sorted sets order by.
 *
 * - `meta`: the store's counters as JSON ({seq, lastUs, rev}); every change of the store rewrites
 *   it, so a program expecting it unchanged runs only if nothing else committed since it was read.
 *   It outlives a drop: the sequence and the clock never go back.
 * - `def`: the definition's canonical text (rules/series-plan.ts defText).
 * - chunks: `heads` (hash id -> head JSON), `chunks` (ids, score 0: by (key, chunkIndex)),
 *   `last` (live ids by chunkIndex), `feed` (ids by seq), `updates` (ids by updatedUs, ties by id,
 *   so by (updatedUs, key, chunkIndex)); a chunk's bytes under `c:<seq>`.
 * - irregular series: `vheads` (hash id -> head JSON), `versions` (ids by (key, version desc));
 *   a version's bytes under `v:<token>`.
 * - `live` (hash key -> live chunks + versions) and `keys` (the keys with any, by key text).
 * - sources: `sources` (names, by name) and `src:<name>` (the source's JSON, def and state).
 * - `graves`: tokens of dropped generations whose blobs are still being removed.
 *
 * Blob keys are named by the commit that wrote them (a chunk's seq; a version's commit time and
 * plan position), never by what they hold: both only grow, even across a drop, so a blob key is
 * written once, never changes, and is never reused. A reader that finds a head's blob gone knows
 * the chunk was rewritten or dropped meanwhile and reads the head again (series-rows.ts); the
 * cleanup of a dropped generation can never delete a blob of the store defined anew.
 */

/** The index keys of a store's data: moved aside whole when the store is dropped. */
export const INDEX_NAMES = [
  "heads",
  "chunks",
  "last",
  "feed",
  "updates",
  "vheads",
  "versions",
  "live",
  "keys",
] as const;
export type IndexName = (typeof INDEX_NAMES)[number];

export interface SeriesKeys {
  readonly base: string;
  readonly meta: string;
  readonly def: string;
  readonly index: Readonly<Record<IndexName, string>>;
  readonly sources: string;
  readonly graves: string;
  source(name: string): string;
  chunkBlob(seq: number): string;
  seriesBlob(token: string): string;
  /** The index keys of a dropped generation `token`. */
  grave(token: string): Readonly<Record<IndexName, string>>;
}

export function seriesKeys(base: string): SeriesKeys {
  const indexAt = (prefix: string) =>
    Object.fromEntries(INDEX_NAMES.map((n) => [n, `${prefix}:${n}`])) as Record<IndexName, string>;
  return {
    base,
    meta: `${base}:meta`,
    def: `${base}:def`,
    index: indexAt(`${base}:i`),
    sources: `${base}:sources`,
    graves: `${base}:graves`,
    source: (name) => `${base}:src:${name}`,
    chunkBlob: (seq) => `${base}:c:${seq}`,
    seriesBlob: (token) => `${base}:v:${token}`,
    grave: (token) => indexAt(`${base}:gone:${token}`),
  };
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Between a key's text and its number in a member. Key texts are JSON (series/model.ts keyText),
 * which escapes every control character, so U+0001 never occurs in one; and no key text is a
 * prefix of another (each is a whole JSON array), so members sort by key text first.
 */
const SEP = "\u0001";
/** U+0002: above SEP, so `(key + END` bounds every member of `key` from above. */
const END = "\u0002";

/** 8 hex digits, in the order of `n` over the int32 range (chunk indexes may be negative). */
function ordered(n: number): string {
  return (n - INT32_MIN).toString(16).padStart(8, "0");
}

/** A chunk's member: by (key, chunkIndex). */
export function chunkId(key: string, chunkIndex: number): string {
  return `${key}${SEP}${ordered(chunkIndex)}`;
}

/** A version's member: by (key, version descending). */
export function versionId(key: string, version: number): string {
  return `${key}${SEP}${(INT32_MAX - version).toString(16).padStart(8, "0")}`;
}

/** The key text and number of a chunk member. */
export function parseChunkId(id: string): { readonly key: string; readonly n: number } {
  return { key: id.slice(0, -9), n: Number.parseInt(id.slice(-8), 16) + INT32_MIN };
}

/** The key text and version of a version member. */
export function parseVersionId(id: string): { readonly key: string; readonly n: number } {
  return { key: id.slice(0, -9), n: INT32_MAX - Number.parseInt(id.slice(-8), 16) };
}

/** ZRANGE BYLEX bounds of every member of `key`. */
export function keyRange(key: string): readonly [string, string] {
  return [`[${key}${SEP}`, `(${key}${END}`];
}

/** The nearest int32 (ranges asked with wider bounds than any index are clamped to what exists). */
export function clampInt32(n: number): number {
  return Math.min(INT32_MAX, Math.max(INT32_MIN, n));
}
