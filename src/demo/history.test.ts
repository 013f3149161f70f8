import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readZincGrid } from "../haystack/codec/zinc/index.ts";
import { dict, type HDict, HNumber, HRef, MARKER } from "../haystack/kinds/index.ts";
import { equals } from "../haystack/kinds/value.ts";
import type { HisValue } from "../storage/his-page.ts";
import { DEMO_INTERVAL_MS, demoSeries } from "./history.ts";

const ALPHA = new URL("../../test/fixtures/haystack/buildings/Alpha/alpha.zinc", import.meta.url);
const records = readZincGrid(readFileSync(ALPHA, "utf8")).dicts();
const hisPoints = records.filter((d) => d.has("his"));

const HOUR = 3_600_000;
const DAY = 86_400_000;
// Alpha is in Denver: MST is UTC-7 in January, MDT UTC-6 in July.
const WED_JAN = Date.UTC(2026, 0, 14, 7); // Wednesday 2026-01-14 00:00 MST
const WED_JUL = Date.UTC(2026, 6, 15, 6); // Wednesday 2026-07-15 00:00 MDT
const SAT_JAN = Date.UTC(2026, 0, 17, 7); // Saturday 2026-01-17 00:00 MST

function gen(d: HDict): (ts: number) => HisValue {
  const g = demoSeries(d);
  if (!g) throw new Error(`no generator for ${String(d.get("id"))}`);
  return g;
}

function numOf(v: HisValue): number {
  if (typeof v === "number") return v;
  if (v instanceof HNumber) return v.val;
  throw new Error(`not a number: ${String(v)}`);
}

/** Samples every 15 minutes in [start, start + days). */
function instants(start: number, days: number): number[] {
  const out: number[] = [];
  for (let ts = start; ts < start + days * DAY; ts += DEMO_INTERVAL_MS) out.push(ts);
  return out;
}

const is =
  (...tags: string[]) =>
  (d: HDict) =>
    tags.every((t) => d.has(t));
const counters = hisPoints.filter(
  (d) => d.has("energy") || d.has("volume") || ["kWh", "therm", "gal", "$"].includes(String(d.get("unit"))),
);
const zoneTemps = hisPoints.filter((d) => is("zone", "air", "temp", "sensor")(d) && !d.has("sp"));
const powerMeters = hisPoints.filter((d) => is("power")(d) && d.get("unit") === "kW");

describe("demoSeries", () => {
  it("gives every his point of the Alpha building a generator", () => {
    expect(hisPoints.length).toBe(1846);
    expect(hisPoints.filter((d) => demoSeries(d) === undefined)).toEqual([]);
  });

  it("returns undefined for records that are not his points", () => {
    const others = records.filter((d) => !d.has("his"));
    expect(others.length).toBeGreaterThan(100);
    for (const d of others) expect(demoSeries(d)).toBeUndefined();
    expect(demoSeries(dict({ id: new HRef("x"), his: MARKER, point: MARKER }))).toBeUndefined();
    expect(demoSeries(dict({ id: new HRef("x"), his: MARKER, kind: "Marker" }))).toBeUndefined();
    expect(demoSeries(dict({ id: new HRef("x"), point: MARKER, kind: "Number" }))).toBeUndefined();
  });

  it("is deterministic: the same record and instant always give the same value", () => {
    const ts = [WED_JAN + 10 * HOUR + 123, WED_JUL, SAT_JAN + 13 * HOUR, Date.UTC(2026, 10, 1, 8, 30)];
    for (const d of hisPoints) {
      const a = gen(d);
      const b = gen(d);
      const forward = ts.map(a);
      const backward = [...ts].reverse().map(b).reverse();
      for (let i = 0; i < ts.length; i++) {
        expect(equals(forward[i], backward[i]), `${String(d.get("id"))} at ${ts[i]}`).toBe(true);
      }
    }
  });

  it("seeds from the point id, so points of one kind do not move in lockstep", () => {
    const noon = WED_JAN + 12 * HOUR;
    const values = new Set(zoneTemps.map((d) => numOf(gen(d)(noon))));
    expect(values.size).toBeGreaterThan(zoneTemps.length / 4);
  });

  it("returns values of the point's kind, with its unit", () => {
    const ts = [WED_JAN + 3 * HOUR, WED_JAN + 12 * HOUR, WED_JUL + 15 * HOUR, SAT_JAN + 9 * HOUR];
    for (const d of hisPoints) {
      const g = gen(d);
      const unit = d.get("unit");
      const enumTag = d.get("enum");
      for (const t of ts) {
        const v = g(t);
        const where = `${String(d.get("id"))} = ${String(v)}`;
        switch (d.get("kind")) {
          case "Number":
            if (typeof unit === "string") {
              expect(v, where).toBeInstanceOf(HNumber);
              expect((v as HNumber).unit, where).toBe(unit);
            } else {
              expect(typeof v, where).toBe("number");
            }
            expect(Number.isFinite(numOf(v)), where).toBe(true);
            // Short Zinc: at most three decimals.
            expect(Math.abs(numOf(v) * 1000 - Math.round(numOf(v) * 1000)), where).toBeLessThan(1e-6);
            break;
          case "Bool":
            expect(typeof v, where).toBe("boolean");
            break;
          case "Str":
            expect(typeof v, where).toBe("string");
            if (typeof enumTag === "string") expect(enumTag.split(","), where).toContain(v);
            break;
          default:
            throw new Error(`unexpected kind in ${where}`);
        }
      }
    }
  });

  it("keeps energy and volume counters non-decreasing, also across daylight-saving changes", () => {
    expect(counters.length).toBeGreaterThanOrEqual(27);
    const days = [
      WED_JAN,
      Date.UTC(2026, 2, 7, 7), // Saturday before spring forward
      Date.UTC(2026, 9, 31, 6), // Saturday before fall back
    ];
    for (const d of counters) {
      const g = gen(d);
      for (const start of days) {
        const vals = instants(start, start === WED_JAN ? 1 : 2).map((t) => numOf(g(t)));
        for (let i = 1; i < vals.length; i++) {
          expect(vals[i], `${String(d.get("id"))} at sample ${i}`).toBeGreaterThanOrEqual(vals[i - 1] as number);
        }
        expect(vals[vals.length - 1] as number).toBeGreaterThan(vals[0] as number);
      }
    }
  });

  it("keeps zone temperatures within 60..80 °F in winter and summer", () => {
    expect(zoneTemps.length).toBeGreaterThan(100);
    for (const d of zoneTemps) {
      const g = gen(d);
      const vals = [...instants(WED_JAN, 14), ...instants(WED_JUL, 14)].map((t) => numOf(g(t)));
      expect(Math.min(...vals), String(d.get("id"))).toBeGreaterThanOrEqual(60);
      expect(Math.max(...vals), String(d.get("id"))).toBeLessThanOrEqual(80);
    }
  });

  it("draws more power at weekday noon than at 3 a.m. or on a Saturday, in local time", () => {
    expect(powerMeters.length).toBeGreaterThanOrEqual(10);
    for (const d of powerMeters) {
      const g = gen(d);
      for (const day of [WED_JAN, WED_JUL]) {
        expect(numOf(g(day + 12 * HOUR)), String(d.get("id"))).toBeGreaterThan(numOf(g(day + 3 * HOUR)));
      }
      expect(numOf(g(WED_JAN + 12 * HOUR))).toBeGreaterThan(numOf(g(SAT_JAN + 12 * HOUR)));
    }
  });

  it("follows the point's own time zone, and UTC without one", () => {
    const base = { id: new HRef("demo.kw"), his: MARKER, point: MARKER, kind: "Number", unit: "kW", power: MARKER };
    const tokyo = gen(dict({ ...base, tz: "Tokyo" }));
    const utc = gen(dict(base));
    const wed = Date.UTC(2026, 0, 14);
    // 03:00Z is noon in Tokyo (UTC+9) and 3 a.m. in UTC; 18:00Z is 3 a.m. Thursday in Tokyo.
    expect(numOf(tokyo(wed + 3 * HOUR))).toBeGreaterThan(numOf(tokyo(wed + 18 * HOUR)));
    expect(numOf(utc(wed + 12 * HOUR))).toBeGreaterThan(numOf(utc(wed + 3 * HOUR)));
  });

  it("runs scheduled commands on weekdays only", () => {
    const cmds = hisPoints.filter((d) => d.get("kind") === "Bool" && is("cmd", "occupied", "zone")(d));
    expect(cmds.length).toBeGreaterThan(100);
    for (const d of cmds) {
      const g = gen(d);
      expect(g(WED_JAN + 12 * HOUR), String(d.get("id"))).toBe(true);
      expect(g(WED_JAN + 3 * HOUR), String(d.get("id"))).toBe(false);
      expect(g(SAT_JAN + 12 * HOUR), String(d.get("id"))).toBe(false);
    }
  });

  it("makes outside air colder in January than in July, and keeps positions within 0..100 %", () => {
    const mean = (g: (ts: number) => HisValue, start: number) => {
      const ts = instants(start, 7);
      return ts.reduce((s, t) => s + numOf(g(t)), 0) / ts.length;
    };
    const oats = hisPoints.filter(is("outside", "air", "temp"));
    expect(oats.length).toBeGreaterThan(0);
    for (const d of oats) {
      const g = gen(d);
      expect(mean(g, WED_JUL) - mean(g, WED_JAN)).toBeGreaterThan(25);
    }
    const positions = hisPoints.filter((d) => d.get("unit") === "%" && d.get("kind") === "Number");
    for (const d of positions) {
      const g = gen(d);
      const vals = [...instants(WED_JAN, 2), ...instants(WED_JUL, 2)].map((t) => numOf(g(t)));
      expect(Math.min(...vals), String(d.get("id"))).toBeGreaterThanOrEqual(0);
      expect(Math.max(...vals), String(d.get("id"))).toBeLessThanOrEqual(100);
    }
  });
});
