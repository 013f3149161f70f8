/**
 * Live watch push: each authenticated socket watches ids and is sent their records as they
 * change, read from the same change feed watchPoll uses. Runs in the project's object, which
 * holds the sockets (hibernating: state is in LiveTable, not memory).
 *
 * One feed cursor serves the whole project: a pass asks the feed which watched ids changed since
 * it, marks them pending for every socket watching them, then sends each socket with room in its
 * window one "changes" of the current state of its pending ids. A socket that does not
 * acknowledge keeps its pending set, so a slow client costs at most the ids it watches, and gets
 * each record's latest state once it catches up. Passes, subscriptions and acks run one at a
 * time, so a "subbed" and the "changes" after it never cross.
 */
import type { ChangeFeed } from "../storage/ports.ts";
import {
  AUTH_DEADLINE_MS,
  CLOSE,
  type ClientMessage,
  changesMessage,
  errorMessage,
  MAX_IDS_PER_SOCKET,
  MAX_ROWS_PER_MESSAGE,
  PONG,
  type ProtocolError,
  parseClientMessage,
  readyMessage,
  subbedMessage,
  WINDOW,
} from "./live-protocol.ts";
import type { LiveTable } from "./live-table.ts";

/** A socket as the hub uses it; the object maps them to its hibernatable WebSockets. */
export interface LiveSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
}

/** Who a socket acts as, once its credentials have been checked. */
export interface LiveIdentity {
  readonly user: string;
  readonly role: string;
  /** When its token stops working (epoch ms); null for an API key. */
  readonly expires: number | null;
}

export type Verdict = { ok: true; who: LiveIdentity } | { ok: false; close: number; message: string };

export interface LiveDeps {
  readonly table: LiveTable;
  readonly feed: ChangeFeed;
  /** The records' JSON v4 texts, undefined for ids with no record. */
  read(ids: readonly string[]): Promise<(string | undefined)[]>;
  /** Checks a token sent as the first message (the same checks as the HTTP middleware). */
  verify(token: string): Promise<Verdict>;
  /** The open socket with this id, if it is still open. */
  socket(sock: string): LiveSocket | undefined;
  /** Ids of every open socket (to forget state of sockets that went away unseen). */
  openSockets(): readonly string[];
  /** Reports a pass that failed (it is retried by the next notify). */
  failed(err: unknown): void;
  /** Makes sure `expire` runs at `at` (the object's job alarm). */
  wakeAt(at: number): Promise<void>;
  now(): number;
}

export class LiveHub {
  readonly #d: LiveDeps;
  #chain: Promise<unknown> = Promise.resolve();
  #queuedPass: Promise<void> | undefined;

  constructor(deps: LiveDeps) {
    this.#d = deps;
  }

  /** A socket accepted by the object, with the identity the Worker checked, or none yet. */
  async opened(sock: string, who: LiveIdentity | undefined): Promise<void> {
    const now = this.#d.now();
    this.#d.table.open(sock, who, now + AUTH_DEADLINE_MS);
    if (who) this.#d.socket(sock)?.send(readyMessage(who.user, who.role));
    await this.#schedule();
  }

  closed(sock: string): void {
    this.#d.table.delete(sock);
  }

  /** One client message; protocol errors are answered on the socket, never thrown. */
  async message(sock: string, data: string | ArrayBuffer): Promise<void> {
    const ws = this.#d.socket(sock);
    const row = this.#d.table.get(sock);
    if (!ws || !row) return;
    let msg: ClientMessage;
    try {
      msg = parseClientMessage(data);
    } catch (e) {
      const err = e as ProtocolError;
      if (!row.authed) return this.#refuse(sock, ws, CLOSE.unauthorized, "Send {op:auth, token} first");
      ws.send(errorMessage(err.code, err.message));
      return;
    }
    if (!row.authed) {
      if (msg.op !== "auth") return this.#refuse(sock, ws, CLOSE.unauthorized, "Send {op:auth, token} first");
      const v = await this.#d.verify(msg.token);
      if (!v.ok) return this.#refuse(sock, ws, v.close, v.message);
      this.#d.table.authenticate(sock, v.who);
      ws.send(readyMessage(v.who.user, v.who.role));
      await this.#schedule();
      return;
    }
    if (row.expires !== null && row.expires <= this.#d.now()) {
      return this.#refuse(sock, ws, CLOSE.unauthorized, "The token has expired: sign in again");
    }
    switch (msg.op) {
      case "auth":
        ws.send(errorMessage("bad_message", "Already authenticated"));
        return;
      case "ping":
        ws.send(PONG);
        return;
      case "ack":
        this.#d.table.acked(sock, msg.seq);
        return this.#serial(() => this.#sendDue());
      case "unsub":
        this.#d.table.removeIds(sock, "all" in msg ? "all" : msg.ids);
        return;
      case "sub":
        return this.#serial(() => this.#sub(sock, ws, msg.ids));
    }
  }

  /**
   * Something committed: push what changed. Calls during a pass fold into one more pass. Never
   * rejects: a pass that fails (the backend is out of reach) is reported, and the next one picks
   * up from the same cursor, so nothing is lost, only late.
   */
  notify(): Promise<void> {
    this.#queuedPass ??= this.#serial(async () => {
      this.#queuedPass = undefined;
      await this.#pass();
    }).catch((err: unknown) => this.#d.failed(err));
    return this.#queuedPass;
  }

  /** Closes sockets past their auth deadline or token expiry; re-arms for the next. */
  async expire(): Promise<void> {
    const now = this.#d.now();
    for (const sock of this.#d.table.overdue(now)) {
      const row = this.#d.table.get(sock);
      const ws = this.#d.socket(sock);
      const why = row?.authed ? "The token has expired: sign in again" : "No credentials in time";
      if (ws) this.#refuse(sock, ws, CLOSE.unauthorized, why);
      else this.#d.table.delete(sock);
    }
    await this.#schedule();
  }

  async #schedule(): Promise<void> {
    const at = this.#d.table.nextDue();
    if (at !== undefined) await this.#d.wakeAt(at);
  }

  #refuse(sock: string, ws: LiveSocket, code: number, reason: string): void {
    this.#d.table.delete(sock);
    try {
      ws.close(code, reason.slice(0, 120));
    } catch {
      // Already closing.
    }
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #sub(sock: string, ws: LiveSocket, ids: readonly string[]): Promise<void> {
    const fresh = [...new Set(ids)];
    if (this.#d.table.idCount(sock) + fresh.length > MAX_IDS_PER_SOCKET) {
      ws.send(errorMessage("too_many_ids", `A socket may watch at most ${MAX_IDS_PER_SOCKET} ids`));
      return;
    }
    // Bring the cursor up to now first, so no change older than this snapshot is sent after it.
    await this.#pass();
    this.#d.table.addIds(sock, fresh);
    const texts = await this.#d.read(fresh);
    const rows: string[] = [];
    const missing: string[] = [];
    texts.forEach((t, i) => {
      if (t === undefined) missing.push(fresh[i] as string);
      else rows.push(t);
    });
    ws.send(subbedMessage(rows, missing));
  }

  async #pass(): Promise<void> {
    const table = this.#d.table;
    this.#forgetGone();
    const watched = table.watched();
    const cursor = table.cursor();
    if (cursor === undefined || watched.length === 0) {
      table.setCursor(await this.#d.feed.cursor());
      return;
    }
    const { cursor: next, changed } = await this.#d.feed.changedSince(cursor, watched);
    if (changed.length > 0) table.markPending(changed);
    table.setCursor(next);
    await this.#sendDue();
  }

  /** Sends every socket with room in its window one "changes" of its pending ids, until none is due. */
  async #sendDue(): Promise<void> {
    const table = this.#d.table;
    for (let due = table.due(WINDOW); due.length > 0; due = table.due(WINDOW)) {
      const batches = due.map((sock) => ({ sock, ids: table.pendingIds(sock, MAX_ROWS_PER_MESSAGE) }));
      const union = [...new Set(batches.flatMap((b) => b.ids))];
      const texts = await this.#d.read(union);
      const byId = new Map(union.map((id, i) => [id, texts[i]]));
      for (const { sock, ids } of batches) {
        const ws = this.#d.socket(sock);
        const row = table.get(sock);
        if (!ws || !row) {
          table.delete(sock);
          continue;
        }
        const rows: string[] = [];
        const removed: string[] = [];
        for (const id of ids) {
          const t = byId.get(id);
          if (t === undefined) removed.push(id);
          else rows.push(t);
        }
        const seq = row.sent + 1;
        table.clearPending(sock, ids);
        table.sent(sock, seq);
        try {
          ws.send(changesMessage(seq, rows, removed));
        } catch {
          table.delete(sock);
        }
      }
    }
  }

  #forgetGone(): void {
    const open = new Set(this.#d.openSockets());
    for (const sock of this.#d.table.socks()) if (!open.has(sock)) this.#d.table.delete(sock);
  }
}
