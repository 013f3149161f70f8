/**
 * Loading chunks and versions by member: heads in HMGET batches, then their blobs in MGET batches
 * bounded by size. Heads and blobs are separate reads, so a commit may land between them; since a
 * blob key is never rewritten (series-keys.ts), the only thing that can happen is that a head's
 * blob is gone, and then the head is read again (rewritten: the new one; dropped: none).
 */
import { StoreError } from "../errors.ts";
import type { ChunkHead, StoredChunk, StoredSeries } from "../series-port.ts";
import { type Upstash, upstashCall } from "./client.ts";
import { argBytes } from "./program.ts";
import {
  b64Length,
  type ChunkHeadRow,
  fromB64,
  parseChunkHead,
  parseSeriesHead,
  type SeriesHeadRow,
} from "./series-blobs.ts";
import { parseChunkId, parseVersionId, type SeriesKeys } from "./series-keys.ts";

/** One raw command (the typed wrappers reshape replies; we want Redis's own). */
export function redisCall<T>(u: Upstash, args: readonly (string | number)[]): Promise<T> {
  const [cmd, ...rest] = args;
  return upstashCall(() => u.redis.exec<T>([String(cmd), ...rest]));
}

/** Members per HMGET/ZRANGE page: ~100 bytes each of request and reply. */
export const PAGE = 1000;
/** Base64 characters per MGET of blobs: a reply well under any Worker's memory. */
const BLOB_REPLY_CHARS = 8 * 1024 * 1024;
/** Rounds of re-reading heads whose blobs vanished, before calling the store too busy. */
const REREADS = 8;

/**
 * `items` cut into runs for one command each: at most `most` items (PAGE: a bounded reply) and,
 * with the command's other arguments, under the request bound (keys and members can be long).
 */
export function requestRuns(u: Upstash, items: readonly string[], most = PAGE): string[][] {
  const room = u.target.maxRequestBytes - 4096;
  const out: string[][] = [];
  let run: string[] = [];
  let bytes = 0;
  for (const it of items) {
    const b = argBytes(it);
    if (run.length > 0 && (run.length >= most || bytes + b > room)) {
      out.push(run);
      run = [];
      bytes = 0;
    }
    run.push(it);
    bytes += b;
  }
  if (run.length > 0) out.push(run);
  return out;
}

/** `cmd` over `items` in request runs (requestRuns), replies concatenated in order. */
export async function overRuns<T>(
  u: Upstash,
  head: readonly string[],
  items: readonly string[],
  most = PAGE,
): Promise<T[]> {
  const out: T[] = [];
  for (const run of requestRuns(u, items, most)) out.push(...(await redisCall<T[]>(u, [...head, ...run])));
  return out;
}

/** `cmd` over `items` in request runs, for commands whose replies are counts (DEL, UNLINK). */
export async function eachRun(u: Upstash, head: readonly string[], items: readonly string[]): Promise<void> {
  for (const run of requestRuns(u, items)) await redisCall<number>(u, [...head, ...run]);
}

/** HMGET of `fields` of `hash`, in bounded requests; null where absent. */
export function hmget(u: Upstash, hash: string, fields: readonly string[]): Promise<(string | null)[]> {
  return overRuns<string | null>(u, ["HMGET", hash], fields);
}

/** Members of the lex sorted set `zset` from `min` to `max`, every page of them. */
export async function lexAll(u: Upstash, zset: string, min: string, max: string): Promise<string[]> {
  const out: string[] = [];
  let lo = min;
  for (;;) {
    const page = await redisCall<string[]>(u, ["ZRANGE", zset, lo, max, "BYLEX", "LIMIT", 0, PAGE]);
    out.push(...page);
    if (page.length < PAGE) return out;
    lo = `(${page[page.length - 1]}`;
  }
}

/** GETs of `keys` in MGETs of at most BLOB_REPLY_CHARS by `sizes` (the expected lengths). */
async function mgetSized(u: Upstash, keys: readonly string[], sizes: readonly number[]): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  let i = 0;
  while (i < keys.length) {
    let j = i;
    let total = 0;
    while (j < keys.length && (j === i || total + (sizes[j] as number) <= BLOB_REPLY_CHARS)) {
      total += sizes[j] as number;
      j++;
    }
    out.push(...(await overRuns<string | null>(u, ["MGET"], keys.slice(i, j))));
    i = j;
  }
  return out;
}

/**
 * Loads items by member: `head` is what the head hash holds, `blob` names its blob key and its
 * length (none when empty). Returns, in member order, each item found with its blob text ("" for
 * none); an item whose head is gone is left out.
 */
async function loadWithBlobs<H>(
  u: Upstash,
  hash: string,
  ids: readonly string[],
  parse: (text: string) => H,
  blob: (head: H) => { readonly key: string; readonly chars: number } | null,
): Promise<{ id: string; head: H; text: string }[]> {
  const found = new Map<string, { head: H; text: string }>();
  let pending = [...ids];
  for (let round = 0; pending.length > 0; round++) {
    if (round > REREADS) throw new StoreError("unavailable", "The store kept changing under this read: retry");
    const heads = await hmget(u, hash, pending);
    const want: { id: string; head: H; key: string; chars: number }[] = [];
    pending.forEach((id, i) => {
      const t = heads[i];
      if (t === null || t === undefined) return;
      const head = parse(t);
      const b = blob(head);
      if (b === null) found.set(id, { head, text: "" });
      else want.push({ id, head, ...b });
    });
    const texts = await mgetSized(
      u,
      want.map((w) => w.key),
      want.map((w) => w.chars),
    );
    pending = [];
    want.forEach((w, i) => {
      const t = texts[i];
      if (t === null || t === undefined) pending.push(w.id);
      else found.set(w.id, { head: w.head, text: t });
    });
  }
  const out: { id: string; head: H; text: string }[] = [];
  for (const id of ids) {
    const f = found.get(id);
    if (f) out.push({ id, ...f });
  }
  return out;
}

export function chunkHeadOf(id: string, h: ChunkHeadRow): ChunkHead {
  const { key, n } = parseChunkId(id);
  return {
    key,
    chunkIndex: n,
    startMs: h.startMs,
    dtype: h.dtype,
    deleted: h.deleted,
    updatedUs: h.updatedUs,
    seq: h.seq,
  };
}

/** Heads of chunks by member (absent ones left out), in member order. */
export async function loadChunkHeads(u: Upstash, k: SeriesKeys, ids: readonly string[]): Promise<ChunkHead[]> {
  const texts = await hmget(u, k.index.heads, ids);
  const out: ChunkHead[] = [];
  ids.forEach((id, i) => {
    const t = texts[i];
    if (t !== null && t !== undefined) out.push(chunkHeadOf(id, parseChunkHead(t)));
  });
  return out;
}

/** Chunks with their bytes by member (absent ones left out), in member order. */
export async function loadChunks(u: Upstash, k: SeriesKeys, ids: readonly string[]): Promise<StoredChunk[]> {
  const rows = await loadWithBlobs(u, k.index.heads, ids, parseChunkHead, (h) =>
    h.bytes === 0 ? null : { key: k.chunkBlob(h.seq), chars: b64Length(h.bytes) },
  );
  return rows.map((r) => ({ ...chunkHeadOf(r.id, r.head), data: fromB64(r.text) }));
}

/** Versions with their bytes by member (absent ones left out), in member order. */
export async function loadSeries(u: Upstash, k: SeriesKeys, ids: readonly string[]): Promise<StoredSeries[]> {
  const rows = await loadWithBlobs(u, k.index.vheads, ids, parseSeriesHead, (h: SeriesHeadRow) =>
    h.indexBytes + h.valuesBytes === 0
      ? null
      : { key: k.seriesBlob(h.token), chars: b64Length(h.indexBytes) + b64Length(h.valuesBytes) },
  );
  return rows.map((r) => {
    const { key, n } = parseVersionId(r.id);
    const cut = b64Length(r.head.indexBytes);
    return {
      key,
      version: n,
      count: r.head.count,
      index: fromB64(r.text.slice(0, cut)),
      values: fromB64(r.text.slice(cut)),
      updatedUs: r.head.updatedUs,
    };
  });
}
