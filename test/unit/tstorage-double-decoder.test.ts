/** The double's incremental request decoder, fed requests split at every offset. */
import { describe, expect, it } from "vitest";
import { RequestDecoder, type RequestEvent } from "../../scripts/tstorage/request-decoder.ts";
import { concatBytes as join } from "../../src/bytes.ts";
import { KEY_MAX, KEY_MIN } from "../../src/tstorage/key.ts";
import { encodeGet, encodeGetAcq, encodePutWhole, MAX_PAYLOAD_BYTES } from "../../src/tstorage/request.ts";
import { Frame, key } from "../support/tstorage-frames.ts";

function decode(chunks: readonly Uint8Array[]): RequestEvent[] {
  const d = new RequestDecoder();
  const events: RequestEvent[] = [];
  for (const c of chunks) d.push(c, (e) => events.push(e));
  return events;
}

const RECORDS = [
  { key: key(1, 10, 2, 30, 40), payload: Uint8Array.of(1, 2, 3) },
  { key: key(1, 11, 2, 31, 41), payload: new Uint8Array(0) },
  { key: key(4, -1, -2, -3, -4), payload: Uint8Array.of(9) },
];

describe("request decoder", () => {
  it("decodes a GET, a PUTA and a GETACQ back to back, split at every offset", () => {
    const stream = join([
      encodeGet(KEY_MIN, KEY_MAX),
      encodePutWhole(RECORDS, true, { maxBatchSize: 40 }),
      encodeGetAcq(key(0, 0, 0, 0, 0), key(1, 1, 1, 1, 15)),
    ]);
    const expected = decode([stream]);
    expect(expected.map((e) => e.kind)).toEqual([
      "range",
      "put-start",
      "record",
      "record",
      "record",
      "put-end",
      "range",
    ]);
    expect(expected.filter((e) => e.kind === "record").map((e) => e.key)).toEqual(RECORDS.map((r) => r.key));
    for (let cut = 1; cut < stream.length; cut++) {
      expect(decode([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(expected);
    }
    expect(decode(Array.from(stream, (b) => Uint8Array.of(b)))).toEqual(expected);
  });

  it("leaves acq to the server under PUT", () => {
    const events = decode([encodePutWhole(RECORDS, false)]);
    const keys = events.flatMap((e) => (e.kind === "record" ? [e.key] : []));
    expect(keys.map((k) => k.acq)).toEqual([0n, 0n, 0n]);
    expect(keys.map((k) => k.cap)).toEqual([30n, 31n, -3n]);
  });

  it("ends a put at any negative cid and skips PUT header extensions", () => {
    const events = decode([new Frame().header(5, 3).raw([7, 7, 7]).i32(-5).bytes()]);
    expect(events.map((e) => e.kind)).toEqual(["put-start", "put-end"]);
  });

  it("refuses a record size over the payload limit before holding its bytes", () => {
    const events = decode([
      new Frame()
        .header(6, 0)
        .i32(1)
        .i32(100)
        .i32(28 + MAX_PAYLOAD_BYTES + 1)
        .bytes(),
    ]);
    expect(events.at(-1)).toMatchObject({ kind: "invalid", command: 6 });
  });

  it("is dead after an invalid request", () => {
    const d = new RequestDecoder();
    const events: RequestEvent[] = [];
    d.push(new Frame().header(3, 0).bytes(), (e) => events.push(e));
    d.push(encodeGet(KEY_MIN, KEY_MAX), (e) => events.push(e));
    expect(events).toEqual([{ kind: "invalid", command: 3, reason: "unknown command 3" }]);
    expect(d.dead).toBe(true);
  });
});
