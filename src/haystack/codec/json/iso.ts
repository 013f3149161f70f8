/**
 * ISO 8601 date-time scanning in place, for the JSON readers: `YYYY-MM-DDThh:mm:ss[.f+](Z|±hh:mm)`
 * with calendar validation. No allocation per call: results land in `ISO`, and the day number of
 * the last date is cached (history rows share the day).
 */
import { daysFromCivil, daysInMonth } from "../../kinds/index.ts";

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
