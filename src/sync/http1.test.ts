/**
 * http1Fetch over real TCP sockets (node:net stands in for cloudflare:sockets' connect), against
 * node:http servers and raw ones that answer malformed bytes; and a whole pull from an
 * in-memory HoLcStore served over HTTP, whose pack/ takes only a GET with a body.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer, connect as netConnect, type Socket } from "node:net";
import { Duplex } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { differences, FakeHolcstore, MemTarget, RemoteStore } from "../../test/support/sync-peers.ts";
import type { KeyDecl } from "../series/model.ts";
import { type Connect, http1Fetch } from "./http1.ts";
import { pull } from "./pull.ts";

const nodeConnect: Connect = ({ hostname, port }) => {
  const sock = netConnect({ host: hostname, port });
  const web = Duplex.toWeb(sock);
  return {
    readable: web.readable as ReadableStream<Uint8Array>,
    writable: web.writable as WritableStream<Uint8Array>,
    close: async () => void sock.destroy(),
  };
};

function listen(server: Server | ReturnType<typeof createNetServer>): Promise<number> {
  return new Promise((ok) =>
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      ok(typeof addr === "object" && addr !== null ? addr.port : 0);
    }),
  );
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const p of req) parts.push(p as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

const KEYS: KeyDecl[] = [
  { name: "kind", type: "str" },
  { name: "version", type: "int" },
];
const remote = new RemoteStore(KEYS);
let holc: FakeHolcstore;

/** Routes of the test server: echo, chunked, gzip, 100-continue, and HoLcStore under /api/ts/. */
async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const url = req.url ?? "/";
  if (url.startsWith("/api/ts/")) {
    const answer = await holc.fetch(`${base}${url}`, {
      method: req.method,
      headers: req.headers as Record<string, string>,
      body: body === "" ? undefined : body,
    });
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(Buffer.from(await answer.arrayBuffer()));
    return;
  }
  if (url === "/echo") {
    res.writeHead(200, { "Content-Type": "application/json", "X-Multi": ["a", "b"] });
    res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization, host: req.headers.host }));
  } else if (url === "/chunked") {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.write('{"parts":');
    setTimeout(() => res.end("[1,2,3]}"), 5);
  } else if (url === "/gzip") {
    res.writeHead(200, { "Content-Encoding": "gzip" });
    res.end(gzipSync('{"zipped":true}'));
  } else if (url === "/redirect") {
    res.writeHead(302, { Location: "http://elsewhere/" });
    res.end();
  } else {
    res.writeHead(204);
    res.end();
  }
}

let http: Server;
let raw: ReturnType<typeof createNetServer>;
let base = "";
let rawBase = "";
/** What the raw server answers to the next connection. */
let rawAnswer = "";

beforeAll(async () => {
  http = createHttpServer((req, res) => void handle(req, res));
  base = `http://127.0.0.1:${await listen(http)}`;
  raw = createNetServer((s: Socket) => {
    s.once("data", () => {
      s.end(rawAnswer);
    });
  });
  rawBase = `http://127.0.0.1:${await listen(raw)}`;
  holc = new FakeHolcstore(remote, `${base}/api/ts/`);
});

afterAll(async () => {
  await new Promise((ok) => http.close(ok));
  await new Promise((ok) => raw.close(ok));
});

const send = http1Fetch(nodeConnect);

describe("http1Fetch", () => {
  it("sends a GET with a body, with the caller's headers", async () => {
    const res = await send(`${base}/echo`, { method: "GET", body: '[{"a":1}]', headers: { Authorization: "Token x" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Multi")).toBe("a, b");
    expect(await res.json()).toEqual({ method: "GET", body: '[{"a":1}]', auth: "Token x", host: base.slice(7) });
  });

  it("reads chunked and gzip bodies, and empty ones", async () => {
    expect(await (await send(`${base}/chunked`)).json()).toEqual({ parts: [1, 2, 3] });
    expect(await (await send(`${base}/gzip`)).json()).toEqual({ zipped: true });
    const empty = await send(`${base}/nothing`, { method: "POST", body: "" });
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe("");
  });

  it("returns redirects instead of following them", async () => {
    const res = await send(`${base}/redirect`);
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("http://elsewhere/");
  });

  it("reads a body that ends with the connection, after an interim 100", async () => {
    rawAnswer = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close";
    const res = await send(`${rawBase}/x`);
    expect(res.status).toBe(200);
    expect(res.statusText).toBe("OK");
    expect(await res.text()).toBe("until close");
  });

  it.each([
    ["a bad status line", "HTTP/2 200 OK\r\n\r\n", /status line/],
    ["a bare LF", "HTTP/1.1 200 OK\nX: y\n\n", /line ending/],
    ["a header without colon", "HTTP/1.1 200 OK\r\nnope\r\n\r\n", /headers/],
    ["a short body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", /before the end/],
    ["a bad Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", /Content-Length/],
    ["a bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", /chunk size/],
    ["a chunk overrunning", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", /chunk end/],
    ["a body over the limit", "HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\n", /too large/],
    ["a closed connection", "", /closed/],
  ])("fails with TypeError on %s", async (_, answer, why) => {
    rawAnswer = answer;
    await expect(http1Fetch(nodeConnect, { maxBodyBytes: 1000 })(`${rawBase}/x`)).rejects.toThrow(
      expect.objectContaining({ name: "TypeError", message: expect.stringMatching(why) }),
    );
  });

  it("refuses a head over the limit, other schemes, and bodies it cannot send", async () => {
    rawAnswer = `HTTP/1.1 200 OK\r\nX: ${"y".repeat(5000)}\r\n\r\n`;
    await expect(http1Fetch(nodeConnect, { maxHeadBytes: 1000 })(`${rawBase}/x`)).rejects.toThrow(/too/);
    await expect(send("ftp://127.0.0.1/x")).rejects.toThrow(TypeError);
    await expect(send(`${base}/echo`, { method: "POST", body: new Blob(["x"]) })).rejects.toThrow(/string or byte/);
  });

  it("stops when the signal aborts", async () => {
    rawAnswer = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
    const held: Socket[] = [];
    const quiet = createNetServer((s: Socket) => void held.push(s));
    const port = await listen(quiet);
    try {
      await expect(send(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(50) })).rejects.toThrow(
        /timed out|abort/i,
      );
      await expect(send(`${base}/echo`, { signal: AbortSignal.abort() })).rejects.toThrow();
    } finally {
      for (const s of held) s.destroy();
      await new Promise((ok) => quiet.close(ok));
    }
  });
});

describe("a pull from a HoLcStore over HTTP (pack/ as GET with a body)", () => {
  it("copies the store, sending pack/ through http1Fetch after the POST is refused", async () => {
    for (let i = 0; i < 7; i++) {
      remote.put({
        key: i % 2 === 0 ? '["load",1]' : '["price",1]',
        chunkIndex: 24288 + i,
        startMs: Date.UTC(2024, i, 1) - 3_600_000,
        dtype: "float64",
        data: Uint8Array.of(i, 1, 2, 3),
        deleted: false,
      });
    }
    remote.tombstone([{ key: '["load",1]', chunkIndex: 24288 }]);
    const target = new MemTarget(KEYS);
    const result = await pull({
      source: { name: "holc", url: `${base}/api/ts/`, protocol: "holcstore", filters: {}, everySeconds: 0 },
      token: "secret",
      fetch,
      packFetch: send,
      sleep: async () => undefined,
      now: Date.now,
      target,
      pageSize: 3,
      batch: 2,
    });
    expect(result.done).toBe(true);
    expect(differences(target, remote)).toEqual([]);
    const packs = holc.log.filter((r) => r.url.endsWith("/pack/"));
    expect(packs[0]?.method).toBe("POST");
    expect(packs.slice(1).every((r) => r.method === "GET" && r.body?.startsWith("[{"))).toBe(true);
    expect(holc.log.every((r) => r.authorization === "Token secret")).toBe(true);
  });
});
