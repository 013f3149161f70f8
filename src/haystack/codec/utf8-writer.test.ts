import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ISO, scanIso } from "../kinds/datetime.ts";
import { formatIso } from "../kinds/index.ts";
import { ISO_ROOM, NUMBER_ROOM, Utf8Writer } from "./utf8-writer.ts";

function text(f: (w: Utf8Writer) => void, capacity?: number): string {
  const w = new Utf8Writer(capacity);
  f(w);
  return w.text();
}

describe("Utf8Writer", () => {
  it("number() writes exactly String(n)", () => {
    const cases = [
      0,
      -0,
      1,
      -1,
      7,
      10,
      99,
      100,
      2 ** 31,
      -(2 ** 31) - 1,
      1e15 - 1,
      1e15,
      1e21,
      72.1,
      56.69,
      -80.09,
      0.1,
      0.000001,
      0.0000001,
      1e-7,
      5e-324,
      1.7976931348623157e308,
      0.1 + 0.2,
      123456789.123,
      1 / 3,
    ];
    for (const v of cases) expect(text((w) => w.number(v))).toBe(String(v));
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        expect(text((w) => w.number(v))).toBe(String(v));
      }),
      { numRuns: 5_000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 6 }), (m, k) => {
        const v = m / 10 ** k;
        expect(text((w) => w.number(v))).toBe(String(v));
      }),
      { numRuns: 5_000 },
    );
  });

  it("iso() writes exactly formatIso", () => {
    const offsets = fc.oneof(
      fc.constantFrom(0, -5 * 3600, 3600, 5 * 3600 + 1800, 12 * 3600 + 2700, -(3 * 3600 + 1800), 3 * 3600 + 25),
      fc.integer({ min: -14 * 3600, max: 14 * 3600 }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -62e12, max: 253e12 }), offsets), { maxLength: 5 }), (xs) => {
        const w = new Utf8Writer(8);
        let want = "";
        for (const [ms, off] of xs) {
          w.iso(ms, off);
          want += formatIso(ms, off);
        }
        expect(w.text()).toBe(want);
      }),
      { numRuns: 3_000 },
    );
    expect(text((w) => w.iso(0.5, 0))).toBe(formatIso(0.5, 0));
  });

  it("str() encodes like TextEncoder and grow the buffer", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme" }), { maxLength: 6 }), (xs) => {
        const w = new Utf8Writer(1);
        for (const s of xs) w.str(s);
        expect(w.text()).toBe(xs.join(""));
      }),
    );
    expect(text((w) => w.str("a\ud800b"))).toBe("a\ufffdb");
    const big = "é".repeat(100_000);
    expect(text((w) => w.str(big), 4)).toBe(big);
  });
});

describe("Utf8Writer writes exactly what the string functions give (JSON cases)", () => {
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

  it("numberAt and isoAt write at an explicit position what number and iso write", () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: -62e12, max: 253e12 }),
        fc.integer({ min: -14 * 4, max: 14 * 4 }),
        (v, ms, q) => {
          const w = new Utf8Writer(8);
          w.reserve(NUMBER_ROOM + ISO_ROOM + 1);
          let n = w.numberAt(w.n, v);
          w.buf[n++] = 32;
          w.n = w.isoAt(n, { ms, offset: q * 900 });
          expect(w.text()).toBe(`${String(v)} ${formatIso(ms, q * 900)}`);
        },
      ),
      { numRuns: 3000 },
    );
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
