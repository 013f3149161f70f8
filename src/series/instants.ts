/**
 * Timestamps of the series face in a store's zone: parse what clients send (epoch ms, ISO 8601
 * with an offset, or naive ISO local to the store's zone) and format instants as ISO 8601 with the
 * zone's offset. All zone facts come from the Haystack time code (tz.ts, zoned.ts); a per-zone
 * `ZoneClock` caches what repeats so a response of 87,600 points costs no Intl call per point.
 *
 * Choices, for a pandas user: naive times are `tz_localize(zone, ambiguous=True,
 * nonexistent=<gap length>)`, i.e. a time that occurs twice (clocks set back) is the EARLIER
 * instant (the DST one), and a time that does not occur (clocks set forward) moves forward by the
 * gap (Paris 2024-03-31 02:30 -> 03:30+02:00), as java.time and Temporal ("compatible") do.
 * Fractions of a second take up to 9 digits and are truncated to the millisecond, as are epoch
 * numbers with a fraction (both floor: the instant never moves later). A string of digits alone
 * (optionally signed) is epoch milliseconds, so CSV cells can carry either form.
 */
import { civilFromDays, daysFromCivil, daysInMonth, MS_PER_DAY, pad3 } from "../haystack/kinds/calendar.ts";
import { ianaToHaystack, isKnownTz, MAX_EPOCH_MS, offsetSeconds } from "../haystack/time/tz.ts";
import { localToInstant } from "../haystack/time/zoned.ts";
import { SeriesError } from "./errors.ts";

/**
 * Offsets are probed at the starts of 44-hour spans. zoned.ts relies on no zone changing offset
 * twice within two days (a daily scan of every Intl zone, 1850-2060), so equal probes at both ends
 * of a span shorter than that mean no change inside it. Ten years of hourly points cost about two
 * thousand probes (tz.ts turns each cold one into two Intl calls) instead of one per 6 hours.
 */
const SPAN_MS = 44 * 3_600_000;
const MAX_CACHED_SPANS = 20_000;
/** Longest text quoted back in an error: the input may be a megabyte of garbage. */
const QUOTE_MAX = 64;

const TWO = Array.from({ length: 60 }, (_, i) => (i < 10 ? `0${i}` : String(i)));
/** ASCII codes of the tens and ones digits of 0..99. */
const TENS = Uint8Array.from({ length: 100 }, (_, i) => 48 + Math.floor(i / 10));
const ONES = Uint8Array.from({ length: 100 }, (_, i) => 48 + (i % 10));

function yearText(y: number): string {
  if (y >= 0 && y <= 9999) return y < 10 ? `000${y}` : y < 100 ? `00${y}` : y < 1000 ? `0${y}` : String(y);
  // ISO 8601 expanded years: sign and six digits, which the parser reads back.
  const a = String(Math.abs(y)).padStart(6, "0");
  return y < 0 ? `-${a}` : `+${a}`;
}

function offsetText(sec: number): string {
  const sign = sec < 0 ? "-" : "+";
  const a = Math.abs(sec);
  const hm = `${sign}${TWO[Math.floor(a / 3600)] ?? Math.floor(a / 3600)}:${TWO[Math.floor(a / 60) % 60]}`;
  // Local mean time offsets before ~1900 have seconds (Paris: +00:09:21); keep them exact.
  return a % 60 === 0 ? hm : `${hm}:${TWO[a % 60]}`;
}

function asciiBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

/** Parses and formats instants in one zone; get one with `zoneClock`. */
export class ZoneClock {
  /** Haystack name of the zone, what tz.ts and zoned.ts take. */
  readonly tz: string;
  private readonly utc: boolean;
  /** Per span index: its one offset (seconds), or NaN when the offset changes inside it. */
  private readonly spans = new Map<number, number>();
  private span = Number.NaN;
  private spanOffset = Number.NaN;
  /** The last local span parsed and the offset its naive times take (NaN: ask zoned.ts). */
  private localSpan = Number.NaN;
  private localOffset = Number.NaN;
  // Formatting: the last local day's "YYYY-MM-DDT" and the last offset's text, as text and bytes.
  private day = Number.NaN;
  private dayPrefix = "";
  private dayBytes: Uint8Array = new Uint8Array(0);
  private offset = Number.NaN;
  private offsetSuffix = "";
  private offsetBytes: Uint8Array = new Uint8Array(0);

  constructor(readonly zone: string) {
    this.tz = ianaToHaystack(zone);
    this.utc = this.tz === "UTC";
  }

  /**
   * Epoch ms of `v` (see the module comment for the accepted forms), or NaN when `v` is not a
   * timestamp: callers add the position to their error.
   */
  parse(v: unknown): number {
    if (typeof v === "number") {
      const t = Math.floor(v);
      return Math.abs(t) <= MAX_EPOCH_MS ? t : Number.NaN;
    }
    return typeof v === "string" ? this.parseText(v) : Number.NaN;
  }

  /** ISO 8601 in this zone with its offset; milliseconds only when not zero; `Z` in a UTC zone. */
  format(ms: number): string {
    const tod = this.prepare(ms);
    const minute = Math.floor(tod / 60_000);
    const rest = tod - minute * 60_000;
    const sec = Math.floor(rest / 1000);
    const milli = rest - sec * 1000;
    const hms = `${this.dayPrefix}${TWO[Math.floor(minute / 60)]}:${TWO[minute % 60]}:${TWO[sec]}`;
    return milli === 0 ? hms + this.offsetSuffix : `${hms}.${pad3(milli)}${this.offsetSuffix}`;
  }

  /**
   * Writes `format(ms)` as ASCII into `out` at `at` and returns the end: the body writers encode
   * straight to bytes. Needs 40 bytes of room.
   */
  formatInto(ms: number, out: Uint8Array, at: number): number {
    const tod = this.prepare(ms);
    let p = at;
    const day = this.dayBytes;
    for (let i = 0; i < day.length; i++) out[p++] = day[i] as number;
    // tod < 86,400,000 fits int32: `| 0` truncates like Math.floor, without the call.
    const sec = (tod / 1000) | 0;
    const milli = tod - sec * 1000;
    const minute = (sec / 60) | 0;
    const h = (minute / 60) | 0;
    const mi = minute - h * 60;
    const se = sec - minute * 60;
    out[p] = TENS[h] as number;
    out[p + 1] = ONES[h] as number;
    out[p + 2] = 58;
    out[p + 3] = TENS[mi] as number;
    out[p + 4] = ONES[mi] as number;
    out[p + 5] = 58;
    out[p + 6] = TENS[se] as number;
    out[p + 7] = ONES[se] as number;
    p += 8;
    if (milli !== 0) {
      out[p] = 46;
      out[p + 1] = 48 + ((milli / 100) | 0);
      out[p + 2] = TENS[milli % 100] as number;
      out[p + 3] = ONES[milli % 100] as number;
      p += 4;
    }
    const off = this.offsetBytes;
    for (let i = 0; i < off.length; i++) out[p++] = off[i] as number;
    return p;
  }

  /** Sets the day and offset caches for `ms` and returns its local time of day in ms. */
  private prepare(ms: number): number {
    if (!(Math.abs(ms) <= MAX_EPOCH_MS)) throw new SeriesError("invalid", `instant out of range: ${ms}`);
    const off = this.offsetAt(ms);
    const local = ms + off * 1000;
    const day = Math.floor(local / MS_PER_DAY);
    if (day !== this.day) {
      const [y, m, d] = civilFromDays(day);
      this.day = day;
      this.dayPrefix = `${yearText(y)}-${TWO[m]}-${TWO[d]}T`;
      this.dayBytes = asciiBytes(this.dayPrefix);
    }
    if (off !== this.offset) {
      this.offset = off;
      this.offsetSuffix = this.utc && off === 0 ? "Z" : offsetText(off);
      this.offsetBytes = asciiBytes(this.offsetSuffix);
    }
    return local - day * MS_PER_DAY;
  }

  private offsetAt(ms: number): number {
    const k = Math.floor(ms / SPAN_MS);
    if (k !== this.span) {
      this.span = k;
      this.spanOffset = this.steady(k);
    }
    return Number.isNaN(this.spanOffset) ? offsetSeconds(this.tz, ms) : this.spanOffset;
  }

  /** The one offset of span `k`, or NaN when it changes inside the span. */
  private steady(k: number): number {
    let off = this.spans.get(k);
    if (off === undefined) {
      const a = offsetSeconds(this.tz, Math.max(k * SPAN_MS, -MAX_EPOCH_MS));
      const b = offsetSeconds(this.tz, Math.min((k + 1) * SPAN_MS, MAX_EPOCH_MS));
      off = a === b ? a : Number.NaN;
      if (this.spans.size >= MAX_CACHED_SPANS) this.spans.clear();
      this.spans.set(k, off);
    }
    return off;
  }

  private parseText(s: string): number {
    const n = s.length;
    if (n === 0 || n > 40) return Number.NaN;
    if (isEpochDigits(s)) {
      const t = Number(s);
      return Math.abs(t) <= MAX_EPOCH_MS ? t : Number.NaN;
    }
    // Date: YYYY-MM-DD, or ±YYYYYY-MM-DD (expanded years, as format writes them).
    const c0 = s.charCodeAt(0);
    const expanded = c0 === 43 /* + */ || c0 === 45; /* - */
    let i = expanded ? 7 : 4;
    let year = expanded ? digits(s, 1, 6) : digits(s, 0, 4);
    if (year < 0 || s.charCodeAt(i) !== 45) return Number.NaN;
    if (c0 === 45) year = -year;
    const month = digits(s, i + 1, 2);
    if (s.charCodeAt(i + 3) !== 45) return Number.NaN;
    const day = digits(s, i + 4, 2);
    i += 6;
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN;
    const days = daysFromCivil(year, month, day);
    if (i === n) return this.local(days * MS_PER_DAY);
    const sep = s.charCodeAt(i);
    if (sep !== 84 /* T */ && sep !== 116 /* t */ && sep !== 32 /* space */) return Number.NaN;
    const hour = digits(s, i + 1, 2);
    const minute = s.charCodeAt(i + 3) === 58 ? digits(s, i + 4, 2) : -1;
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return Number.NaN;
    i += 6;
    let second = 0;
    let milli = 0;
    if (s.charCodeAt(i) === 58 /* : */) {
      second = digits(s, i + 1, 2);
      if (second < 0 || second > 59) return Number.NaN;
      i += 3;
      const dot = s.charCodeAt(i);
      if (dot === 46 /* . */ || dot === 44 /* , */) {
        const start = ++i;
        while (i < n && isDigit(s.charCodeAt(i))) i++;
        const len = i - start;
        if (len === 0 || len > 9) return Number.NaN;
        // Truncate to milliseconds: "5" is 500 ms, "123456" is 123 ms.
        const frac = s.slice(start, Math.min(start + 3, i));
        milli = Number(frac) * (frac.length === 1 ? 100 : frac.length === 2 ? 10 : 1);
      }
    }
    const local = days * MS_PER_DAY + hour * 3_600_000 + minute * 60_000 + second * 1000 + milli;
    if (i === n) return this.local(local);
    const off = offsetSuffix(s, i);
    if (Number.isNaN(off)) return Number.NaN;
    const t = local - off * 1000;
    return Math.abs(t) <= MAX_EPOCH_MS ? t : Number.NaN;
  }

  /**
   * The instant at which this zone's clocks read `wall` (wall-clock fields as epoch ms, as if in
   * UTC): overlap -> earlier, gap -> forward. NaN when out of range.
   */
  local(wall: number): number {
    if (!(Math.abs(wall) <= MAX_EPOCH_MS - 3 * SPAN_MS)) return Number.NaN;
    // Every instant the wall time can denote is within 18 h (the largest offset) of it, so
    // inside spans k-1..k+1; if those share one steady offset it is the only one.
    const k = Math.floor(wall / SPAN_MS);
    if (k !== this.localSpan) {
      this.localSpan = k;
      const off = this.steady(k);
      this.localOffset = this.steady(k - 1) === off && this.steady(k + 1) === off ? off : Number.NaN;
    }
    if (!Number.isNaN(this.localOffset)) return wall - this.localOffset * 1000;
    const day = Math.floor(wall / MS_PER_DAY);
    const [y, m, d] = civilFromDays(day);
    let rest = wall - day * MS_PER_DAY;
    const h = Math.floor(rest / 3_600_000);
    rest -= h * 3_600_000;
    const mi = Math.floor(rest / 60_000);
    rest -= mi * 60_000;
    const sec = Math.floor(rest / 1000);
    return localToInstant(y, m, d, h, mi, sec, rest - sec * 1000, this.tz, "compatible").ms;
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** True for an optionally signed run of 1 to 16 digits: epoch ms (16 digits reach 8.64e15). */
function isEpochDigits(s: string): boolean {
  const start = s.charCodeAt(0) === 45 ? 1 : 0;
  const len = s.length - start;
  if (len < 1 || len > 16) return false;
  for (let i = start; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

/** `count` digits at `at` as a number, or -1. */
function digits(s: string, at: number, count: number): number {
  let v = 0;
  for (let i = at; i < at + count; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** Seconds east of `Z`, `±HH`, `±HHMM`, `±HH:MM` or `±HH:MM:SS` ending the text at `i`; NaN otherwise. */
function offsetSuffix(s: string, i: number): number {
  const n = s.length;
  const c = s.charCodeAt(i);
  if (c === 90 /* Z */ || c === 122 /* z */) return i + 1 === n ? 0 : Number.NaN;
  if (c !== 43 && c !== 45) return Number.NaN;
  const sign = c === 45 ? -1 : 1;
  const h = digits(s, i + 1, 2);
  let j = i + 3;
  let m = 0;
  let sec = 0;
  if (j < n) {
    const colon = s.charCodeAt(j) === 58;
    if (colon) j++;
    m = digits(s, j, 2);
    j += 2;
    if (colon && j < n && s.charCodeAt(j) === 58) {
      sec = digits(s, j + 1, 2);
      j += 3;
    }
  }
  if (j !== n || h < 0 || h > 18 || m < 0 || m > 59 || sec < 0 || sec > 59) return Number.NaN;
  return sign * (h * 3600 + m * 60 + sec);
}

const clocks = new Map<string, ZoneClock>();
const MAX_CLOCKS = 500;

/** The clock of IANA zone `zone`; throws SeriesError "invalid" for a zone the runtime does not know. */
export function zoneClock(zone: string): ZoneClock {
  let c = clocks.get(zone);
  if (c === undefined) {
    if (!isKnownTz(ianaToHaystack(zone))) throw new SeriesError("invalid", `unknown time zone "${quote(zone)}"`);
    c = new ZoneClock(zone);
    if (clocks.size >= MAX_CLOCKS) clocks.clear();
    clocks.set(zone, c);
  }
  return c;
}

/** `text` cut to a length fit for an error message. */
export function quote(text: string): string {
  return text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}...` : text;
}

/** Any value as short text for an error message: strings quoted, the rest as JSON would write them. */
export function shown(v: unknown): string {
  if (typeof v === "string") return `"${quote(v)}"`;
  if (typeof v === "bigint") return quote(v.toString());
  if (Array.isArray(v) && v.length > 8) return `an array of ${v.length} items`;
  try {
    return quote(JSON.stringify(v) ?? String(v));
  } catch {
    // Nesting deeper than the stack (JSON.parse allows it): say what it is instead.
    return Array.isArray(v) ? "an array" : typeof v === "object" ? "an object" : typeof v;
  }
}

/** The error for a value that is not a timestamp. */
export function invalidInstant(v: unknown): SeriesError {
  return new SeriesError("invalid", `invalid timestamp ${shown(v)}`);
}

/**
 * Epoch ms of a timestamp: a number is epoch ms; a string is epoch-ms digits, ISO 8601 with `Z` or
 * an offset, or naive ISO local to `zone` (IANA). Examples in Europe/Paris:
 * `"2024-10-27T02:30:00"` -> 00:30Z (the earlier of the two), `"2024-10-27"` -> local midnight.
 * Throws SeriesError "invalid" quoting the text otherwise.
 */
export function parseInstant(v: string | number, zone: string): number {
  const t = zoneClock(zone).parse(v);
  if (Number.isNaN(t)) throw invalidInstant(v);
  return t;
}

/** ISO 8601 of `ms` in `zone` with its offset, e.g. `2024-10-27T02:00:00+01:00`. */
export function formatInstant(ms: number, zone: string): string {
  return zoneClock(zone).format(ms);
}
