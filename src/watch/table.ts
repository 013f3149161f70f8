/** Watch subscriptions in DO SQLite: each watch's lease, its change cursor and its ids. */
import type { DoSql } from "../storage/do/sql.ts";

export interface WatchRow {
  readonly id: string;
  readonly dis: string;
  readonly leaseMs: number;
  readonly expires: number;
  readonly cursor: number;
}

interface Row extends Record<string, string | number> {
  id: string;
  dis: string;
  lease_ms: number;
  expires: number;
  cursor: number;
}

export class WatchTable {
  readonly #sql: DoSql;

  constructor(sql: DoSql) {
    this.#sql = sql;
  }

  create(w: WatchRow): void {
    this.#sql.run(
      "INSERT INTO watches (id, dis, lease_ms, expires, cursor) VALUES (?, ?, ?, ?, ?)",
      w.id,
      w.dis,
      w.leaseMs,
      w.expires,
      w.cursor,
    );
  }

  get(id: string): WatchRow | undefined {
    const r = this.#sql.first<Row>("SELECT id, dis, lease_ms, expires, cursor FROM watches WHERE id = ?", id);
    return r && { id: r.id, dis: r.dis, leaseMs: r.lease_ms, expires: r.expires, cursor: r.cursor };
  }

  update(id: string, leaseMs: number, expires: number, cursor: number): void {
    this.#sql.run(
      "UPDATE watches SET lease_ms = ?, expires = ?, cursor = ? WHERE id = ?",
      leaseMs,
      expires,
      cursor,
      id,
    );
  }

  delete(id: string): void {
    this.#sql.run("DELETE FROM watch_ids WHERE watch = ?", id);
    this.#sql.run("DELETE FROM watches WHERE id = ?", id);
  }

  /** Deletes every watch whose lease ended at or before `now`; returns their ids. */
  expire(now: number): string[] {
    const gone = this.#sql.all<{ id: string }>("SELECT id FROM watches WHERE expires <= ?", now).map((r) => r.id);
    for (const id of gone) this.delete(id);
    return gone;
  }

  addIds(watch: string, ids: readonly string[]): void {
    for (const id of ids) this.#sql.run("INSERT OR IGNORE INTO watch_ids (watch, id) VALUES (?, ?)", watch, id);
  }

  removeIds(watch: string, ids: readonly string[]): void {
    for (const id of ids) this.#sql.run("DELETE FROM watch_ids WHERE watch = ? AND id = ?", watch, id);
  }

  ids(watch: string): string[] {
    return this.#sql
      .all<{ id: string }>("SELECT id FROM watch_ids WHERE watch = ? ORDER BY id", watch)
      .map((r) => r.id);
  }
}
