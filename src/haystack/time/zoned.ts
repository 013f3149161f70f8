/**
 * Wall-clock arithmetic in a Haystack zone: local date-time -> instant across DST gaps and
 * overlaps, start of a local day, and "same time n days later". All zone facts come from
 * `offsetSeconds` (tz.ts), so this works wherever Intl does (Node, workerd).
 */
import { HaystackError } from "../errors.ts";
import { civilFromDays, daysFromCivil, daysInMonth, MS_PER_DAY } from "../kinds/calendar.ts";
import { HDate } from "../kinds/date.ts";
import { HDateTime } from "../kinds/datetime.ts";
import { checkEpochMs, offsetSeconds } from "./tz.ts";

/**
 * How to pick an instant for a local time that occurs twice (overlap, clocks set back) or not at
 * all (gap, clocks set forward), with the meanings of TC39 Temporal:
 * - `earlier`: overlap -> the first occurrence; gap -> shifted back by the gap length.
 * - `later`: overlap -> the second occurrence; gap -> shifted forward by the gap length.
 * - `compatible` (default): overlap -> earlier, gap -> later (what java.time and Temporal do).
 */
export type Disambiguation = "earlier" | "later" | "compatible";

/** The instants a local wall-clock time maps to: 0 (gap), 1, or 2 (overlap), ascending. */
interface LocalCandidates {
  readonly instants: readonly number[];
  /** Offsets (seconds) in force a day before and a day after; they differ around a transition. */
  readonly before: number;
  readonly after: number;
}

function candidates(localMs: number, tz: string): LocalCandidates {
  // No zone changes offset twice within two days (true of every Intl zone from 1850 to 2060,
  // checked by a daily scan), so the offsets a day either side are the only ones that apply.
  const before = offsetSeconds(tz, localMs - MS_PER_DAY);
  const after = offsetSeconds(tz, localMs + MS_PER_DAY);
  const instants: number[] = [];
  for (const off of before === after ? [before] : [before, after]) {
    const t = localMs - off * 1000;
    if (offsetSeconds(tz, t) === off) instants.push(t);
  }
  instants.sort((a, b) => a - b);
  return { instants, before, after };
}

function pick(c: LocalCandidates, localMs: number, how: Disambiguation): number {
  const [first, second] = c.instants;
  if (first !== undefined) return how === "later" && second !== undefined ? second : first;
  // Gap: reading the wall time with the old offset lands after the gap, with the new one before.
  return how === "earlier" ? localMs - c.after * 1000 : localMs - c.before * 1000;
}

function checkInt(name: string, v: number, lo: number, hi: number): void {
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new HaystackError("invalid_value", `${name} out of range: ${v}`);
  }
}

/**
 * The instant at which the wall clock in `tz` reads the given local date and time.
 * Example: `localToInstant(2023, 3, 12, 2, 30, 0, 0, "New_York")` (inside the spring gap) is
 * 03:30 EDT; with `"earlier"` it is 01:30 EST.
 * Throws `invalid_value` for impossible fields and `unknown_tz` for an unknown zone.
 */
export function localToInstant(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
  tz: string,
  disambiguation: Disambiguation = "compatible",
): HDateTime {
  checkInt("year", year, -271_820, 275_759);
  checkInt("month", month, 1, 12);
  checkInt("day", day, 1, daysInMonth(year, month));
  checkInt("hour", hour, 0, 23);
  checkInt("minute", minute, 0, 59);
  checkInt("second", second, 0, 59);
  checkInt("ms", ms, 0, 999);
  const local = (daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second) * 1000 + ms;
  return HDateTime.of(pick(candidates(local, tz), local, disambiguation), tz);
}

/**
 * The first instant of local date `date` in `tz`: local midnight, or, where midnight falls in a
 * DST gap (e.g. America/Havana, historically America/Sao_Paulo), the transition instant that
 * ends the gap. Where a zone skipped the whole day (Pacific/Apia, 2011-12-30) this equals the
 * start of the next day, so that day is empty.
 */
export function startOfDay(date: HDate, tz: string): HDateTime {
  checkDate(date);
  const local = date.toEpochDays() * MS_PER_DAY;
  const c = candidates(local, tz);
  const first = c.instants[0];
  if (first !== undefined) return HDateTime.of(first, tz);
  return HDateTime.of(transitionIn(tz, local - c.after * 1000, local - c.before * 1000), tz);
}

/**
 * The transition instant T in (lo, hi] of a gap: offsetSeconds is `before` below T and `after`
 * from T on. Bisection to the millisecond; the cache in tz.ts makes each probe cheap.
 */
function transitionIn(tz: string, lo: number, hi: number): number {
  const atLo = offsetSeconds(tz, lo);
  if (offsetSeconds(tz, hi) === atLo) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetSeconds(tz, mid) === atLo) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** `date` shifted by `n` calendar days. */
export function addDays(date: HDate, n: number): HDate {
  checkDate(date);
  checkInt("days", n, -200_000_000, 200_000_000);
  const [y, m, d] = civilFromDays(date.toEpochDays() + n);
  return new HDate(y, m, d);
}

/**
 * Same wall-clock time `n` days later (or earlier) in the zone of `dt`, so a day across a DST
 * change is 23 or 25 hours. In an overlap the offset of `dt` is kept when it is still valid
 * (else the earlier instant); in a gap the time moves forward by the gap length.
 */
export function plusDays(dt: HDateTime, n: number): HDateTime {
  checkInt("days", n, -200_000_000, 200_000_000);
  const local = dt.localMs() + n * MS_PER_DAY;
  checkEpochMs(local);
  const c = candidates(local, dt.tz);
  const same = c.instants.find((t) => local - t === dt.offset * 1000);
  return HDateTime.of(same ?? pick(c, local, "compatible"), dt.tz);
}

/** `dt` plus an exact duration in milliseconds (elapsed time, not wall-clock time). */
export function plusDuration(dt: HDateTime, ms: number): HDateTime {
  if (!Number.isFinite(ms)) throw new HaystackError("invalid_value", `invalid duration: ${ms}`);
  return HDateTime.of(dt.ms + ms, dt.tz);
}

/** The local date in `tz` at instant `nowMs`. */
export function todayIn(tz: string, nowMs: number): HDate {
  return HDateTime.of(nowMs, tz).date();
}

/** The local date of `dt` in its own zone. */
export function dateOf(dt: HDateTime): HDate {
  return dt.date();
}

function checkDate(d: HDate): void {
  checkInt("year", d.year, -271_820, 275_759);
  checkInt("month", d.month, 1, 12);
  checkInt("day", d.day, 1, daysInMonth(d.year, d.month));
}
