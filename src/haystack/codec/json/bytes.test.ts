import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatIso } from "../../kinds/index.ts";
import { ByteWriter } from "./bytes.ts";
import { ISO, scanIso } from "./iso.ts";

function text(f: (w: ByteWriter) => void): string {
  const w = new ByteWriter(8);
  f(w);
  return w.text();
}

describe("ByteWriter writes exactly what the string functions give", () => {
  it("number(v) is String(v) (property, incl. awkward doubles)", () => {
    const special = [
      0,
      -0,
      1,
      -1,
      0.1,
      0.2 + 0.1,
      1e-6,
      9.99e-7,
      1e15,
      1e21,
      123456789.125,
      -5e-324,
      2 ** 53,
      0.000001,
    ];
    for (const v of special) expect(text((w) => w.number(v))).toBe(String(v));
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        expect(text((w) => w.number(v))).toBe(String(v));
      }),
      { numRuns: 20_000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 6 }), (m, k) => {
        const v = m / 10 ** k;
        expect(text((w) => w.number(v))).toBe(String(v));
      }),
      { numRuns: 20_000 },
    );
  });

  it("iso(ms, offset) is formatIso, and scanIso reads it back", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -62_000_000_000_000, max: 250_000_000_000_000 }),
        fc.integer({ min: -14 * 4, max: 14 * 4 }),
        (ms, q) => {
          const off = q * 900;
          const s = text((w) => w.iso(ms, off));
          expect(s).toBe(formatIso(ms, off));
          if (ms >= 0 && ms < 253_000_000_000_000) {
            expect(scanIso(s, 0)).toBe(s.length);
            expect([ISO.ms, ISO.offset]).toEqual([ms, off]);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });

  it("quoted(s) is JSON.stringify(s) for any text, lone surrogates included", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 30 }), (s) => {
        expect(text((w) => w.quoted(s))).toBe(JSON.stringify(s));
      }),
      { numRuns: 5000 },
    );
    expect(text((w) => w.quoted("°F 漢 😀"))).toBe('"°F 漢 😀"');
  });

  it("grows past its initial capacity", () => {
    const big = "x".repeat(100_000);
    expect(text((w) => w.quoted(big))).toBe(`"${big}"`);
  });
});

describe("scanIso", () => {
  it.each([
    "2021-02-29T00:00:00Z",
    "2021-13-01T00:00:00Z",
    "2021-01-01T24:00:00Z",
    "2021-01-01T00:00Z",
    "2021-01-01T00:00:00",
    "2021-01-01T00:00:00.Z",
    "2021-01-01T00:00:00+5:00",
  ])("refuses %s", (s) => {
    expect(scanIso(s, 0)).toBe(-1);
  });

  it("reads fractions beyond milliseconds by truncating", () => {
    expect(scanIso("2024-02-29T12:00:00.123456-05:00", 0)).toBe(32);
    expect(ISO.ms).toBe(Date.UTC(2024, 1, 29, 17, 0, 0, 123));
  });
});
