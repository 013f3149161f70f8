/**
 * WebSocket -> TCP proxy for the Neon serverless driver against a local Postgres: the driver
 * opens `ws://HOST:PORT/v2?address=DBHOST:DBPORT` and sends raw Postgres protocol bytes in binary
 * frames; this relays them to the database and back. Development plumbing for the real driver,
 * not a mock: every query runs in real Postgres. Only loopback databases may be reached.
 *
 * `node --import tsx scripts/pg-ws-proxy.ts [port]` runs it on its own (default port 5488).
 */
import { createConnection, type Socket } from "node:net";
import { pathToFileURL } from "node:url";
import { WebSocketServer } from "ws";

export interface PgProxy {
  readonly port: number;
  /** Drops every open connection (as a network cut would) but keeps listening. */
  cut(): void;
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

export async function startPgProxy(port = 0): Promise<PgProxy> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  const sockets = new Set<Socket>();
  wss.on("connection", (ws, req) => {
    const address = new URL(req.url ?? "/", "ws://x").searchParams.get("address") ?? "";
    const at = address.lastIndexOf(":");
    const host = address.slice(0, at);
    const dbPort = Number(address.slice(at + 1));
    if (!LOOPBACK.has(host) || !Number.isInteger(dbPort)) {
      ws.close(1008, "only loopback databases");
      return;
    }
    const tcp = createConnection({ host, port: dbPort });
    sockets.add(tcp);
    const pending: Buffer[] = [];
    tcp.on("connect", () => {
      for (const b of pending.splice(0)) tcp.write(b);
    });
    ws.on("message", (data: Buffer) => {
      if (tcp.connecting) pending.push(data);
      else tcp.write(data);
    });
    tcp.on("data", (chunk) => {
      if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
    });
    const end = () => {
      sockets.delete(tcp);
      tcp.destroy();
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.terminate();
    };
    tcp.on("close", end);
    tcp.on("error", end);
    ws.on("close", end);
    ws.on("error", end);
  });
  const actual = (wss.address() as { port: number }).port;
  return {
    port: actual,
    cut() {
      for (const s of sockets) s.destroy();
      for (const c of wss.clients) c.terminate();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        for (const s of sockets) s.destroy();
        wss.close(() => resolve());
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const p = await startPgProxy(Number(process.argv[2] ?? 5488));
  console.log(`pg ws proxy on ws://127.0.0.1:${p.port}/v2?address=127.0.0.1:5432`);
}
