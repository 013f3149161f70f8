/**
 * The TStorage double over raw sockets: protocol semantics per mode (TSTORAGE.md), with requests
 * from the shared encoders and expected error frames built by hand.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DoubleServer, startDouble } from "../../scripts/tstorage/double.ts";
import { INT32_MAX, INT64_MAX, KEY_MAX, KEY_MIN, type Key } from "../../src/tstorage/key.ts";
import { encodeGet, encodeGetAcq, encodePutWhole, type PutRecord } from "../../src/tstorage/request.ts";
import { Frame, key } from "../support/tstorage-frames.ts";
import { RawClient } from "../support/tstorage-wire.ts";

const MOCK_GET_ERROR = new Frame().header(0, 0).i32(0).header(-1, 0).bytes();
const MOCK_ERROR = new Frame().header(-1, 0).bytes();

const rec = (k: Key, ...payload: number[]): PutRecord => ({ key: k, payload: Uint8Array.from(payload) });

/** The box example of TSTORAGE.md: lexicographic order over the range would take all four. */
const BOX_DATA = [
  rec(key(0, 1, 1, 1, 1), 1),
  rec(key(0, 2, 2, 2, 2), 2),
  rec(key(0, 1, 5, 1, 1), 3), // moid 5 is outside [0, 4)
  rec(key(0, 40, 0, 0, 0), 4), // mid 40 is outside [0, 35)
];

async function putAndRead(port: number, records: PutRecord[], withAcq: boolean): Promise<DataView> {
  const c = await RawClient.connect(port);
  await c.write(encodePutWhole(records, withAcq));
  const reply = await c.read(28);
  c.destroy();
  return new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
}

async function get(port: number, min: Key, max: Key) {
  const c = await RawClient.connect(port);
  await c.write(encodeGet(min, max));
  const reply = await c.readGet();
  return { c, reply };
}

async function getAcq(port: number, min: Key, max: Key): Promise<Uint8Array> {
  const c = await RawClient.connect(port);
  await c.write(encodeGetAcq(min, max));
  const reply = await c.read(20);
  c.destroy();
  return reply;
}

const acqOf = (reply: Uint8Array): bigint => {
  expect(reply.length).toBe(20);
  const v = new DataView(reply.buffer, reply.byteOffset);
  expect(v.getInt32(0, true)).toBe(0);
  return v.getBigInt64(12, true);
};

for (const mode of ["mock", "real"] as const) {
  describe(`tstorage double (${mode})`, () => {
    let double: DoubleServer;
    beforeAll(async () => {
      double = await startDouble({ mode });
    });
    afterAll(() => double.close());
    beforeEach(() => double.clear());

    it("answers an empty PUT and PUTA with OK", async () => {
      const put = await putAndRead(double.port, [], false);
      expect(put.getInt32(0, true)).toBe(0);
      expect(put.getBigUint64(4, true)).toBe(16n);
      const puta = await putAndRead(double.port, [], true);
      expect(puta.getInt32(0, true)).toBe(0);
      // The mock stamps nothing under PUTA and says so with -1.
      expect(puta.getBigInt64(12, true)).toBe(-1n);
      expect(puta.getBigInt64(20, true)).toBe(-1n);
      expect(double.size()).toBe(0);
    });

    it("stamps PUT records with the time the put began and keeps them apart", async () => {
      const before = BigInt(Date.now() - 978_307_200_000) * 1_000_000n;
      const reply = await putAndRead(
        double.port,
        [rec(key(0, 12, 0, 10, 0), 1), rec(key(1, 12, 1, 10, 0), 2), rec(key(2, 12, 1, 10, 0), 3)],
        false,
      );
      const acqMin = reply.getBigInt64(12, true);
      expect(reply.getBigInt64(20, true)).toBe(acqMin);
      expect(acqMin).toBeGreaterThanOrEqual(before);
      const { c, reply: got } = await get(double.port, KEY_MIN, KEY_MAX);
      c.destroy();
      expect(got.error).toBeUndefined();
      const acqs = got.records.map((r) => r.key.acq);
      expect(acqs).toHaveLength(3);
      expect(new Set(acqs).size).toBe(3);
      for (const a of acqs) expect(a).toBeGreaterThanOrEqual(acqMin);
      expect(got.records.map((r) => r.key.cid).sort()).toEqual([0, 1, 2]);
      for (const a of acqs) expect(got.acq).toBeGreaterThanOrEqual(a);
    });

    it("selects a box, not a lexicographic range (2 of 4), and keeps duplicates", async () => {
      await putAndRead(double.port, [...BOX_DATA, BOX_DATA[0] as PutRecord], true);
      expect(double.size()).toBe(5);
      const { c, reply } = await get(double.port, key(0, 0, 0, 0, 0), key(1, 35, 4, 11, 15));
      expect(reply.error).toBeUndefined();
      expect(reply.records.map((r) => r.payload[0]).sort()).toEqual([1, 1, 2]);
      // The connection stays usable after a good GET.
      await c.write(encodeGetAcq(KEY_MIN, KEY_MAX));
      expect(acqOf(await c.read(20))).toBeGreaterThan(0n);
      c.destroy();
    });

    it("clamps GETACQ to keyMax.acq", async () => {
      await putAndRead(double.port, BOX_DATA, true);
      expect(acqOf(await getAcq(double.port, key(0, 0, 0, 0, 0), key(2, 13, 4, 11, 15)))).toBe(15n);
      const second = acqOf(await getAcq(double.port, key(0, 12, 2, 10, 10), key(1, 13, 3, 11, 100)));
      // The mock lowers its horizon for good; the real server only clamps the answer.
      expect(second).toBe(mode === "mock" ? 15n : 100n);
      const now = BigInt(Date.now() - 978_307_200_000) * 1_000_000n;
      expect(acqOf(await getAcq(double.port, KEY_MIN, KEY_MAX))).toBeGreaterThanOrEqual(now);
    });

    it("refuses a GET with a reversed range with the mock's frames, then closes", async () => {
      const { c, reply } = await get(double.port, { ...KEY_MAX, acq: 0n }, KEY_MIN);
      expect(reply.error?.status).toBe(-1);
      expect(reply.raw).toEqual(MOCK_GET_ERROR);
      expect(await c.closedWithin()).toBe(true);
    });

    it("refuses a GET with a negative cid", async () => {
      const { c, reply } = await get(double.port, key(-1, -10, -10, -10, -10), key(10, 10, 10, 10, 10));
      expect(reply.raw).toEqual(MOCK_GET_ERROR);
      expect(await c.closedWithin()).toBe(true);
    });

    it("refuses GET and GETACQ with keyMin.acq above the horizon", async () => {
      const future = BigInt(Date.now() - 978_307_200_000 + 3_600_000) * 1_000_000n;
      const { c, reply } = await get(double.port, { ...KEY_MIN, acq: future }, KEY_MAX);
      expect(reply.raw).toEqual(MOCK_GET_ERROR);
      c.destroy();
      expect(await getAcq(double.port, { ...KEY_MIN, acq: future }, KEY_MAX)).toEqual(MOCK_ERROR);
    });

    it("GETACQ on an empty range: real OK, mock error", async () => {
      const reply = await getAcq(double.port, key(0, 0, 0, 0, 0), { ...KEY_MAX, cid: 0 });
      if (mode === "real") expect(acqOf(reply)).toBeGreaterThan(0n);
      else expect(reply).toEqual(MOCK_ERROR);
      expect(await getAcq(double.port, key(-1, 12, 2, 10, 10), key(1, 13, 3, 11, 100))).toEqual(MOCK_ERROR);
    });

    it("max-valued keys: mock refuses them after storing the records before; real drops them with OK", async () => {
      const c = await RawClient.connect(double.port);
      const request = new Frame()
        .header(6, 0)
        .i32(3)
        .i32(3 * (4 + 28 + 1))
        .i32(29)
        .i64(1n)
        .i32(1)
        .i64(1n)
        .i64(1n)
        .raw([1])
        .i32(29)
        .i64(2n)
        .i32(1)
        .i64(INT64_MAX)
        .i64(1n)
        .raw([2]) // cap at its max
        .i32(29)
        .i64(3n)
        .i32(1)
        .i64(3n)
        .i64(1n)
        .raw([3])
        .i32(-1)
        .bytes();
      await c.write(request);
      if (mode === "mock") {
        expect(await c.rest()).toEqual(MOCK_ERROR);
        expect(double.size()).toBe(1);
      } else {
        const reply = await c.read(28);
        expect(new DataView(reply.buffer).getInt32(0, true)).toBe(0);
        expect(double.size()).toBe(2);
        c.destroy();
      }
      // A cid at its max under PUT, where acq is the server's.
      const put = new Frame()
        .header(5, 0)
        .i32(INT32_MAX)
        .i32(4 + 20)
        .i32(20)
        .i64(1n)
        .i32(1)
        .i64(1n)
        .i32(-1)
        .bytes();
      const c2 = await RawClient.connect(double.port);
      await c2.write(put);
      if (mode === "mock") expect(await c2.rest()).toEqual(MOCK_ERROR);
      else expect(new DataView((await c2.read(28)).buffer).getInt32(0, true)).toBe(0);
      c2.destroy();
    });

    it("refuses a record size out of bounds with -1 after keeping earlier records", async () => {
      const c = await RawClient.connect(double.port);
      const request = new Frame()
        .header(5, 0)
        .i32(1)
        .i32(1000)
        .i32(21)
        .i64(1n)
        .i32(1)
        .i64(1n)
        .raw([9])
        .i32(19) // under the 20-byte PUT key
        .bytes();
      await c.write(request);
      expect(await c.rest()).toEqual(MOCK_ERROR);
      expect(double.size()).toBe(1);
    });
  });
}
