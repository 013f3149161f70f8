/**
 * Live watch sockets from workers-pool tests: the real upgrade through SELF (auth middleware,
 * Worker route, the project's object), and a client that records every message, waits for the
 * ones a test expects, and acknowledges "changes" unless told not to.
 */
import { SELF } from "cloudflare:test";
import { json4ToVal } from "../../src/haystack/codec/json/index.ts";
import type { HDict } from "../../src/haystack/kinds/index.ts";
import { SUBPROTOCOL } from "../../src/watch/live-protocol.ts";
import { mintToken } from "./auth.ts";
import { BASE } from "./haystack-http.ts";

export interface LiveMsg {
  readonly op: string;
  readonly seq?: number;
  readonly rows?: unknown[];
  readonly removed?: string[];
  readonly missing?: string[];
  readonly code?: string;
  readonly message?: string;
  readonly user?: string;
  readonly role?: string;
  readonly window?: number;
}

export interface OpenOptions {
  /** How the token travels: a `bearer.` subprotocol (default), the first message, or not at all. */
  readonly via?: "subprotocol" | "message" | "none";
  readonly token?: string;
  /** Acknowledge every "changes" as it arrives (default true). */
  readonly autoAck?: boolean;
}

export class LiveClient {
  readonly messages: LiveMsg[] = [];
  closed: { code: number; reason: string } | undefined;
  autoAck: boolean;
  readonly #waiters = new Set<() => void>();

  constructor(
    readonly ws: WebSocket,
    readonly protocol: string | null,
    autoAck: boolean,
  ) {
    this.autoAck = autoAck;
    ws.addEventListener("message", (ev) => {
      const msg = JSON.parse(String(ev.data)) as LiveMsg;
      this.messages.push(msg);
      if (msg.op === "changes" && this.autoAck) this.send({ op: "ack", seq: msg.seq });
      this.#wake();
    });
    ws.addEventListener("close", (ev) => {
      this.closed = { code: ev.code, reason: ev.reason };
      this.#wake();
    });
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === "string" ? msg : JSON.stringify(msg));
  }

  /** Messages of one op so far. */
  of(op: string): LiveMsg[] {
    return this.messages.filter((m) => m.op === op);
  }

  /** Waits until `check` holds over what arrived, or fails after `ms`. */
  async until(check: (c: LiveClient) => boolean, what: string, ms = 5_000): Promise<void> {
    const end = Date.now() + ms;
    while (!check(this)) {
      const left = end - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages).slice(0, 2000)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 100));
        this.#waiters.add(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The next message of `op` after the first `after` of them. */
  async nth(op: string, index: number, ms = 5_000): Promise<LiveMsg> {
    await this.until((c) => c.of(op).length > index || c.closed !== undefined, `${op} #${index + 1}`, ms);
    const m = this.of(op)[index];
    if (!m) throw new Error(`socket closed (${JSON.stringify(this.closed)}) before ${op} #${index + 1}`);
    return m;
  }

  async closedWith(ms = 5_000): Promise<{ code: number; reason: string }> {
    await this.until((c) => c.closed !== undefined, "close", ms);
    return this.closed as { code: number; reason: string };
  }

  close(): void {
    try {
      this.ws.close(1000, "done");
    } catch {
      // Already closed.
    }
  }

  #wake(): void {
    for (const w of this.#waiters) w();
    this.#waiters.clear();
  }
}

/** The upgrade request as a browser would send it. */
export function liveRequest(project: string, protocols: readonly string[], headers: Record<string, string> = {}) {
  return SELF.fetch(`${BASE}/api/${project}/watch/live`, {
    headers: { upgrade: "websocket", "sec-websocket-protocol": protocols.join(", "), ...headers },
  });
}

export async function openLive(project: string, opts: OpenOptions = {}): Promise<LiveClient> {
  const via = opts.via ?? "subprotocol";
  const token = opts.token ?? (await mintToken(project));
  const protocols = via === "subprotocol" ? [SUBPROTOCOL, `bearer.${token}`] : [SUBPROTOCOL];
  const res = await liveRequest(project, protocols);
  if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade failed: ${res.status} ${await res.text()}`);
  const ws = res.webSocket;
  ws.accept();
  const client = new LiveClient(ws, res.headers.get("sec-websocket-protocol"), opts.autoAck ?? true);
  if (via === "message") client.send({ op: "auth", token });
  return client;
}

/** Rows of a "subbed" or "changes" message as dicts. */
export function dictsOf(msg: LiveMsg): HDict[] {
  return (msg.rows ?? []).map((r) => json4ToVal(r) as HDict);
}
