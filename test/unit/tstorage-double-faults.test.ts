/**
 * The double under stress: several connections at once, clients that vanish mid-request, injected
 * cuts, garbage, and its HTTP control face. After each fault the server must still serve.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ControlServer, startControl } from "../../scripts/tstorage/control.ts";
import { type DoubleServer, startDouble } from "../../scripts/tstorage/double.ts";
import { KEY_MAX, KEY_MIN, type Key } from "../../src/tstorage/key.ts";
import {
  encodeGet,
  encodeGetAcq,
  encodePutWhole,
  MAX_PAYLOAD_BYTES,
  type PutRecord,
} from "../../src/tstorage/request.ts";
import { Frame } from "../support/tstorage-frames.ts";
import { eventually, RawClient } from "../support/tstorage-wire.ts";

const MOCK_ERROR = new Frame().header(-1, 0).bytes();

function records(n: number, cid = 1, payloadBytes = 8): PutRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    key: { cid, mid: BigInt(i), moid: 0, cap: BigInt(i), acq: BigInt(i + 1) } satisfies Key,
    payload: new Uint8Array(payloadBytes).fill(i % 251),
  }));
}

/** Whether the double still answers a GETACQ on a fresh connection. */
async function stillServes(port: number): Promise<boolean> {
  const c = await RawClient.connect(port);
  await c.write(encodeGetAcq(KEY_MIN, KEY_MAX));
  const reply = await c.read(20);
  c.destroy();
  return reply.length === 20 && new DataView(reply.buffer).getInt32(0, true) === 0;
}

describe("tstorage double under faults", () => {
  let double: DoubleServer;
  let control: ControlServer;
  beforeAll(async () => {
    double = await startDouble({ mode: "mock" });
    control = await startControl(double, 0);
  });
  afterAll(async () => {
    await control.close();
    await double.close();
  });
  beforeEach(() => double.clear());

  it("serves several connections at once, a slow GET not holding up the others", async () => {
    const puta = await RawClient.connect(double.port);
    await puta.write(encodePutWhole(records(20_000, 1, 64), true));
    expect((await puta.read(28)).length).toBe(28);
    // A client that asks for ~2 MB and does not read keeps its GET open on the server.
    const idle = await RawClient.connect(double.port);
    const slow = connect({ port: double.port, host: "127.0.0.1" });
    await new Promise<void>((resolve) => slow.once("connect", () => resolve()));
    slow.pause();
    slow.write(encodeGet(KEY_MIN, KEY_MAX));
    const clients = await Promise.all(Array.from({ length: 8 }, () => RawClient.connect(double.port)));
    await eventually(() => double.connections() >= 11);
    const replies = await Promise.all(
      clients.map(async (c, i) => {
        await c.write(encodePutWhole(records(10, 100 + i), true));
        await c.read(28);
        await c.write(encodeGet({ ...KEY_MIN, cid: 100 + i }, { ...KEY_MAX, cid: 101 + i }));
        return c.readGet();
      }),
    );
    for (const r of replies) expect(r.records).toHaveLength(10);
    expect(double.size()).toBe(20_080);
    for (const c of [...clients, idle, puta]) c.destroy();
    slow.destroy();
    await eventually(() => double.connections() === 0);
  });

  it("keeps the records that arrived whole when a client disconnects mid-PUT", async () => {
    const whole = encodePutWhole(records(10, 1, 100), true);
    // 12 header + 8 batch header + 3 records of 4 + 28 + 100, then half of the fourth.
    const cutAt = 12 + 8 + 3 * 132 + 60;
    const c = await RawClient.connect(double.port);
    await c.write(whole.subarray(0, cutAt));
    await eventually(() => double.size() === 3);
    c.destroy();
    await eventually(() => double.connections() === 0);
    expect(double.size()).toBe(3);
    expect(await stillServes(double.port)).toBe(true);
  });

  it("survives a client that disconnects mid-GET", async () => {
    const puta = await RawClient.connect(double.port);
    await puta.write(encodePutWhole(records(50_000, 1, 200), true));
    await puta.read(28);
    puta.destroy();
    const c = await RawClient.connect(double.port);
    await c.write(encodeGet(KEY_MIN, KEY_MAX));
    const some = await c.read(100_000);
    expect(some.length).toBe(100_000);
    c.destroy();
    await eventually(() => double.connections() === 0);
    expect(await stillServes(double.port)).toBe(true);
    expect(double.size()).toBe(50_000);
  });

  it("cuts the next connection after N request bytes: only records read whole are kept", async () => {
    const whole = encodePutWhole(records(5, 1, 10), true);
    double.cutAfter({ readBytes: 12 + 8 + 2 * 42 + 5 });
    const c = await RawClient.connect(double.port);
    await c.write(whole);
    expect(await c.closedWithin()).toBe(true);
    expect(await c.rest()).toEqual(new Uint8Array(0));
    expect(double.size()).toBe(2);
    // Only that one connection was cut.
    const again = await RawClient.connect(double.port);
    await again.write(whole);
    expect((await again.read(28)).length).toBe(28);
    again.destroy();
    expect(double.size()).toBe(7);
  });

  it("cuts the next connection after N response bytes", async () => {
    const puta = await RawClient.connect(double.port);
    await puta.write(encodePutWhole(records(100, 1, 10), true));
    await puta.read(28);
    puta.destroy();
    double.cutAfter({ writtenBytes: 12 + 3 * 46 + 7 });
    const c = await RawClient.connect(double.port);
    await c.write(encodeGet(KEY_MIN, KEY_MAX));
    const reply = await c.readGet();
    expect(reply.raw.length).toBe(12 + 3 * 46 + 7);
    expect(reply.records).toHaveLength(3);
    expect(reply.error?.code).toBe("DISCONNECTED");
    expect(await stillServes(double.port)).toBe(true);
  });

  it("cuts at once after 0 request bytes", async () => {
    double.cutAfter({ readBytes: 0 });
    const c = await RawClient.connect(double.port);
    expect(await c.closedWithin()).toBe(true);
    expect(await stillServes(double.port)).toBe(true);
  });

  it("cutAll destroys open connections and keeps listening", async () => {
    const a = await RawClient.connect(double.port);
    const b = await RawClient.connect(double.port);
    await eventually(() => double.connections() === 2);
    double.cutAll();
    expect(await a.closedWithin()).toBe(true);
    expect(await b.closedWithin()).toBe(true);
    await eventually(() => double.connections() === 0);
    expect(await stillServes(double.port)).toBe(true);
  });

  it("answers garbage with an error frame and closes, and keeps serving", async () => {
    for (const garbage of [
      new Frame().header(99, 0).bytes(), // unknown command
      new Frame().header(1, 10).bytes(), // GET whose header cannot hold two keys
      Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256),
    ]) {
      const c = await RawClient.connect(double.port);
      await c.write(garbage);
      expect(await c.rest()).toEqual(MOCK_ERROR);
    }
    // A huge header extension is skipped as it streams, never allocated.
    const c = await RawClient.connect(double.port);
    await c.write(new Frame().header(5, 1_000_000_000_000).bytes());
    await c.write(new Uint8Array(1 << 20));
    c.destroy();
    expect(await stillServes(double.port)).toBe(true);
  });

  it("skips header-extension bytes beyond the two keys of a GET", async () => {
    const c = await RawClient.connect(double.port);
    const request = new Frame()
      .header(7, 64 + 5)
      .raw([1, 2, 3, 4, 5])
      .key(KEY_MIN)
      .key({ ...KEY_MAX, acq: 15n })
      .bytes();
    await c.write(request);
    const reply = await c.read(20);
    expect(new DataView(reply.buffer).getBigInt64(12, true)).toBe(15n);
    c.destroy();
  });

  it("reads a put split into 1-byte writes", async () => {
    const c = await RawClient.connect(double.port);
    const whole = encodePutWhole(records(3, 2, 5), false);
    for (const b of whole) await c.write(Uint8Array.of(b));
    expect(new DataView((await c.read(28)).buffer).getInt32(0, true)).toBe(0);
    c.destroy();
    expect(double.size()).toBe(3);
  });

  it("takes a 32 MiB payload and refuses one byte more as soon as the record size arrives", async () => {
    const big = new Uint8Array(MAX_PAYLOAD_BYTES);
    for (let i = 0; i < big.length; i += 4099) big[i] = i % 256;
    const c = await RawClient.connect(double.port);
    await c.write(encodePutWhole([{ key: { cid: 1, mid: 1n, moid: 1, cap: 1n, acq: 1n }, payload: big }], true));
    expect((await c.read(28)).length).toBe(28);
    await c.write(encodeGet(KEY_MIN, KEY_MAX));
    const reply = await c.readGet(20_000);
    c.destroy();
    expect(reply.records).toHaveLength(1);
    expect(Buffer.from(reply.records[0]?.payload as Uint8Array).equals(big)).toBe(true);

    const over = await RawClient.connect(double.port);
    await over.write(
      new Frame()
        .header(6, 0)
        .i32(1)
        .i32(0x7fff_0000)
        .i32(28 + MAX_PAYLOAD_BYTES + 1)
        .bytes(),
    );
    expect(await over.rest()).toEqual(MOCK_ERROR);
    expect(double.size()).toBe(1);
  });

  describe("control endpoint", () => {
    const url = (path: string) => `http://127.0.0.1:${control.port}${path}`;

    it("reports stats and clears", async () => {
      const puta = await RawClient.connect(double.port);
      await puta.write(encodePutWhole(records(4), true));
      await puta.read(28);
      const stats = await (await fetch(url("/stats"))).json();
      expect(stats).toEqual({ records: 4, connections: 1 });
      puta.destroy();
      expect((await fetch(url("/clear"), { method: "POST" })).status).toBe(204);
      expect(double.size()).toBe(0);
    });

    it("sets a cut and cuts open connections", async () => {
      expect((await fetch(url("/cut-after?read=3"), { method: "POST" })).status).toBe(204);
      const c = await RawClient.connect(double.port);
      await c.write(encodeGetAcq(KEY_MIN, KEY_MAX));
      expect(await c.rest()).toEqual(new Uint8Array(0));
      const open = await RawClient.connect(double.port);
      await eventually(() => double.connections() === 1);
      expect((await fetch(url("/cut"), { method: "POST" })).status).toBe(204);
      expect(await open.closedWithin()).toBe(true);
    });

    it("refuses bad requests", async () => {
      expect((await fetch(url("/cut-after?read=x"), { method: "POST" })).status).toBe(400);
      expect((await fetch(url("/cut-after"), { method: "POST" })).status).toBe(400);
      expect((await fetch(url("/stats"), { method: "POST" })).status).toBe(405);
      expect((await fetch(url("/nope"))).status).toBe(404);
    });
  });
});
