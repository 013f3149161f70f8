import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatIso } from "../../kinds/index.ts";
import { Utf8Writer } from "./utf8-writer.ts";

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

  it("str() and cached() encode like TextEncoder and grow the buffer", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme" }), { maxLength: 6 }), (xs) => {
        const w = new Utf8Writer(1);
        for (const [i, s] of xs.entries()) {
          if (i % 2 === 0) w.str(s);
          else w.cached(s, (i % 4) / 2 === 0 ? 0 : 1);
        }
        expect(w.text()).toBe(xs.join(""));
      }),
    );
    expect(text((w) => w.str("a\ud800b"))).toBe("a\ufffdb");
    const big = "é".repeat(100_000);
    expect(text((w) => w.str(big), 4)).toBe(big);
  });

  it("quantity() and dateTime() write what Zinc's string path writes", () => {
    const q = (val: number, unit: string) => text((w) => w.quantity({ val, unit }));
    expect(q(72.5, "°F")).toBe("72.5°F");
    expect(q(-0.001, "kW")).toBe("-0.001kW");
    expect(q(1e21, "m")).toBe("1e+21m");
    expect(q(Number.POSITIVE_INFINITY, "kW")).toBe("INF");
    expect(q(Number.NEGATIVE_INFINITY, "kW")).toBe("-INF");
    expect(q(Number.NaN, "kW")).toBe("NaN");
    const dt = (ms: number, offset: number, tz: string) => text((w) => w.dateTime({ ms, offset, tz }));
    expect(dt(0, 0, "UTC")).toBe("1970-01-01T00:00:00Z UTC");
    expect(dt(1704085200123, -18000, "New_York")).toBe("2024-01-01T00:00:00.123-05:00 New_York");
    expect(dt(0.5, 3600, "Paris")).toBe(`${formatIso(0.5, 3600)} Paris`);
    expect(dt(4e14, 0, "UTC")).toBe(`${formatIso(4e14, 0)} UTC`);
    expect(dt(-1e-300, 0, "UTC")).toBe(`${formatIso(-1e-300, 0)} UTC`);
  });
});
