import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { INT64_MAX, INT64_MIN, type Key } from "../../tstorage/key.ts";
import type { GetRecord } from "../../tstorage/response.ts";
import { toIsoString } from "../../tstorage/time.ts";
import { AsciiBuffer, ndjsonRecords, payloadJson } from "./ascii-lines.ts";
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

function written(records: readonly GetRecord[], format: string | undefined, iso: boolean): string {
  const out = new AsciiBuffer(8);
  ndjsonRecords(out, records, payloadJson(payloadCodec(format)), iso);
  return new TextDecoder().decode(out.take());
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

  it("grows its buffer and starts afresh after take", () => {
    const out = new AsciiBuffer(1);
    out.text("abc");
    out.int(-1234567890123);
    out.bigint(INT64_MIN);
    expect(new TextDecoder().decode(out.take())).toBe(`abc-1234567890123${INT64_MIN}`);
    expect(out.length).toBe(0);
    out.int(0);
    expect(new TextDecoder().decode(out.take())).toBe("0");
  });
});

describe("int64 digits from bytes", () => {
  const text = (n: bigint): string => {
    const v = new DataView(new ArrayBuffer(8));
    v.setBigInt64(0, n, true);
    const out = new AsciiBuffer(1);
    out.int64(v, 0);
    return new TextDecoder().decode(out.take());
  };

  it("equal BigInt's decimal text at the edges and around 2^53 and 1e9 multiples", () => {
    const edges = [
      0n,
      1n,
      -1n,
      INT64_MIN,
      INT64_MAX,
      INT64_MIN + 1n,
      2n ** 53n,
      2n ** 53n - 1n,
      -(2n ** 53n),
      2n ** 53n + 1n,
    ];
    for (const e of [...edges, 10n ** 18n, 10n ** 18n - 1n, 10n ** 9n * 2n ** 33n, -(10n ** 18n) - 7n]) {
      expect(text(e)).toBe(e.toString());
    }
  });

  it("equal BigInt's decimal text for random int64", () => {
    fc.assert(
      fc.property(int64, (n) => text(n) === n.toString()),
      { numRuns: 5000 },
    );
  });
});

describe("safe integers", () => {
  it("equal String(n) for every safe integer size", () => {
    const text = (n: number): string => {
      const out = new AsciiBuffer(1);
      out.int(n);
      return new TextDecoder().decode(out.take());
    };
    for (const n of [
      0,
      9,
      10,
      999_999_999,
      1e9,
      1e9 + 1,
      2 ** 31,
      -(2 ** 31),
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
    ]) {
      expect(text(n)).toBe(String(n));
    }
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => text(n) === String(n)),
      { numRuns: 5000 },
    );
  });
});
