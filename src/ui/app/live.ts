/**
 * The live-value client: one WebSocket to `/api/{project}/watch/live` (protocol hayloft.live.v1)
 * carrying the current state of subscribed records as they change. The token travels as a
 * subprotocol (`bearer.<token>`), never in the URL, so it stays out of logs and history.
 *
 * The client keeps the wanted ids itself and re-subscribes them after every reconnect, acks each
 * `changes` message after handing it on (the server holds at most `window` unacked and coalesces
 * behind them), and reconnects with backoff (1 s doubling to 30 s) on anything but an auth close.
 * A server without the endpoint (404) leaves it "off" for good.
 */

/** A JSON v4 dict of a record (`id` is `{_kind:"ref", val}`). */
export type LiveRow = Readonly<Record<string, unknown>>;

export type LiveState =
  | { readonly kind: "connecting" }
  | { readonly kind: "live"; readonly user: string; readonly role: string }
  | { readonly kind: "reconnecting"; readonly at: number; readonly attempt: number }
  | { readonly kind: "off" }
  | { readonly kind: "unauthorized"; readonly message: string }
  | { readonly kind: "forbidden"; readonly message: string }
  | { readonly kind: "closed" };

export interface LiveOptions {
  readonly project: string;
  readonly token: string;
  /** Records' current state: on subscribe and on every change. */
  readonly onRows: (rows: readonly LiveRow[]) => void;
  readonly onRemoved?: (ids: readonly string[]) => void;
  readonly onState?: (s: LiveState) => void;
  /** Recoverable `{op:"error"}` messages. */
  readonly onError?: (code: string, message: string) => void;
  /** For tests: stand-ins for the browser's. */
  readonly WebSocket?: typeof WebSocket;
  readonly fetch?: typeof fetch;
  /** Where the page is (the socket goes to the same host); the browser's location by default. */
  readonly origin?: Pick<Location, "protocol" | "host">;
}

export interface LiveClient {
  /** Makes `ids` (without `@`) the subscribed set, sending only the difference. */
  setIds(ids: Iterable<string>): void;
  readonly state: LiveState;
  close(): void;
}

export const PROTOCOL = "hayloft.live.v1";
/** The server refuses more per socket (`too_many_ids`). */
export const MAX_IDS = 10_000;
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;
const PING_MS = 30_000;
/** Ids per sub/unsub message: keeps frames small when thousands are (re)subscribed at once. */
const CHUNK = 1_000;

/** Close codes that end the client: the token is bad or the user may not watch. */
const CLOSE_UNAUTHORIZED = 4401;
const CLOSE_FORBIDDEN = 4403;

export function liveUrl(project: string, loc: Pick<Location, "protocol" | "host">): string {
  return `${loc.protocol === "https:" ? "wss" : "ws"}://${loc.host}/api/${encodeURIComponent(project)}/watch/live`;
}

/** Backoff before reconnect attempt `n` (1-based): 1 s, 2 s, 4 s ... 30 s. */
export function backoffMs(n: number): number {
  return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.max(0, n - 1));
}

interface ServerMsg {
  readonly op?: unknown;
  readonly [k: string]: unknown;
}

export function liveClient(opts: LiveOptions): LiveClient {
  const WS = opts.WebSocket ?? WebSocket;
  const doFetch = opts.fetch ?? fetch.bind(globalThis);
  const wanted = new Set<string>();
  /** What the current socket has been sent (cleared on every new socket). */
  const sent = new Set<string>();
  let ws: WebSocket | undefined;
  let ready = false;
  let state: LiveState = { kind: "connecting" };
  let attempt = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let ping: ReturnType<typeof setInterval> | undefined;
  let closed = false;

  const setState = (s: LiveState) => {
    state = s;
    opts.onState?.(s);
  };

  const send = (msg: object) => {
    if (ws?.readyState === WS.OPEN) ws.send(JSON.stringify(msg));
  };

  /** Brings the socket's subscription in line with `wanted`. */
  const sync = () => {
    if (!ready) return;
    const add = [...wanted].filter((id) => !sent.has(id));
    const drop = [...sent].filter((id) => !wanted.has(id));
    for (let i = 0; i < drop.length; i += CHUNK) send({ op: "unsub", ids: drop.slice(i, i + CHUNK) });
    for (const id of drop) sent.delete(id);
    for (let i = 0; i < add.length; i += CHUNK) send({ op: "sub", ids: add.slice(i, i + CHUNK) });
    for (const id of add) sent.add(id);
  };

  const onMessage = (ev: MessageEvent) => {
    let msg: ServerMsg;
    try {
      msg = JSON.parse(String(ev.data)) as ServerMsg;
    } catch {
      return;
    }
    switch (msg.op) {
      case "ready":
        ready = true;
        attempt = 0;
        setState({ kind: "live", user: String(msg.user ?? ""), role: String(msg.role ?? "") });
        sync();
        break;
      case "subbed":
        if (Array.isArray(msg.rows)) opts.onRows(msg.rows as LiveRow[]);
        if (Array.isArray(msg.missing) && msg.missing.length > 0) opts.onRemoved?.(msg.missing as string[]);
        break;
      case "changes":
        try {
          if (Array.isArray(msg.rows) && msg.rows.length > 0) opts.onRows(msg.rows as LiveRow[]);
          if (Array.isArray(msg.removed) && msg.removed.length > 0) opts.onRemoved?.(msg.removed as string[]);
        } finally {
          // Ack even if a handler threw: an unacked window would stall every later change.
          if (typeof msg.seq === "number") send({ op: "ack", seq: msg.seq });
        }
        break;
      case "error":
        opts.onError?.(String(msg.code ?? "error"), String(msg.message ?? ""));
        break;
      default:
        // pong and anything newer than this client: nothing to do.
        break;
    }
  };

  const onClose = (ev: { readonly code: number; readonly reason: string }) => {
    clearInterval(ping);
    ping = undefined;
    ws = undefined;
    ready = false;
    sent.clear();
    if (closed) return;
    if (ev.code === CLOSE_UNAUTHORIZED) {
      closed = true;
      return setState({ kind: "unauthorized", message: ev.reason || "Sign in again to see live values" });
    }
    if (ev.code === CLOSE_FORBIDDEN) {
      closed = true;
      return setState({ kind: "forbidden", message: ev.reason || "Live values are not allowed for this user" });
    }
    attempt++;
    const wait = backoffMs(attempt);
    setState({ kind: "reconnecting", at: Date.now() + wait, attempt });
    retry = setTimeout(open, wait);
  };

  const open = () => {
    retry = undefined;
    if (closed) return;
    setState({ kind: "connecting" });
    let sock: WebSocket;
    try {
      sock = new WS(liveUrl(opts.project, opts.origin ?? location), [PROTOCOL, `bearer.${opts.token}`]);
    } catch {
      return onClose({ code: 1006, reason: "" });
    }
    ws = sock;
    sock.addEventListener("message", onMessage);
    sock.addEventListener("close", onClose);
    sock.addEventListener("open", () => {
      ping = setInterval(() => {
        if (sock.readyState === WS.OPEN) sock.send('{"op":"ping"}');
      }, PING_MS);
    });
  };

  /**
   * A WebSocket cannot see an HTTP status, so a plain GET first tells "not deployed" (404) from
   * anything else (426 Upgrade Required, 400...): only the 404 turns live values off.
   */
  const start = async () => {
    try {
      const res = await doFetch(`/api/${encodeURIComponent(opts.project)}/watch/live`, {
        headers: { authorization: `Bearer ${opts.token}`, accept: "application/json" },
      });
      void res.body?.cancel();
      if (res.status === 404) {
        closed = true;
        return setState({ kind: "off" });
      }
    } catch {
      // The network is down: the socket's own failure and backoff handle it.
    }
    open();
  };
  void start();

  return {
    setIds(ids) {
      wanted.clear();
      for (const id of ids) {
        if (wanted.size >= MAX_IDS) break;
        wanted.add(id);
      }
      sync();
    },
    get state() {
      return state;
    },
    close() {
      if (closed && !ws) return;
      closed = true;
      clearTimeout(retry);
      clearInterval(ping);
      if (ws) {
        ws.removeEventListener("close", onClose);
        ws.close(1000, "done");
        ws = undefined;
      }
      setState({ kind: "closed" });
    },
  };
}
