import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { nodeConnect } from "../../scripts/tstorage/transport-node.ts";
import { TStorageClient } from "../../src/tstorage/client.ts";
import { KEY_MAX, KEY_MIN } from "../../src/tstorage/key.ts";
import type { Transport } from "../../src/tstorage/transport.ts";
import { Frame, key } from "../support/tstorage-frames.ts";

const servers: Server[] = [];
const transports: Transport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A loopback server handing each connection to `onSocket`; resolves to its port. */
async function serve(onSocket: (socket: Socket) => void): Promise<number> {
  const server = createServer(onSocket);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function open(port: number): Promise<Transport> {
  const t = await nodeConnect({ hostname: "127.0.0.1", port });
  transports.push(t);
  return t;
}

async function readBytes(t: Transport, n: number): Promise<number> {
  let got = 0;
  while (got < n) {
    const chunk = await t.read();
    if (chunk === undefined) break;
    got += chunk.length;
  }
  return got;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("nodeConnect", () => {
  it("rejects when nothing listens", async () => {
    const port = await serve(() => {});
    await new Promise((r) => servers.pop()?.close(r));
    await expect(nodeConnect({ hostname: "127.0.0.1", port })).rejects.toThrow(/ECONNREFUSED/);
  });

  it("writes and reads bytes as plain Uint8Arrays, then undefined at end of stream", async () => {
    const port = await serve((s) => s.on("data", (d) => s.end(Buffer.concat([Buffer.from("echo:"), d]))));
    const t = await open(port);
    await t.write(Uint8Array.of(1, 2, 3));
    const chunks: Uint8Array[] = [];
    for (let c = await t.read(); c !== undefined; c = await t.read()) chunks.push(c);
    expect(chunks.every((c) => Object.getPrototypeOf(c) === Uint8Array.prototype)).toBe(true);
    expect([...Buffer.concat(chunks)]).toEqual([...Buffer.from("echo:"), 1, 2, 3]);
    expect(await t.read()).toBeUndefined();
  });

  it("read backpressure: an unread socket is paused, so the server cannot push it all", async () => {
    const total = 64 * 1024 * 1024;
    let pushed = 0;
    const port = await serve((s) => {
      const block = Buffer.alloc(256 * 1024);
      const pump = () => {
        while (pushed < total) {
          pushed += block.length;
          if (!s.write(block)) return void s.once("drain", pump);
        }
        s.end();
      };
      pump();
    });
    const t = await open(port);
    await sleep(300);
    // Kernel buffers take a few MiB; without the pause all 64 MiB would land in our queue.
    expect(pushed).toBeLessThan(total / 2);
    expect(await readBytes(t, total)).toBe(total);
    expect(pushed).toBe(total);
  });

  it("write backpressure: a write resolves only once a non-reading server makes room", async () => {
    let server: Socket | undefined;
    const port = await serve((s) => {
      server = s;
      s.pause();
    });
    const t = await open(port);
    const block = new Uint8Array(1024 * 1024);
    let written = 0;
    const writer = (async () => {
      for (let i = 0; i < 64; i++) {
        await t.write(block);
        written++;
      }
    })();
    await sleep(300);
    expect(written).toBeLessThan(64);
    let received = 0;
    server?.on("data", (d: Buffer) => {
      received += d.length;
    });
    server?.resume();
    await writer;
    expect(written).toBe(64);
    while (received < 64 * block.length) await sleep(10);
  });

  it("hands out data that arrived before a reset, then rejects; writes after close reject", async () => {
    const port = await serve((s) => {
      s.write(Buffer.from("last words"), () => setTimeout(() => s.resetAndDestroy(), 20));
    });
    const t = await open(port);
    await sleep(100);
    expect(Buffer.from((await t.read()) ?? []).toString()).toBe("last words");
    await expect(t.read()).rejects.toThrow(/ECONNRESET/);
    await t.close();
    await t.close();
    await expect(t.write(Uint8Array.of(1))).rejects.toThrow();
  });

  it("serves the client end to end: a GET against a scripted socket server", async () => {
    const response = new Frame()
      .header(0, 0)
      .i32(36)
      .key(key(1, 2, 3, 4, 5))
      .raw([9, 8, 7, 6])
      .i32(0)
      .header(0, 8)
      .i64(42n)
      .bytes();
    const port = await serve((s) => {
      let got = 0;
      s.on("data", (d: Buffer) => {
        got += d.length;
        if (got % 76 === 0) s.write(response);
      });
    });
    const client = new TStorageClient(nodeConnect, { hostname: "127.0.0.1", port });
    for (let i = 0; i < 3; i++) {
      const { records, acq } = await client.get(KEY_MIN, KEY_MAX);
      expect(acq).toBe(42n);
      expect(records.map((r) => [r.key, [...r.payload]])).toEqual([[key(1, 2, 3, 4, 5), [9, 8, 7, 6]]]);
    }
    await client.close();
  });
});
