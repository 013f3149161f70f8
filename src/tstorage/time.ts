/**
 * TStorage time: int64 nanoseconds since 2001-01-01T00:00:00Z, leap seconds ignored
 * (TSTORAGE.md "Time"; the Python client's `timestamp.py`). All conversions are exact BigInt
 * arithmetic; anything that would leave int64 is a RangeError rather than a silent wrap.
 */
// Calendar arithmetic in plain numbers: the int64 range spans years 1709..2293, far inside exact range.
import { civilFromDays, daysFromCivil, daysInMonth } from "../haystack/kinds/calendar.ts";

/** Unix nanoseconds of the TStorage epoch, 2001-01-01T00:00:00Z. */
export const TSTORAGE_EPOCH_UNIX_NS = 978_307_200_000_000_000n;

/** The int64 bounds every TStorage time (cap, acq) must stay within. */
export const TIME_MIN = -(2n ** 63n);
export const TIME_MAX = 2n ** 63n - 1n;

const NS_PER_MS = 1_000_000n;
const NS_PER_SECOND = 1_000_000_000n;
const SECONDS_PER_DAY = 86_400n;

function checkTime(ts: bigint, what: string): bigint {
  if (typeof ts !== "bigint") throw new TypeError(`${what} must be a bigint, got ${typeof ts}`);
  if (ts < TIME_MIN || ts > TIME_MAX) throw new RangeError(`${what} ${ts} is outside int64`);
  return ts;
}

/** TStorage ns -> Unix ns. `toUnixNs(0n) === 978307200000000000n`. */
export function toUnixNs(ts: bigint): bigint {
  return checkTime(ts, "TStorage time") + TSTORAGE_EPOCH_UNIX_NS;
}

/** Unix ns -> TStorage ns; RangeError when the result leaves int64. */
export function fromUnixNs(unixNs: bigint): bigint {
  if (typeof unixNs !== "bigint") throw new TypeError(`Unix ns must be a bigint, got ${typeof unixNs}`);
  return checkTime(unixNs - TSTORAGE_EPOCH_UNIX_NS, "TStorage time from Unix ns");
}

/**
 * TStorage ns -> Unix ms, rounded toward -infinity (floor), so a time and the millisecond that
 * contains it agree also before 1970. The result (|ms| < 1e13) is always a safe integer.
 */
export function toUnixMs(ts: bigint): number {
  const unix = toUnixNs(ts);
  let ms = unix / NS_PER_MS;
  if (unix % NS_PER_MS < 0n) ms -= 1n;
  return Number(ms);
}

/** Unix ms (an integer, e.g. `Date.now()`) -> TStorage ns; exact. */
export function fromUnixMs(unixMs: number): bigint {
  if (!Number.isSafeInteger(unixMs)) throw new RangeError(`Unix ms must be a safe integer, got ${unixMs}`);
  return fromUnixNs(BigInt(unixMs) * NS_PER_MS);
}

const pad = (n: number, w: number) => String(n).padStart(w, "0");

/**
 * TStorage ns -> RFC 3339 in UTC with `Z`, the fraction cut of trailing zeros (none when whole
 * seconds), as Go's RFC3339Nano does: `toIsoString(4321n) === "2001-01-01T00:00:00.000004321Z"`.
 */
export function toIsoString(ts: bigint): string {
  const unix = toUnixNs(ts);
  let secs = unix / NS_PER_SECOND;
  let frac = unix % NS_PER_SECOND;
  if (frac < 0n) {
    frac += NS_PER_SECOND;
    secs -= 1n;
  }
  let days = secs / SECONDS_PER_DAY;
  let sod = secs % SECONDS_PER_DAY;
  if (sod < 0n) {
    sod += SECONDS_PER_DAY;
    days -= 1n;
  }
  const [y, m, d] = civilFromDays(Number(days));
  const s = Number(sod);
  const hms = `${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}`;
  const fraction = frac === 0n ? "" : `.${pad(Number(frac), 9).replace(/0+$/, "")}`;
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${hms}${fraction}Z`;
}

// RFC 3339 date-time (section 5.6), 't'/'z' accepted as the RFC allows; no leap second (:60),
// since TStorage time ignores them; at most 9 fractional digits, since finer is not representable.
const ISO = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * RFC 3339 text -> TStorage ns, exact to the nanosecond, e.g.
 * `fromIsoString("2001-01-01T01:00:00.5+01:00") === 500000000n`. TypeError on malformed text,
 * RangeError on a field out of range or a time outside int64.
 */
export function fromIsoString(text: string): bigint {
  if (typeof text !== "string") throw new TypeError(`ISO time must be a string, got ${typeof text}`);
  const m = ISO.exec(text);
  if (!m)
    throw new TypeError(
      `not an RFC 3339 time (YYYY-MM-DDTHH:MM:SS[.fffffffff](Z|±HH:MM)): ${JSON.stringify(text.slice(0, 64))}`,
    );
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12) throw new RangeError(`month ${mo} out of range in ${text}`);
  if (d < 1 || d > daysInMonth(y, mo)) throw new RangeError(`day ${d} out of range in ${text}`);
  if (h > 23 || mi > 59 || s > 59) throw new RangeError(`time of day out of range in ${text}`);
  let offsetSeconds = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) throw new RangeError(`UTC offset out of range in ${text}`);
    offsetSeconds = (m[9] === "-" ? -1 : 1) * (oh * 3600 + om * 60);
  }
  const seconds = daysFromCivil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offsetSeconds;
  const nanos = BigInt((m[7] ?? "").padEnd(9, "0"));
  const unixNs = BigInt(seconds) * NS_PER_SECOND + nanos;
  const ts = unixNs - TSTORAGE_EPOCH_UNIX_NS;
  if (ts < TIME_MIN || ts > TIME_MAX)
    throw new RangeError(`${text} is outside the TStorage time range (int64 ns from 2001)`);
  return ts;
}
