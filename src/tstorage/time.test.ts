import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  fromIsoString,
  fromUnixMs,
  fromUnixNs,
  TIME_MAX,
  TIME_MIN,
  TSTORAGE_EPOCH_UNIX_NS,
  toIsoString,
  toUnixMs,
  toUnixNs,
} from "./time.js";

describe("TStorage <-> Unix ns", () => {
  it("matches the checks in TSTORAGE.md", () => {
    expect(toUnixNs(0n)).toBe(978_307_200_000_000_000n);
    expect(fromUnixNs(978_307_200_000_000_000n + 4321n)).toBe(4321n);
    expect(TSTORAGE_EPOCH_UNIX_NS).toBe(BigInt(Date.UTC(2001, 0, 1)) * 1_000_000n);
  });
  it("refuses to leave int64", () => {
    expect(() => toUnixNs(TIME_MAX)).not.toThrow();
    expect(() => toUnixNs(TIME_MAX + 1n)).toThrow(RangeError);
    expect(() => fromUnixNs(TIME_MIN)).toThrow(RangeError);
    expect(fromUnixNs(TIME_MIN + TSTORAGE_EPOCH_UNIX_NS)).toBe(TIME_MIN);
    expect(() => toUnixNs(1 as unknown as bigint)).toThrow(TypeError);
  });
  it("round-trips every int64", () => {
    fc.assert(fc.property(fc.bigInt(TIME_MIN, TIME_MAX), (ts) => fromUnixNs(toUnixNs(ts)) === ts));
  });
});

describe("TStorage <-> Unix ms", () => {
  it("floors toward -infinity", () => {
    expect(toUnixMs(0n)).toBe(978_307_200_000);
    expect(toUnixMs(999_999n)).toBe(978_307_200_000);
    expect(toUnixMs(1_000_000n)).toBe(978_307_200_001);
    // 1 ns before 1970 lies in the millisecond -1, not 0.
    expect(toUnixMs(-TSTORAGE_EPOCH_UNIX_NS - 1n)).toBe(-1);
    expect(toUnixMs(-TSTORAGE_EPOCH_UNIX_NS)).toBe(0);
  });
  it("is exact from ms and agrees with Date", () => {
    expect(fromUnixMs(Date.UTC(2001, 0, 1, 0, 0, 1))).toBe(1_000_000_000n);
    fc.assert(
      fc.property(
        fc.integer({ min: -8_245_000_000_000, max: 10_201_000_000_000 }),
        (ms) => toUnixMs(fromUnixMs(ms)) === ms,
      ),
    );
    fc.assert(
      // Above TIME_MIN + 1 ms: the floor of the first millisecond lies before int64 itself.
      fc.property(fc.bigInt(TIME_MIN + 1_000_000n, TIME_MAX), (ts) => {
        const ms = toUnixMs(ts);
        const back = fromUnixMs(ms);
        return back <= ts && ts - back < 1_000_000n;
      }),
    );
  });
  it("rejects fractional, unsafe or out-of-range ms", () => {
    expect(() => fromUnixMs(1.5)).toThrow(RangeError);
    expect(() => fromUnixMs(Number.NaN)).toThrow(RangeError);
    expect(() => fromUnixMs(2 ** 53)).toThrow(RangeError);
    expect(() => fromUnixMs(10_202_000_000_000)).toThrow(RangeError);
    expect(() => fromUnixMs(-8_246_000_000_000)).toThrow(RangeError);
  });
});

describe("ISO 8601 / RFC 3339", () => {
  // Expected strings computed with Python's datetime from the TStorage epoch.
  const cases: [bigint, string][] = [
    [0n, "2001-01-01T00:00:00Z"],
    [4321n, "2001-01-01T00:00:00.000004321Z"],
    [-1n, "2000-12-31T23:59:59.999999999Z"],
    [500_000_000n, "2001-01-01T00:00:00.5Z"],
    [TIME_MAX, "2293-04-11T23:47:16.854775807Z"],
    [TIME_MIN, "1708-09-22T00:12:43.145224192Z"],
    [1_700_000_000_123_456_789n, "2054-11-14T22:13:20.123456789Z"],
    [-TSTORAGE_EPOCH_UNIX_NS - 1n, "1969-12-31T23:59:59.999999999Z"],
  ];
  it.each(cases)("%s <-> %s", (ts, iso) => {
    expect(toIsoString(ts)).toBe(iso);
    expect(fromIsoString(iso)).toBe(ts);
  });
  it("agrees with Date at millisecond precision", () => {
    fc.assert(
      fc.property(fc.integer({ min: -8_000_000_000_000, max: 8_000_000_000_000 }), (ms) => {
        const iso = new Date(ms).toISOString();
        return fromIsoString(iso) === fromUnixMs(ms) && toIsoString(fromUnixMs(ms)) === iso.replace(/\.?0+Z$/, "Z");
      }),
    );
  });
  it("round-trips every int64", () => {
    fc.assert(fc.property(fc.bigInt(TIME_MIN, TIME_MAX), (ts) => fromIsoString(toIsoString(ts)) === ts));
  });
  it("applies offsets and lower-case separators", () => {
    expect(fromIsoString("2001-01-01T01:00:00.5+01:00")).toBe(500_000_000n);
    expect(fromIsoString("2000-12-31T23:30:00-00:30")).toBe(0n);
    expect(fromIsoString("2001-01-01t00:00:00.000000001z")).toBe(1n);
    expect(fromIsoString("2000-02-29T00:00:00Z")).toBe(fromUnixMs(Date.UTC(2000, 1, 29)));
  });
  it("rejects malformed text with TypeError", () => {
    for (const bad of [
      "",
      "2001-01-01",
      "2001-01-01T00:00:00",
      "2001-01-01 00:00:00Z",
      "2001-01-01T00:00:00.Z",
      "2001-01-01T00:00:00.0000000001Z",
      "2001-01-01T00:00:00+0100",
      "+2001-01-01T00:00:00Z",
      " 2001-01-01T00:00:00Z",
    ]) {
      expect(() => fromIsoString(bad), bad).toThrow(TypeError);
    }
    expect(() => fromIsoString(5 as unknown as string)).toThrow(TypeError);
  });
  it("rejects out-of-range fields and times with RangeError", () => {
    for (const bad of [
      "2001-13-01T00:00:00Z",
      "2001-00-01T00:00:00Z",
      "2001-02-29T00:00:00Z",
      "1900-02-29T00:00:00Z",
      "2001-04-31T00:00:00Z",
      "2001-01-01T24:00:00Z",
      "2001-01-01T00:60:00Z",
      "2001-01-01T23:59:60Z",
      "2001-01-01T00:00:00+24:00",
      "2293-04-11T23:47:16.854775808Z",
      "1708-09-22T00:12:43.145224191Z",
      "9999-12-31T23:59:59Z",
    ]) {
      expect(() => fromIsoString(bad), bad).toThrow(RangeError);
    }
  });
});
