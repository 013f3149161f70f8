import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatIso } from "../../kinds/index.ts";
import { ZincCellWriter } from "./cell-writer.ts";

function text(f: (w: ZincCellWriter) => void, capacity?: number): string {
  const w = new ZincCellWriter(capacity);
  f(w);
  return w.text();
}

describe("ZincCellWriter", () => {
  it("str() and cached() encode like TextEncoder and grow the buffer", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme" }), { maxLength: 6 }), (xs) => {
        const w = new ZincCellWriter(1);
        for (const [i, s] of xs.entries()) {
          if (i % 2 === 0) w.str(s);
          else w.cached(s, (i % 4) / 2 === 0 ? 0 : 1);
        }
        expect(w.text()).toBe(xs.join(""));
      }),
    );
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
