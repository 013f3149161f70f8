/** The live client against a scripted socket: subscribe, ack, backoff, re-subscribe, auth closes, 404. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backoffMs, type LiveRow, type LiveState, liveClient } from "./live.ts";

type Listener = (ev: { data?: string; code?: number; reason?: string }) => void;

class FakeSocket {
  static readonly OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  readonly sent: string[] = [];
  private readonly on = new Map<string, Listener[]>();
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    FakeSocket.all.push(this);
  }
  addEventListener(type: string, fn: Listener): void {
    this.on.set(type, [...(this.on.get(type) ?? []), fn]);
  }
  removeEventListener(type: string, fn: Listener): void {
    this.on.set(
      type,
      (this.on.get(type) ?? []).filter((f) => f !== fn),
    );
  }
  send(text: string): void {
    this.sent.push(text);
  }
  close(): void {
    this.readyState = 3;
  }
  emit(type: string, ev: { data?: string; code?: number; reason?: string } = {}): void {
    for (const f of this.on.get(type) ?? []) f(ev);
  }
  /** The server side: open, authenticate, say ready. */
  accept(): void {
    this.readyState = 1;
    this.emit("open");
    this.emit("message", { data: JSON.stringify({ op: "ready", user: "admin", role: "admin", window: 4 }) });
  }
  drop(code: number, reason = ""): void {
    this.readyState = 3;
    this.emit("close", { code, reason });
  }
  msgs(): Record<string, unknown>[] {
    return this.sent.filter((t) => t.startsWith("{")).map((t) => JSON.parse(t) as Record<string, unknown>);
  }
}

const origin = { protocol: "https:", host: "hayloft.example" };
const ok = (status: number) => vi.fn(async () => new Response(null, { status }));

function start(status = 426) {
  const rows: LiveRow[] = [];
  const states: LiveState[] = [];
  const client = liveClient({
    project: "demo",
    token: "tok.en",
    origin,
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    fetch: ok(status) as unknown as typeof fetch,
    onRows: (r) => rows.push(...r),
    onState: (s) => states.push(s),
  });
  return { client, rows, states };
}

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("live client", () => {
  it("connects with the token as a subprotocol, subscribes, applies and acks changes", async () => {
    const { client, rows, states } = start();
    client.setIds(["a-0001", "a-0002"]);
    await vi.advanceTimersByTimeAsync(0);
    const ws = FakeSocket.all[0] as FakeSocket;
    expect(ws.url).toBe("wss://hayloft.example/api/demo/watch/live");
    expect(ws.protocols).toEqual(["hayloft.live.v1", "bearer.tok.en"]);
    ws.accept();
    expect(states.at(-1)).toEqual({ kind: "live", user: "admin", role: "admin" });
    expect(ws.msgs()).toEqual([{ op: "sub", ids: ["a-0001", "a-0002"] }]);
    ws.emit("message", {
      data: JSON.stringify({ op: "changes", seq: 1, rows: [{ id: { _kind: "ref", val: "a-0001" } }], removed: [] }),
    });
    expect(rows).toHaveLength(1);
    expect(ws.msgs().at(-1)).toEqual({ op: "ack", seq: 1 });
    client.setIds(["a-0002", "a-0003"]);
    expect(ws.msgs().slice(-2)).toEqual([
      { op: "unsub", ids: ["a-0001"] },
      { op: "sub", ids: ["a-0003"] },
    ]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(ws.sent.at(-1)).toBe('{"op":"ping"}');
    client.close();
  });

  it("reconnects with doubling backoff and subscribes again", async () => {
    const { client, states } = start();
    client.setIds(["a-0001"]);
    await vi.advanceTimersByTimeAsync(0);
    (FakeSocket.all[0] as FakeSocket).drop(1006);
    expect(states.at(-1)).toMatchObject({ kind: "reconnecting", attempt: 1 });
    await vi.advanceTimersByTimeAsync(1_000);
    (FakeSocket.all[1] as FakeSocket).drop(1011);
    expect(states.at(-1)).toMatchObject({ kind: "reconnecting", attempt: 2 });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(FakeSocket.all).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    const ws = FakeSocket.all[2] as FakeSocket;
    ws.accept();
    expect(ws.msgs()).toEqual([{ op: "sub", ids: ["a-0001"] }]);
    expect([1, 2, 3, 5, 6, 9].map(backoffMs)).toEqual([1_000, 2_000, 4_000, 16_000, 30_000, 30_000]);
    client.close();
  });

  it("stops on 4401 and 4403, and stays off when the endpoint is not deployed", async () => {
    const a = start();
    await vi.advanceTimersByTimeAsync(0);
    (FakeSocket.all[0] as FakeSocket).drop(4401, "expired");
    expect(a.states.at(-1)).toEqual({ kind: "unauthorized", message: "expired" });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(1);

    const b = start();
    await vi.advanceTimersByTimeAsync(0);
    (FakeSocket.all[1] as FakeSocket).drop(4403);
    expect(b.states.at(-1)?.kind).toBe("forbidden");

    const c = start(404);
    await vi.advanceTimersByTimeAsync(0);
    expect(c.states.at(-1)).toEqual({ kind: "off" });
    expect(FakeSocket.all).toHaveLength(2);
  });
});
