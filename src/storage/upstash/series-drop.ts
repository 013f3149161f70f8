/**
 * Dropping a series store on Redis. One program moves the store's index keys aside under a grave
 * token (RENAME is O(1) however big they are), deletes the definition and the sources, and bumps
 * `meta`, so the drop is one atomic step: readers and writers see the store whole or gone, and a
 * store defined anew starts empty at once. Then the dropped generation's blobs and indexes are
 * removed in bounded requests (HSCAN pages of heads, UNLINK of their blob keys); a drop cut off
 * midway leaves its token in `graves`, and the next drop finishes the sweep.
 *
 * `meta` stays (its seq and clock never go back, series-meta.ts), so it is the one key a dropped
 * store keeps.
 */
import type { Upstash } from "./client.ts";
import { upstashCall } from "./client.ts";
import { optimistic, Program } from "./program.ts";
import { parseChunkHead, parseSeriesHead } from "./series-blobs.ts";
import { INDEX_NAMES, type SeriesKeys } from "./series-keys.ts";
import { eachRun, PAGE, redisCall } from "./series-load.ts";
import { metaText, parseMeta } from "./series-meta.ts";
import { as } from "./series-sources.ts";

function token(): string {
  const b = crypto.getRandomValues(new Uint8Array(8));
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

export async function dropStore(u: Upstash, k: SeriesKeys): Promise<void> {
  await optimistic(u, async () => {
    const [meta, def] = await redisCall<(string | null)[]>(u, ["MGET", k.meta, k.def]);
    const names = await redisCall<string[]>(u, ["ZRANGE", k.sources, "-", "+", "BYLEX"]);
    const pipe = u.redis.pipeline();
    for (const n of INDEX_NAMES) pipe.exists(k.index[n]);
    const exists = await upstashCall(() => pipe.exec<number[]>());
    const present = INDEX_NAMES.filter((_, i) => Number(exists[i]) > 0);
    const program = new Program();
    if ((def ?? null) === null && present.length === 0 && names.length === 0) {
      return { program, answer: () => undefined };
    }
    // Only keys that exist are renamed (RENAME of a missing key would fail the script midway);
    // every change that creates or removes one rewrites `meta`, which the program expects.
    const m = parseMeta(meta ?? null);
    program.expect(k.meta, as(meta ?? null)).del(k.def);
    if (present.length > 0) {
      const t = token();
      const grave = k.grave(t);
      for (const n of present) program.renameStaged(grave[n], k.index[n]);
      program.sadd(k.graves, [t]);
    }
    for (const n of names) program.del(k.source(n));
    program.del(k.sources).set(k.meta, metaText({ ...m, rev: m.rev + 1 }));
    return { program, answer: () => undefined };
  });
  await sweepGraves(u, k);
}

/** Removes every dropped generation's blobs, then its indexes, in bounded requests. */
async function sweepGraves(u: Upstash, k: SeriesKeys): Promise<void> {
  const tokens = await redisCall<string[]>(u, ["SMEMBERS", k.graves]);
  for (const t of tokens) {
    const g = k.grave(t);
    await sweepBlobs(u, g.heads, (v) => {
      const h = parseChunkHead(v);
      return h.bytes > 0 ? k.chunkBlob(h.seq) : null;
    });
    await sweepBlobs(u, g.vheads, (v) => {
      const h = parseSeriesHead(v);
      return h.indexBytes + h.valuesBytes > 0 ? k.seriesBlob(h.token) : null;
    });
    // UNLINK frees big keys off Redis's main thread.
    await redisCall(u, ["UNLINK", ...INDEX_NAMES.map((n) => g[n])]);
    await redisCall(u, ["SREM", k.graves, t]);
  }
}

async function sweepBlobs(u: Upstash, heads: string, blobOf: (head: string) => string | null): Promise<void> {
  let cursor = "0";
  do {
    const [next, flat] = await redisCall<[string, string[]]>(u, ["HSCAN", heads, cursor, "COUNT", PAGE]);
    const blobs: string[] = [];
    for (let i = 1; i < flat.length; i += 2) {
      const b = blobOf(flat[i] as string);
      if (b !== null) blobs.push(b);
    }
    await eachRun(u, ["UNLINK"], blobs);
    cursor = String(next);
  } while (cursor !== "0");
}
