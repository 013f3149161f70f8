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

/** A hisRead span: `start` inclusive, `end` exclusive, both in the point's zone. */
export interface HisRange {
  readonly start: HDateTime;
  readonly end: HDateTime;
}

/** Longer range text is not a range; the cap also keeps error messages short. */
const MAX_RANGE_CHARS = 256;

/**
 * Parses a hisRead range for a point in zone `tz`, evaluating `today`, `yesterday` and an open
 * `{dateTime}` range against `nowMs`.
 * Date ranges run from local midnight of the first date to local midnight after the last, so a
 * DST day is 23 or 25 hours. DateTime ranges must name one zone on both sides and are then
 * converted to `tz`. An empty span (start == end) is allowed; start after end is not.
 * Example: `parseHisRange("2012-10-01", "New_York", now)` is
 * [2012-10-01T00:00:00-04:00 New_York, 2012-10-02T00:00:00-04:00 New_York).
 * Throws `unknown_tz` if `tz` itself is unknown, `invalid_value` for a bad `nowMs`, otherwise
 * `invalid_range` for any bad input.
 */
export function parseHisRange(text: string, tz: string, nowMs: number): HisRange {
  requireIana(tz);
  checkEpochMs(nowMs);
  try {
    const r = parse(text, tz, nowMs);
    // Zinc and JSON write four-digit years: a span reaching past them could not be answered.
    for (const t of [r.start, r.end]) {
      const y = t.date().year;
      if (y < 1 || y > 9999) throw invalid(text, "dates must fall within years 0001 to 9999");
    }
    return r;
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
    return days(start, end, tz, text);
  }
  if (end instanceof HDate) throw invalid(text, "cannot mix a dateTime and a date");
  if (end !== undefined && end.tz !== start.tz) {
    throw invalid(text, `start and end zones differ (${start.tz} vs ${end.tz})`);
  }
  const endMs = end === undefined ? nowMs : end.ms;
  if (start.ms > endMs) throw invalid(text, end === undefined ? "start is after now" : "start is after end");
  return { start: HDateTime.of(start.ms, tz), end: HDateTime.of(endMs, tz) };
}

function days(first: HDate, last: HDate | undefined, tz: string, text: string): HisRange {
  if (last !== undefined && last.toEpochDays() < first.toEpochDays()) {
    throw invalid(text, "end date is before start date");
  }
  return { start: startOfDay(first, tz), end: startOfDay(addDays(last ?? first, 1), tz) };
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
