/**
 * Durations given as Haystack Numbers (a level-8 `duration`, a watch `lease`, a rollup `interval`)
 * and the two ways of writing one back: exact, for echoing a setting, and approximate, for a time
 * left that a person reads at a glance.
 */
import { writeZincValue } from "../codec/zinc/writer.ts";
import { HaystackError } from "../errors.ts";
import { HNumber } from "../kinds/number.ts";
import type { HVal } from "../kinds/value.ts";

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/**
 * The time units of the Haystack unit database (units.txt, quantity `time`): names and symbols,
 * in milliseconds. A month is the database's julian_month (30.4375 days), a year 365 days.
 * Units below a millisecond are divisors, so `1500000ns` is exactly 1.5 ms.
 */
const UNITS: Readonly<Record<string, { readonly mul: number } | { readonly div: number }>> = {
  nanosecond: { div: 1e6 },
  ns: { div: 1e6 },
  microsecond: { div: 1000 },
  µs: { div: 1000 },
  millisecond: { mul: 1 },
  ms: { mul: 1 },
  hundredths_second: { mul: 10 },
  cs: { mul: 10 },
  tenths_second: { mul: 100 },
  ds: { mul: 100 },
  second: { mul: SEC },
  s: { mul: SEC },
  sec: { mul: SEC },
  minute: { mul: MIN },
  min: { mul: MIN },
  hour: { mul: HOUR },
  h: { mul: HOUR },
  hr: { mul: HOUR },
  day: { mul: DAY },
  week: { mul: 7 * DAY },
  wk: { mul: 7 * DAY },
  julian_month: { mul: 2_629_800 * SEC },
  mo: { mul: 2_629_800 * SEC },
  year: { mul: 365 * DAY },
  yr: { mul: 365 * DAY },
};

/**
 * The longest duration accepted: 100 years of 365 days (`100yr`). Nothing a point override, a
 * watch lease or a rollup bucket means lasts longer, and it keeps now + duration a whole number
 * of milliseconds far inside what every store and format holds (year 9999, Postgres bigint).
 */
export const MAX_DURATION_MS = 100 * 365 * DAY;
const MAX_DURATION_TEXT = "100yr";

function bad(message: string): HaystackError {
  return new HaystackError("invalid_value", message);
}

/**
 * A duration Number in whole milliseconds, or `invalid_value` naming `what`. The unit must be a
 * time unit (as haxall's Number.toDuration requires); the value is rounded to the nearest
 * millisecond, halves up (`1.5ms` is 2 ms, `1.0001s` is 1000 ms); a result below 1 ms or above
 * `MAX_DURATION_MS` is refused.
 *
 * ```ts
 * parseDuration(new HNumber(15, "min"), "interval") // 900000
 * parseDuration(new HNumber(1e20, "yr"), "duration") // throws: duration must be at most 100yr, got ...
 * ```
 */
export function parseDuration(v: HVal, what: string): number {
  const unit = v instanceof HNumber ? UNITS[v.unit] : undefined;
  if (unit === undefined || !(v instanceof HNumber)) {
    const got = v instanceof HNumber ? `unit ${v.unit}` : typeof v === "number" ? "no unit" : "not a Number";
    throw bad(`${what} must be a Number with a duration unit (ms, s, min, h, day...), got ${got}`);
  }
  if (!Number.isFinite(v.val)) throw bad(`${what} must be a finite duration, got ${writeZincValue(v)}`);
  const ms = Math.round("mul" in unit ? v.val * unit.mul : v.val / unit.div);
  if (!(ms >= 1)) throw bad(`${what} must be at least 1ms, got ${writeZincValue(v)}`);
  if (ms > MAX_DURATION_MS) throw bad(`${what} must be at most ${MAX_DURATION_TEXT}, got ${writeZincValue(v)}`);
  return ms;
}

/** Largest first: the units a duration is written back in (those of haxall's Number.makeDuration). */
const WRITE_UNITS: readonly (readonly [number, string])[] = [
  [DAY, "day"],
  [HOUR, "h"],
  [MIN, "min"],
  [SEC, "s"],
];

/**
 * A duration written exactly, in the largest unit that holds it as a whole number, for echoing a
 * setting: 3600000 -> `1h`, 900000 -> `15min`, 90000 -> `90s`, 1500 -> `1500ms`. Weeks, months
 * and years are never used: a month or a year is no fixed length to a reader, and `7day` reads
 * as plainly as `1wk`.
 */
export function exactDuration(ms: number): HNumber {
  if (Number.isInteger(ms) && ms !== 0) {
    for (const [size, unit] of WRITE_UNITS) if (ms % size === 0) return new HNumber(ms / size, unit);
  }
  return new HNumber(ms, "ms");
}

/**
 * A duration written to be read at a glance, for a time left (pointWrite's `expires`): whole
 * milliseconds below 1 s, else in the largest of s, min, h and day that it fills at least once,
 * rounded to 3 significant digits, halves up; a value that rounds up to a whole next unit is
 * written as 1 of it. So 3570492 -> `59.5min`, 45000 -> `45s`, 4320000 -> `1.2h`,
 * 3599900 -> `1h`, 90061000 -> `1.04day`. Throws `invalid_value` for a negative or non-finite `ms`.
 */
export function approxDuration(ms: number): HNumber {
  if (!(ms >= 0) || !Number.isFinite(ms)) throw bad(`invalid duration: ${ms} ms`);
  const whole = Math.round(ms);
  let up: readonly [number, string] | undefined;
  for (const [size, unit] of WRITE_UNITS) {
    if (whole >= size) {
      const v = sig3(whole, size);
      // 59.96min rounds to 60min, which a person writes 1h.
      return up !== undefined && v * size >= up[0] ? new HNumber(1, up[1]) : new HNumber(v, unit);
    }
    up = [size, unit];
  }
  return new HNumber(whole, "ms");
}

/**
 * `whole / size` to 3 significant digits, halves up. The quotient is scaled in integers first, so a
 * decimal half stays a half (12350 ms is 12.4 s, where `(12.35).toPrecision(3)` is 12.3).
 */
function sig3(whole: number, size: number): number {
  for (let k = 2; ; k--) {
    const m = k >= 0 ? Math.round((whole * 10 ** k) / size) : Math.round(whole / (size * 10 ** -k));
    if (m < 1000) return k >= 0 ? m / 10 ** k : m * 10 ** -k;
  }
}
