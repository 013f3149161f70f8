/**
 * hisRead range strings (Ops.fandoc #hisRead): `today`, `yesterday`, `{date}`, `{date},{date}`,
 * `{dateTime},{dateTime}` and `{dateTime}`, each part Zinc encoded. The result is the half-open
 * span [start, end) in the point's zone, as haxall's PhApiFuncs.parseRange computes it.
 */

import { readZincValue } from "../codec/zinc/reader.ts";
import { HaystackError } from "../errors.ts";
import { HDate } from "../kinds/date.ts";
import { HDateTime } from "../kinds/datetime.ts";
import { checkEpochMs, isKnownTz, requireIana } from "./tz.ts";
import { addDays, startOfDay, todayIn } from "./zoned.ts";

/**
 * A hisRead span in the point's zone. `start` and `end` are what a reply reports as hisStart and
 * hisEnd, so both are always writable as four-digit years (Zinc.fandoc `YYYY`); `endMs` is the
 * exclusive end to query.
 */
export interface HisRange {
  /** The first instant of the span, inclusive. */
  readonly start: HDateTime;
  /**
   * The exclusive end, except for a span through the last day of 9999: its exclusive end would be
   * midnight of year 10000, which no format can write, so `end` is 23:59:59.999 of 9999-12-31,
   * the last instant the span includes.
   */
  readonly end: HDateTime;
  /** The exclusive end instant (epoch ms) to query; `end.ms` except at the end of 9999. */
  readonly endMs: number;
}

/** Longer range text is not a range; the cap also keeps error messages short. */
const MAX_RANGE_CHARS = 256;
/** Zinc and JSON write four-digit years. */
const FIRST_YEAR = 1;
const LAST_YEAR = 9999;
const YEARS = "outside years 0001 to 9999";

/**
 * Parses a hisRead range for a point in zone `tz`, evaluating `today`, `yesterday` and an open
 * `{dateTime}` range against `nowMs`.
 * Date ranges run from local midnight of the first date to local midnight after the last, so a
 * DST day is 23 or 25 hours; any date of 0001..9999 may be either end. DateTime ranges must name
 * one zone on both sides and are then converted to `tz`, where they must still fall within
 * 0001..9999. An empty span (start == end) is allowed; start after end is not.
 * Example: `parseHisRange("2012-10-01", "New_York", now)` is
 * [2012-10-01T00:00:00-04:00 New_York, 2012-10-02T00:00:00-04:00 New_York).
 * Throws `unknown_tz` if `tz` itself is unknown, `invalid_value` for a bad `nowMs`, otherwise
 * `invalid_range` for any bad input, naming the part that is out of range.
 */
export function parseHisRange(text: string, tz: string, nowMs: number): HisRange {
  requireIana(tz);
  checkEpochMs(nowMs);
  try {
    return parse(text, tz, nowMs);
  } catch (e) {
    if (e instanceof HaystackError && e.code !== "invalid_range") throw invalid(text, e.message);
    throw e;
  }
}

type Part = HDate | HDateTime;

function parse(text: string, tz: string, nowMs: number): HisRange {
  if (typeof text !== "string") throw invalid(String(text), "not a string");
  if (text.length > MAX_RANGE_CHARS) throw invalid(text, "too long");
  const q = text.trim();
  if (q === "today" || q === "yesterday") {
    const today = todayIn(tz, nowMs);
    return days(q === "today" ? today : addDays(today, -1), undefined, tz, text);
  }
  const comma = q.indexOf(",");
  const start = readPart(comma < 0 ? q : q.slice(0, comma).trim(), text);
  const end = comma < 0 ? undefined : readPart(q.slice(comma + 1).trim(), text);
  if (start instanceof HDate) {
    if (end instanceof HDateTime) throw invalid(text, "cannot mix a date and a dateTime");
    checkDate(start, end === undefined ? "date" : "start", text);
    if (end !== undefined) checkDate(end, "end", text);
    return days(start, end, tz, text);
  }
  if (end instanceof HDate) throw invalid(text, "cannot mix a dateTime and a date");
  if (end !== undefined && end.tz !== start.tz) {
    throw invalid(text, `start and end zones differ (${start.tz} vs ${end.tz})`);
  }
  const endMs = end === undefined ? nowMs : end.ms;
  if (start.ms > endMs) throw invalid(text, end === undefined ? "start is after now" : "start is after end");
  const names = { start: `start ${start}`, end: end === undefined ? "now" : `end ${end}` };
  return span(HDateTime.of(start.ms, tz), endMs, tz, (which, local) =>
    invalid(text, `${names[which]} is ${local} in the point's zone, ${YEARS}`),
  );
}

function days(first: HDate, last: HDate | undefined, tz: string, text: string): HisRange {
  if (last !== undefined && last.toEpochDays() < first.toEpochDays()) {
    throw invalid(text, "end date is before start date");
  }
  const after = startOfDay(addDays(last ?? first, 1), tz);
  return span(startOfDay(first, tz), after.ms, tz, (which, local) => invalid(text, `${which} ${local} is ${YEARS}`));
}

/**
 * [start, endMs) with a writable hisStart and hisEnd: an end at the very start of year 10000 is
 * reported as the millisecond before it; anything else outside 0001..9999 is refused.
 */
function span(
  start: HDateTime,
  endMs: number,
  tz: string,
  outside: (which: "start" | "end", local: HDateTime) => HaystackError,
): HisRange {
  if (!inYears(start)) throw outside("start", start);
  const end = HDateTime.of(endMs, tz);
  if (inYears(end)) return { start, end, endMs };
  if (endMs === startOfDay(new HDate(LAST_YEAR + 1, 1, 1), tz).ms) {
    return { start, end: HDateTime.of(endMs - 1, tz), endMs };
  }
  throw outside("end", end);
}

function inYears(t: HDateTime): boolean {
  const y = t.date().year;
  return y >= FIRST_YEAR && y <= LAST_YEAR;
}

function checkDate(d: HDate, what: string, text: string): void {
  if (d.year < FIRST_YEAR || d.year > LAST_YEAR) throw invalid(text, `${what} ${d} is ${YEARS}`);
}

function invalid(text: string, why: string): HaystackError {
  const shown = text.length > 80 ? `${text.slice(0, 80)}...` : text;
  return new HaystackError("invalid_range", `Invalid history range '${shown}': ${why}`);
}

/** One Zinc date (`2012-10-01`) or dateTime (`2012-10-01T00:00:00-04:00 New_York`, `...Z`), read by the Zinc reader. */
function readPart(s: string, text: string): Part {
  let v: unknown;
  try {
    v = readZincValue(s);
  } catch (e) {
    throw invalid(text, e instanceof HaystackError ? e.message : `cannot read '${s.slice(0, 40)}'`);
  }
  if (v instanceof HDate) return v;
  if (!(v instanceof HDateTime)) throw invalid(text, `expected a Zinc date or dateTime, got '${s.slice(0, 40)}'`);
  if (!isKnownTz(v.tz)) throw invalid(text, `unknown time zone '${v.tz}'`);
  // The written offset fixes the instant; the zone name only says where it is displayed.
  return HDateTime.of(v.ms, v.tz);
}
