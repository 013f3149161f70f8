/**
 * A series commit on Redis. Requests over REST cannot hold a transaction open across the work's
 * reads, so a write is optimistic: read the store's `meta` (series-meta.ts), run the work with its
 * reads going to Redis, then send the plan as one program (program.ts) that first expects `meta`
 * unchanged. Every commit rewrites `meta` (its time always moves), so the program runs only if no
 * other commit landed since the read: the work's reads saw every earlier commit and none after,
 * which is the port's serialisation. A lost race runs the work again (it is pure planning over
 * reads); a cursor found elsewhere is the plan's own `conflict`, never retried.
 *
 * Before planning its program a commit reads the current heads of every chunk and version it
 * touches and the live counts of their keys, so the program can remove replaced blobs and keep
 * `live`/`keys` exact; `meta` guards those reads too.
 *
 * Blobs too big to ride in the program are staged first (series-blobs.ts stageB64) and renamed
 * into place by it; a staged blob is kept across lost races when the work plans it again, and
 * removed when the write ends without using it.
 */
import { StoreError } from "../errors.ts";
import { checkPlan, commitUs } from "../rules/series-plan.ts";
import type { Committed, SeriesReads, WritePlan } from "../series-port.ts";
import type { Upstash } from "./client.ts";
import { MAX_ATTEMPTS, Program, stagingKey } from "./program.ts";
import {
  bigBlobChars,
  type ChunkHeadRow,
  parseChunkHead,
  parseSeriesHead,
  type SeriesHeadRow,
  stageB64,
  toB64,
} from "./series-blobs.ts";
import { chunkId, keyRange, parseVersionId, type SeriesKeys, versionId } from "./series-keys.ts";
import { eachRun, hmget, lexAll, redisCall } from "./series-load.ts";
import { type Meta, metaText, parseMeta } from "./series-meta.ts";
import { as, moveCursor } from "./series-sources.ts";

function notDefined(): StoreError {
  return new StoreError("not_found", "The store is not defined");
}

/** What the plan's chunks, versions and keys are before the commit. */
interface Before {
  readonly chunks: Map<string, ChunkHeadRow | undefined>;
  readonly versions: Map<string, SeriesHeadRow | undefined>;
  /** Every version member of each key whose versions are all dropped. */
  readonly versionsOfKey: Map<string, string[]>;
  readonly live: Map<string, number>;
}

async function readBefore(u: Upstash, k: SeriesKeys, plan: WritePlan): Promise<Before> {
  const chunkIds = [
    ...new Set([
      ...(plan.chunks ?? []).map((c) => chunkId(c.key, c.chunkIndex)),
      ...(plan.dropChunks ?? []).map((d) => chunkId(d.key, d.chunkIndex)),
    ]),
  ];
  const versionsOfKey = new Map<string, string[]>();
  for (const d of plan.dropSeries ?? []) {
    if (d.version === undefined && !versionsOfKey.has(d.key)) {
      const [min, max] = keyRange(d.key);
      versionsOfKey.set(d.key, await lexAll(u, k.index.versions, min, max));
    }
  }
  const versionIds = [
    ...new Set([
      ...(plan.series ?? []).map((s) => versionId(s.key, s.version)),
      ...(plan.dropSeries ?? []).flatMap((d) => (d.version === undefined ? [] : [versionId(d.key, d.version)])),
      ...[...versionsOfKey.values()].flat(),
    ]),
  ];
  const keys = [
    ...new Set([
      ...(plan.chunks ?? []).map((c) => c.key),
      ...(plan.dropChunks ?? []).map((d) => d.key),
      ...(plan.series ?? []).map((s) => s.key),
      ...(plan.dropSeries ?? []).map((d) => d.key),
    ]),
  ];
  const [ch, vh, lv] = await Promise.all([
    hmget(u, k.index.heads, chunkIds),
    hmget(u, k.index.vheads, versionIds),
    hmget(u, k.index.live, keys),
  ]);
  return {
    chunks: new Map(chunkIds.map((id, i) => [id, ch[i] ? parseChunkHead(ch[i] as string) : undefined])),
    versions: new Map(versionIds.map((id, i) => [id, vh[i] ? parseSeriesHead(vh[i] as string) : undefined])),
    versionsOfKey,
    live: new Map(keys.map((key, i) => [key, Number(lv[i] ?? 0)])),
  };
}

/**
 * Staged blobs of one write, by text, so a re-planned commit does not stage the same bytes again.
 * A program renames each staged key once, so equal blobs within one plan get a copy each.
 */
class Staging {
  readonly #byText = new Map<string, string[]>();
  /** Staged keys the program being planned renames into place. */
  #used = new Set<string>();

  constructor(
    private readonly u: Upstash,
    private readonly base: string,
  ) {}

  /** A new attempt: its program uses none yet. */
  begin(): void {
    this.#used = new Set();
  }

  /** Writes `text` to `key` in `p`: inline when small, else staged and renamed into place. */
  async put(p: Program, key: string, text: string): Promise<void> {
    if (text.length <= bigBlobChars(this.u)) {
      p.set(key, text);
      return;
    }
    const copies = this.#byText.get(text) ?? [];
    let staged = copies.find((s) => !this.#used.has(s));
    if (staged === undefined) {
      staged = stagingKey(this.base);
      await stageB64(this.u, staged, text);
      copies.push(staged);
      this.#byText.set(text, copies);
    }
    this.#used.add(staged);
    p.renameStaged(key, staged);
  }

  /** The attempt's program ran: the staged keys it renamed are gone. */
  ran(): void {
    for (const [t, copies] of this.#byText) {
      const left = copies.filter((s) => !this.#used.has(s));
      if (left.length > 0) this.#byText.set(t, left);
      else this.#byText.delete(t);
    }
  }

  /** Removes what no program used (best effort: they expire anyway). */
  async clear(): Promise<void> {
    const left = [...this.#byText.values()].flat();
    this.#byText.clear();
    await eachRun(this.u, ["DEL"], left).catch(() => undefined);
  }
}

/** The program applying `plan` over `before`; returns it and the last seq it assigns. */
async function planProgram(
  u: Upstash,
  k: SeriesKeys,
  plan: WritePlan,
  meta: Meta,
  metaRead: string | null,
  atUs: number,
  staging: Staging,
): Promise<{ program: Program; seq: number }> {
  const before = await readBefore(u, k, plan);
  const I = k.index;
  const p = new Program().expect(k.meta, as(metaRead));
  const chunks = new Map(before.chunks);
  const versions = new Map(before.versions);
  const delta = new Map<string, number>();
  const bump = (key: string, d: number) => delta.set(key, (delta.get(key) ?? 0) + d);

  // Drops first, so a commit may drop and rewrite one chunk.
  const gone = { chunks: [] as string[], versions: [] as string[], blobs: [] as string[] };
  for (const d of plan.dropChunks ?? []) {
    const id = chunkId(d.key, d.chunkIndex);
    const old = chunks.get(id);
    if (!old) continue;
    gone.chunks.push(id);
    if (old.bytes > 0) gone.blobs.push(k.chunkBlob(old.seq));
    if (!old.deleted) bump(d.key, -1);
    chunks.set(id, undefined);
  }
  for (const d of plan.dropSeries ?? []) {
    const ids = d.version === undefined ? (before.versionsOfKey.get(d.key) ?? []) : [versionId(d.key, d.version)];
    for (const id of ids) {
      const old = versions.get(id);
      if (!old) continue;
      gone.versions.push(id);
      if (old.indexBytes + old.valuesBytes > 0) gone.blobs.push(k.seriesBlob(old.token));
      bump(parseVersionId(id).key, -1);
      versions.set(id, undefined);
    }
  }
  p.hdel(I.heads, gone.chunks);
  for (const z of [I.chunks, I.last, I.feed, I.updates]) p.zrem(z, gone.chunks);
  p.hdel(I.vheads, gone.versions);
  p.zrem(I.versions, gone.versions);

  // Upserts: chunk i of the plan takes seq + i + 1.
  let seq = meta.seq;
  const add = {
    heads: [] as [string, string][],
    chunks: [] as [number, string][],
    last: [] as [number, string][],
    dead: [] as string[],
    feed: [] as [number, string][],
    updates: [] as [number, string][],
  };
  for (const c of plan.chunks ?? []) {
    seq++;
    const id = chunkId(c.key, c.chunkIndex);
    const old = chunks.get(id);
    if (old && old.bytes > 0) gone.blobs.push(k.chunkBlob(old.seq));
    bump(c.key, (c.deleted ? 0 : 1) - (old && !old.deleted ? 1 : 0));
    const updatedUs = c.updatedUs ?? atUs;
    const row: ChunkHeadRow = {
      startMs: c.startMs,
      dtype: c.dtype,
      deleted: c.deleted,
      updatedUs,
      seq,
      bytes: c.data.byteLength,
    };
    if (row.bytes > 0) await staging.put(p, k.chunkBlob(seq), toB64(c.data));
    add.heads.push([id, JSON.stringify(row)]);
    add.chunks.push([0, id]);
    if (c.deleted) add.dead.push(id);
    else add.last.push([c.chunkIndex, id]);
    add.feed.push([seq, id]);
    add.updates.push([updatedUs, id]);
  }
  const vAdd = { heads: [] as [string, string][], ids: [] as [number, string][] };
  (plan.series ?? []).forEach((s, i) => {
    const id = versionId(s.key, s.version);
    const old = versions.get(id);
    if (old && old.indexBytes + old.valuesBytes > 0) gone.blobs.push(k.seriesBlob(old.token));
    if (!old) bump(s.key, 1);
    // Unique for the store's whole life: commit times only rise, even across a drop.
    const row: SeriesHeadRow = {
      count: s.count,
      updatedUs: atUs,
      token: `${atUs}.${i}`,
      indexBytes: s.index.byteLength,
      valuesBytes: s.values.byteLength,
    };
    vAdd.heads.push([id, JSON.stringify(row)]);
    vAdd.ids.push([0, id]);
  });
  for (const [i, s] of (plan.series ?? []).entries()) {
    if (s.index.byteLength + s.values.byteLength > 0) {
      await staging.put(p, k.seriesBlob(`${atUs}.${i}`), toB64(s.index) + toB64(s.values));
    }
  }
  for (const b of gone.blobs) p.del(b);
  p.zrem(I.last, add.dead);
  p.hset(I.heads, add.heads);
  p.zadd(I.chunks, add.chunks);
  p.zadd(I.last, add.last);
  p.zadd(I.feed, add.feed);
  p.zadd(I.updates, add.updates);
  p.hset(I.vheads, vAdd.heads);
  p.zadd(I.versions, vAdd.ids);

  // Which keys have anything live, for keys() and hasSeries().
  const live: [string, string][] = [];
  const dead: string[] = [];
  const keysIn: [number, string][] = [];
  const keysOut: string[] = [];
  for (const [key, d] of delta) {
    if (d === 0) continue;
    const was = before.live.get(key) ?? 0;
    const now = was + d;
    if (now > 0) live.push([key, String(now)]);
    else dead.push(key);
    if (was <= 0 && now > 0) keysIn.push([0, key]);
    if (was > 0 && now <= 0) keysOut.push(key);
  }
  p.hset(I.live, live);
  p.hdel(I.live, dead);
  p.zadd(I.keys, keysIn);
  p.zrem(I.keys, keysOut);

  if (plan.cursor) await moveCursor(u, k, p, plan.cursor);
  p.set(k.meta, metaText({ seq, lastUs: atUs, rev: meta.rev }));
  return { program: p, seq };
}

/** The port's `write` (series-port.ts) on Redis. */
export async function commitWrite<T>(
  u: Upstash,
  k: SeriesKeys,
  reads: SeriesReads,
  nowMs: number,
  work: (reads: SeriesReads) => Promise<{ plan: WritePlan; result: T }>,
): Promise<T & Committed> {
  const staging = new Staging(u, k.base);
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const [metaRead, def] = await redisCall<(string | null)[]>(u, ["MGET", k.meta, k.def]);
      if (def === null || def === undefined) throw notDefined();
      const meta = parseMeta(metaRead ?? null);
      const { plan, result } = await work(reads);
      checkPlan(plan);
      const atUs = commitUs(nowMs, meta.lastUs);
      staging.begin();
      const { program, seq } = await planProgram(u, k, plan, meta, metaRead ?? null, atUs, staging);
      const r = await program.run(u);
      if (r.ok) {
        staging.ran();
        return { ...result, seq, atUs };
      }
      // Another commit landed since the read: back off a little (jittered), then plan again.
      await new Promise((res) => setTimeout(res, Math.random() * 5 * (attempt + 1)));
    }
    throw new StoreError("conflict", "The store kept changing under this write: retry");
  } finally {
    await staging.clear();
  }
}
