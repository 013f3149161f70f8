/**
 * The reads of a series store on Redis: by series, scans with partial keys, and the two sync
 * listings. Partial-key matches are evaluated here over key texts (series/model.ts keyMatches:
 * JSON values compared by type and value, as Postgres's jsonb equality does), walking the
 * indexes in pages of PAGE members, so every request and reply stays bounded however large the
 * store; a selective match over a large store costs pages, not memory.
 *
 * Pages taken across several requests are not one snapshot: a commit landing mid-scan may or may
 * not show in it, as with any read not inside `write`. Rows are never torn (series-load.ts) and
 * the feed never serves a change out of seq order.
 */
import { type KeyMatch, keyMatches, keyOfText } from "../../series/model.ts";
import { checkFrom, checkMatch, checkPage } from "../rules/series-plan.ts";
import type { After, ChunkHead, SeriesReads, StoredChunk, StoredSeries } from "../series-port.ts";
import type { Upstash } from "./client.ts";
import {
  chunkId,
  clampInt32,
  keyRange,
  parseChunkId,
  parseVersionId,
  type SeriesKeys,
  versionId,
} from "./series-keys.ts";
import { lexAll, loadChunkHeads, loadChunks, loadSeries, PAGE, redisCall } from "./series-load.ts";
import { parseMeta } from "./series-meta.ts";

/** A match over key texts, each parsed once. */
function matcher(match: KeyMatch): (key: string) => boolean {
  checkMatch(match);
  if (match.length === 0) return () => true;
  const seen = new Map<string, boolean>();
  return (key) => {
    let ok = seen.get(key);
    if (ok === undefined) {
      ok = keyMatches(keyOfText(key), match);
      seen.set(key, ok);
    }
    return ok;
  };
}

/** (member, score) pairs from a WITHSCORES reply. */
function pairs(flat: readonly string[]): [string, number][] {
  const out: [string, number][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i] as string, Number(flat[i + 1])]);
  return out;
}

/** The inclusive int32 bounds of [from, to], or null when no index can be in it. */
function indexBounds(from: number, to: number): [number, number] | null {
  const lo = Math.ceil(from);
  const hi = Math.floor(to);
  if (!(lo <= hi) || lo > 2 ** 31 - 1 || hi < -(2 ** 31)) return null;
  return [clampInt32(lo), clampInt32(hi)];
}

export class UpstashSeriesReads implements SeriesReads {
  constructor(
    protected readonly u: Upstash,
    protected readonly k: SeriesKeys,
  ) {}

  /**
   * Walks the lex sorted set `zset` from `min` in pages, offering each member to `take`, until
   * `take` says it has enough (returns false) or the set ends.
   */
  protected async walkLex(zset: string, min: string, take: (member: string) => boolean): Promise<void> {
    let lo = min;
    for (;;) {
      const page = await redisCall<string[]>(this.u, ["ZRANGE", zset, lo, "+", "BYLEX", "LIMIT", 0, PAGE]);
      for (const m of page) if (!take(m)) return;
      if (page.length < PAGE) return;
      lo = `(${page[page.length - 1]}`;
    }
  }

  async chunks(key: string, from: number, to: number): Promise<StoredChunk[]> {
    const b = indexBounds(from, to);
    if (!b) return [];
    const ids = await lexAll(this.u, this.k.index.chunks, `[${chunkId(key, b[0])}`, `[${chunkId(key, b[1])}`);
    return loadChunks(this.u, this.k, ids);
  }

  async hasSeries(key: string): Promise<boolean> {
    const n = await redisCall<string | null>(this.u, ["HGET", this.k.index.live, key]);
    return Number(n ?? 0) > 0;
  }

  async series(key: string, version?: number): Promise<StoredSeries[]> {
    if (version !== undefined) {
      if (!Number.isSafeInteger(version) || version < 0 || version > 2 ** 31 - 1) return [];
      return loadSeries(this.u, this.k, [versionId(key, version)]);
    }
    const [min, max] = keyRange(key);
    return loadSeries(this.u, this.k, await lexAll(this.u, this.k.index.versions, min, max));
  }

  async maxVersion(key: string): Promise<number> {
    const [min, max] = keyRange(key);
    const [top] = await redisCall<string[]>(this.u, [
      "ZRANGE",
      this.k.index.versions,
      min,
      max,
      "BYLEX",
      "LIMIT",
      0,
      1,
    ]);
    return top === undefined ? -1 : parseVersionId(top).n;
  }

  async chunk(key: string, chunkIndex: number): Promise<StoredChunk | null> {
    if (indexBounds(chunkIndex, chunkIndex) === null || !Number.isInteger(chunkIndex)) return null;
    const [c] = await loadChunks(this.u, this.k, [chunkId(key, chunkIndex)]);
    return c ?? null;
  }

  async sequence(): Promise<number> {
    return parseMeta(await redisCall<string | null>(this.u, ["GET", this.k.meta])).seq;
  }

  async keys(match: KeyMatch, after: string | null, limit: number): Promise<string[]> {
    checkPage(limit);
    const ok = matcher(match);
    const out: string[] = [];
    if (limit === 0) return out;
    await this.walkLex(this.k.index.keys, after === null ? "-" : `(${after}`, (key) => {
      if (ok(key)) out.push(key);
      return out.length < limit;
    });
    return out;
  }

  async scanChunks(
    match: KeyMatch,
    from: number,
    to: number,
    after: After | null,
    limit: number,
  ): Promise<StoredChunk[]> {
    checkPage(limit);
    checkFrom("from", from);
    checkFrom("to", to);
    const ok = matcher(match);
    const b = indexBounds(from, to);
    const out: StoredChunk[] = [];
    if (limit === 0 || !b) return out;
    let min = after === null ? "-" : `(${chunkId(after.key, clampInt32(after.n))}`;
    // Candidates by member alone, then their heads: a tombstone is only known from its head.
    while (out.length < limit) {
      const need = limit - out.length;
      const want: string[] = [];
      let last: string | undefined;
      let full = false;
      await this.walkLex(this.k.index.chunks, min, (id) => {
        last = id;
        const { key, n } = parseChunkId(id);
        if (n >= b[0] && n <= b[1] && ok(key)) want.push(id);
        full = want.length >= need;
        return !full;
      });
      for (const c of await loadChunks(this.u, this.k, want)) if (!c.deleted) out.push(c);
      // Not full: the walk reached the end of the set.
      if (!full || last === undefined) break;
      min = `(${last}`;
    }
    return out;
  }

  async lastChunk(match: KeyMatch): Promise<StoredChunk | null> {
    const ok = matcher(match);
    // Highest index first; among equal indexes Redis gives members in reverse order, and the
    // port wants the lowest key: the last matching member of the best score.
    let best: { id: string; score: number } | null = null;
    for (let offset = 0; ; offset += PAGE) {
      const page = pairs(
        await redisCall<string[]>(this.u, [
          "ZRANGE",
          this.k.index.last,
          "+inf",
          "-inf",
          "BYSCORE",
          "REV",
          "LIMIT",
          offset,
          PAGE,
          "WITHSCORES",
        ]),
      );
      for (const [id, score] of page) {
        if (best !== null && score < best.score) return this.#one(best.id);
        if (ok(parseChunkId(id).key)) best = { id, score };
      }
      if (page.length < PAGE) return best === null ? null : this.#one(best.id);
    }
  }

  async #one(id: string): Promise<StoredChunk | null> {
    const [c] = await loadChunks(this.u, this.k, [id]);
    return c && !c.deleted ? c : null;
  }

  async scanSeries(match: KeyMatch, allVersions: boolean, after: After | null, limit: number): Promise<StoredSeries[]> {
    checkPage(limit);
    const ok = matcher(match);
    if (limit === 0) return [];
    const ids: string[] = [];
    // Newest only: the first member of each key is its newest version.
    let lastKey = after?.key;
    const min = after === null ? "-" : `(${versionId(after.key, Math.max(0, clampInt32(after.n)))}`;
    await this.walkLex(this.k.index.versions, min, (id) => {
      const { key } = parseVersionId(id);
      if (!allVersions && key === lastKey) return true;
      lastKey = key;
      if (ok(key)) ids.push(id);
      return ids.length < limit;
    });
    return loadSeries(this.u, this.k, ids);
  }

  async feed(after: number, limit: number, match: KeyMatch, withData: boolean): Promise<(StoredChunk | ChunkHead)[]> {
    checkPage(limit);
    checkFrom("after", after);
    const ok = matcher(match);
    const out: (StoredChunk | ChunkHead)[] = [];
    let min = `(${after}`;
    while (out.length < limit) {
      const page = pairs(
        await redisCall<string[]>(this.u, [
          "ZRANGE",
          this.k.index.feed,
          min,
          "+inf",
          "BYSCORE",
          "LIMIT",
          0,
          PAGE,
          "WITHSCORES",
        ]),
      );
      if (page.length === 0) break;
      const want: [string, number][] = [];
      let lastScore = after;
      for (const [id, score] of page) {
        lastScore = score;
        if (ok(parseChunkId(id).key)) want.push([id, score]);
        if (want.length >= limit - out.length) break;
      }
      const ids = want.map(([id]) => id);
      const rows = withData ? await loadChunks(this.u, this.k, ids) : await loadChunkHeads(this.u, this.k, ids);
      const seqOf = new Map(want);
      // A chunk rewritten since the page was read is served at its new seq, later.
      for (const r of rows) {
        if (seqOf.get(chunkId(r.key, r.chunkIndex)) === r.seq) out.push(r);
      }
      min = `(${lastScore}`;
      if (page.length < PAGE && lastScore === page[page.length - 1]?.[1]) break;
    }
    return out;
  }

  async updates(
    sinceUs: number,
    limit: number,
    offset: number,
    match: KeyMatch,
  ): Promise<{ count: number; rows: ChunkHead[] }> {
    checkPage(limit, offset);
    checkFrom("since", sinceUs);
    const ok = matcher(match);
    const z = this.k.index.updates;
    let count = 0;
    let ids: string[] = [];
    if (match.length === 0) {
      count = await redisCall<number>(this.u, ["ZCOUNT", z, sinceUs, "+inf"]);
      if (limit > 0 && offset < count) {
        ids = await redisCall<string[]>(this.u, ["ZRANGE", z, sinceUs, "+inf", "BYSCORE", "LIMIT", offset, limit]);
      }
    } else {
      // Every matching member counts: walk them all, keeping the page's.
      for (let at = 0; ; at += PAGE) {
        const page = await redisCall<string[]>(this.u, ["ZRANGE", z, sinceUs, "+inf", "BYSCORE", "LIMIT", at, PAGE]);
        for (const id of page) {
          if (!ok(parseChunkId(id).key)) continue;
          if (count >= offset && count < offset + limit) ids.push(id);
          count++;
        }
        if (page.length < PAGE) break;
      }
    }
    return { count: Number(count), rows: await loadChunkHeads(this.u, this.k, ids) };
  }
}
