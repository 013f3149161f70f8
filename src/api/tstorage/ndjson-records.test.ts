import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { INT64_MAX, INT64_MIN, type Key } from "../../tstorage/key.ts";
import type { GetRecord } from "../../tstorage/response.ts";
import { toIsoString } from "../../tstorage/time.ts";
import { ByteSink } from "../byte-sink.ts";
import { ndjsonRecords, payloadJson } from "./ndjson-records.ts";
import { payloadCodec } from "./values.ts";

/** The line as JSON.stringify writes it from the codec's values: what the byte writer must equal. */
function reference(records: readonly GetRecord[], format: string | undefined, iso: boolean): string {
  const codec = payloadCodec(format);
  const time = (t: bigint) => (iso ? toIsoString(t) : t.toString());
  return records
    .map(
      ({ key, payload }) =>
        `${JSON.stringify({
          cid: key.cid,
          mid: key.mid.toString(),
          moid: key.moid,
          cap: time(key.cap),
          acq: time(key.acq),
          payload: codec.toJson(codec.decode(payload)),
        })}\n`,
    )
    .join("");
}

/** The lines as written, across every chunk handed out and the rest. */
function written(records: readonly GetRecord[], format: string | undefined, iso: boolean): string {
  const out = new ByteSink();
  const chunks: Uint8Array[] = [];
  ndjsonRecords(out, records, payloadJson(payloadCodec(format)), iso, (c) => chunks.push(c));
  const rest = out.take();
  if (rest) chunks.push(rest);
  const decoder = new TextDecoder();
  return chunks.map((c) => decoder.decode(c)).join("");
}

const int64 = fc.bigInt({ min: INT64_MIN, max: INT64_MAX });
const key: fc.Arbitrary<Key> = fc.record({
  cid: fc.integer({ min: 0, max: 0x7fff_ffff }),
  mid: int64,
  moid: fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
  cap: fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }),
  acq: int64,
});

/** Formats with every numeric letter, both byte orders, native alignment, pads and bytes. */
const FORMATS = ["<dI", "<if?", "<q", ">hHbBe", "<f", "d", "<Q", "<2i3x?", "@bq", "<4s", "<c", "<3pH"];

describe("NDJSON record lines written as bytes", () => {
  for (const format of [undefined, ...FORMATS]) {
    it(`equal JSON.stringify's lines for format ${format ?? "(base64)"}`, () => {
      const size = format === undefined ? undefined : payloadCodec(format).size;
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              key,
              payload: fc.uint8Array({ minLength: size ?? 0, maxLength: size ?? 40 }),
            }),
            { maxLength: 20 },
          ),
          fc.boolean(),
          (records, iso) => {
            // ISO times only where toIsoString takes them (acq may be any int64 here).
            const useIso = iso && records.every((r) => r.key.acq > -(10n ** 18n) && r.key.acq < 10n ** 18n);
            expect(written(records, format, useIso)).toBe(reference(records, format, useIso));
          },
        ),
        { numRuns: 200 },
      );
    });
  }

  it("writes NaN, infinities, -0 and huge floats as the codec's JSON does", () => {
    const bytes = new Uint8Array(32);
    const view = new DataView(bytes.buffer);
    view.setFloat64(0, Number.NaN, true);
    view.setFloat64(8, Number.NEGATIVE_INFINITY, true);
    view.setFloat64(16, -0, true);
    view.setFloat64(24, 1e300, true);
    const rec = { key: { cid: 1, mid: 2n, moid: 3, cap: 4n, acq: 5n }, payload: bytes };
    expect(written([rec], "<4d", false)).toBe(reference([rec], "<4d", false));
    expect(written([rec], "<4d", false)).toContain('"payload":["NaN","-Infinity",0,1e+300]');
  });

  it("refuses a payload of the wrong size for a typed format, as the codec does", () => {
    const rec = { key: { cid: 1, mid: 2n, moid: 3, cap: 4n, acq: 5n }, payload: new Uint8Array(3) };
    expect(() => written([rec], "<dI", false)).toThrow(RangeError);
  });

  it("hands out full chunks and loses nothing across them, for many records and long payloads", () => {
    const records = Array.from({ length: 3000 }, (_, i) => {
      const payload = new Uint8Array(500 * 8);
      const v = new DataView(payload.buffer);
      for (let k = 0; k < 500; k++) v.setFloat64(k * 8, (i * 500 + k) / 3, true);
      return {
        key: { cid: i, mid: BigInt(i) << 40n, moid: -i, cap: BigInt(i) * 10n ** 15n, acq: -BigInt(i) },
        payload,
      };
    });
    expect(written(records, "<500d", false)).toBe(reference(records, "<500d", false));
    expect(written(records.slice(0, 200), undefined, true)).toBe(reference(records.slice(0, 200), undefined, true));
  });
});
