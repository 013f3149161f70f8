/**
 * WebSocket -> TCP proxy for the Neon serverless driver against a local Postgres: the driver
 * opens `ws://HOST:PORT/v2?address=DBHOST:DBPORT` and sends raw Postgres protocol bytes in binary
 * frames; this relays them to the database and back. Development plumbing for the real driver,
 * not a mock: every query runs in real Postgres. Only loopback databases may be reached.
 *
 * `node --import tsx scripts/pg-ws-proxy.ts [port]` runs it on its own (default port 5488).
 */
import { createServer } from "node:http";
import { createConnection, type Socket } from "node:net";
import { pathToFileURL } from "node:url";
import { WebSocketServer } from "ws";

export interface PgProxy {
  readonly port: number;
  /** Drops every open connection (as a network cut would) but keeps listening. */
  cut(): void;
  /** While down, new connections are refused, as if the database had stopped. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/**
 * Starts the proxy on 127.0.0.1:`port` (0 picks one). With `control`, plain HTTP `POST /cut`,
 * `/down` and `/up` let fault tests cut connections or refuse new ones.
 */
export async function startPgProxy(port = 0, control = false): Promise<PgProxy> {
  const sockets = new Set<Socket>();
  let down = false;
  const server = createServer((req, res) => {
    const action = control && req.method === "POST" ? req.url : undefined;
    if (action === "/cut") api.cut();
    else if (action === "/down") down = true;
    else if (action === "/up") down = false;
    else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(204).end();
  });
  const wss = new WebSocketServer({ server });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
    server.listen(port, "127.0.0.1");
  });
  wss.on("connection", (ws, req) => {
    if (down) {
      ws.close(1013, "database down");
      return;
    }
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
  const api: PgProxy = {
    port: (server.address() as { port: number }).port,
    cut() {
      for (const s of sockets) s.destroy();
      for (const c of wss.clients) c.terminate();
    },
    setDown(d) {
      down = d;
    },
    close: () =>
      new Promise<void>((resolve) => {
        api.cut();
        wss.close();
        server.close(() => resolve());
      }),
  };
  return api;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const p = await startPgProxy(Number(process.argv[2] ?? 5488));
  console.log(`pg ws proxy on ws://127.0.0.1:${p.port}/v2?address=127.0.0.1:5432`);
}
