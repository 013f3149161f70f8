/**
 * An HTTP face on a running double, for tests inside workerd, which can reach the double's port but
 * not the object: faults, clearing and counts.
 *
 *   POST /cut-after?read=N | ?written=N   the next connection is cut after N bytes
 *   POST /cut                             destroy open connections
 *   POST /clear                           drop every record
 *   GET  /stats                           {"records": n, "connections": n}
 *
 * Answers 204 to POSTs, 400 with {"error": "..."} to a bad count, 404 and 405 as usual.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { DoubleServer } from "./double.ts";

export interface ControlServer {
  readonly port: number;
  close(): Promise<void>;
}

function count(text: string | null): number | undefined {
  if (text === null || !/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}

function reply(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function handle(server: DoubleServer, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://control");
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case "GET /stats":
      reply(res, 200, { records: server.size(), connections: server.connections() });
      return;
    case "POST /clear":
      server.clear();
      reply(res, 204);
      return;
    case "POST /cut":
      server.cutAll();
      reply(res, 204);
      return;
    case "POST /cut-after": {
      const read = url.searchParams.get("read");
      const written = url.searchParams.get("written");
      const readBytes = count(read);
      const writtenBytes = count(written);
      if ((read !== null && readBytes === undefined) || (written !== null && writtenBytes === undefined)) {
        reply(res, 400, { error: "read and written must be byte counts" });
        return;
      }
      if (readBytes === undefined && writtenBytes === undefined) {
        reply(res, 400, { error: "give read=N or written=N" });
        return;
      }
      server.cutAfter({
        ...(readBytes !== undefined && { readBytes }),
        ...(writtenBytes !== undefined && { writtenBytes }),
      });
      reply(res, 204);
      return;
    }
  }
  const known = ["/stats", "/clear", "/cut", "/cut-after"].includes(url.pathname);
  reply(res, known ? 405 : 404, { error: known ? "method not allowed" : "not found" });
}

/** Serves the control endpoint on 127.0.0.1:`port` (0 = any free port). */
export async function startControl(server: DoubleServer, port: number): Promise<ControlServer> {
  const http = createServer((req, res) => {
    // Bodies carry nothing; drain them so keep-alive clients are not stuck.
    req.resume();
    handle(server, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(port, "127.0.0.1", () => {
      http.off("error", reject);
      resolve();
    });
  });
  const address = http.address();
  const bound = typeof address === "object" && address !== null ? address.port : port;
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
