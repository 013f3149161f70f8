/**
 * Haystack time zone names <-> IANA names, and UTC offsets through Intl (no tz database of our own).
 * Haystack names are the last segment of the IANA name (`New_York`, `Paris`, `UTC`), with `GMT+5`
 * meaning `Etc/GMT+5` (POSIX sign: five hours BEHIND UTC). See TimeZones.fandoc.
 */
import { HaystackError } from "../errors.ts";

const EXTRA_IANA = ["UTC", "Etc/UTC", "Etc/GMT", "Etc/GMT+0", "Etc/GMT-0"];
for (let h = 1; h <= 14; h++) {
  EXTRA_IANA.push(`Etc/GMT-${h}`);
  if (h <= 12) EXTRA_IANA.push(`Etc/GMT+${h}`);
}

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

const validated = new Map<string, string | null>();

/** The IANA name for a Haystack zone name, or undefined if the runtime does not know it. */
export function haystackToIana(hs: string): string | undefined {
  const hit = validated.get(hs);
  if (hit !== undefined) return hit ?? undefined;
  let iana = table().get(hs);
  if (iana === undefined) {
    // Legacy names (PST8PDT, EST5EDT, CET...) may be missing from supportedValuesOf yet work.
    for (const cand of [hs, `Etc/${hs}`]) {
      if (isKnownIana(cand)) {
        iana = cand;
        break;
      }
    }
  }
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

export function isKnownTz(hs: string): boolean {
  return haystackToIana(hs) !== undefined;
}

/** Fixed offsets (seconds east of UTC) of `UTC` and `GMT±N`, which need no Intl lookup. */
function fixedOffset(hs: string): number | undefined {
  if (hs === "UTC" || hs === "GMT" || hs === "GMT+0" || hs === "GMT-0") return 0;
  if (hs.startsWith("GMT") && hs.length > 4) {
    const h = Number(hs.slice(4));
    if (Number.isInteger(h)) return (hs[3] === "+" ? -h : h) * 3600;
  }
  return undefined;
}

interface ZoneCache {
  readonly fmt: Intl.DateTimeFormat;
  /** Offset by hour bucket; zone transitions happen on whole hours or half hours at worst,
   * so the bucket key is the quarter hour. Bounded so a long scan cannot grow it forever. */
  readonly byQuarter: Map<number, number>;
}

const zones = new Map<string, ZoneCache>();
const QUARTER_MS = 900_000;
const MAX_CACHED_QUARTERS = 50_000;

function zoneCache(hs: string): ZoneCache {
  let z = zones.get(hs);
  if (!z) {
    const fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: requireIana(hs),
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    z = { fmt, byQuarter: new Map() };
    zones.set(hs, z);
  }
  return z;
}

function intlOffset(fmt: Intl.DateTimeFormat, ms: number): number {
  let y = 0;
  let mo = 0;
  let d = 0;
  let h = 0;
  let mi = 0;
  let s = 0;
  for (const p of fmt.formatToParts(ms)) {
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
    }
  }
  const local = Date.UTC(y, mo - 1, d, h, mi, s);
  const whole = ms - (((ms % 1000) + 1000) % 1000);
  return Math.round((local - whole) / 1000);
}

/** UTC offset in seconds (east positive) of Haystack zone `tz` at instant `ms`. */
export function offsetSeconds(tz: string, ms: number): number {
  const fixed = fixedOffset(tz);
  if (fixed !== undefined) return fixed;
  const z = zoneCache(tz);
  const q = Math.floor(ms / QUARTER_MS);
  let off = z.byQuarter.get(q);
  if (off === undefined) {
    off = intlOffset(z.fmt, q * QUARTER_MS);
    if (z.byQuarter.size >= MAX_CACHED_QUARTERS) z.byQuarter.clear();
    z.byQuarter.set(q, off);
  }
  return off;
}
