/**
 * Point priority arrays on Upstash Redis (layout in point-keys.ts). A write reads the record and
 * the array, computes the new array with the shared rules (haystack/point), and stores it with the
 * record's writeVal/writeLevel in one program checking both are still as read; `px` holds each
 * point's earliest level-8 expiry, kept in the same program, so `expire` visits due points only.
 */
import {
  EMPTY_PRIORITY_ARRAY,
  expire,
  nextExpiry,
  type PriorityArray,
  priorityFromJson,
  priorityToJson,
  type WriteRequest,
  write,
} from "../../haystack/point/index.ts";
import type { PointStore, PointWriteResult } from "../ports.ts";
import { withLive, writeTags } from "../rules/live.ts";
import { checkPoint, markedIn } from "../rules/point-checks.ts";
import { type Upstash, upstashCall } from "./client.ts";
import { changeKeys } from "./keys.ts";
import { getTexts, pointKeys } from "./point-keys.ts";
import { optimistic, Program } from "./program.ts";
import { putRecord, readRecords, recordKeys, type StoredRecord } from "./records.ts";

function arrayFromText(text: string | null): PriorityArray {
  return text === null ? EMPTY_PRIORITY_ARRAY : priorityFromJson(JSON.parse(text));
}

/** The stored form of an array; undefined for an empty one (its key is then deleted). */
function arrayText(arr: PriorityArray): string | undefined {
  const json = priorityToJson(arr);
  return json.levels.length === 0 ? undefined : JSON.stringify(json);
}

export function upstashPoints(u: Upstash, base: string): PointStore {
  const rk = recordKeys(base);
  const pk = pointKeys(base);
  const feed = changeKeys(base);

  /**
   * Adds to `p` the store of `arr` for `id` (array, expiry index, live tags), guarded by checks
   * that the record and the array are still as read. Returns whether the record changed.
   */
  const store = (
    p: Program,
    id: string,
    rec: StoredRecord | undefined,
    storedText: string | null,
    arr: PriorityArray,
    nowMs: number,
  ): boolean => {
    const key = pk.array(id);
    p.expect(key, storedText === null ? { absent: true } : { text: storedText });
    const text = arrayText(arr);
    if (text !== (storedText ?? undefined)) {
      if (text === undefined) p.del(key);
      else p.set(key, text);
      const due = nextExpiry(arr);
      if (due === undefined) p.zrem(pk.expiries, [id]);
      else p.zadd(pk.expiries, [[due, id]]);
    }
    if (!rec) return false;
    const after = withLive(rec.rec, writeTags(arr, nowMs));
    if (after) putRecord(p, rk, id, rec, after);
    else p.expect(rk.rec(id), { text: rec.text });
    return after !== undefined;
  };

  /** The earliest pending expiry of the project. */
  const soonest = async (): Promise<{ nextExpiry?: number }> => {
    const r = await upstashCall(() => u.redis.zrange<string[]>(pk.expiries, 0, 0, { withScores: true }));
    return r.length < 2 ? {} : { nextExpiry: Number(r[1]) };
  };

  return {
    async read(id: string): Promise<PriorityArray> {
      const [[rec], [stored]] = await Promise.all([readRecords(u, rk, [id]), getTexts(u, [pk.array(id)])]);
      checkPoint(id, "writable", markedIn(rec?.rec, "writable"));
      return arrayFromText(stored ?? null);
    },

    async write(id: string, req: WriteRequest): Promise<PointWriteResult> {
      const array = await optimistic(u, async () => {
        const [[rec], [stored]] = await Promise.all([readRecords(u, rk, [id]), getTexts(u, [pk.array(id)])]);
        checkPoint(id, "writable", markedIn(rec?.rec, "writable"));
        const next = write(arrayFromText(stored ?? null), req);
        const p = new Program();
        if (store(p, id, rec, stored ?? null, next, req.nowMs)) p.bump(feed.seq, feed.chg, [id]);
        return { program: p, answer: () => next };
      });
      return { array, ...(await soonest()) };
    },

    async expire(nowMs: number): Promise<{ readonly nextExpiry?: number }> {
      await optimistic(u, async () => {
        const due = await upstashCall(() =>
          u.redis.zrange<string[]>(pk.expiries, -Number.MAX_VALUE, nowMs, { byScore: true }),
        );
        const p = new Program();
        if (due.length === 0) return { program: p, answer: () => undefined };
        const [recs, arrays] = await Promise.all([
          readRecords(u, rk, due),
          getTexts(
            u,
            due.map((id) => pk.array(id)),
          ),
        ]);
        const changed: string[] = [];
        due.forEach((id, i) => {
          const stored = arrays[i] ?? null;
          if (stored === null) {
            // An entry whose array is gone (never expected: removal drops both): drop it too.
            p.expect(pk.array(id), { absent: true }).zrem(pk.expiries, [id]);
            return;
          }
          if (store(p, id, recs[i], stored, expire(arrayFromText(stored), nowMs).arr, nowMs)) changed.push(id);
        });
        p.bump(feed.seq, feed.chg, changed);
        return { program: p, answer: () => undefined };
      });
      return soonest();
    },
  };
}
