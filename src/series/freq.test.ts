import { describe, expect, it } from "vitest";
import { SeriesError } from "./errors.ts";
import { isSubDaily, parseFreq } from "./freq.ts";

describe("parseFreq", () => {
  it.each([
    ["15min", "15min", 900_000],
    ["15T", "15min", 900_000],
    ["30min", "30min", 1_800_000],
    ["1h", "1h", 3_600_000],
    ["1H", "1h", 3_600_000],
    ["h", "1h", 3_600_000],
    ["H", "1h", 3_600_000],
    ["2h", "2h", 7_200_000],
    ["60min", "1h", 3_600_000],
    ["90s", "90s", 90_000],
    ["10s", "10s", 10_000],
    ["1s", "1s", 1000],
    ["1S", "1s", 1000],
    ["3600s", "1h", 3_600_000],
    ["24h", "24h", 86_400_000],
    ["1440min", "24h", 86_400_000],
  ])("reads %s as an absolute step %s", (text, canonical, stepMs) => {
    const f = parseFreq(text);
    expect(f).toEqual({ text: canonical, stepMs });
    expect(isSubDaily(f)).toBe(true);
    // The canonical text reads back as itself.
    expect(parseFreq(f.text)).toEqual(f);
  });

  it.each([
    ["1D", 1],
    ["D", 1],
    ["d", 1],
    ["7D", 7],
    ["366D", 366],
  ])("reads %s as %i local calendar days", (text, days) => {
    const f = parseFreq(text);
    expect(f).toEqual({ text: `${days}D`, days });
    expect(isSubDaily(f)).toBe(false);
  });

  it.each(["7min", "5h", "7s", "25h", "48h", "11min"])("refuses %s, which does not divide 24h, and says so", (text) => {
    expect(() => parseFreq(text)).toThrow(/divide 24h/);
  });

  it.each([
    "",
    "0h",
    "0D",
    "367D",
    "1W",
    "1M",
    "15 min",
    "-1h",
    "1.5h",
    "1ms",
    "h1",
    "1hh",
    "x".repeat(100),
    "1234567890h",
  ])("refuses %j with SeriesError invalid", (text) => {
    try {
      parseFreq(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SeriesError);
      expect((e as SeriesError).code).toBe("invalid");
    }
  });

  it("refuses a non-string without crashing", () => {
    expect(() => parseFreq(42 as unknown as string)).toThrow(SeriesError);
  });
});
