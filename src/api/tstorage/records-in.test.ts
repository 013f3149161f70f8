import { describe, expect, it } from "vitest";
import type { PutRecord } from "../../tstorage/request.ts";
import { BridgeError } from "../errors/tstorage.ts";
import { type PutBodyOptions, PutBodyReader } from "./records-in.ts";
import { payloadCodec } from "./values.ts";

const base = (over: Partial<PutBodyOptions> = {}): PutBodyOptions => ({
  withAcq: false,
  codec: payloadCodec("<d"),
  maxRecords: 100,
  maxBytes: 1 << 20,
  windowRecords: 3,
  windowBytes: 1 << 20,
  ...over,
});

/** A body arriving in the given pieces, recording how far it was read. */
function body(parts: readonly string[]): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let i = 0;
  const enc = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < parts.length) c.enqueue(enc.encode(parts[i++]));
      else c.close();
    },
  });
  return { stream, pulled: () => i };
}

const rec = (n: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ cid: 1, mid: String(n), moid: 0, cap: "2026-01-01T00:00:00.000000001Z", payload: n / 2, ...extra });

async function collect(r: PutBodyReader): Promise<PutRecord[]> {
  const out: PutRecord[] = [];
  for await (const x of r.records()) out.push(x);
  return out;
}

describe("PutBodyReader", () => {
  it("reads NDJSON split anywhere, keys exact, payloads packed by format", async () => {
    const text = `${rec(1)}\n\n${rec(2)}\n${rec(3)}`;
    const parts = [...text].map((ch) => ch);
    const r = new PutBodyReader(body(parts).stream, true, null, base());
    const got = await collect(r);
    expect(got.map((x) => x.key.mid)).toEqual([1n, 2n, 3n]);
    // 2001-01-01 is TStorage time 0; the ISO time 2026-... converts exactly, to the nanosecond.
    expect(got[0]?.key.cap).toBe(788_918_400_000_000_001n);
    expect(new DataView((got[1] as PutRecord).payload.buffer).getFloat64(0, true)).toBe(1);
    expect(r.count).toBe(3);
  });

  it("checks a whole window before handing out any of it", async () => {
    const b = body([`${rec(1)}\n${rec(2)}\n`, `${rec(3)}\n`, `${rec(4)}\n{"cid": 1}\n`]);
    const r = new PutBodyReader(b.stream, true, null, base());
    const got: bigint[] = [];
    const run = (async () => {
      for await (const x of r.records()) got.push(x.key.mid);
    })();
    await expect(run).rejects.toMatchObject({ status: 400, code: "INVARG", line: 5 });
    // The first window (3 records) went out; the bad line's window never did.
    expect(got).toEqual([1n, 2n, 3n]);
    expect(r.failure).toBeInstanceOf(BridgeError);
  });

  it("prime() refuses a bad first window before anything is read out", async () => {
    const r = new PutBodyReader(body([`${rec(1)}\n${rec(2, { payload: "x" })}\n`]).stream, true, null, base());
    await expect(r.prime()).rejects.toMatchObject({ code: "INVARG", line: 2, message: /payload/ });
  });

  it.each([
    ["a missing field", { mid: undefined }, "INVARG", /mid is missing/],
    ["an unknown field", { mdi: 1 }, "INVARG", /unknown field/],
    ["an unsafe JSON number for mid", { mid: 2 ** 60 }, "INVARG", /mid/],
    ["a cid outside int32", { cid: 2 ** 31 }, "INVARG", /int32/],
    ["a negative cid", { cid: -1 }, "INVALID_KEY", /negative/],
    ["a max-valued cap", { cap: "9223372036854775807" }, "INVALID_KEY", /max value/],
    ["a bad ISO time", { cap: "2026-02-30T00:00:00Z" }, "INVARG", /day/],
    ["a payload of the wrong type", { payload: [1] }, "INVARG", /payload/],
  ])("refuses %s with its line", async (_why, change, code, message) => {
    const r = new PutBodyReader(body([`${rec(1)}\n${rec(2, change)}\n`]).stream, true, null, base());
    await expect(r.prime()).rejects.toMatchObject({ status: 400, code, line: 2, message });
  });

  it("puta needs acq and keeps it; put ignores a given acq", async () => {
    const puta = new PutBodyReader(body([rec(1)]).stream, true, null, base({ withAcq: true }));
    await expect(puta.prime()).rejects.toThrow(/acq is missing/);
    const withAcq = new PutBodyReader(body([rec(1, { acq: "77" })]).stream, true, null, base({ withAcq: true }));
    expect((await collect(withAcq))[0]?.key.acq).toBe(77n);
    const put = new PutBodyReader(body([rec(1, { acq: "77" })]).stream, true, null, base());
    expect((await collect(put))[0]?.key.acq).toBe(0n);
  });

  it("base64 payloads without a format; bad base64 is refused", async () => {
    const ok = new PutBodyReader(
      body([rec(1, { payload: "AAEC" })]).stream,
      true,
      null,
      base({ codec: payloadCodec(undefined) }),
    );
    expect([...((await collect(ok))[0]?.payload ?? [])]).toEqual([0, 1, 2]);
    const bad = new PutBodyReader(
      body([rec(1, { payload: "AAE" })]).stream,
      true,
      null,
      base({ codec: payloadCodec(undefined) }),
    );
    await expect(bad.prime()).rejects.toMatchObject({ code: "INVARG", line: 1 });
  });

  it("stops at the records and bytes limits without reading on (413)", async () => {
    const many = body([`${rec(1)}\n${rec(2)}\n${rec(3)}\n`, `${rec(4)}\n`, `${rec(5)}\n`]);
    const r = new PutBodyReader(many.stream, true, null, base({ maxRecords: 2 }));
    await expect(r.prime()).rejects.toMatchObject({ status: 413, code: "payload_too_large" });
    expect(many.pulled()).toBe(1);
    const big = body(["x".repeat(600), "y".repeat(600), "z"]);
    await expect(new PutBodyReader(big.stream, true, null, base({ maxBytes: 1000 })).prime()).rejects.toMatchObject({
      status: 413,
    });
    expect(big.pulled()).toBe(2);
    const declared = body([rec(1)]);
    await expect(
      new PutBodyReader(declared.stream, true, "5000", base({ maxBytes: 1000 })).prime(),
    ).rejects.toMatchObject({
      status: 413,
    });
    expect(declared.pulled()).toBe(0);
  });

  it("reads a JSON array whole and checks every element before any goes out", async () => {
    const arr = `[${[1, 2, 3, 4, 5].map((n) => rec(n)).join(",")}]`;
    expect((await collect(new PutBodyReader(body([arr]).stream, false, null, base()))).length).toBe(5);
    const bad = `[${rec(1)},${rec(2)},${rec(3)},${rec(4)},${rec(5, { moid: "x" })}]`;
    const r = new PutBodyReader(body([bad]).stream, false, null, base());
    await expect(r.prime()).rejects.toMatchObject({ code: "INVARG", line: 5 });
    await expect(new PutBodyReader(body(['{"cid": 1}']).stream, false, null, base()).prime()).rejects.toThrow(
      /JSON array/,
    );
    await expect(
      new PutBodyReader(body([`[${rec(1)},${rec(2)},${rec(3)}]`]).stream, false, null, base({ maxRecords: 2 })).prime(),
    ).rejects.toMatchObject({ status: 413 });
    expect(await collect(new PutBodyReader(null, false, null, base()))).toEqual([]);
  });
});
