/**
 * History in DO SQLite: one row per (point, ts), read in keyset pages and written in bulk
 * through `json_each`, so a 5,000-sample chunk is one statement with two bound parameters
 * (DO SQLite allows 100 per statement).
 */
import { HDateTime, HNumber } from "../../haystack/kinds/index.ts";
import { StoreError } from "../errors.ts";
import { HIS_NUMBER, HIS_STR, HIS_TRUE, type HisPage, HisPageBuilder, type HisValue, isHisValue } from "../his-page.ts";
import type { HisWrite } from "../ports.ts";
import { atomically } from "./atomic.ts";
import type { DoEntities } from "./entities.ts";
import type { DoSql } from "./sql.ts";

/** Samples per INSERT statement. */
const WRITE_CHUNK = 5000;

interface HisRow extends Record<string, number | string | null> {
  ts: number;
  k: number;
  n: number | null;
  s: string | null;
}

export class DoHistory {
  readonly #sql: DoSql;
  readonly #entities: DoEntities;
  readonly #pids = new Map<string, number>();

  constructor(sql: DoSql, entities: DoEntities) {
    this.#sql = sql;
    this.#entities = entities;
  }

  #pid(id: string): number | undefined {
    let pid = this.#pids.get(id);
    if (pid === undefined) {
      pid = this.#sql.first<{ pid: number }>("SELECT pid FROM his_points WHERE id = ?", id)?.pid;
      if (pid !== undefined) this.#pids.set(id, pid);
    }
    return pid;
  }

  /** A his point's record, or a StoreError saying why not. */
  #point(id: string): void {
    const rec = this.#entities.get(id);
    if (!rec) throw new StoreError("not_found", `Unknown point @${id}`);
    if (!rec.has("his")) throw new StoreError("invalid", `@${id} is not a his point`);
  }

  /**
   * Up to `size` samples of `id` with start <= ts < end and ts > after (keyset paging: pass the
   * last ts of the previous page, or -Infinity).
   */
  page(id: string, start: number, end: number, after: number, size: number): HisPage {
    this.#point(id);
    const b = new HisPageBuilder(size);
    const pid = this.#pid(id);
    if (pid === undefined) return b.build();
    const from = Math.max(start, after === Number.NEGATIVE_INFINITY ? start : after + 1);
    for (const r of this.#sql.iterate<HisRow>(
      "SELECT ts, k, n, s FROM his WHERE pid = ? AND ts >= ? AND ts < ? ORDER BY ts LIMIT ?",
      pid,
      from,
      end,
      size,
    )) {
      if (r.k === HIS_NUMBER) b.number(r.ts, r.n ?? Number.NaN, r.s);
      else if (r.k === HIS_STR) b.str(r.ts, r.s ?? "");
      else b.bool(r.ts, r.k === HIS_TRUE);
    }
    return b.build();
  }

  /** Stores every write or none; returns the samples stored. */
  write(writes: readonly HisWrite[]): number {
    for (const w of writes) {
      this.#point(w.id);
      for (const item of w.items) checkItem(w.id, item.ts, item.val);
    }
    try {
      return this.#write(writes);
    } catch (err) {
      // A rolled-back transaction may have minted pids that this cache saw.
      this.#pids.clear();
      throw err;
    }
  }

  #write(writes: readonly HisWrite[]): number {
    return atomically(this.#sql, (onCommit) => {
      let count = 0;
      for (const w of writes) {
        if (w.items.length === 0) continue;
        const pid = this.#ensurePid(w.id);
        const before = this.#sql.first<{ ts: number }>("SELECT MAX(ts) AS ts FROM his WHERE pid = ?", pid)?.ts ?? null;
        for (let i = 0; i < w.items.length; i += WRITE_CHUNK) {
          const chunk = w.items.slice(i, i + WRITE_CHUNK);
          this.#sql.run(INSERT, pid, JSON.stringify(chunk.map((it) => encode(it.ts, it.val))));
        }
        count += new Set(w.items.map((it) => it.ts)).size;
        // The newest sample becomes curVal when it is at least as new as what was stored before.
        let newest = w.items[0] as (typeof w.items)[number];
        for (const it of w.items) if (it.ts >= newest.ts) newest = it;
        if (before === null || newest.ts >= before) {
          this.#entities.setLive(w.id, { curVal: newest.val, curStatus: "ok" }, onCommit);
        }
      }
      return count;
    });
  }

  #ensurePid(id: string): number {
    const known = this.#pid(id);
    if (known !== undefined) return known;
    const row = this.#sql.first<{ pid: number }>("INSERT INTO his_points (id) VALUES (?) RETURNING pid", id);
    if (!row) throw new Error("his_points insert returned nothing");
    return row.pid;
  }

  /** Drops a removed point's samples. */
  forget(id: string): void {
    const pid = this.#pid(id);
    if (pid === undefined) return;
    this.#sql.run("DELETE FROM his WHERE pid = ?", pid);
  }
}

// Rows with one ts collapse to the last (ON CONFLICT updates in input order).
const INSERT =
  "INSERT INTO his (pid, ts, k, n, s) SELECT ?1, value ->> 0, value ->> 1, value ->> 2, value ->> 3 " +
  "FROM json_each(?2) WHERE true ON CONFLICT (pid, ts) DO UPDATE SET k = excluded.k, n = excluded.n, s = excluded.s";

type Encoded = [number, number, number | null, string | null];

function encode(ts: number, v: HisValue): Encoded {
  if (typeof v === "number") return [ts, HIS_NUMBER, Number.isFinite(v) ? v : null, null];
  if (typeof v === "boolean") return [ts, v ? HIS_TRUE : 1, null, null];
  if (typeof v === "string") return [ts, HIS_STR, null, v];
  return [ts, HIS_NUMBER, Number.isFinite(v.val) ? v.val : null, v.unit];
}

function checkItem(id: string, ts: number, val: unknown): void {
  if (!Number.isSafeInteger(ts)) throw new StoreError("invalid", `@${id}: bad timestamp ${ts}`);
  if (!isHisValue(val)) throw new StoreError("invalid", `@${id}: history values must be Number, Bool or Str`);
  const n = val instanceof HNumber ? val.val : val;
  if (typeof n === "number" && !Number.isFinite(n)) {
    throw new StoreError("invalid", `@${id}: NaN and INF cannot be stored as history (${HDateTime.of(ts).iso()})`);
  }
}
