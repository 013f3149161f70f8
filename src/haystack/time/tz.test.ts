import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HaystackError } from "../errors.ts";
import { parseIso } from "../kinds/datetime.ts";
import { haystackToIana, ianaToHaystack, isKnownTz, offsetSeconds, requireIana } from "./tz.ts";

const FIXTURES = new URL("../../../test/fixtures/haystack/", import.meta.url);

function fixture(path: string): unknown {
  return JSON.parse(readFileSync(new URL(path, FIXTURES), "utf8"));
}

/** Every JSON v4 dateTime (val + tz) and every `tz` tag in a fixture tree. */
function collect(node: unknown, dateTimes: { val: string; tz: string }[], tzs: Set<string>): void {
  if (Array.isArray(node)) {
    for (const x of node) collect(x, dateTimes, tzs);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const o = node as Record<string, unknown>;
  if (o._kind === "dateTime" && typeof o.val === "string" && typeof o.tz === "string") {
    dateTimes.push({ val: o.val, tz: o.tz });
    tzs.add(o.tz);
  }
  for (const [k, v] of Object.entries(o)) {
    if ((k === "tz" || k === "requestTz") && typeof v === "string") tzs.add(v);
    else collect(v, dateTimes, tzs);
  }
}

/** Offset straight from Intl's `longOffset` name ("GMT-04:00"), independent of tz.ts. */
const formats = new Map<string, Intl.DateTimeFormat>();

function intlOffset(iana: string, ms: number): number {
  let fmt = formats.get(iana);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat("en-US", { timeZone: iana, timeZoneName: "longOffset" });
    formats.set(iana, fmt);
  }
  const name = fmt.formatToParts(ms).find((p) => p.type === "timeZoneName")?.value;
  if (name === undefined) throw new Error("no zone name");
  if (name === "GMT") return 0;
  const m = /^GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(name);
  if (!m) throw new Error(`unexpected offset name ${name}`);
  const secs = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
  return m[1] === "-" ? -secs : secs;
}

describe("zone names", () => {
  const dateTimes: { val: string; tz: string }[] = [];
  const tzs = new Set<string>();
  for (const f of ["values.json", "grids.json", "ranges.json", "buildings/Alpha/alpha.json"]) {
    collect(fixture(f), dateTimes, tzs);
  }

  it("finds the zones the fixtures use", () => {
    for (const tz of ["New_York", "Chicago", "Denver", "London", "Taipei", "PST8PDT", "GMT+5", "GMT-10", "UTC"]) {
      expect(tzs).toContain(tz);
    }
  });

  it("resolves every zone name in the fixtures and the Alpha building", () => {
    for (const tz of tzs) expect(isKnownTz(tz), tz).toBe(true);
  });

  it("gives the offset every fixture dateTime was written with", () => {
    expect(dateTimes.length).toBeGreaterThan(10);
    for (const { val, tz } of dateTimes) {
      const iso = parseIso(val);
      expect(iso, val).toBeDefined();
      if (iso) expect(offsetSeconds(tz, iso.ms), `${val} ${tz}`).toBe(iso.offset);
    }
  });

  it("maps IANA names to Haystack names", () => {
    expect(ianaToHaystack("America/New_York")).toBe("New_York");
    expect(ianaToHaystack("America/Argentina/Buenos_Aires")).toBe("Buenos_Aires");
    expect(ianaToHaystack("Etc/GMT+5")).toBe("GMT+5");
    expect(ianaToHaystack("Etc/UTC")).toBe("UTC");
    expect(ianaToHaystack("Etc/Zulu")).toBe("UTC");
  });

  it("maps Haystack names to IANA names, including current spellings ICU lists under old ones", () => {
    expect(new Intl.DateTimeFormat("en-US", { timeZone: haystackToIana("New_York") }).resolvedOptions().timeZone).toBe(
      "America/New_York",
    );
    expect(haystackToIana("GMT+5")).toBe("Etc/GMT+5");
    expect(haystackToIana("GMT-14")).toBe("Etc/GMT-14");
    for (const tz of ["Kathmandu", "Kolkata", "Kyiv", "Lord_Howe", "Chatham", "Buenos_Aires", "Indianapolis"]) {
      expect(isKnownTz(tz), tz).toBe(true);
    }
  });

  it("accepts legacy names", () => {
    for (const tz of ["PST8PDT", "EST5EDT", "CST6CDT", "MST7MDT", "CET", "EET"]) expect(isKnownTz(tz), tz).toBe(true);
    // PST8PDT follows US Pacific rules: -8 in winter, -7 in summer.
    expect(offsetSeconds("PST8PDT", Date.UTC(2015, 0, 2))).toBe(-8 * 3600);
    expect(offsetSeconds("PST8PDT", Date.UTC(2015, 6, 2))).toBe(-7 * 3600);
  });

  it("rejects unknown and malformed names with unknown_tz", () => {
    for (const tz of ["foo", "Nowhere", "", "America/New_York", "New York", "GMT+13", "GMT+05", "GMT-15", "../x"]) {
      expect(isKnownTz(tz), tz).toBe(false);
      expect(() => requireIana(tz)).toThrow(HaystackError);
      try {
        offsetSeconds(tz, 0);
        expect.unreachable(tz);
      } catch (e) {
        expect((e as HaystackError).code, tz).toBe("unknown_tz");
      }
    }
  });

  it("fixed zones use the POSIX sign", () => {
    expect(offsetSeconds("GMT+5", 0)).toBe(-5 * 3600);
    expect(offsetSeconds("GMT-10", 0)).toBe(10 * 3600);
    expect(offsetSeconds("UTC", 1e12)).toBe(0);
  });

  it("rejects instants outside the JS date range with invalid_value", () => {
    for (const ms of [Number.NaN, Number.POSITIVE_INFINITY, 8.64e15 + 1, -9e15]) {
      expect(() => offsetSeconds("New_York", ms)).toThrow(expect.objectContaining({ code: "invalid_value" }));
    }
    expect(() => offsetSeconds("New_York", 8.64e15)).not.toThrow();
    expect(() => offsetSeconds("New_York", -8.64e15)).not.toThrow();
  });
});

describe("offset cache", () => {
  const ZONES: [string, string][] = [
    ["New_York", "America/New_York"],
    ["London", "Europe/London"],
    ["Sydney", "Australia/Sydney"],
    ["Lord_Howe", "Australia/Lord_Howe"],
    ["Kathmandu", "Asia/Kathmandu"],
    ["Chatham", "Pacific/Chatham"],
    ["Apia", "Pacific/Apia"],
    ["Sao_Paulo", "America/Sao_Paulo"],
  ];

  it("agrees with Intl at random instants", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: Date.UTC(1850, 0, 1), max: Date.UTC(2060, 0, 1) }),
        ([hs, iana], ms) => {
          expect(offsetSeconds(hs, ms)).toBe(intlOffset(iana, ms));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("switches exactly at each transition second (both sides, every zone)", () => {
    for (const [hs, iana] of ZONES) {
      // Walk 2019..2025 in 6-hour steps; bisect each change to its second and probe around it.
      let t = Date.UTC(2019, 0, 1);
      let prev = intlOffset(iana, t);
      let transitions = 0;
      for (; t < Date.UTC(2025, 0, 1); t += 6 * 3_600_000) {
        const cur = intlOffset(iana, t);
        if (cur === prev) continue;
        let lo = t - 6 * 3_600_000;
        let hi = t;
        while (hi - lo > 1000) {
          const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
          if (intlOffset(iana, mid) === prev) lo = mid;
          else hi = mid;
        }
        for (const probe of [hi - 1000, hi - 1, hi, hi + 1, hi + 999]) {
          expect(offsetSeconds(hs, probe), `${hs} ${new Date(probe).toISOString()}`).toBe(intlOffset(iana, probe));
        }
        transitions++;
        prev = cur;
      }
      if (hs !== "Kathmandu") expect(transitions, hs).toBeGreaterThan(0);
    }
  });

  it("knows the half-hour and quarter-hour zones", () => {
    // Lord Howe: +10:30 standard, +11 in summer (a 30-minute shift).
    expect(offsetSeconds("Lord_Howe", Date.UTC(2023, 6, 1))).toBe(10.5 * 3600);
    expect(offsetSeconds("Lord_Howe", Date.UTC(2023, 0, 1))).toBe(11 * 3600);
    // Lord Howe 2023-04-02 02:00 local (+11) back to 01:30 (+10:30) = 2023-04-01T15:00Z.
    expect(offsetSeconds("Lord_Howe", Date.UTC(2023, 3, 1, 15) - 1)).toBe(11 * 3600);
    expect(offsetSeconds("Lord_Howe", Date.UTC(2023, 3, 1, 15))).toBe(10.5 * 3600);
    expect(offsetSeconds("Kathmandu", Date.UTC(2023, 0, 1))).toBe(5.75 * 3600);
    expect(offsetSeconds("Chatham", Date.UTC(2023, 6, 1))).toBe(12.75 * 3600);
    expect(offsetSeconds("Chatham", Date.UTC(2023, 0, 1))).toBe(13.75 * 3600);
  });

  it("is exact for a historical change off the quarter hour", () => {
    // Kathmandu moved from +05:30 to +05:45 at 1986-01-01 00:00 local = 1985-12-31T18:30Z;
    // New York's local mean time (-4:56:02) ended 1883-11-18 12:03:58 local = 17:00Z.
    for (const [hs, iana, at] of [
      ["Kathmandu", "Asia/Kathmandu", Date.UTC(1985, 11, 31, 18, 30)],
      ["New_York", "America/New_York", Date.UTC(1883, 10, 18, 17)],
    ] as const) {
      for (const probe of [at - 1000, at - 1, at, at + 1]) {
        expect(offsetSeconds(hs, probe)).toBe(intlOffset(iana, probe));
      }
      expect(offsetSeconds(hs, at - 1)).not.toBe(offsetSeconds(hs, at));
    }
    expect(offsetSeconds("New_York", Date.UTC(1880, 0, 1))).toBe(-(4 * 3600 + 56 * 60 + 2));
  });

  it("handles years before 100 CE and BCE (no two-digit year mapping)", () => {
    // -6e13 ms is in 68 CE, -7e13 in 249 BCE: Intl writes the latter with era BC.
    for (const ms of [-6e13, -7e13, -8.64e15]) {
      for (const [hs, iana] of [
        ["London", "Europe/London"],
        ["Tokyo", "Asia/Tokyo"],
        ["New_York", "America/New_York"],
      ]) {
        expect(offsetSeconds(hs as string, ms), `${hs} ${ms}`).toBe(intlOffset(iana as string, ms));
      }
    }
    expect(offsetSeconds("Tokyo", -6e13)).toBe(9 * 3600 + 18 * 60 + 59);
  });
});
