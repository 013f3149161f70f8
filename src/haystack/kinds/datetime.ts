import { offsetSeconds } from "../time/tz.ts";
import { civilFromDays, daysFromCivil, MS_PER_DAY, pad2, pad3, pad4 } from "./calendar.ts";
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

/** Fast ISO formatting without Date objects; `Z` when the offset is zero. */
export function formatIso(ms: number, offsetSec: number): string {
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

export function formatOffset(offsetSec: number): string {
  if (offsetSec === 0) return "Z";
  const sign = offsetSec < 0 ? "-" : "+";
  const a = Math.abs(offsetSec);
  const hm = `${sign}${pad2(Math.floor(a / 3600))}:${pad2(Math.floor(a / 60) % 60)}`;
  return a % 60 === 0 ? hm : `${hm}:${pad2(a % 60)}`;
}

/** The parts of an ISO date-time with offset. */
export interface IsoDateTime {
  readonly ms: number;
  readonly offset: number;
  /** Index just past the parsed text. */
  readonly end: number;
}

function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Parses `YYYY-MM-DDThh:mm:ss[.fff...](Z|±hh:mm)` starting at `start`; returns undefined when the
 * text there is not one. Fractions beyond milliseconds are truncated.
 */
export function parseIso(s: string, start = 0): IsoDateTime | undefined {
  let i = start;
  const y = digits(s, i, 4);
  if (y < 0 || s.charCodeAt(i + 4) !== 45) return undefined;
  const mo = digits(s, i + 5, 2);
  if (mo < 1 || mo > 12 || s.charCodeAt(i + 7) !== 45) return undefined;
  const d = digits(s, i + 8, 2);
  if (d < 1 || d > 31 || s.charCodeAt(i + 10) !== 84) return undefined;
  const h = digits(s, i + 11, 2);
  if (h < 0 || h > 23 || s.charCodeAt(i + 13) !== 58) return undefined;
  const mi = digits(s, i + 14, 2);
  if (mi < 0 || mi > 59 || s.charCodeAt(i + 16) !== 58) return undefined;
  const sec = digits(s, i + 17, 2);
  if (sec < 0 || sec > 59) return undefined;
  i += 19;
  let frac = 0;
  if (s.charCodeAt(i) === 46) {
    i++;
    let scale = 100;
    const fs = i;
    while (i < s.length) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      if (scale >= 1) frac += c * scale;
      scale /= 10;
      i++;
    }
    if (i === fs) return undefined;
  }
  let offset: number;
  const c = s.charCodeAt(i);
  if (c === 90) {
    offset = 0;
    i++;
  } else if (c === 43 || c === 45) {
    const oh = digits(s, i + 1, 2);
    if (oh < 0 || s.charCodeAt(i + 3) !== 58) return undefined;
    const om = digits(s, i + 4, 2);
    if (om < 0 || om > 59 || oh > 18) return undefined;
    offset = (oh * 3600 + om * 60) * (c === 45 ? -1 : 1);
    i += 6;
  } else {
    return undefined;
  }
  const ms = (daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset) * 1000 + frac;
  return { ms, offset, end: i };
}
