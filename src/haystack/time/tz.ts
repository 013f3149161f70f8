/**
 * Haystack time zone names <-> IANA names, and UTC offsets through Intl (no tz database of our own).
 * Haystack names are the last segment of the IANA name (`New_York`, `Paris`, `UTC`), with `GMT+5`
 * meaning `Etc/GMT+5` (POSIX sign: five hours BEHIND UTC). See TimeZones.fandoc.
 */
import { HaystackError } from "../errors.ts";
import { daysFromCivil } from "../kinds/calendar.ts";

const EXTRA_IANA = ["UTC", "Etc/UTC", "Etc/GMT", "Etc/GMT+0", "Etc/GMT-0"];
for (let h = 1; h <= 14; h++) {
  EXTRA_IANA.push(`Etc/GMT-${h}`);
  if (h <= 12) EXTRA_IANA.push(`Etc/GMT+${h}`);
}

/**
 * Areas tried for a city name that `supportedValuesOf` does not list: ICU lists its own canonical
 * spellings (`Asia/Katmandu`, `Asia/Calcutta`) while Haystack uses the current tzdata ones
 * (`Kathmandu`, `Kolkata`), and some runtimes have no `supportedValuesOf` at all.
 */
const AREAS = [
  "America/",
  "Europe/",
  "Asia/",
  "Australia/",
  "Africa/",
  "Pacific/",
  "Atlantic/",
  "Indian/",
  "Antarctica/",
  "Arctic/",
  "America/Argentina/",
  "America/Indiana/",
  "America/Kentucky/",
  "America/North_Dakota/",
  "Etc/",
  "",
];

let hsToIana: Map<string, string> | undefined;

function table(): Map<string, string> {
  if (hsToIana) return hsToIana;
  const m = new Map<string, string>();
  const intl = Intl as { supportedValuesOf?: (key: string) => string[] };
  const names = intl.supportedValuesOf ? intl.supportedValuesOf("timeZone") : [];
  for (const iana of [...names, ...EXTRA_IANA]) {
    const hs = ianaToHaystack(iana);
    // Keep the first (canonical) IANA name for a Haystack name.
    if (!m.has(hs)) m.set(hs, iana);
  }
  m.set("UTC", "UTC");
  m.set("GMT", "Etc/GMT");
  hsToIana = m;
  return m;
}

/** `America/New_York` -> `New_York`; `Etc/GMT+5` -> `GMT+5`; `Etc/UTC` -> `UTC`. */
export function ianaToHaystack(iana: string): string {
  const slash = iana.lastIndexOf("/");
  const last = slash < 0 ? iana : iana.slice(slash + 1);
  return last === "Zulu" || last === "Universal" ? "UTC" : last;
}

// Names come from requests, so the negative cache is bounded.
const validated = new Map<string, string | null>();
const MAX_VALIDATED = 2_000;
const NAME_RE = /^[A-Za-z][A-Za-z0-9_+-]{0,63}$/;

/** The IANA name for a Haystack zone name, or undefined if the runtime does not know it. */
export function haystackToIana(hs: string): string | undefined {
  const hit = validated.get(hs);
  if (hit !== undefined) return hit ?? undefined;
  let iana: string | undefined;
  // Only plain city-like names: a name with `/` or spaces is not a Haystack tz name.
  if (NAME_RE.test(hs)) {
    iana = table().get(hs);
    if (iana === undefined) {
      for (const area of AREAS) {
        if (isKnownIana(area + hs)) {
          iana = area + hs;
          break;
        }
      }
    }
  }
  if (validated.size >= MAX_VALIDATED) validated.clear();
  validated.set(hs, iana ?? null);
  return iana;
}

function isKnownIana(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Throws `unknown_tz` for a Haystack zone name the runtime cannot resolve. */
export function requireIana(hs: string): string {
  const iana = haystackToIana(hs);
  if (iana === undefined) throw new HaystackError("unknown_tz", `unknown time zone '${hs}'`);
  return iana;
}

/** True when `hs` is a Haystack zone name this runtime can resolve. */
export function isKnownTz(hs: string): boolean {
  return haystackToIana(hs) !== undefined;
}

const FIXED_RE = /^GMT([+-])(1[0-4]|[1-9])$/;

/** Fixed offsets (seconds east of UTC) of `UTC` and `GMT±N`, which need no Intl lookup. */
function fixedOffset(hs: string): number | undefined {
  if (hs === "UTC" || hs === "GMT" || hs === "GMT+0" || hs === "GMT-0") return 0;
  const m = FIXED_RE.exec(hs);
  if (!m) return undefined;
  const h = Number(m[2]);
  // Etc/GMT+N is N hours behind UTC and goes to +12; Etc/GMT-N ahead, to -14.
  if (m[1] === "+") return h <= 12 ? -h * 3600 : undefined;
  return h * 3600;
}

/**
 * Offsets are cached per 6-hour bucket of UTC time. A bucket whose first and last second agree
 * holds one offset (no zone changes offset twice within 6 hours); otherwise the transition
 * second inside it is found once by bisection and stored. Exact for transitions at any second,
 * including historical local-mean-time changes that do not fall on a quarter hour.
 */
type Bucket = number | { readonly at: number; readonly before: number; readonly after: number };

interface ZoneCache {
  readonly fmt: Intl.DateTimeFormat;
  readonly buckets: Map<number, Bucket>;
}

const zones = new Map<string, ZoneCache>();
const BUCKET_MS = 6 * 3_600_000;
const MAX_CACHED_BUCKETS = 20_000;
/** ECMAScript time value limit: Intl rejects instants beyond it. */
export const MAX_EPOCH_MS = 8.64e15;

function zoneCache(hs: string): ZoneCache {
  let z = zones.get(hs);
  if (!z) {
    const fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: requireIana(hs),
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    z = { fmt, buckets: new Map() };
    zones.set(hs, z);
  }
  return z;
}

/** Offset at a whole-second instant, straight from Intl. */
function intlOffset(fmt: Intl.DateTimeFormat, sec: number): number {
  let y = 0;
  let mo = 0;
  let d = 0;
  let h = 0;
  let mi = 0;
  let s = 0;
  let bc = false;
  for (const p of fmt.formatToParts(sec * 1000)) {
    switch (p.type) {
      case "year":
        y = Number(p.value);
        break;
      case "month":
        mo = Number(p.value);
        break;
      case "day":
        d = Number(p.value);
        break;
      case "hour":
        h = Number(p.value);
        break;
      case "minute":
        mi = Number(p.value);
        break;
      case "second":
        s = Number(p.value);
        break;
      case "era":
        bc = p.value === "BC" || p.value === "B";
        break;
    }
  }
  // Date.UTC would map years 0..99 to 19xx, and Intl writes years before 1 CE as era BC.
  const localSec = daysFromCivil(bc ? 1 - y : y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
  return localSec - sec;
}

function bucketOf(fmt: Intl.DateTimeFormat, b: number): Bucket {
  const maxSec = MAX_EPOCH_MS / 1000;
  const first = Math.max((b * BUCKET_MS) / 1000, -maxSec);
  const last = Math.min(((b + 1) * BUCKET_MS) / 1000 - 1, maxSec);
  const before = intlOffset(fmt, first);
  const after = intlOffset(fmt, last);
  if (before === after) return before;
  // Smallest second whose offset differs from `before`.
  let lo = first;
  let hi = last;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (intlOffset(fmt, mid) === before) lo = mid;
    else hi = mid;
  }
  return { at: hi * 1000, before, after };
}

/** Throws `invalid_value` unless `ms` is an instant JS dates (and so Intl) can represent. */
export function checkEpochMs(ms: number): void {
  if (!(Math.abs(ms) <= MAX_EPOCH_MS)) {
    throw new HaystackError("invalid_value", `instant out of range: ${ms}`);
  }
}

/** UTC offset in seconds (east positive) of Haystack zone `tz` at instant `ms`. */
export function offsetSeconds(tz: string, ms: number): number {
  checkEpochMs(ms);
  const fixed = fixedOffset(tz);
  if (fixed !== undefined) return fixed;
  const z = zoneCache(tz);
  const b = Math.floor(ms / BUCKET_MS);
  let e = z.buckets.get(b);
  if (e === undefined) {
    e = bucketOf(z.fmt, b);
    if (z.buckets.size >= MAX_CACHED_BUCKETS) z.buckets.clear();
    z.buckets.set(b, e);
  }
  if (typeof e === "number") return e;
  return ms < e.at ? e.before : e.after;
}
