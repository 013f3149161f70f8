/**
 * Planning a history write: every point of the batch in ONE program (program.ts), so the batch is
 * all-or-nothing. Per point the program checks the record and the history metadata are still as
 * read, merges the samples into their buckets (a sample replacing the one at its ts), rewrites
 * the metadata, and sets curVal when the newest sample is at or after the stored newest. A
 * program too big for one request is staged by Program.run itself.
 */
import type { HisValue } from "../his-page.ts";
import type { HisWrite } from "../ports.ts";
import { curValTags, withLive } from "../rules/live.ts";
import { checkPoints, markedIn } from "../rules/point-checks.ts";
import type { Upstash } from "./client.ts";
import { encodeSample } from "./his-codec.ts";
import { changeKeys } from "./keys.ts";
import { bucketOf, getTexts, hisMetaFromText, hisMetaText, type PointKeys } from "./point-keys.ts";
import { Program } from "./program.ts";
import { putRecord, type RecordKeys, readRecords } from "./records.ts";

/** A batch's samples per point, duplicates collapsed (last wins), and the count stored. */
export interface CollapsedWrite {
  /** Every id named, in request order (repeats kept), for the point checks. */
  readonly ids: readonly string[];
  /** Per point, ts -> value. */
  readonly points: ReadonlyMap<string, ReadonlyMap<number, HisValue>>;
  readonly count: number;
}

/**
 * Collapses duplicates within the batch, last wins. `count` adds each write's distinct
 * timestamps, as a backend writing the writes one after another would count them.
 */
export function collapseWrites(writes: readonly HisWrite[]): CollapsedWrite {
  const points = new Map<string, Map<number, HisValue>>();
  let count = 0;
  for (const w of writes) {
    let m = points.get(w.id);
    if (!m) {
      m = new Map();
      points.set(w.id, m);
    }
    const seen = new Set<number>();
    for (const { ts, val } of w.items) {
      m.set(ts, val);
      seen.add(ts);
    }
    count += seen.size;
  }
  return { ids: writes.map((w) => w.id), points, count };
}

/**
 * Reads the records and metadata the batch needs, checks the points (not_found / invalid in
 * request order) and returns the program writing the batch.
 */
export async function planHisWrite(
  u: Upstash,
  base: string,
  rk: RecordKeys,
  pk: PointKeys,
  w: CollapsedWrite,
): Promise<Program> {
  const ids = [...w.points.keys()];
  const [recs, metas] = await Promise.all([
    readRecords(u, rk, ids),
    getTexts(
      u,
      ids.map((id) => pk.hisMeta(id)),
    ),
  ]);
  const stored = new Map(ids.map((id, i) => [id, { rec: recs[i], meta: metas[i] ?? null }]));
  checkPoints(w.ids, "his", (id) => markedIn(stored.get(id)?.rec?.rec, "his"));
  const p = new Program();
  const changed: string[] = [];
  for (const [id, samples] of w.points) {
    if (samples.size === 0) continue;
    const { rec, meta } = stored.get(id) as { rec: NonNullable<(typeof recs)[number]>; meta: string | null };
    const before = meta === null ? undefined : hisMetaFromText(meta);
    const metaKey = pk.hisMeta(id);
    p.expect(metaKey, meta === null ? { absent: true } : { text: meta });
    const sorted = [...samples].sort((a, b) => a[0] - b[0]);
    // Samples per bucket, each bucket's run contiguous in the sorted list.
    const buckets = new Set(before?.buckets);
    let i = 0;
    while (i < sorted.length) {
      const start = bucketOf((sorted[i] as [number, HisValue])[0]);
      const entries: [number, string][] = [];
      for (; i < sorted.length && bucketOf((sorted[i] as [number, HisValue])[0]) === start; i++) {
        const [ts, val] = sorted[i] as [number, HisValue];
        entries.push([ts, encodeSample(ts, val)]);
      }
      p.zmerge(pk.hisBucket(id, start), entries);
      buckets.add(start);
    }
    const [ts, val] = sorted[sorted.length - 1] as [number, HisValue];
    const newest = before === undefined ? ts : Math.max(before.newest, ts);
    p.set(metaKey, hisMetaText({ buckets: [...buckets].sort((a, b) => a - b), newest }));
    const live = curValTags({ ts, val }, before?.newest);
    const after = live && withLive(rec.rec, live);
    if (after) {
      putRecord(p, rk, id, rec, after);
      changed.push(id);
    } else {
      // Unchanged, but a removal in between must still fail this write.
      p.expect(rk.rec(id), { text: rec.text });
    }
  }
  const feed = changeKeys(base);
  p.bump(feed.seq, feed.chg, changed);
  return p;
}
