/**
 * Synthetic history for the demo project: a pure function of a point record and an instant, so a
 * seeded demo can be regenerated (or extended) at any time and gives the same values again.
 * Values are driven by the point's tags and by local time in its `tz`: occupancy follows a
 * weekday 6:00-18:00 schedule, the weather a Colorado-like year, and noise comes from hashes of
 * (point, instant) rather than a random generator.
 */

import type { HDict } from "../haystack/kinds/index.ts";
import { HNumber } from "../haystack/kinds/index.ts";
import { isRef } from "../haystack/kinds/value.ts";
import { isKnownTz, MAX_EPOCH_MS, offsetSeconds } from "../haystack/time/tz.ts";
import type { HisValue } from "../storage/his-page.ts";

/** 15 minutes in ms: the demo sample interval. */
export const DEMO_INTERVAL_MS = 900_000;

const HOUR = 3_600_000;
const DAY = 86_400_000;
const YEAR_DAYS = 365.2425;
const TAU = 2 * Math.PI;
/** Counters start here so demo meter readings stay modest numbers (and never go negative). */
const COUNTER_ORIGIN = Date.UTC(2024, 0, 1);

/** Raw value of a shape at UTC instant `ts`, with `lms` the same instant in local wall-clock ms. */
type Shape = (ts: number, lms: number) => number;

// ---------------------------------------------------------------------------------------------
// Hashing: cheap integer mixing (no allocation), so noise is reproducible per point and instant.

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function mix32(x: number): number {
  const a = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  const b = Math.imul(a ^ (a >>> 15), 0x846ca68b);
  return (b ^ (b >>> 16)) >>> 0;
}

/** Uniform in [0, 1) for a seed and an integer; both 32-bit halves of `n` count, so ms instants work. */
function rand(seed: number, n: number): number {
  return mix32(mix32(seed ^ n) ^ Math.floor(n / 4_294_967_296)) / 4_294_967_296;
}

/** Value noise in [-1, 1] with knots every `period` ms, eased between knots so curves stay smooth. */
function smooth(seed: number, ts: number, period: number): number {
  const x = ts / period;
  const k = Math.floor(x);
  const f = x - k;
  const a = rand(seed, k);
  const b = rand(seed, k + 1);
  return 2 * (a + (b - a) * f * f * (3 - 2 * f)) - 1;
}

/** White noise in [-1, 1]: sensor jitter from sample to sample. */
function jitter(seed: number, ts: number): number {
  return 2 * rand(seed ^ 0x5bd1e995, ts) - 1;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}

// ---------------------------------------------------------------------------------------------
// Calendar in local wall-clock ms. 1970-01-01 was a Thursday, so day + 3 counts from a Monday.

function hourOfDay(lms: number): number {
  return (lms - Math.floor(lms / DAY) * DAY) / HOUR;
}

function isWeekday(lms: number): boolean {
  const dow = (((Math.floor(lms / DAY) + 3) % 7) + 7) % 7;
  return dow < 5;
}

/** -1 in mid January, +1 in mid July: the annual temperature cycle of the northern hemisphere. */
function season(lms: number): number {
  return -Math.cos((TAU * (lms / DAY - 15)) / YEAR_DAYS);
}

/**
 * Occupancy in [0, 1]: weekdays 6:00-18:00 local with 45-minute ramps (equipment does not switch
 * on all at once), and start and stop shifted per point and day so points do not move in lockstep.
 */
function occupancy(seed: number, lms: number): number {
  if (!isWeekday(lms)) return 0;
  const day = Math.floor(lms / DAY);
  const h = (lms - day * DAY) / HOUR;
  const shift = rand(seed, day) - 0.5;
  return clamp((h - 5.75 - shift) / 0.75, 0, 1) * clamp((18.25 + shift - h) / 0.75, 0, 1);
}

/** Hours occupied (by the unshifted schedule) from the epoch to local instant `lms`: never decreases. */
function occupiedHours(lms: number): number {
  const d = Math.floor(lms / DAY) + 3;
  const week = Math.floor(d / 7);
  const dow = d - week * 7;
  const today = dow < 5 ? clamp(hourOfDay(lms) - 6, 0, 12) : 0;
  return week * 60 + Math.min(dow, 5) * 12 + today;
}

/** Outside air temperature in °F for a site: Colorado-ish, cold winters, a 22 °F daily swing, fronts. */
function outsideTemp(site: number, ts: number, lms: number): number {
  const daily = Math.cos((TAU * (hourOfDay(lms) - 15)) / 24);
  return 50 + 22 * season(lms) + 11 * daily + 7 * smooth(site, ts, 8 * HOUR);
}

function outsideHumidity(site: number, ts: number, lms: number): number {
  const daily = Math.cos((TAU * (hourOfDay(lms) - 5)) / 24);
  return clamp(40 + 12 * daily - 4 * season(lms) + 8 * smooth(site ^ 0x27d4eb2d, ts, 6 * HOUR), 15, 95);
}

/** Heating demand in [0, 1]: none above 60 °F outside, full at 0 °F. */
function heatDemand(site: number, ts: number, lms: number): number {
  return clamp((60 - outsideTemp(site, ts, lms)) / 60, 0, 1);
}

/** Cooling demand in [0, 1]: none below 55 °F outside, full at 95 °F. */
function coolDemand(site: number, ts: number, lms: number): number {
  return clamp((outsideTemp(site, ts, lms) - 55) / 40, 0, 1);
}

// ---------------------------------------------------------------------------------------------
// Shape builders. Each precomputes what it can so the returned function only does arithmetic.

interface Ctx {
  readonly has: (tag: string) => boolean;
  /** Per-point seed: spreads the points of one kind across their ranges. */
  readonly seed: number;
  /** Per-site seed: points of one site share the weather. */
  readonly site: number;
  /** A fixed per-point number in [0, 1). */
  readonly pick: number;
}

/**
 * Follows occupancy between an unoccupied and an occupied level, with slow drift and jitter.
 * Everything scheduled is a magnitude, so it never goes below zero, and equipment that is off
 * (an unoccupied level of 0) reads a clean 0 rather than noise.
 */
function scheduled(c: Ctx, unocc: number, occ: number, noise: number): Shape {
  const { seed } = c;
  const idleNoise = unocc > 0 ? 1 : 0;
  return (ts, lms) => {
    const o = occupancy(seed, lms);
    const n = noise * Math.max(o, idleNoise) * (0.7 * smooth(seed, ts, 2 * HOUR) + 0.3 * jitter(seed, ts));
    return Math.max(0, unocc + (occ - unocc) * o + n);
  };
}

/** A daily sinusoid peaking at `peakHour` local, plus slow drift. */
function daily(c: Ctx, mid: number, amp: number, peakHour: number, noise: number): Shape {
  const { seed } = c;
  return (ts, lms) =>
    mid + amp * Math.cos((TAU * (hourOfDay(lms) - peakHour)) / 24) + noise * smooth(seed, ts, 3 * HOUR);
}

/** A setpoint: occupied value by day, unoccupied setback by night (constant when both are equal). */
function setpoint(c: Ctx, occ: number, unocc: number): Shape {
  if (occ === unocc) return () => occ;
  const { seed } = c;
  return (_ts, lms) => (occupancy(seed, lms) >= 0.5 ? occ : unocc);
}

/** Scaled by a weather-driven demand while occupied: valves, firing rates, cooling load. */
function demandDriven(c: Ctx, demand: typeof heatDemand, lo: number, hi: number, unocc: number): Shape {
  const { seed, site } = c;
  return (ts, lms) => {
    const o = occupancy(seed, lms);
    const d = demand(site, ts, lms);
    return unocc * (1 - o) + o * (lo + (hi - lo) * clamp(d + 0.08 * smooth(seed, ts, HOUR), 0, 1));
  };
}

/**
 * A meter reading: the integral of a rate that is `base` per hour always plus `extra` per
 * occupied hour. Both terms never decrease in `ts`; the occupied hours are counted on standard
 * (not daylight-saving) local time so the fall-back hour cannot make the reading run backwards.
 */
function counter(c: Ctx, tz: string, base: number, extra: number): Shape {
  const probe = Date.UTC(2024, 0, 1);
  const std = Math.min(offsetSeconds(tz, probe), offsetSeconds(tz, probe + 182 * DAY)) * 1000;
  const start = occupiedHours(COUNTER_ORIGIN + std);
  const scale = 0.8 + 0.4 * c.pick;
  return (ts) => {
    if (ts <= COUNTER_ORIGIN) return 0;
    return scale * (base * ((ts - COUNTER_ORIGIN) / HOUR) + extra * (occupiedHours(ts + std) - start));
  };
}

const TEMP_UNITS: Readonly<Record<string, readonly [scale: number, offset: number]>> = {
  "°F": [1, 0],
  fahrenheit: [1, 0],
  "°C": [5 / 9, (-32 * 5) / 9],
  celsius: [5 / 9, (-32 * 5) / 9],
  "Δ°F": [1, 0],
  "Δ°C": [5 / 9, 0],
};

const COUNTER_UNITS: Readonly<Record<string, readonly [base: number, extra: number]>> = {
  kWh: [60, 180],
  Wh: [60_000, 180_000],
  MWh: [0.06, 0.18],
  therm: [1.5, 4],
  gal: [8, 60],
  $: [6, 20],
  "m³": [0.03, 0.2],
  "ft³": [1, 8],
};

/** Shapes for temperatures, in °F (converted to the point's unit afterwards). */
function tempShape(c: Ctx): Shape {
  const { has, seed, site, pick } = c;
  const offset = (pick - 0.5) * 3;
  if (has("outside") || has("weather")) return (ts, lms) => outsideTemp(site, ts, lms) + 0.4 * jitter(seed, ts);
  if (has("delta")) return daily(c, 9 + offset, 2, 15, 1);
  if (has("sp")) {
    if (has("zone") || has("space")) {
      const cool = has("cooling") || has("cool");
      const heat = has("heating") || has("heat");
      const occ = cool ? 74 + Math.round(offset) : heat ? 70 + Math.round(offset) : 72;
      const unocc = cool ? occ + 6 : heat ? occ - 6 : 68;
      if (has("unocc")) return setpoint(c, unocc, unocc);
      if (has("occ")) return setpoint(c, occ, occ);
      return setpoint(c, occ, unocc);
    }
    if (has("chilled")) return setpoint(c, 44, 46);
    if (has("condenser")) return setpoint(c, 80, 85);
    if (has("hot") || has("hotDeck")) return setpoint(c, 90, 80);
    if (has("discharge") || has("coldDeck")) return setpoint(c, 55, 60);
    return setpoint(c, 72, 68);
  }
  if (has("zone") || has("space")) {
    return (ts, lms) => {
      const o = occupancy(seed, lms);
      // Unoccupied zones drift toward the weather: cooler in winter, warmer in summer.
      const drift = (1 - o) * (3 * season(lms) - 1);
      const swing = 0.8 * Math.cos((TAU * (hourOfDay(lms) - 15)) / 24);
      return 71 + offset + drift + swing + 0.5 * smooth(seed, ts, 2 * HOUR) + 0.1 * jitter(seed, ts);
    };
  }
  if (has("chilled") && has("water"))
    return has("entering") ? daily(c, 55 + offset, 1.5, 16, 0.8) : daily(c, 44, 0.8, 16, 0.5);
  if (has("condenser") && has("water")) {
    const rise = has("leaving") ? 9 : 0;
    return (ts, lms) => 72 + rise + 8 * season(lms) + 2 * smooth(seed, ts, 3 * HOUR);
  }
  if (has("hot") && has("water"))
    return has("entering") ? daily(c, 155 + offset, 3, 7, 2) : daily(c, 175 + offset, 3, 7, 2);
  if (has("refrig")) {
    if (has("condenser")) return daily(c, 98 + offset, 4, 15, 1.5);
    return daily(c, has("entering") ? 50 : 40, 1.5, 15, 1);
  }
  if (has("mixed")) {
    return (ts, lms) => 0.75 * 70 + 0.25 * outsideTemp(site, ts, lms) + 0.3 * jitter(seed, ts);
  }
  if (has("return")) return scheduled(c, 69 + offset / 2, 72 + offset / 2, 0.6);
  if (has("hotDeck")) return demandDriven(c, heatDemand, 75, 100, 70);
  if (has("discharge") || has("coldDeck") || has("supply")) {
    // Occupied supply air is 55 °F off the coil, warmed by reheat in cold weather; unoccupied it
    // drifts back to room temperature.
    const reheat = has("coldDeck") ? 0 : 25;
    return (ts, lms) => {
      const o = occupancy(seed, lms);
      const r = reheat * heatDemand(site, ts, lms);
      return o * (55 + r) + (1 - o) * 66 + 0.5 * smooth(seed, ts, HOUR) + 0.2 * jitter(seed, ts);
    };
  }
  return daily(c, 70 + offset, 2, 15, 1);
}

/** Shapes for percentages: positions, speeds and efficiencies. */
function percentShape(c: Ctx): Shape {
  const { has, pick } = c;
  if (has("efficiency")) return daily(c, 80 + 10 * pick, 4, 3, 3);
  if (has("heat") || has("hot") || has("steam") || has("heating")) return demandDriven(c, heatDemand, 0, 100, 0);
  if (has("chilled") || has("cool") || has("cooling")) return demandDriven(c, coolDemand, 0, 100, 0);
  if (has("outside") && has("damper")) return demandDriven(c, coolDemand, 20, 70, 0);
  if (has("exhaust") || has("return")) return scheduled(c, 0, 35 + 30 * pick, 8);
  if (has("speed") || has("fan") || has("pump")) return scheduled(c, 0, 60 + 25 * pick, 6);
  if (has("damper")) return scheduled(c, 15, 40 + 40 * pick, 12);
  return scheduled(c, 10, 40 + 40 * pick, 10);
}

/** Shapes for any Number point; `undefined` unit means unitless. */
function numberShape(c: Ctx, unit: string | undefined): Shape {
  const { has, seed, site, pick } = c;
  if (unit !== undefined && unit in TEMP_UNITS) return tempShape(c);
  if (unit === "%RH" || has("humidity")) {
    if (has("sp")) return setpoint(c, 45, 45);
    if (has("outside") || has("weather")) return (ts, lms) => outsideHumidity(site, ts, lms);
    return (ts, lms) => clamp(30 + 0.35 * outsideHumidity(site, ts, lms) + 2 * jitter(seed, ts), 20, 60);
  }
  if (unit === "BTU/lb") {
    if (has("outside"))
      return (ts, lms) => 0.24 * outsideTemp(site, ts, lms) + 0.05 * outsideHumidity(site, ts, lms) + 4;
    return daily(c, 27, 1.5, 15, 1);
  }
  switch (unit) {
    case "%":
      return percentShape(c);
    case "cfm": {
      const max = 300 + 900 * pick;
      return has("sp") ? setpoint(c, max, 0.3 * max) : scheduled(c, 0.3 * max, max, 0.06 * max);
    }
    case "Hz":
      return scheduled(c, 0, 40 + 20 * pick, 2);
    case "kW": {
      // A building meter carries the whole load; a fan or pump motor a few kW.
      const peak = has("fan") || has("pump") ? 4 + 16 * pick : 150 + 250 * pick;
      return scheduled(c, 0.25 * peak, peak, 0.04 * peak);
    }
    case "A":
      return scheduled(c, 8, 60 + 60 * pick, 3);
    case "tonref":
      return demandDriven(c, coolDemand, 40, 300, 0);
    case "kW/ton":
      return daily(c, 0.62 + 0.1 * pick, 0.05, 15, 0.04);
    case "gal/min":
      return scheduled(c, 0, 300 + 400 * pick, 15);
    case "inH₂O":
      if (has("zone") || has("space") || has("building"))
        return has("sp") ? setpoint(c, 0.05, 0.05) : daily(c, 0.04, 0.01, 14, 0.01);
      return has("sp") ? setpoint(c, 1.5, 0.5) : scheduled(c, 0.05, 1.2 + 0.5 * pick, 0.08);
    case "psi":
      if (has("refrig")) return has("condenser") ? daily(c, 135, 10, 15, 5) : daily(c, 42, 3, 15, 2);
      if (has("steam")) return has("sp") ? setpoint(c, 12, 12) : daily(c, 12, 1, 7, 1);
      return has("sp") ? setpoint(c, 14, 10) : scheduled(c, 6, 14, 0.6);
  }
  if (has("sp")) return setpoint(c, 50, 50);
  if (has("cmd") || has("valve") || has("damper")) return percentShape(c);
  return daily(c, 50 + 20 * (pick - 0.5), 20, 15, 10);
}

function isCounter(has: (tag: string) => boolean, unit: string | undefined): boolean {
  if (has("sp")) return false;
  return (unit !== undefined && unit in COUNTER_UNITS) || has("energy") || has("volume");
}

/**
 * Rounding scale: 3 decimals for a point whose values stay small, 2 otherwise, so Zinc stays
 * short without flattening a 0.04 inH₂O reading. Judged from two sample days, winter and summer.
 */
function roundScale(value: (ts: number) => number): number {
  let max = 0;
  for (const day of [Date.UTC(2024, 0, 17), Date.UTC(2024, 6, 17)]) {
    for (let h = 0; h < 24; h += 3) max = Math.max(max, Math.abs(value(day + h * HOUR)));
  }
  return max < 10 ? 1000 : 100;
}

// ---------------------------------------------------------------------------------------------
// Bool and Str points.

function boolSeries(c: Ctx): (ts: number, lms: number) => boolean {
  const { has, seed } = c;
  if (has("alarm") || has("fault")) return (ts) => rand(seed, Math.floor(ts / HOUR)) < 0.01;
  if (has("daytime")) {
    // Day length runs from about 9.5 hours at the winter solstice to 15 in summer.
    return (_ts, lms) => Math.abs(hourOfDay(lms) - 12.5) < 6.1 + 1.4 * season(lms + 25 * DAY);
  }
  // A point that is not commanded by the schedule (a few status points) now and then flips for an hour.
  const flips = has("cmd") ? 0 : 0.01;
  return (ts, lms) => {
    const on = occupancy(seed, lms) >= 0.5;
    return flips > 0 && rand(seed ^ 0x68e31da4, Math.floor(ts / HOUR)) < flips ? !on : on;
  };
}

/** Conditions a weather point only reports near or below freezing. */
const WINTRY = /snow|flurr|ice|sleet|freez/i;

function strSeries(c: Ctx, enumTag: string | undefined): (ts: number, lms: number) => string {
  const { seed, site } = c;
  const all = (enumTag ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const known = all.filter((s) => s !== "unknown");
  const choices = known.length > 0 ? known : all;
  if (choices.length === 0) return (ts) => (rand(seed, Math.floor(ts / HOUR)) < 0.02 ? "alarm" : "ok");
  const wintry = choices.map((s) => WINTRY.test(s));
  const mild = choices.find((s) => !WINTRY.test(s)) ?? choices[0] ?? "";
  // Hold each state for 3 hours and favour the first entries (`clear` over `thunderstorms`).
  return (ts, lms) => {
    const u = rand(seed, Math.floor(ts / (3 * HOUR)));
    const i = Math.floor(u * u * choices.length);
    return wintry[i] && outsideTemp(site, ts, lms) > 36 ? mild : (choices[i] ?? mild);
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * The local offset in ms, cached per 6-hour bucket while the offsets at both ends of the bucket
 * agree (no zone changes offset twice within 6 hours, as the tz cache itself assumes), so a run
 * of samples pays for two lookups per bucket instead of one per sample.
 */
function localClock(tz: string): (ts: number) => number {
  const SPAN = 6 * HOUR;
  let bucket = Number.NaN;
  let offMs = 0;
  let constant = false;
  return (ts) => {
    const b = Math.floor(ts / SPAN);
    if (b !== bucket) {
      bucket = b;
      const first = offsetSeconds(tz, Math.max(b * SPAN, -MAX_EPOCH_MS));
      constant = first === offsetSeconds(tz, Math.min((b + 1) * SPAN - 1, MAX_EPOCH_MS));
      offMs = first * 1000;
    }
    return ts + (constant ? offMs : offsetSeconds(tz, ts) * 1000);
  };
}

function tagString(point: HDict, name: string): string | undefined {
  const v = point.get(name);
  return typeof v === "string" && v !== "" ? v : undefined;
}

function refSeed(point: HDict, name: string): number | undefined {
  const v = point.get(name);
  return isRef(v) ? fnv1a(v.id) : undefined;
}

/** A value generator for one point, or undefined if the record is not a his point (no `his` marker or no/unknown `kind`). */
export function demoSeries(point: HDict): ((tsMs: number) => HisValue) | undefined {
  if (!point.has("his")) return undefined;
  const kind = point.get("kind");
  if (kind !== "Number" && kind !== "Bool" && kind !== "Str") return undefined;

  const tzTag = tagString(point, "tz");
  const tz = tzTag !== undefined && isKnownTz(tzTag) ? tzTag : "UTC";
  const local = localClock(tz);
  const seed = refSeed(point, "id") ?? fnv1a(tagString(point, "dis") ?? "");
  const c: Ctx = {
    has: (tag) => point.has(tag),
    seed,
    site: refSeed(point, "siteRef") ?? 0x9e3779b9,
    pick: rand(seed, 0x1234567),
  };

  if (kind === "Bool") {
    const f = boolSeries(c);
    return (ts) => f(ts, local(ts));
  }
  if (kind === "Str") {
    const f = strSeries(c, tagString(point, "enum"));
    return (ts) => f(ts, local(ts));
  }

  const unit = tagString(point, "unit");
  let shape: Shape;
  if (isCounter(c.has, unit)) {
    const [base, extra] = (unit !== undefined ? COUNTER_UNITS[unit] : undefined) ?? [10, 30];
    shape = counter(c, tz, base, extra);
  } else {
    shape = numberShape(c, unit);
  }
  const [a, b] = (unit !== undefined ? TEMP_UNITS[unit] : undefined) ?? [1, 0];
  const k = isCounter(c.has, unit) ? 100 : roundScale((t) => a * shape(t, local(t)) + b);
  if (unit === undefined) return (ts) => Math.round((a * shape(ts, local(ts)) + b) * k) / k;
  return (ts) => new HNumber(Math.round((a * shape(ts, local(ts)) + b) * k) / k, unit);
}
