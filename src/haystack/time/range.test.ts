import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { errorCode as code } from "../../../test/support/errors.ts";
import { readZincValue, writeZincValue } from "../codec/zinc/index.ts";
import { HDate } from "../kinds/date.ts";
import { HDateTime, parseIso } from "../kinds/datetime.ts";
import { parseHisRange } from "./range.ts";
import { addDays } from "./zoned.ts";

interface RangeCase {
  range: string;
  tz: string;
  start: string;
  end: string;
  now?: string;
  hours?: number;
  symbolic?: boolean;
  note: string;
}

const ranges = JSON.parse(
  readFileSync(new URL("../../../test/fixtures/haystack/ranges.json", import.meta.url), "utf8"),
) as { cases: RangeCase[]; derivedCases: RangeCase[] };

const H = 3_600_000;
const SOME_NOW = Date.UTC(2024, 5, 1, 12);

/** Instant of a Zinc dateTime text like `2012-10-01T00:00:00-04:00 New_York`. */
function instant(zinc: string): number {
  const iso = parseIso(zinc);
  if (!iso) throw new Error(`bad fixture dateTime ${zinc}`);
  return iso.ms;
}

describe("parseHisRange: ranges.json", () => {
  const all = [...ranges.cases, ...ranges.derivedCases];
  it("has the cases", () => {
    expect(ranges.cases.length).toBeGreaterThanOrEqual(8);
    expect(ranges.derivedCases.length).toBeGreaterThanOrEqual(5);
  });

  for (const c of all.filter((x) => !x.symbolic)) {
    it(`${c.range} in ${c.tz}`, () => {
      const now = c.now ? instant(c.now) : SOME_NOW;
      const r = parseHisRange(c.range, c.tz, now);
      expect(r.start.toString()).toBe(c.start);
      expect(r.end.toString()).toBe(c.end);
      expect(r.start.tz).toBe(c.tz);
      expect(r.end.tz).toBe(c.tz);
      expect(r.endMs).toBe(r.end.ms);
      if (c.hours !== undefined) expect((r.end.ms - r.start.ms) / H).toBe(c.hours);
    });
  }

  it("{dateTime} alone runs from that dateTime until now (constructed from the symbolic case)", () => {
    const symbolic = all.find((x) => x.symbolic && x.range === "{dateTime}");
    expect(symbolic).toBeDefined();
    const tz = symbolic?.tz ?? "New_York";
    const now = Date.UTC(2023, 4, 13, 9, 30); // 05:30 New_York
    const start = HDateTime.of(Date.UTC(2023, 4, 13, 6), tz); // 02:00 New_York today
    const r = parseHisRange(start.toString(), tz, now);
    expect(r.start.toString()).toBe("2023-05-13T02:00:00-04:00 New_York");
    expect(r.end.toString()).toBe("2023-05-13T05:30:00-04:00 New_York");
    // A lone dateTime in another zone is converted to the point zone, end included.
    const r2 = parseHisRange("2023-05-13T01:00:00-05:00 Chicago", tz, now);
    expect(r2.start.toString()).toBe("2023-05-13T02:00:00-04:00 New_York");
    expect(r2.end.ms).toBe(now);
    expect(r2.end.tz).toBe(tz);
  });
});

describe("parseHisRange: forms", () => {
  it("reads today and yesterday in the point zone", () => {
    const now = Date.UTC(2016, 1, 5, 4, 5, 6); // still Feb 4 in New York
    expect(parseHisRange("today", "New_York", now).start.toString()).toBe("2016-02-04T00:00:00-05:00 New_York");
    expect(parseHisRange("yesterday", "New_York", now).end.toString()).toBe("2016-02-04T00:00:00-05:00 New_York");
    expect(parseHisRange("yesterday", "Chatham", now).start.toString()).toBe("2016-02-04T00:00:00+13:45 Chatham");
  });

  it("trims whitespace around the comma and the text", () => {
    const a = parseHisRange("2012-10-01,2012-10-03", "New_York", SOME_NOW);
    expect(parseHisRange(" 2012-10-01 , 2012-10-03 ", "New_York", SOME_NOW)).toEqual(a);
    expect(parseHisRange("2012-10-01,\t2012-10-03", "New_York", SOME_NOW)).toEqual(a);
  });

  it("reads dateTimes ending in Z as UTC and converts them to the point zone", () => {
    const r = parseHisRange("2012-10-01T04:00:00Z,2012-10-02T04:00:00.5Z", "New_York", SOME_NOW);
    expect(r.start.toString()).toBe("2012-10-01T00:00:00-04:00 New_York");
    expect(r.end.toString()).toBe("2012-10-02T00:00:00.500-04:00 New_York");
    const u = parseHisRange("2012-10-01T04:00:00Z UTC,2012-10-02T04:00:00Z UTC", "GMT+5", SOME_NOW);
    expect(u.start.toString()).toBe("2012-09-30T23:00:00-05:00 GMT+5");
  });

  it("accepts an empty dateTime span (start == end), as haxall does", () => {
    const r = parseHisRange("2012-10-01T00:00:00-04:00 New_York,2012-10-01T00:00:00-04:00 New_York", "Denver", 0);
    expect(r.start.ms).toBe(r.end.ms);
  });

  it("is a full 24-hour range for a leap day", () => {
    const r = parseHisRange("2024-02-29", "Taipei", SOME_NOW);
    expect(r.start.toString()).toBe("2024-02-29T00:00:00+08:00 Taipei");
    expect(r.end.toString()).toBe("2024-03-01T00:00:00+08:00 Taipei");
  });

  it("handles Lord Howe's 23.5- and 24.5-hour days", () => {
    const spring = parseHisRange("2023-10-01", "Lord_Howe", SOME_NOW);
    expect((spring.end.ms - spring.start.ms) / H).toBe(23.5);
    const autumn = parseHisRange("2023-04-02", "Lord_Howe", SOME_NOW);
    expect((autumn.end.ms - autumn.start.ms) / H).toBe(24.5);
  });
});

describe("parseHisRange: errors", () => {
  const bad = [
    "",
    "   ",
    "Today",
    "tomorrow",
    "2023-02-30",
    "2023-13-01",
    "2023-1-01",
    "20230101",
    "2012-10-03,2012-10-01",
    "2012-10-01,",
    ",2012-10-01",
    "2012-10-01,2012-10-02,2012-10-03",
    "2012-10-01,2012-10-02T00:00:00Z",
    "2012-10-01T00:00:00Z,2012-10-02",
    "2012-10-01T00:00:00-04:00",
    "2012-10-01T00:00:00-04:00 Nowhere",
    "2012-10-01T00:00:00-04:00 new_york",
    "2012-10-01T00:00:00-04:00  New_York",
    "2012-10-01T00:00:00-04:00 New_York x",
    "2012-10-01T00:00:00-04:60 New_York",
    "2012-10-01T24:00:00Z",
    "2012-02-30T00:00:00Z",
    "2012-10-01T00:00:00-05:00 Chicago,2012-10-02T00:00:00-04:00 New_York",
    "2012-10-02T00:00:00Z,2012-10-01T00:00:00Z",
    "2099-01-01T00:00:00Z",
    "@foo",
    '"2012-10-01"',
    "2012-10-01".repeat(40),
  ];
  for (const text of bad) {
    it(`rejects ${JSON.stringify(text).slice(0, 60)}`, () => {
      expect(code(() => parseHisRange(text, "New_York", SOME_NOW))).toBe("invalid_range");
    });
  }

  it("says why", () => {
    expect(() => parseHisRange("2012-10-03,2012-10-01", "UTC", 0)).toThrow(/Invalid history range.*before start/);
    expect(() => parseHisRange("2023-02-30", "UTC", 0)).toThrow(/Invalid Date literal '2023-02-30'/);
    expect(() => parseHisRange("2012-10-01T00:00:00Z Nowhere", "UTC", 0)).toThrow(/unknown time ?zone 'Nowhere'/i);
  });

  it("reports an unknown point zone as unknown_tz", () => {
    expect(code(() => parseHisRange("today", "Nowhere", SOME_NOW))).toBe("unknown_tz");
    expect(code(() => parseHisRange("today", "UTC", Number.NaN))).toBe("invalid_value");
  });

  it("never throws anything but invalid_range on random text (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const c = code(() => parseHisRange(s, "New_York", SOME_NOW));
        expect(c === undefined || c === "invalid_range").toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("parseHisRange: properties", () => {
  const zones = ["New_York", "London", "Sydney", "Lord_Howe", "Kathmandu", "Chatham", "UTC", "Havana"];
  const day = fc.integer({ min: new HDate(1950, 1, 1).toEpochDays(), max: new HDate(2080, 1, 1).toEpochDays() });

  it("date ranges are whole local days with start < end", () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), day, fc.integer({ min: 0, max: 40 }), (tz, d, len) => {
        const first = addDays(new HDate(1970, 1, 1), d);
        const last = addDays(first, len);
        const r = parseHisRange(len === 0 ? `${first}` : `${first},${last}`, tz, SOME_NOW);
        expect(r.start.ms).toBeLessThan(r.end.ms);
        expect(r.start.date()).toEqual(first);
        expect(r.end.date()).toEqual(addDays(last, 1));
        // Each boundary is the first instant of its day: one ms earlier is the previous date.
        expect(HDateTime.of(r.start.ms - 1, tz).date()).toEqual(addDays(first, -1));
        expect(HDateTime.of(r.end.ms - 1, tz).date()).toEqual(last);
        const hours = (r.end.ms - r.start.ms) / H;
        expect(hours).toBeGreaterThanOrEqual(24 * (len + 1) - 2);
        expect(hours).toBeLessThanOrEqual(24 * (len + 1) + 2);
      }),
      { numRuns: 1500 },
    );
  });

  it("dateTime ranges keep their instants and land in the point zone", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(1950, 0, 1), max: Date.UTC(2080, 0, 1) }),
        fc.integer({ min: 0, max: 90 * 86_400_000 }),
        (srcTz, tz, a, len) => {
          const s = HDateTime.of(a, srcTz);
          const e = HDateTime.of(a + len, srcTz);
          const r = parseHisRange(`${s},${e}`, tz, SOME_NOW);
          expect(r.start.ms).toBe(a);
          expect(r.end.ms).toBe(a + len);
          expect(r.start).toEqual(HDateTime.of(a, tz));
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe("ranges at the edges of what Zinc can write", () => {
  const NOW = Date.UTC(2024, 0, 1);
  const edgeZones = ["UTC", "New_York", "Tokyo", "Kiritimati", "Chatham", "Lord_Howe"];
  /** Written as Zinc and read back, a boundary is the same instant. */
  const writable = (t: HDateTime) => {
    const text = writeZincValue(t);
    expect(text).toMatch(/^\d{4}-/);
    expect((readZincValue(text) as HDateTime).ms).toBe(t.ms);
  };

  for (const tz of edgeZones) {
    it(`accepts the whole calendar, 0001-01-01,9999-12-31, in ${tz}`, () => {
      const r = parseHisRange("0001-01-01,9999-12-31", tz, NOW);
      expect(r.start.date()).toEqual(new HDate(1, 1, 1));
      expect(r.start.ms).toBe(parseHisRange("0001-01-01", tz, NOW).start.ms);
      // Midnight of year 10000 cannot be written: hisEnd is the last millisecond, which is in the span.
      expect(HDateTime.of(r.endMs, tz).date()).toEqual(new HDate(10000, 1, 1));
      expect(HDateTime.of(r.endMs - 1, tz).date()).toEqual(new HDate(9999, 12, 31));
      expect(r.end.ms).toBe(r.endMs - 1);
      expect(r.end.toString().slice(0, 23)).toBe("9999-12-31T23:59:59.999");
      expect(r.end.tz).toBe(tz);
      writable(r.start);
      writable(r.end);
      const last = parseHisRange("9999-12-31", tz, NOW);
      expect([last.end.ms, last.endMs]).toEqual([r.end.ms, r.endMs]);
      expect(last.start.date()).toEqual(new HDate(9999, 12, 31));
    });
  }

  it("accepts any date of 0001..9999 alone or as either end, always writable (property)", () => {
    const lo = new HDate(1, 1, 1).toEpochDays();
    const hi = new HDate(9999, 12, 31).toEpochDays();
    fc.assert(
      fc.property(fc.constantFrom(...edgeZones), fc.integer({ min: lo, max: hi }), (tz, n) => {
        const d = addDays(new HDate(1970, 1, 1), n);
        for (const text of [`${d}`, `0001-01-01,${d}`, `${d},9999-12-31`]) {
          const r = parseHisRange(text, tz, NOW);
          expect(r.start.ms).toBeLessThan(r.endMs);
          expect(r.end.ms === r.endMs || r.end.ms === r.endMs - 1).toBe(true);
          writable(r.start);
          writable(r.end);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a year-0000 date is refused, naming which end", () => {
    expect(() => parseHisRange("0000-06-01", "UTC", NOW)).toThrow(/: date 0000-06-01 is outside years 0001 to 9999$/);
    expect(() => parseHisRange("0000-12-31,0001-01-05", "UTC", NOW)).toThrow(
      /: start 0000-12-31 is outside years 0001 to 9999$/,
    );
    expect(() => parseHisRange("0001-01-05,0000-12-31", "UTC", NOW)).toThrow(
      /: end 0000-12-31 is outside years 0001 to 9999$/,
    );
    expect(code(() => parseHisRange("0000-06-01", "UTC", NOW))).toBe("invalid_range");
  });

  it("a dateTime that leaves 0001..9999 in the point's zone is refused, naming it and where it lands", () => {
    expect(() => parseHisRange("0001-01-01T00:00:00Z UTC,0001-01-02T00:00:00Z UTC", "New_York", NOW)).toThrow(
      /: start 0001-01-01T00:00:00Z UTC is 0000-12-31T19:\d\d:\d\d-04:56 New_York in the point's zone, outside years 0001 to 9999$/,
    );
    expect(() => parseHisRange("9999-12-31T00:00:00Z UTC,9999-12-31T20:00:00Z UTC", "Tokyo", NOW)).toThrow(
      /: end 9999-12-31T20:00:00Z UTC is 10000-01-01T05:00:00\+09:00 Tokyo in the point's zone, outside years/,
    );
    const late = Date.UTC(9999, 11, 31, 20);
    expect(() => parseHisRange("9999-12-31T00:00:00Z UTC", "Tokyo", late)).toThrow(/: now is 10000-01-01T05:00:00/);
  });

  it("a dateTime end at the very start of year 10000 in the point's zone is the whole last day", () => {
    const r = parseHisRange("9999-12-31T00:00:00Z UTC,9999-12-31T15:00:00Z UTC", "Tokyo", NOW);
    expect(r.endMs).toBe(Date.UTC(9999, 11, 31, 15));
    expect(r.end.toString()).toBe("9999-12-31T23:59:59.999+09:00 Tokyo");
    expect(r.start.toString()).toBe("9999-12-31T09:00:00+09:00 Tokyo");
  });

  it("writes a local-mean-time start with a whole-minute offset, at the same instant", () => {
    const r = parseHisRange("1883-11-18", "New_York", Date.UTC(2024, 0, 1));
    // Midnight local mean time (-4:56:02) is 04:56:02Z; Zinc writes it cut to the minute.
    expect(r.start.ms).toBe(Date.UTC(1883, 10, 18, 4, 56, 2));
    const text = writeZincValue(r.start);
    expect(text).toBe("1883-11-18T00:00:02-04:56 New_York");
    expect((readZincValue(text) as HDateTime).ms).toBe(r.start.ms);
  });
});
