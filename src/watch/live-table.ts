/**
 * Live sockets' state in the project object's SQLite, so it survives hibernation: who each socket
 * is, how many "changes" it was sent and has acknowledged, the ids it watches and which of those
 * changed and wait to be sent (the coalescing set), plus the project's feed cursor.
 */
import type { DoSql } from "../storage/do/sql.ts";

export interface LiveSocketRow {
  readonly sock: string;
  readonly user: string;
  readonly role: string;
  readonly authed: boolean;
  /** When an unauthenticated socket is closed (epoch ms). */
  readonly deadline: number;
  /** When its token stops working (epoch ms); null for API keys. */
  readonly expires: number | null;
  readonly sent: number;
  readonly acked: number;
}

interface Row extends Record<string, string | number | null> {
  sock: string;
  user: string;
  role: string;
  authed: number;
  deadline: number;
  expires: number | null;
  sent: number;
  acked: number;
}

const COLS = "sock, user, role, authed, deadline, expires, sent, acked";
const CURSOR_KEY = "live_cursor";
/** Ids per statement: DO SQLite binds at most 100 parameters. */
const CHUNK = 90;

function rowOf(r: Row): LiveSocketRow {
  return { ...r, authed: r.authed === 1 };
}

export class LiveTable {
  readonly #sql: DoSql;

  constructor(sql: DoSql) {
    this.#sql = sql;
  }

  open(sock: string, who: { user: string; role: string; expires: number | null } | undefined, deadline: number): void {
    this.#sql.run(
      `INSERT OR REPLACE INTO live_sockets (${COLS}) VALUES (?, ?, ?, ?, ?, ?, 0, 0)`,
      sock,
      who?.user ?? "",
      who?.role ?? "",
      who ? 1 : 0,
      deadline,
      who?.expires ?? null,
    );
  }

  authenticate(sock: string, who: { user: string; role: string; expires: number | null }): void {
    this.#sql.run(
      "UPDATE live_sockets SET user = ?, role = ?, authed = 1, expires = ? WHERE sock = ?",
      who.user,
      who.role,
      who.expires,
      sock,
    );
  }

  get(sock: string): LiveSocketRow | undefined {
    const r = this.#sql.first<Row>(`SELECT ${COLS} FROM live_sockets WHERE sock = ?`, sock);
    return r && rowOf(r);
  }

  socks(): string[] {
    return this.#sql.all<{ sock: string }>("SELECT sock FROM live_sockets").map((r) => r.sock);
  }

  count(): number {
    return this.#sql.first<{ n: number }>("SELECT count(*) AS n FROM live_sockets")?.n ?? 0;
  }

  delete(sock: string): void {
    this.#sql.run("DELETE FROM live_ids WHERE sock = ?", sock);
    this.#sql.run("DELETE FROM live_sockets WHERE sock = ?", sock);
  }

  /** Sockets past their auth deadline or token expiry at `now`. */
  overdue(now: number): string[] {
    return this.#sql
      .all<{ sock: string }>(
        "SELECT sock FROM live_sockets WHERE (authed = 0 AND deadline <= ?) OR (expires IS NOT NULL AND expires <= ?)",
        now,
        now,
      )
      .map((r) => r.sock);
  }

  /** The next instant a socket becomes overdue, if any. */
  nextDue(): number | undefined {
    const r = this.#sql.first<{ at: number | null }>(
      "SELECT min(CASE WHEN authed = 0 THEN deadline ELSE expires END) AS at FROM live_sockets",
    );
    return r?.at ?? undefined;
  }

  sent(sock: string, seq: number): void {
    this.#sql.run("UPDATE live_sockets SET sent = ? WHERE sock = ?", seq, sock);
  }

  /** Records an ack; an ack beyond what was sent counts as everything sent. */
  acked(sock: string, seq: number): void {
    this.#sql.run("UPDATE live_sockets SET acked = min(sent, max(acked, ?)) WHERE sock = ?", seq, sock);
  }

  // ---- ids

  idCount(sock: string): number {
    return this.#sql.first<{ n: number }>("SELECT count(*) AS n FROM live_ids WHERE sock = ?", sock)?.n ?? 0;
  }

  /** Adds ids (already watched ones keep their pending state); returns how many were new. */
  addIds(sock: string, ids: readonly string[]): void {
    for (const id of ids)
      this.#sql.run("INSERT OR IGNORE INTO live_ids (sock, id, pending) VALUES (?, ?, 0)", sock, id);
  }

  removeIds(sock: string, ids: readonly string[] | "all"): void {
    if (ids === "all") {
      this.#sql.run("DELETE FROM live_ids WHERE sock = ?", sock);
      return;
    }
    for (const id of ids) this.#sql.run("DELETE FROM live_ids WHERE sock = ? AND id = ?", sock, id);
  }

  /** Every id some socket watches. */
  watched(): string[] {
    return this.#sql.all<{ id: string }>("SELECT DISTINCT id FROM live_ids").map((r) => r.id);
  }

  /** Marks `ids` pending for every socket that watches them. */
  markPending(ids: readonly string[]): void {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const part = ids.slice(i, i + CHUNK);
      this.#sql.run(`UPDATE live_ids SET pending = 1 WHERE id IN (${part.map(() => "?").join(",")})`, ...part);
    }
  }

  /** Authenticated sockets with pending ids and room in their window. */
  due(window: number): string[] {
    return this.#sql
      .all<{ sock: string }>(
        "SELECT s.sock FROM live_sockets s WHERE s.authed = 1 AND s.sent - s.acked < ? " +
          "AND EXISTS (SELECT 1 FROM live_ids i WHERE i.sock = s.sock AND i.pending = 1) ORDER BY s.sock",
        window,
      )
      .map((r) => r.sock);
  }

  pendingIds(sock: string, limit: number): string[] {
    return this.#sql
      .all<{ id: string }>("SELECT id FROM live_ids WHERE sock = ? AND pending = 1 ORDER BY id LIMIT ?", sock, limit)
      .map((r) => r.id);
  }

  clearPending(sock: string, ids: readonly string[]): void {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const part = ids.slice(i, i + CHUNK);
      this.#sql.run(
        `UPDATE live_ids SET pending = 0 WHERE sock = ? AND id IN (${part.map(() => "?").join(",")})`,
        sock,
        ...part,
      );
    }
  }

  // ---- the project's position in the change feed

  cursor(): number | undefined {
    const v = this.#sql.first<{ value: string }>("SELECT value FROM hayloft_meta WHERE key = ?", CURSOR_KEY)?.value;
    return v === undefined ? undefined : Number(v);
  }

  setCursor(c: number): void {
    this.#sql.run(
      "INSERT INTO hayloft_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      CURSOR_KEY,
      String(c),
    );
  }
}
