import { describe, expect, it } from "vitest";
import { SeriesError } from "../series/errors.ts";
import { clip, formatSinceParam, formatStartTs, formatUpdatedAt, isDate, parseSince } from "./datetime.ts";

describe("formatUpdatedAt / formatStartTs (Python isoformat + DRF's Z)", () => {
  it("writes microseconds as six digits, and no fraction when there is none", () => {
    expect(formatUpdatedAt(1795353550008945)).toBe("2026-11-22T13:19:10.008945Z");
    expect(formatUpdatedAt(Date.UTC(2026, 10, 22, 13, 21, 49) * 1000 + 345829)).toBe("2026-11-22T13:21:49.345829Z");
    expect(formatUpdatedAt(Date.UTC(2026, 10, 22) * 1000 + 10)).toBe("2026-11-22T00:00:00.000010Z");
    expect(formatStartTs(Date.UTC(2023, 11, 31, 23))).toBe("2023-12-31T23:00:00Z");
    expect(formatStartTs(Date.UTC(2024, 1, 29, 23, 0, 0, 5))).toBe("2024-02-29T23:00:00.005000Z");
  });

  it("handles instants before 1970 and pads the year", () => {
    expect(formatUpdatedAt(-1)).toBe("1969-12-31T23:59:59.999999Z");
    expect(formatStartTs(Date.UTC(1700, 0, 1))).toBe("1700-01-01T00:00:00Z");
  });

  it("writes since as pandas does for a UTC timestamp", () => {
    expect(formatSinceParam(Date.UTC(2026, 10, 22, 13, 21, 45) * 1000 + 770971)).toBe(
      "2026-11-22T13:21:45.770971+00:00",
    );
  });

  it("refuses what is not a whole number of microseconds", () => {
    expect(() => formatUpdatedAt(1.5)).toThrow(SeriesError);
  });
});

describe("parseSince", () => {
  it("reads HoLcStore client's first since and later ones", () => {
    expect(parseSince("2000-01-01T00:00:00+01:00")).toBe(Date.UTC(1999, 11, 31, 23) * 1000);
    expect(parseSince("2026-11-22T13:21:45.770971+00:00")).toBe(Date.UTC(2026, 10, 22, 13, 21, 45) * 1000 + 770971);
    expect(parseSince("2026-11-22T13:21:45.770971Z")).toBe(Date.UTC(2026, 10, 22, 13, 21, 45) * 1000 + 770971);
  });

  it("reads short fractions, offsets without colon, a space for an undecoded +, and drops digits past six", () => {
    expect(parseSince("2026-01-01T00:00:00.5Z")).toBe(Date.UTC(2026, 0, 1) * 1000 + 500000);
    expect(parseSince("2026-01-01T05:30:00+0530")).toBe(Date.UTC(2026, 0, 1) * 1000);
    expect(parseSince("2026-01-01T00:00:00 01:00")).toBe(Date.UTC(2025, 11, 31, 23) * 1000);
    expect(parseSince("2026-01-01T00:00:00-03")).toBe(Date.UTC(2026, 0, 1, 3) * 1000);
    expect(parseSince("2026-01-01 00:00Z")).toBe(Date.UTC(2026, 0, 1) * 1000);
    expect(parseSince("2026-01-01T00:00:00.123456789Z")).toBe(Date.UTC(2026, 0, 1) * 1000 + 123456);
  });

  it("round-trips what it writes", () => {
    for (const us of [0, 1, -1, 1795353550008945, 946681200000000, Date.UTC(2024, 1, 29, 12) * 1000 + 7]) {
      expect(parseSince(formatUpdatedAt(us))).toBe(us);
      expect(parseSince(formatSinceParam(us))).toBe(us);
    }
  });

  it.each([
    "2026-01-01T00:00:00",
    "2026-01-01",
    "",
    "yesterday",
    "2026-02-29T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-01-01T24:00:00Z",
    "2026-01-01T00:60:00Z",
    "2026-01-01T00:00:00+24:00",
    "2026-01-01T00:00:00.Z",
    "0000-01-01T00:00:00Z",
    "9999-01-01T00:00:00Z",
    "2026-01-01T00:00:00Z ",
  ])("refuses %j as invalid", (text) => {
    expect(() => parseSince(text)).toThrow(expect.objectContaining({ code: "invalid" }));
  });
});

describe("isDate / clip", () => {
  it("knows leap years", () => {
    expect(isDate("2024-02-29")).toBe(true);
    expect(isDate("2100-02-29")).toBe(false);
    expect(isDate("2000-02-29")).toBe(true);
    expect(isDate("2024-2-29")).toBe(false);
  });

  it("keeps control characters out of messages", () => {
    expect(clip("a\nb\u0000c")).toBe("a?b?c");
    expect(clip("x".repeat(100), 5)).toBe("xxxxx…");
  });
});
