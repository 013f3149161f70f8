import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { errorCode as code } from "../../../test/support/errors.ts";
import { HNumber, type HVal, MARKER } from "../kinds/index.ts";
import { approxDuration, exactDuration, MAX_DURATION_MS, parseDuration } from "./duration.ts";

const n = (val: number, unit: string) => new HNumber(val, unit);
const parse = (v: HVal) => parseDuration(v, "duration");
const message = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("no error");
};

describe("parseDuration", () => {
  it("reads every time unit of the unit database, names and symbols", () => {
    const cases: [HNumber, number][] = [
      [n(1_500_000, "ns"), 2],
      [n(2_000_000, "nanosecond"), 2],
      [n(2500, "µs"), 3],
      [n(7000, "microsecond"), 7],
      [n(5, "ms"), 5],
      [n(5, "millisecond"), 5],
      [n(3, "cs"), 30],
      [n(3, "hundredths_second"), 30],
      [n(3, "ds"), 300],
      [n(3, "tenths_second"), 300],
      [n(30, "s"), 30_000],
      [n(30, "sec"), 30_000],
      [n(30, "second"), 30_000],
      [n(15, "min"), 900_000],
      [n(15, "minute"), 900_000],
      [n(1, "h"), 3_600_000],
      [n(1, "hr"), 3_600_000],
      [n(1, "hour"), 3_600_000],
      [n(1, "day"), 86_400_000],
      [n(1, "wk"), 604_800_000],
      [n(1, "week"), 604_800_000],
      [n(1, "mo"), 2_629_800_000],
      [n(1, "julian_month"), 2_629_800_000],
      [n(1, "yr"), 31_536_000_000],
      [n(1, "year"), 31_536_000_000],
    ];
    for (const [v, ms] of cases) expect([String(v), parse(v)]).toEqual([String(v), ms]);
  });

  it("rounds to the nearest millisecond, halves up", () => {
    expect(parse(n(1.5, "ms"))).toBe(2);
    expect(parse(n(2.5, "ms"))).toBe(3);
    expect(parse(n(2.4999, "ms"))).toBe(2);
    expect(parse(n(0.5, "ms"))).toBe(1);
    expect(parse(n(1.0001, "s"))).toBe(1000);
    expect(parse(n(1.0005, "s"))).toBe(1001);
    expect(parse(n(59.50823333333334, "min"))).toBe(3_570_494);
    expect(Number.isInteger(parse(n(1 / 3, "h")))).toBe(true);
  });

  it("always answers a whole number of milliseconds in 1..MAX_DURATION_MS, or refuses (property)", () => {
    const units = ["ns", "µs", "ms", "s", "min", "h", "day", "wk", "mo", "yr"];
    fc.assert(
      fc.property(fc.double({ noNaN: false }), fc.constantFrom(...units), (val, unit) => {
        const v = n(val, unit);
        const c = code(() => parse(v));
        if (c !== undefined) {
          expect(c).toBe("invalid_value");
          return;
        }
        const ms = parse(v);
        expect(Number.isSafeInteger(ms)).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(1);
        expect(ms).toBeLessThanOrEqual(MAX_DURATION_MS);
      }),
      { numRuns: 3000 },
    );
  });

  it("accepts up to 100 years and refuses longer, naming the argument and the bound", () => {
    expect(parse(n(100, "yr"))).toBe(MAX_DURATION_MS);
    expect(parse(n(36_500, "day"))).toBe(MAX_DURATION_MS);
    expect(message(() => parseDuration(n(1e20, "yr"), "duration"))).toMatch(/^duration must be at most 100yr, got 1/);
    expect(message(() => parseDuration(n(36_500.001, "day"), "lease"))).toMatch(/^lease must be at most 100yr/);
    expect(code(() => parse(n(101, "yr")))).toBe("invalid_value");
  });

  it("refuses below 1 ms after rounding, zero, negative and non-finite durations", () => {
    expect(message(() => parseDuration(n(0.4, "ms"), "interval"))).toBe("interval must be at least 1ms, got 0.4ms");
    for (const v of [n(0, "s"), n(-5, "min"), n(400_000, "ns"), n(-0.4, "ms")]) {
      expect(message(() => parse(v))).toMatch(/^duration must be at least 1ms, got /);
    }
    expect(message(() => parse(n(Number.POSITIVE_INFINITY, "h")))).toBe("duration must be a finite duration, got INF");
    expect(message(() => parse(n(Number.NaN, "s")))).toBe("duration must be a finite duration, got NaN");
  });

  it("refuses what is not a duration Number, saying what it got", () => {
    expect(message(() => parse(30))).toMatch(/^duration must be a Number with a duration unit .*got no unit$/);
    expect(message(() => parse(n(5, "kW")))).toMatch(/got unit kW$/);
    expect(message(() => parse(n(5, "month")))).toMatch(/got unit month$/);
    for (const v of ["1h", MARKER, true, null]) expect(message(() => parse(v))).toMatch(/got not a Number$/);
  });
});

describe("exactDuration", () => {
  it("writes the largest unit that holds the value whole", () => {
    const cases: [number, string][] = [
      [3_600_000, "1h"],
      [900_000, "15min"],
      [90_000, "90s"],
      [1500, "1500ms"],
      [1, "1ms"],
      [86_400_000, "1day"],
      [604_800_000, "7day"],
      [90 * 60_000, "90min"],
      [MAX_DURATION_MS, "36500day"],
      [0, "0ms"],
    ];
    for (const [ms, text] of cases) expect([ms, String(exactDuration(ms))]).toEqual([ms, text]);
  });

  it("reads back to the same milliseconds (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_DURATION_MS }), (ms) => {
        const v = exactDuration(ms);
        expect(Number.isInteger(v.val)).toBe(true);
        expect(parse(v)).toBe(ms);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("approxDuration", () => {
  it("writes a time left as a person reads it", () => {
    const cases: [number, string][] = [
      [3_570_492, "59.5min"],
      [45_000, "45s"],
      [4_320_000, "1.2h"],
      [90_061_000, "1.04day"],
      [450, "450ms"],
      [999.4, "999ms"],
      [999.5, "1s"],
      [1000, "1s"],
      [59_990, "1min"],
      [59_940, "59.9s"],
      [3_599_900, "1h"],
      [86_399_000, "1day"],
      [12_345, "12.3s"],
      [12_350, "12.4s"],
      [30 * 60_000, "30min"],
      [MAX_DURATION_MS, "36500day"],
      [0, "0ms"],
    ];
    for (const [ms, text] of cases) expect([ms, String(approxDuration(ms))]).toEqual([ms, text]);
  });

  it("stays within 0.5% of the value and never writes more than 3 significant digits (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: MAX_DURATION_MS }), (ms) => {
        const v = approxDuration(ms);
        const back = parse(v);
        expect(Math.abs(back - ms) / ms).toBeLessThanOrEqual(0.005);
        expect(Number(v.val.toPrecision(3))).toBe(v.val);
      }),
      { numRuns: 3000 },
    );
  });

  it("refuses a negative or non-finite time", () => {
    expect(code(() => approxDuration(-1))).toBe("invalid_value");
    expect(code(() => approxDuration(Number.NaN))).toBe("invalid_value");
    expect(code(() => approxDuration(Number.POSITIVE_INFINITY))).toBe("invalid_value");
  });
});
