/**
 * Instants on the sync wire, in microseconds since the epoch (HoLcStore's `updated_at` has
 * microseconds, and a pulled chunk keeps its server's value exactly, so milliseconds would lose it).
 *
 * Writing follows what HoLcStore's server sends: Python's `datetime.isoformat()` of a UTC value
 * with DRF's `+00:00` -> `Z` (fraction only when non-zero, then six digits). Reading takes what
 * its client sends as `since` (pandas `isoformat()`: `+00:00` or `+01:00`) and any other ISO 8601
 * instant with an offset.
 */
import { civilFromDays, daysFromCivil, daysInMonth } from "../haystack/kinds/calendar.ts";
import { SeriesError } from "../series/errors.ts";

const US_PER_DAY = 86_400_000_000;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a valid `YYYY-MM-DD` date (how date keys travel). */
export function isDate(text: string): boolean {
  const m = DATE.exec(text);
  if (m === null) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

const pad = (n: number, w: number): string => String(n).padStart(w, "0");

/** `YYYY-MM-DDTHH:MM:SS[.ffffff]` of a UTC instant, as Python's isoformat writes it. */
function isoBody(us: number): string {
  if (!Number.isSafeInteger(us)) throw new SeriesError("invalid", `not an instant in microseconds: ${us}`);
  const days = Math.floor(us / US_PER_DAY);
  const inDay = us - days * US_PER_DAY;
  const [y, mo, d] = civilFromDays(days);
  const secs = Math.floor(inDay / 1_000_000);
  const frac = inDay - secs * 1_000_000;
  const time = `${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}`;
  return `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${time}${frac === 0 ? "" : `.${pad(frac, 6)}`}`;
}

/**
 * An instant as HoLcStore's server writes `updated_at` and `start_ts`.
 * @example formatUpdatedAt(1795353550008945) === "2026-11-22T13:19:10.008945Z"
 */
export function formatUpdatedAt(us: number): string {
  return `${isoBody(us)}Z`;
}

/**
 * A chunk start (epoch ms) as HoLcStore writes `start_ts`.
 * @example formatStartTs(Date.UTC(2023, 11, 31, 23)) === "2023-12-31T23:00:00Z"
 */
export function formatStartTs(ms: number): string {
  return formatUpdatedAt(ms * 1000);
}

/** An instant as HoLcStore's client sends `since` (pandas `Timestamp.isoformat()` of a UTC value). */
export function formatSinceParam(us: number): string {
  return `${isoBody(us)}+00:00`;
}

// Date, `T` or a space, time with optional seconds and fraction, then `Z` or an offset. A space
// before the offset stands for `+`: an unencoded `+` in a query string arrives decoded as a space.
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+\- ])(\d{2})(?::?(\d{2}))?)$/;

/**
 * Microseconds of an ISO 8601 instant with `Z` or an offset; digits past the sixth are dropped
 * (towards the past, so an inclusive `since` never skips). Naive or malformed text is `invalid`.
 * @example parseSince("2000-01-01T00:00:00+01:00") === 946681200000000
 */
export function parseSince(text: string): number {
  const m = ISO.exec(text);
  if (m === null) throw new SeriesError("invalid", `not an ISO 8601 instant with an offset: ${clip(text)}`);
  const [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
  const s = m[6] === undefined ? 0 : Number(m[6]);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) {
    throw new SeriesError("invalid", `not a valid date and time: ${clip(text)}`);
  }
  const frac = m[7] === undefined ? 0 : Number(m[7].slice(0, 6).padEnd(6, "0"));
  let offsetMin = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = m[11] === undefined ? 0 : Number(m[11]);
    if (oh > 23 || om > 59) throw new SeriesError("invalid", `not a valid UTC offset: ${clip(text)}`);
    offsetMin = (m[9] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const us = (daysFromCivil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offsetMin * 60) * 1_000_000 + frac;
  if (!Number.isSafeInteger(us)) throw new SeriesError("invalid", `instant out of range: ${clip(text)}`);
  return us;
}

/** A short, printable excerpt of untrusted text for an error message. */
export function clip(text: string, max = 60): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, "?");
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
