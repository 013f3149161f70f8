import { describe, expect, it } from "vitest";
import { Frame, key } from "../../test/support/tstorage-frames.ts";
import { INT64_MAX, KEY_MAX, KEY_MIN, type Key } from "./key.ts";
import {
  COMMAND,
  encodeGet,
  encodeGetAcq,
  encodePut,
  encodePutStream,
  encodePutWhole,
  MAX_PAYLOAD_BYTES,
  type PutRecord,
} from "./request.ts";
import { TStorageError } from "./status.ts";

const rec = (k: Key, ...payload: number[]): PutRecord => ({ key: k, payload: Uint8Array.from(payload) });

interface ParsedBatch {
  cid: number;
  batchSize: number;
  records: { recSize: number; body: Uint8Array }[];
}

/** Reads a PUT/PUTA request back, checking every size field against the bytes. */
function parsePut(bytes: Uint8Array): { command: number; batches: ParsedBatch[] } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const command = v.getInt32(0, true);
  expect(v.getBigUint64(4, true)).toBe(0n);
  let at = 12;
  const batches: ParsedBatch[] = [];
  for (;;) {
    const cid = v.getInt32(at, true);
    at += 4;
    if (cid === -1) break;
    const batchSize = v.getInt32(at, true);
    at += 4;
    const end = at + batchSize;
    const records = [];
    while (at < end) {
      const recSize = v.getInt32(at, true);
      records.push({ recSize, body: bytes.subarray(at + 4, at + 4 + recSize) });
      at += 4 + recSize;
    }
    expect(at).toBe(end);
    expect(records.length).toBeGreaterThan(0);
    batches.push({ cid, batchSize, records });
  }
  expect(at).toBe(bytes.length);
  return { command, batches };
}

describe("GET and GETACQ requests", () => {
  it("are header (command, 64) then keyMin and keyMax, byte for byte", () => {
    const min = key(1, 2, 3, 4, 5);
    const max = key(6, 7, 8, 9, 10);
    expect(encodeGet(min, max)).toEqual(new Frame().header(1, 64).key(min).key(max).bytes());
    expect(encodeGetAcq(KEY_MIN, KEY_MAX)).toEqual(new Frame().header(7, 64).key(KEY_MIN).key(KEY_MAX).bytes());
    expect(encodeGet(min, max)).toHaveLength(76);
  });

  it("send reversed keys and cid -1 as given (the server refuses them), but not unencodable fields", () => {
    const neg = { ...KEY_MIN, cid: -1 };
    expect(encodeGet(KEY_MAX, KEY_MIN)).toEqual(new Frame().header(1, 64).key(KEY_MAX).key(KEY_MIN).bytes());
    expect(encodeGet(neg, KEY_MAX).subarray(12, 16)).toEqual(Uint8Array.of(255, 255, 255, 255));
    expect(() => encodeGet({ ...KEY_MIN, mid: INT64_MAX + 1n }, KEY_MAX)).toThrow(TStorageError);
    try {
      encodeGetAcq(KEY_MIN, { ...KEY_MAX, cid: 2 ** 31 });
    } catch (e) {
      expect((e as TStorageError).code).toBe("INVARG");
    }
  });
});

describe("PUT and PUTA requests", () => {
  it("an empty PUT is the header then -1", () => {
    const expected = new Frame().header(5, 0).i32(-1).bytes();
    expect(encodePutWhole([], false)).toEqual(expected);
    expect([...encodePut([], false)]).toEqual([expected]);
    expect(encodePutWhole([], true)).toEqual(new Frame().header(6, 0).i32(-1).bytes());
  });

  it("PUTA: batches per cid, batchSize = sum of (4 + recSize), abbreviated 28-byte keys, byte for byte", () => {
    const a = key(3, 10, 1, 100, 1000);
    const b = key(3, 11, 2, 101, 1001);
    const c = key(4, 12, 3, 102, 1002);
    const got = encodePutWhole([rec(a, 1, 2, 3, 4), rec(b), rec(c, 9)], true);
    const abbrev = (f: Frame, k: Key) => f.i64(k.mid).i32(k.moid).i64(k.cap).i64(k.acq);
    const f = new Frame().header(6, 0);
    f.i32(3).i32(4 + 32 + 4 + 28);
    abbrev(f.i32(32), a).raw([1, 2, 3, 4]);
    abbrev(f.i32(28), b);
    f.i32(4).i32(4 + 29);
    abbrev(f.i32(29), c).raw([9]);
    f.i32(-1);
    expect(got).toEqual(f.bytes());
  });

  it("PUT: 20-byte keys without acq, any client acq (even max) ignored", () => {
    const k = { ...key(0, 1, 2, 3, 0), acq: INT64_MAX };
    const got = encodePutWhole([rec(k, 7, 7)], false);
    const expected = new Frame()
      .header(5, 0)
      .i32(0)
      .i32(4 + 22)
      .i32(22)
      .i64(1n)
      .i32(2)
      .i64(3n)
      .raw([7, 7])
      .i32(-1);
    expect(got).toEqual(expected.bytes());
    expect(COMMAND).toEqual({ GET: 1, PUT: 5, PUTA: 6, GETACQ: 7 });
  });

  it("three cids make three batches; several batches may share a cid when records come apart", () => {
    const rs = [rec(key(1, 1, 1, 1, 1)), rec(key(2, 1, 1, 1, 1)), rec(key(3, 1, 1, 1, 1)), rec(key(1, 2, 1, 1, 1))];
    const { command, batches } = parsePut(encodePutWhole(rs, true));
    expect(command).toBe(6);
    expect(batches.map((b) => b.cid)).toEqual([1, 2, 3, 1]);
  });

  it("splits one cid's records into batches no larger than maxBatchSize, and a big record stands alone", () => {
    const rs = Array.from({ length: 10 }, (_, i) => rec(key(5, i, 0, 0, 0), ...new Array(12).fill(i)));
    // Each record is 4 + 28 + 12 = 44 bytes of batch.
    const { batches } = parsePut(encodePutWhole(rs, true, { maxBatchSize: 100 }));
    expect(batches.map((b) => b.records.length)).toEqual([2, 2, 2, 2, 2]);
    expect(batches.every((b) => b.cid === 5 && b.batchSize === 88)).toBe(true);
    const one = parsePut(encodePutWhole(rs, true, { maxBatchSize: 1 }));
    expect(one.batches.map((b) => b.records.length)).toEqual(new Array(10).fill(1));
    const exact = parsePut(encodePutWhole(rs, true, { maxBatchSize: 132 }));
    expect(exact.batches.map((b) => b.batchSize)).toEqual([132, 132, 132, 44]);
  });

  it("streams: bounded chunks for a large put, the same bytes as the whole request", () => {
    const rs = Array.from({ length: 20_000 }, (_, i) => rec(key(i % 3, i, 0, i, i), i & 255, 1, 2, 3));
    const chunks = [...encodePut(rs, true, { maxBatchSize: 4096, chunkBytes: 8192 })];
    expect(chunks.length).toBeGreaterThan(10);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(8192 + 4096 + 64);
    const whole = encodePutWhole(rs, true, { maxBatchSize: 4096, chunkBytes: 1 << 30 });
    const joined = new Uint8Array(whole.length);
    let at = 0;
    for (const c of chunks) {
      joined.set(c, at);
      at += c.length;
    }
    expect(at).toBe(whole.length);
    expect(Buffer.compare(joined, whole)).toBe(0);
    const { batches } = parsePut(whole);
    expect(batches.reduce((n, b) => n + b.records.length, 0)).toBe(20_000);
  });

  it("pulls records lazily from a generator", () => {
    let pulled = 0;
    function* source() {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield rec(key(1, i, 0, 0, 0), 1, 2, 3, 4);
      }
    }
    const it = encodePut(source(), true, { maxBatchSize: 400, chunkBytes: 400 });
    it.next();
    expect(pulled).toBeLessThan(20);
  });

  it("refuses bad keys, oversized payloads and bad options with stable codes; skipInvalid leaves keys out", () => {
    const bad = rec({ ...key(1, 1, 1, 1, 1), cap: INT64_MAX });
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof TStorageError ? e.code : "other";
      }
      return "none";
    };
    expect(code(() => encodePutWhole([bad], true))).toBe("INVALID_KEY");
    expect(code(() => encodePutWhole([rec({ ...key(1, 1, 1, 1, 1), cid: -1 })], false))).toBe("INVALID_KEY");
    expect(
      code(() => encodePutWhole([{ key: key(1, 1, 1, 1, 1), payload: new Uint8Array(MAX_PAYLOAD_BYTES + 1) }], true)),
    ).toBe("INVARG");
    expect(code(() => encodePutWhole([], true, { maxBatchSize: 0 }))).toBe("INVARG");
    expect(code(() => encodePutWhole([], true, { maxBatchSize: 2 ** 31 }))).toBe("INVARG");
    const { batches } = parsePut(
      encodePutWhole([rec(key(1, 1, 1, 1, 1)), bad, rec(key(1, 2, 1, 1, 1))], true, { skipInvalid: true }),
    );
    expect(batches).toHaveLength(1);
    expect(batches[0]?.records).toHaveLength(2);
  });

  it("takes a 32 MiB payload in one record", () => {
    const payload = new Uint8Array(MAX_PAYLOAD_BYTES).fill(7);
    const { batches } = parsePut(encodePutWhole([{ key: key(1, 1, 1, 1, 1), payload }], false));
    expect(batches[0]?.records[0]?.recSize).toBe(20 + MAX_PAYLOAD_BYTES);
  });
});

describe("encodePutStream", () => {
  it("gives the same chunks from an async source as encodePut from a list, and passes a source's error through", async () => {
    const records = Array.from({ length: 300 }, (_, i) => ({
      key: key(i % 3, i, i, i, i),
      payload: new Uint8Array(i * 10).fill(i & 0xff),
    }));
    async function* source() {
      yield* records;
    }
    const options = { maxBatchSize: 4096, chunkBytes: 8192 };
    const fromList = [...encodePut(records, true, options)];
    const fromStream: Uint8Array[] = [];
    for await (const chunk of encodePutStream(source(), true, options)) fromStream.push(chunk);
    expect(fromStream).toEqual(fromList);
    expect(fromList.length).toBeGreaterThan(5);

    const boom = new Error("source failed");
    async function* failing() {
      yield* records.slice(0, 10);
      throw boom;
    }
    const seen: Uint8Array[] = [];
    await expect(
      (async () => {
        for await (const chunk of encodePutStream(failing(), true, options)) seen.push(chunk);
      })(),
    ).rejects.toBe(boom);
    // No terminator went out: the last chunk handed over is a closed batch, not the end of the request.
    expect(seen.every((c) => new DataView(c.buffer, c.byteOffset).getInt32(c.length - 4, true) !== -1)).toBe(true);
  });
});
