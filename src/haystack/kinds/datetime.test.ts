import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatIso, parseIso } from "./datetime.ts";

describe("ISO date-times", () => {
  it("refuses impossible dates and offsets", () => {
    for (const bad of [
      "2023-02-30T00:00:00Z",
      "2023-13-01T00:00:00Z",
      "2024-01-01T00:00:00-04:60",
      "2024-01-01T24:00:00Z",
    ]) {
      expect(parseIso(bad)).toBeUndefined();
    }
  });

  it("reads what formatIso writes, at any offset (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -6e12, max: 6e12 }),
        fc.integer({ min: -12 * 4, max: 14 * 4 }).map((q) => q * 900),
        (ms, offset) => {
          const text = formatIso(ms, offset);
          expect(parseIso(text)).toEqual({ ms, offset: offset === 0 ? 0 : offset, end: text.length });
        },
      ),
    );
  });
});
