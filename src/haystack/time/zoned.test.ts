import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { daysInMonth } from "../kinds/calendar.ts";
import { HDate } from "../kinds/date.ts";
import { HDateTime } from "../kinds/datetime.ts";
import { addDays, dateOf, localToInstant, plusDays, plusDuration, startOfDay, todayIn } from "./zoned.ts";

const H = 3_600_000;

describe("localToInstant", () => {
  it("maps an ordinary local time", () => {
    expect(localToInstant(2023, 5, 13, 12, 0, 0, 0, "New_York").toString()).toBe("2023-05-13T12:00:00-04:00 New_York");
    expect(localToInstant(2023, 1, 13, 12, 0, 0, 250, "New_York").toString()).toBe(
      "2023-01-13T12:00:00.250-05:00 New_York",
    );
  });

  it("resolves a time in the spring gap per disambiguation", () => {
    // 2023-03-12 02:00 EST -> 03:00 EDT in New York; 02:30 does not exist.
    expect(localToInstant(2023, 3, 12, 2, 30, 0, 0, "New_York").toString()).toBe("2023-03-12T03:30:00-04:00 New_York");
    expect(localToInstant(2023, 3, 12, 2, 30, 0, 0, "New_York", "later").toString()).toBe(
      "2023-03-12T03:30:00-04:00 New_York",
    );
    expect(localToInstant(2023, 3, 12, 2, 30, 0, 0, "New_York", "earlier").toString()).toBe(
      "2023-03-12T01:30:00-05:00 New_York",
    );
  });

  it("resolves a time in the autumn overlap per disambiguation", () => {
    // 2023-11-05 01:30 happens twice in New York.
    const early = localToInstant(2023, 11, 5, 1, 30, 0, 0, "New_York", "earlier");
    const late = localToInstant(2023, 11, 5, 1, 30, 0, 0, "New_York", "later");
    expect(early.toString()).toBe("2023-11-05T01:30:00-04:00 New_York");
    expect(late.toString()).toBe("2023-11-05T01:30:00-05:00 New_York");
    expect(late.ms - early.ms).toBe(H);
    expect(localToInstant(2023, 11, 5, 1, 30, 0, 0, "New_York").ms).toBe(early.ms);
  });

  it("handles Lord Howe's 30-minute shift", () => {
    // Spring forward 2023-10-01 02:00 +10:30 -> 02:30 +11.
    expect(localToInstant(2023, 10, 1, 2, 15, 0, 0, "Lord_Howe").toString()).toBe(
      "2023-10-01T02:45:00+11:00 Lord_Howe",
    );
    // Fall back 2023-04-02 02:00 +11 -> 01:30 +10:30; 01:45 happens twice.
    const a = localToInstant(2023, 4, 2, 1, 45, 0, 0, "Lord_Howe", "earlier");
    const b = localToInstant(2023, 4, 2, 1, 45, 0, 0, "Lord_Howe", "later");
    expect(b.ms - a.ms).toBe(H / 2);
  });

  it("rejects impossible fields with invalid_value", () => {
    const bad = [
      [2023, 2, 29, 0, 0, 0, 0],
      [2023, 13, 1, 0, 0, 0, 0],
      [2023, 1, 1, 24, 0, 0, 0],
      [2023, 1, 1, 0, 60, 0, 0],
      [2023, 1, 1, 0, 0, 0, 1000],
      [2023.5, 1, 1, 0, 0, 0, 0],
      [Number.NaN, 1, 1, 0, 0, 0, 0],
    ];
    for (const f of bad) {
      expect(() =>
        localToInstant(f[0] ?? 0, f[1] ?? 0, f[2] ?? 0, f[3] ?? 0, f[4] ?? 0, f[5] ?? 0, f[6] ?? 0, "UTC"),
      ).toThrow(expect.objectContaining({ code: "invalid_value" }));
    }
    expect(() => localToInstant(2024, 2, 29, 0, 0, 0, 0, "Nowhere")).toThrow(
      expect.objectContaining({ code: "unknown_tz" }),
    );
  });

  it("round-trips the wall clock outside transitions (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("New_York", "London", "Sydney", "Lord_Howe", "Kathmandu", "Chatham", "UTC", "GMT-10"),
        fc.integer({ min: 1900, max: 2100 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 0, max: 86_399_999 }),
        fc.constantFrom("earlier" as const, "later" as const, "compatible" as const),
        (tz, y, mo, d0, t, how) => {
          const d = Math.min(d0, daysInMonth(y, mo));
          const h = Math.floor(t / H);
          const mi = Math.floor(t / 60_000) % 60;
          const s = Math.floor(t / 1000) % 60;
          const dt = localToInstant(y, mo, d, h, mi, s, t % 1000, tz, how);
          // The instant's offset is the zone's offset there (HDateTime.of looked it up).
          expect(HDateTime.of(dt.ms, tz).offset).toBe(dt.offset);
          const date = dt.date();
          const back = date.year === y && date.month === mo && date.day === d && dt.time().toMsOfDay() === t;
          if (!back) {
            // Only a gap may move the wall clock, and by less than a day.
            const again = localToInstant(y, mo, d, h, mi, s, t % 1000, tz, how === "earlier" ? "later" : "earlier");
            expect(again.ms).not.toBe(dt.ms);
            expect(Math.abs(again.ms - dt.ms)).toBeLessThanOrEqual(24 * H);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("startOfDay", () => {
  it("is local midnight on ordinary and DST days", () => {
    expect(startOfDay(new HDate(2023, 3, 12), "New_York").toString()).toBe("2023-03-12T00:00:00-05:00 New_York");
    expect(startOfDay(new HDate(2023, 3, 13), "New_York").toString()).toBe("2023-03-13T00:00:00-04:00 New_York");
    expect(startOfDay(new HDate(2023, 11, 5), "New_York").toString()).toBe("2023-11-05T00:00:00-04:00 New_York");
    expect(startOfDay(new HDate(2024, 2, 29), "Chatham").toString()).toBe("2024-02-29T00:00:00+13:45 Chatham");
  });

  it("is the end of the gap when midnight does not exist", () => {
    // Havana springs forward at 00:00 -> 01:00 (2023-03-12).
    expect(startOfDay(new HDate(2023, 3, 12), "Havana").toString()).toBe("2023-03-12T01:00:00-04:00 Havana");
    // Sao Paulo did the same on 2018-11-04.
    expect(startOfDay(new HDate(2018, 11, 4), "Sao_Paulo").toString()).toBe("2018-11-04T01:00:00-02:00 Sao_Paulo");
  });

  it("makes a skipped day empty (Apia, 2011-12-30)", () => {
    const s = startOfDay(new HDate(2011, 12, 30), "Apia");
    const e = startOfDay(new HDate(2011, 12, 31), "Apia");
    expect(s.ms).toBe(e.ms);
    expect(e.toString()).toBe("2011-12-31T00:00:00+14:00 Apia");
  });

  it("starts on its own date and days are 23..25 hours (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("New_York", "London", "Sydney", "Lord_Howe", "Havana", "Sao_Paulo", "Chatham"),
        fc.integer({ min: daysFromYear(1950), max: daysFromYear(2080) }),
        (tz, days) => {
          const date = addDays(new HDate(1970, 1, 1), days);
          const s = startOfDay(date, tz);
          const e = startOfDay(addDays(date, 1), tz);
          expect(s.date()).toEqual(date);
          const t = s.time();
          // At midnight unless a gap swallowed it (then at the gap's end, under 2 hours in).
          expect(t.toMsOfDay()).toBeLessThan(2 * H);
          if (t.toMsOfDay() !== 0) {
            expect(HDateTime.of(s.ms - 1, tz).date()).not.toEqual(date);
          }
          expect(e.ms - s.ms).toBeGreaterThanOrEqual(22 * H);
          expect(e.ms - s.ms).toBeLessThanOrEqual(25 * H);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

function daysFromYear(y: number): number {
  return new HDate(y, 1, 1).toEpochDays();
}

describe("plusDays / plusDuration / todayIn / dateOf", () => {
  it("keeps the wall clock across DST, so such a day lasts 23 or 25 hours", () => {
    const a = HDateTime.of(Date.UTC(2023, 2, 11, 17), "New_York"); // 12:00 EST
    const b = plusDays(a, 1);
    expect(b.toString()).toBe("2023-03-12T12:00:00-04:00 New_York");
    expect(b.ms - a.ms).toBe(23 * H);
    const c = plusDays(HDateTime.of(Date.UTC(2023, 10, 4, 16), "New_York"), 1);
    expect(c.toString()).toBe("2023-11-05T12:00:00-05:00 New_York");
    expect(plusDays(b, -1).ms).toBe(a.ms);
    expect(plusDays(a, 0)).toEqual(a);
  });

  it("moves into a gap forwards and keeps the offset in an overlap", () => {
    const a = HDateTime.of(Date.UTC(2023, 2, 11, 7, 30), "New_York"); // 2023-03-11 02:30 EST
    expect(plusDays(a, 1).toString()).toBe("2023-03-12T03:30:00-04:00 New_York");
    const late = localToInstant(2023, 11, 5, 1, 30, 0, 0, "New_York", "later"); // 01:30 EST
    expect(plusDays(late, 7).toString()).toBe("2023-11-12T01:30:00-05:00 New_York");
    const early = localToInstant(2023, 11, 4, 1, 30, 0, 0, "New_York"); // 01:30 EDT
    expect(plusDays(early, 1).toString()).toBe("2023-11-05T01:30:00-04:00 New_York");
    const estAtOverlap = localToInstant(2023, 11, 12, 1, 30, 0, 0, "New_York"); // EST only
    expect(plusDays(estAtOverlap, -7).toString()).toBe("2023-11-05T01:30:00-05:00 New_York");
  });

  it("adds exact durations across a transition", () => {
    const a = HDateTime.of(Date.UTC(2023, 2, 12, 6, 30), "New_York"); // 01:30 EST
    expect(plusDuration(a, H).toString()).toBe("2023-03-12T03:30:00-04:00 New_York");
    expect(() => plusDuration(a, Number.NaN)).toThrow(expect.objectContaining({ code: "invalid_value" }));
    expect(() => plusDays(a, 1.5)).toThrow(expect.objectContaining({ code: "invalid_value" }));
  });

  it("gives today's date in a zone and a dateTime's date", () => {
    const now = Date.UTC(2016, 1, 5, 4, 5, 6);
    expect(todayIn("UTC", now)).toEqual(new HDate(2016, 2, 5));
    expect(todayIn("New_York", now)).toEqual(new HDate(2016, 2, 4));
    expect(todayIn("Chatham", Date.UTC(2016, 1, 5, 10, 15))).toEqual(new HDate(2016, 2, 6));
    expect(todayIn("Chatham", Date.UTC(2016, 1, 5, 10, 14, 59, 999))).toEqual(new HDate(2016, 2, 5));
    expect(dateOf(HDateTime.of(now, "Los_Angeles"))).toEqual(new HDate(2016, 2, 4));
    expect(addDays(new HDate(2024, 2, 28), 1)).toEqual(new HDate(2024, 2, 29));
    expect(addDays(new HDate(2023, 12, 31), 1)).toEqual(new HDate(2024, 1, 1));
  });
});
