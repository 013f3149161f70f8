/**
 * History in DO SQLite: one row per (point, ts), read in keyset pages and written with
 * multi-row INSERTs of 24 samples (the point id bound once as ?1, four parameters a sample:
 * DO SQLite allows 100 per statement). Values are bound, never passed through JSON text, because
 * SQLite's JSON number parser does not round-trip every double (1e-300 came back changed).
 *
 * A REAL column keeps INF and -INF, but SQLite turns a bound NaN into NULL: a number row (k = 0)
 * whose `n` is NULL is NaN, bound so explicitly and read back as NaN. No other number row has a
 * NULL `n`, so the encoding is exact and needs no schema step.
 */
import { checkHisPage, HIS_NUMBER, HIS_STR, HIS_TRUE, type HisPage, HisPageBuilder, hisValueAt } from "../his-page.ts";
import { curValTags } from "../rules/live.ts";
import { checkPoint, checkPoints, markedIn } from "../rules/point-checks.ts";
import { atomically } from "./atomic.ts";
import type { DoEntities } from "./entities.ts";
import type { DoSql } from "./sql.ts";

/** Samples per INSERT statement: 1 + 4 x 24 = 97 bound parameters. */
const ROWS_PER_INSERT = 24;

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

  /**
   * Up to `size` samples of `id` with start <= ts < end and ts > after (keyset paging: pass the
   * last ts of the previous page, or -Infinity).
   */
  page(id: string, start: number, end: number, after: number, size: number): HisPage {
    checkPoint(id, "his", markedIn(this.#entities.get(id), "his"));
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

  /**
   * Stores every write or none; returns the samples stored. Pages arrive as they crossed RPC.
   * The samples are checked before the points, as on every backend.
   */
  write(writes: readonly PageWrite[]): number {
    for (const w of writes) checkHisPage(w.id, w.page);
    checkPoints(
      writes.map((w) => w.id),
      "his",
      (id) => markedIn(this.#entities.get(id), "his"),
    );
    try {
      return this.#write(writes);
    } catch (err) {
      // A rolled-back transaction may have minted pids that this cache saw.
      this.#pids.clear();
      throw err;
    }
  }

  #write(writes: readonly PageWrite[]): number {
    return atomically(this.#sql, (onCommit) => {
      let count = 0;
      for (const { id, page } of writes) {
        if (page.count === 0) continue;
        const pid = this.#ensurePid(id);
        const before = this.#sql.first<{ ts: number | null }>("SELECT MAX(ts) AS ts FROM his WHERE pid = ?", pid)?.ts;
        insertPage(this.#sql, pid, page);
        count += distinctCount(page.ts);
        const newest = newestIndex(page.ts);
        const live = curValTags({ ts: page.ts[newest] as number, val: hisValueAt(page, newest) }, before ?? undefined);
        if (live) this.#entities.setLive(id, live, onCommit);
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

const inserts = new Map<number, string>();

/** The INSERT of `rows` samples; duplicate timestamps collapse to the last (upserts run in order). */
function insertSql(rows: number): string {
  let sql = inserts.get(rows);
  if (!sql) {
    const values = Array.from({ length: rows }, (_, r) => {
      const b = 2 + 4 * r;
      return `(?1, ?${b}, ?${b + 1}, ?${b + 2}, ?${b + 3})`;
    });
    sql =
      `INSERT INTO his (pid, ts, k, n, s) VALUES ${values.join(", ")} ` +
      "ON CONFLICT (pid, ts) DO UPDATE SET k = excluded.k, n = excluded.n, s = excluded.s";
    inserts.set(rows, sql);
  }
  return sql;
}

function insertPage(sql: DoSql, pid: number, p: HisPage): void {
  const params: (number | string | null)[] = [];
  for (let from = 0; from < p.count; from += ROWS_PER_INSERT) {
    const to = Math.min(p.count, from + ROWS_PER_INSERT);
    params.length = 0;
    params.push(pid);
    for (let i = from; i < to; i++) {
      const k = p.kind[i] as number;
      const t = p.textIdx[i] as number;
      const n = k === HIS_NUMBER ? (p.num[i] as number) : Number.NaN;
      params.push(p.ts[i] as number, k, Number.isNaN(n) ? null : n, t < 0 ? null : (p.text[t] as string));
    }
    sql.run(insertSql(to - from), ...params);
  }
}

/** One point's samples for `write`. */
export interface PageWrite {
  readonly id: string;
  readonly page: HisPage;
}

function distinctCount(ts: Float64Array): number {
  for (let i = 1; i < ts.length; i++) {
    if ((ts[i] as number) <= (ts[i - 1] as number)) return new Set(ts).size;
  }
  return ts.length;
}

function newestIndex(ts: Float64Array): number {
  let best = 0;
  for (let i = 1; i < ts.length; i++) if ((ts[i] as number) >= (ts[best] as number)) best = i;
  return best;
}
