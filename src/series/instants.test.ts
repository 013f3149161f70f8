import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { offsetSeconds } from "../haystack/time/tz.ts";
import { localToInstant } from "../haystack/time/zoned.ts";
import { SeriesError } from "./errors.ts";
import { formatInstant, parseInstant, zoneClock } from "./instants.ts";

const H = 3_600_000;
const utc = (iso: string) => Date.parse(iso);

function invalid(f: () => unknown): SeriesError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SeriesError);
    expect((e as SeriesError).code).toBe("invalid");
    return e as SeriesError;
  }
  throw new Error("no error");
}

describe("formatInstant", () => {
  it("writes the Paris autumn overlap with both offsets", () => {
    const start = utc("2024-10-26T23:00:00Z");
    const out = [0, 1, 2, 3].map((h) => formatInstant(start + h * H, "Europe/Paris"));
    expect(out).toEqual([
      "2024-10-27T01:00:00+02:00",
      "2024-10-27T02:00:00+02:00",
      "2024-10-27T02:00:00+01:00",
      "2024-10-27T03:00:00+01:00",
    ]);
  });

  it("writes the Paris spring gap", () => {
    const start = utc("2024-03-31T00:00:00Z");
    expect([0, 1, 2].map((h) => formatInstant(start + h * H, "Europe/Paris"))).toEqual([
      "2024-03-31T01:00:00+01:00",
      "2024-03-31T03:00:00+02:00",
      "2024-03-31T04:00:00+02:00",
    ]);
  });

  it("shows milliseconds only when not zero", () => {
    expect(formatInstant(utc("2024-01-01T00:00:00.005Z"), "Europe/Paris")).toBe("2024-01-01T01:00:00.005+01:00");
    expect(formatInstant(utc("2024-01-01T00:00:00.120Z"), "Europe/Paris")).toBe("2024-01-01T01:00:00.120+01:00");
    expect(formatInstant(utc("2024-01-01T00:00:00Z"), "Europe/Paris")).toBe("2024-01-01T01:00:00+01:00");
  });

  it("writes Z in UTC zones and +00:00 for a zone that is at zero", () => {
    expect(formatInstant(0, "UTC")).toBe("1970-01-01T00:00:00Z");
    expect(formatInstant(0, "Etc/UTC")).toBe("1970-01-01T00:00:00Z");
    expect(formatInstant(utc("2024-01-15T12:00:00Z"), "Europe/London")).toBe("2024-01-15T12:00:00+00:00");
  });

  it("writes odd offsets, negative ones, fixed zones and local mean time", () => {
    expect(formatInstant(utc("2024-06-01T00:00:00Z"), "Asia/Kathmandu")).toBe("2024-06-01T05:45:00+05:45");
    expect(formatInstant(utc("2024-01-01T00:00:00Z"), "Australia/Lord_Howe")).toBe("2024-01-01T11:00:00+11:00");
    expect(formatInstant(utc("2024-07-01T00:00:00Z"), "Australia/Lord_Howe")).toBe("2024-07-01T10:30:00+10:30");
    expect(formatInstant(utc("2024-07-01T00:00:00Z"), "America/New_York")).toBe("2024-06-30T20:00:00-04:00");
    expect(formatInstant(utc("2024-07-01T00:00:00Z"), "Etc/GMT+5")).toBe("2024-06-30T19:00:00-05:00");
    expect(formatInstant(utc("1900-01-01T00:00:00Z"), "Europe/Paris")).toBe("1900-01-01T00:09:21+00:09:21");
  });

  it("writes years outside 0000-9999 in expanded form", () => {
    expect(formatInstant(utc("+012345-01-01T00:00:00Z"), "UTC")).toBe("+012345-01-01T00:00:00Z");
    expect(formatInstant(utc("-000001-06-01T00:00:00Z"), "UTC")).toBe("-000001-06-01T00:00:00Z");
    expect(formatInstant(utc("0099-06-01T00:00:00Z"), "UTC")).toBe("0099-06-01T00:00:00Z");
  });

  it("refuses instants out of range and unknown zones", () => {
    invalid(() => formatInstant(Number.NaN, "UTC"));
    invalid(() => formatInstant(9e15, "UTC"));
    expect(invalid(() => formatInstant(0, "Mars/Olympus")).message).toContain("Mars/Olympus");
  });

  it("formats into bytes exactly as into text", () => {
    const clock = zoneClock("Europe/Paris");
    const out = new Uint8Array(64);
    for (const ms of [utc("2024-10-27T00:30:00.250Z"), utc("2024-10-27T01:30:00Z"), -1, utc("1850-03-01T00:00:00Z")]) {
      const end = clock.formatInto(ms, out, 3);
      expect(new TextDecoder().decode(out.subarray(3, end))).toBe(clock.format(ms));
    }
  });
});

describe("parseInstant", () => {
  const P = "Europe/Paris";

  it("takes epoch ms as a number or as digits, flooring a fraction", () => {
    expect(parseInstant(1_700_000_000_000, P)).toBe(1_700_000_000_000);
    expect(parseInstant("1700000000000", P)).toBe(1_700_000_000_000);
    expect(parseInstant("-86400000", P)).toBe(-86_400_000);
    expect(parseInstant(1.9, P)).toBe(1);
    expect(parseInstant(-0.5, P)).toBe(-1);
  });

  it("takes ISO 8601 with Z or an offset in every spelling", () => {
    const t = utc("2024-10-27T01:00:00Z");
    for (const s of [
      "2024-10-27T01:00:00Z",
      "2024-10-27t01:00:00z",
      "2024-10-27T02:00:00+01:00",
      "2024-10-27 02:00:00+01:00",
      "2024-10-27T02:00+01:00",
      "2024-10-27T02:00:00+0100",
      "2024-10-27T02:00:00+01",
      "2024-10-26T22:00:00-03:00",
      "2024-10-27T06:45:00+05:45",
      "2024-10-27T01:09:21+00:09:21",
    ]) {
      expect(parseInstant(s, P), s).toBe(t);
    }
  });

  it("truncates fractions to the millisecond", () => {
    const t = utc("2024-01-01T00:00:00Z");
    expect(parseInstant("2024-01-01T00:00:00.5Z", P)).toBe(t + 500);
    expect(parseInstant("2024-01-01T00:00:00.12Z", P)).toBe(t + 120);
    expect(parseInstant("2024-01-01T00:00:00.123999Z", P)).toBe(t + 123);
    expect(parseInstant("2024-01-01T00:00:00,999999999Z", P)).toBe(t + 999);
  });

  it("reads naive times as local to the zone", () => {
    expect(parseInstant("2024-07-01T12:00:00", P)).toBe(utc("2024-07-01T10:00:00Z"));
    expect(parseInstant("2024-07-01 12:00", P)).toBe(utc("2024-07-01T10:00:00Z"));
    expect(parseInstant("2024-01-01", P)).toBe(utc("2023-12-31T23:00:00Z"));
    expect(parseInstant("2024-07-01T12:00:00", "America/New_York")).toBe(utc("2024-07-01T16:00:00Z"));
    expect(parseInstant("2024-07-01T12:00:00", "UTC")).toBe(utc("2024-07-01T12:00:00Z"));
  });

  it("takes the earlier instant in an overlap and moves forward across a gap", () => {
    expect(parseInstant("2024-10-27T02:30:00", P)).toBe(utc("2024-10-27T00:30:00Z"));
    expect(parseInstant("2024-10-27T03:00:00", P)).toBe(utc("2024-10-27T02:00:00Z"));
    expect(parseInstant("2024-03-31T02:30:00", P)).toBe(utc("2024-03-31T01:30:00Z"));
    expect(parseInstant("2024-03-10T02:30", "America/New_York")).toBe(utc("2024-03-10T07:30:00Z"));
    // Havana's clocks skip midnight: the day starts at 01:00.
    expect(parseInstant("2024-03-10", "America/Havana")).toBe(utc("2024-03-10T05:00:00Z"));
  });

  it("reads what formatInstant writes, expanded years included", () => {
    for (const ms of [0, -1, 1_700_000_000_123, utc("+012345-01-01T00:00:00Z"), utc("-000001-06-01T00:00:00Z")]) {
      expect(parseInstant(formatInstant(ms, P), P)).toBe(ms);
    }
  });

  it("refuses anything else, quoting the text", () => {
    for (const s of [
      "",
      " 2024-01-01",
      "2024-01-01 ",
      "2024-1-01",
      "2024-13-01",
      "2023-02-29",
      "2024-01-01T",
      "2024-01-01T24:00",
      "2024-01-01T12",
      "2024-01-01T12:60",
      "2024-01-01T12:00:60",
      "2024-01-01T12:00:00.",
      "2024-01-01T12:00:00.1234567890",
      "2024-01-01T12:00:00+1",
      "2024-01-01T12:00:00+19:00",
      "2024-01-01T12:00:00+01:60",
      "2024-01-01T12:00:00Zulu",
      "2024-01-01Z",
      "2024/01/01",
      "12345678901234567",
      "99999999999999999",
      "now",
      "１２３",
      "x".repeat(1000),
    ]) {
      const e = invalid(() => parseInstant(s, P));
      expect(e.message).toContain(s.slice(0, 20));
      expect(e.message.length).toBeLessThan(120);
    }
    for (const n of [Number.NaN, Number.POSITIVE_INFINITY, 9e15]) invalid(() => parseInstant(n, P));
  });
});

describe("ZoneClock against zoned.ts", () => {
  const zones = [
    "Europe/Paris",
    "America/New_York",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "America/Havana",
    "Pacific/Apia",
    "UTC",
  ];
  const instant = fc.integer({ min: utc("1880-01-01T00:00:00Z"), max: utc("2070-01-01T00:00:00Z") });

  it("round trips every instant and agrees with the zone on offsets and naive times", () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), instant, fc.boolean(), (zone, raw, onHour) => {
        // Half the cases land on whole hours, where transitions happen.
        const ms = onHour ? Math.floor(raw / H) * H : raw;
        const clock = zoneClock(zone);
        const text = clock.format(ms);
        expect(clock.parse(text)).toBe(ms);
        const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{3}))?/.exec(text);
        if (!m) throw new Error(text);
        const f = m.slice(1, 8).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number, number];
        const local = Date.UTC(f[0], f[1] - 1, f[2], f[3], f[4], f[5], f[6]);
        const hs = clock.tz;
        expect(local - ms).toBe(offsetSeconds(hs, ms) * 1000);
        expect(clock.parse(m[0])).toBe(localToInstant(...f, hs, "compatible").ms);
      }),
      { numRuns: 3000 },
    );
  });

  it("agrees at every half hour of a year around each zone's transitions", () => {
    // Zones whose transitions differ in kind: 1 h at 02:00/03:00, 30 min (Lord Howe), at midnight
    // (Havana), southern hemisphere (Sydney).
    for (const zone of [
      "Europe/Paris",
      "America/New_York",
      "Australia/Sydney",
      "Australia/Lord_Howe",
      "America/Havana",
    ]) {
      const clock = zoneClock(zone);
      for (let ms = utc("2024-01-01T00:00:00Z"); ms < utc("2025-01-01T00:00:00Z"); ms += H / 2) {
        const text = clock.format(ms);
        expect(clock.parse(text)).toBe(ms);
        const f = text.slice(0, 19).split(/[-T:]/).map(Number) as [number, number, number, number, number, number];
        expect(clock.parse(text.slice(0, 19))).toBe(localToInstant(...f, 0, clock.tz, "compatible").ms);
      }
    }
  });
});
