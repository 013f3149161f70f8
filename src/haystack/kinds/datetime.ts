import { offsetSeconds } from "../time/tz.ts";
import { civilFromDays, daysFromCivil, daysInMonth, MS_PER_DAY, pad2, pad3, pad4 } from "./calendar.ts";
import { HDate } from "./date.ts";
import { HTime } from "./time.ts";

/**
 * An instant with a Haystack zone name. Stored as epoch milliseconds plus the zone and its UTC
 * offset at that instant (seconds east), so writers never consult the zone database.
 * Equality is instant + zone.
 */
export class HDateTime {
  readonly kind = "dateTime" as const;
  constructor(
    readonly ms: number,
    readonly tz: string,
    readonly offset: number,
  ) {}

  /** The instant `ms` seen in zone `tz` (offset looked up, cached per zone). */
  static of(ms: number, tz = "UTC"): HDateTime {
    return new HDateTime(ms, tz, offsetSeconds(tz, ms));
  }

  /** Same instant in another zone. */
  toTz(tz: string): HDateTime {
    return tz === this.tz ? this : HDateTime.of(this.ms, tz);
  }

  /** Local wall-clock ms (epoch ms shifted by the offset): handy for date/time parts. */
  localMs(): number {
    return this.ms + this.offset * 1000;
  }

  date(): HDate {
    const [y, m, d] = civilFromDays(Math.floor(this.localMs() / MS_PER_DAY));
    return new HDate(y, m, d);
  }

  time(): HTime {
    const t = ((this.localMs() % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
    return new HTime(Math.floor(t / 3_600_000), Math.floor(t / 60_000) % 60, Math.floor(t / 1000) % 60, t % 1000);
  }

  /** ISO 8601 text with offset, as Zinc and JSON write it: `2021-03-22T13:57:00.381-04:00`, `...Z` for UTC. */
  iso(): string {
    return formatIso(this.ms, this.offset);
  }

  toString(): string {
    return `${this.iso()} ${this.tz}`;
  }
}

// One-entry cache of the `YYYY-MM-DDT` prefix: history rows share the day, and
// formatting it is most of the cost of writing a timestamp.
let cachedDay = Number.NaN;
let cachedPrefix = "";

/**
 * Fast ISO formatting without Date objects; `Z` when the offset is zero. Zinc and JSON offsets
 * are whole minutes, so a local mean time from before standard time (New York's -4:56:02 until
 * 1883) is written cut to the minute, with the wall clock to match: the same instant.
 */
export function formatIso(ms: number, offsetSec: number): string {
  offsetSec -= offsetSec % 60;
  const local = ms + offsetSec * 1000;
  const day = Math.floor(local / MS_PER_DAY);
  if (day !== cachedDay) {
    const [y, m, d] = civilFromDays(day);
    cachedPrefix = `${pad4(y)}-${pad2(m)}-${pad2(d)}T`;
    cachedDay = day;
  }
  const t = local - day * MS_PER_DAY;
  const frac = t % 1000;
  const secs = (t - frac) / 1000;
  let s = `${cachedPrefix}${pad2(Math.floor(secs / 3600))}:${pad2(Math.floor(secs / 60) % 60)}:${pad2(secs % 60)}`;
  if (frac !== 0) s += `.${pad3(frac)}`;
  return s + formatOffset(offsetSec);
}

/** `±hh:mm` (seconds cut, as formatIso does), `Z` for zero. */
export function formatOffset(offsetSec: number): string {
  const a = Math.abs(offsetSec - (offsetSec % 60));
  if (a === 0) return "Z";
  return `${offsetSec < 0 ? "-" : "+"}${pad2(Math.floor(a / 3600))}:${pad2(Math.floor(a / 60) % 60)}`;
}

/** The parts of an ISO date-time with offset. */
export interface IsoDateTime {
  readonly ms: number;
  readonly offset: number;
  /** Index just past the parsed text. */
  readonly end: number;
}

/**
 * Parses `YYYY-MM-DDThh:mm:ss[.fff...](Z|±hh:mm)` starting at `start`; returns undefined when the
 * text there is not one (including an impossible calendar date). Fractions beyond milliseconds
 * are truncated. Hot paths call `scanIso`, which allocates nothing.
 */
export function parseIso(s: string, start = 0): IsoDateTime | undefined {
  const end = scanIso(s, start);
  return end < 0 ? undefined : { ms: ISO.ms, offset: ISO.offset, end };
}

// In-place scanning for readers: results land in `ISO`, and the day number of the last date is
// cached (history rows share the day).
/** The last successful scan: epoch ms and offset seconds east. */
export const ISO = { ms: 0, offset: 0 };

let lastDate = -1;
let lastDays = 0;

function d2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Scans an ISO date-time at `i`; returns the index just past it, or -1 (ISO untouched). */
export function scanIso(s: string, i: number): number {
  const y1 = d2(s, i);
  const y2 = d2(s, i + 2);
  if (y1 < 0 || y2 < 0 || s.charCodeAt(i + 4) !== 45 || s.charCodeAt(i + 7) !== 45) return -1;
  const y = y1 * 100 + y2;
  const mo = d2(s, i + 5);
  const d = d2(s, i + 8);
  if (mo < 1 || mo > 12 || d < 1 || s.charCodeAt(i + 10) !== 84) return -1;
  const h = d2(s, i + 11);
  const mi = d2(s, i + 14);
  const sec = d2(s, i + 17);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return -1;
  if (s.charCodeAt(i + 13) !== 58 || s.charCodeAt(i + 16) !== 58) return -1;
  const key = (y * 100 + mo) * 100 + d;
  let days: number;
  if (key === lastDate) days = lastDays;
  else {
    if (d > daysInMonth(y, mo)) return -1;
    days = daysFromCivil(y, mo, d);
    lastDate = key;
    lastDays = days;
  }
  let j = i + 19;
  let frac = 0;
  if (s.charCodeAt(j) === 46) {
    const f = ++j;
    let scale = 100;
    for (;;) {
      const c = s.charCodeAt(j) - 48;
      if (!(c >= 0 && c <= 9)) break;
      frac += c * scale;
      scale = (scale / 10) | 0;
      j++;
    }
    if (j === f) return -1;
  }
  let offset: number;
  const c = s.charCodeAt(j);
  if (c === 90) {
    offset = 0;
    j++;
  } else if (c === 43 || c === 45) {
    const oh = d2(s, j + 1);
    const om = d2(s, j + 4);
    if (oh < 0 || oh > 18 || om < 0 || om > 59 || s.charCodeAt(j + 3) !== 58) return -1;
    offset = (oh * 3600 + om * 60) * (c === 45 ? -1 : 1);
    j += 6;
  } else {
    return -1;
  }
  ISO.ms = (days * 86400 + h * 3600 + mi * 60 + sec - offset) * 1000 + frac;
  ISO.offset = offset;
  return j;
}
