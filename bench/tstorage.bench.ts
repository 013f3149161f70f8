/**
 * The TStorage face (issue 13).
 *
 * - tstorage-decode: the GET response decoder alone over a 1M-record response (12-byte payloads,
 *   48 MB) cut into 64 KiB reads as a socket hands them over, in MB/s, against a plain copy of the
 *   same chunks into one buffer: the least any reader does with the bytes. Records come out as
 *   views (RecordView), as the HTTP bridge reads them.
 * - tstorage-decode-keys: the same with every record's key (three BigInts) and payload made, as a
 *   client program reading the records gets them.
 *
 * The end-to-end figures (tstorage-get-1m, tstorage-put-1m) live in tstorage-bridge.bench.ts.
 */
import { KEY_BYTES, type Key } from "../src/tstorage/key.ts";
import { HEADER_BYTES } from "../src/tstorage/request.ts";
import { GetDecoder } from "../src/tstorage/response.ts";
import { bench, type Figure, measure } from "./harness.ts";
import { expectEqual } from "./verify.ts";

export const RECORDS = 1_000_000;
export const PAYLOAD_BYTES = 12;
const READ_BYTES = 64 * 1024;

/** Record i of the 1M: ten meters of 100k readings each, 15 minutes apart, acq just after cap. */
export function benchKey(i: number): Key {
  const cap = 800_000_000_000_000_000n + BigInt(i % 100_000) * 900_000_000_000n;
  return { cid: 1, mid: 1000n + BigInt(Math.floor(i / 100_000)), moid: i % 4, cap, acq: cap + 1_000_000n };
}

/** Record i's payload as "<dI": a reading and a quality word. */
export function benchPayload(i: number, view: DataView, at: number): void {
  view.setFloat64(at, (i % 1000) / 8, true);
  view.setUint32(at + 8, i % 7, true);
}

/** The GET response for the 1M records, built field by field (not with our encoders). */
function response(): Uint8Array {
  const rec = 4 + KEY_BYTES + PAYLOAD_BYTES;
  const out = new Uint8Array(HEADER_BYTES + RECORDS * rec + 4 + HEADER_BYTES + 8);
  const v = new DataView(out.buffer);
  let at = HEADER_BYTES;
  for (let i = 0; i < RECORDS; i++) {
    const k = benchKey(i);
    v.setInt32(at, KEY_BYTES + PAYLOAD_BYTES, true);
    v.setInt32(at + 4, k.cid, true);
    v.setBigInt64(at + 8, k.mid, true);
    v.setInt32(at + 16, k.moid, true);
    v.setBigInt64(at + 20, k.cap, true);
    v.setBigInt64(at + 28, k.acq, true);
    benchPayload(i, v, at + 36);
    at += rec;
  }
  at += 4;
  v.setBigUint64(at + 4, 8n, true);
  v.setBigInt64(at + HEADER_BYTES, 900_000_000_000_000_000n, true);
  return out;
}

bench("tstorage-decode", async (): Promise<Figure[]> => {
  const whole = response();
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < whole.length; at += READ_BYTES) chunks.push(whole.slice(at, at + READ_BYTES));
  const mb = whole.length / 1e6;

  let checksum = 0;
  const ours = await measure(
    () => {
      const d = new GetDecoder({ onWindow: (records) => (checksum += records.length) });
      for (const c of chunks) d.push(c);
      d.end();
    },
    { minRuns: 5 },
  );
  const check = new GetDecoder();
  for (const c of chunks) check.push(c);
  check.end();
  expectEqual("decoded records", check.records.length, RECORDS);
  expectEqual("last key", check.records[RECORDS - 1]?.key.cap, benchKey(RECORDS - 1).cap);
  expectEqual("horizon", check.acq, 900_000_000_000_000_000n);

  let caps = 0n;
  const keys = await measure(
    () => {
      const d = new GetDecoder({
        onWindow: (records) => {
          for (const r of records) {
            caps += r.key.cap;
            checksum += r.payload.length;
          }
        },
      });
      for (const c of chunks) d.push(c);
      d.end();
    },
    { minRuns: 5 },
  );

  const copy = await measure(
    () => {
      const out = new Uint8Array(whole.length);
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.length;
      }
      checksum += out[at - 1] as number;
    },
    { minRuns: 5 },
  );
  if (checksum < 0 || caps === 0n) throw new Error("unreachable");
  const figure = (name: string, ms: number): Figure => ({
    name,
    value: mb / (ms / 1000),
    unit: "MB/s",
    baseline: "plain copy of the chunks",
    baselineValue: mb / (copy / 1000),
    higherIsBetter: true,
  });
  return [figure("tstorage-decode", ours), figure("tstorage-decode-keys", keys)];
});
