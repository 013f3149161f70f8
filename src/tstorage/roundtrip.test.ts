import { describe, expect, it } from "vitest";
import { Frame, key } from "../../test/support/tstorage-frames.ts";
import { encodePutWhole, type PutRecord } from "./request.ts";
import { GetDecoder, type GetRecord, iterateGet } from "./response.ts";
import { CLIENT_STATUS, SERVER_STATUS, statusCode, TStorageError } from "./status.ts";

/** What a server answers to a PUTA it stored: the records read back as a GET response. */
function serveBack(request: Uint8Array): Uint8Array {
  const v = new DataView(request.buffer, request.byteOffset, request.byteLength);
  const parts: Uint8Array[] = [new Frame().header(0, 0).bytes()];
  let at = 12;
  for (let cid = v.getInt32(at, true); cid !== -1; cid = v.getInt32(at, true)) {
    const end = at + 8 + v.getInt32(at + 4, true);
    at += 8;
    while (at < end) {
      const recSize = v.getInt32(at, true);
      parts.push(
        new Frame()
          .i32(recSize + 4)
          .i32(cid)
          .bytes(),
        request.subarray(at + 4, at + 4 + recSize),
      );
      at += 4 + recSize;
    }
  }
  parts.push(new Frame().i32(0).header(0, 8).i64(77n).bytes());
  return Buffer.concat(parts);
}

const asSet = (rs: readonly { key: PutRecord["key"]; payload: Uint8Array }[]) =>
  new Set(
    rs.map(
      (r) =>
        `${r.key.cid}/${r.key.mid}/${r.key.moid}/${r.key.cap}/${r.key.acq}:${Buffer.from(r.payload).toString("hex")}`,
    ),
  );

describe("PUTA request -> stored -> GET response", () => {
  it("1,000 random payloads of 4 B..64 KiB come back as the same set", () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const records: PutRecord[] = Array.from({ length: 1000 }, (_, i) => ({
      key: { cid: rnd(5), mid: BigInt(i) - 500n, moid: rnd(1000) - 500, cap: BigInt(rnd(1e9)) * 1000n, acq: BigInt(i) },
      payload: crypto.getRandomValues(new Uint8Array(4 + rnd(65533))),
    }));
    const response = serveBack(encodePutWhole(records, true, { maxBatchSize: 100_000 }));
    const d = new GetDecoder({ memoryLimit: response.length });
    for (let at = 0; at < response.length; at += 4093) d.push(response.subarray(at, at + 4093));
    d.end();
    expect(d.acq).toBe(77n);
    expect(asSet(d.records)).toEqual(asSet(records));
  });
});

describe("iterateGet", () => {
  const records = Array.from({ length: 8 }, (_, i) => ({
    key: key(1, i, i, i, i),
    payload: Uint8Array.of(i, i, i, i),
  }));
  const response = serveBack(encodePutWhole(records, true));

  function reader(chunks: Uint8Array[]): { read: () => Promise<Uint8Array | undefined>; reads: () => number } {
    let n = 0;
    return { read: async () => chunks[n++], reads: () => n };
  }

  async function drain(it: AsyncGenerator<GetRecord[], bigint>): Promise<{ windows: number[]; acq: bigint }> {
    const windows: number[] = [];
    for (;;) {
      const step = await it.next();
      if (step.done) return { windows, acq: step.value };
      windows.push(step.value.length);
    }
  }

  it("yields windows of the memory limit and returns acq, not reading past the response", async () => {
    const src = reader([response.subarray(0, 200), response.subarray(200), new Uint8Array(5)]);
    expect(await drain(iterateGet(src.read, { memoryLimit: 90 }))).toEqual({ windows: [1, 3, 2, 2], acq: 77n });
    expect(src.reads()).toBe(2);
  });

  it("yields the records before a disconnect, then throws DISCONNECTED", async () => {
    const windows: number[] = [];
    const it = iterateGet(reader([response.subarray(0, 100)]).read);
    await expect(
      (async () => {
        for await (const w of it) windows.push(w.length);
      })(),
    ).rejects.toMatchObject({ code: "DISCONNECTED" });
    expect(windows).toEqual([2]);
  });
});

describe("status codes", () => {
  it("name server and client codes, group ranges, and keep the number", () => {
    expect(statusCode(-2)).toBe("INVARG");
    expect(statusCode(-3)).toBe("RETRY");
    expect(statusCode(-259)).toBe("REDIR");
    expect(statusCode(-126)).toBe("INTERNAL");
    expect(statusCode(-141)).toBe("FILESYSTEM");
    expect(statusCode(-10)).toBe("UNKNOWN");
    expect(statusCode(131)).toBe("NO_MEMORY");
    expect(SERVER_STATUS.NOMEM).toBe(-5);
    expect(CLIENT_STATUS.DISCONNECTED).toBe(128);
    const e = TStorageError.fromServer(-3, "PUT");
    expect([e.code, e.status, e.name, e instanceof Error]).toEqual(["RETRY", -3, "TStorageError", true]);
    expect(e.message).toMatch(/-3/);
  });
});
