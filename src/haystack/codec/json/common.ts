/**
 * Pieces shared by the JSON v4 (Hayson) and v3 codecs: read limits, conversion errors that learn
 * their JSON path while unwinding, scalar text parsing and fast string quoting.
 */
import { LimitError, ParseError, positionOf } from "../../errors.ts";
import { daysInMonth, HDate, HTime, isValidRefId } from "../../kinds/index.ts";
import { isKnownTz } from "../../time/tz.ts";
import { DEFAULT_LIMITS, type ReadLimits } from "../types.ts";
import { type JsonPath, offsetOfPath } from "./scan.ts";

/**
 * A failure while converting parsed JSON. Containers append their key or index as it unwinds
 * (innermost first), so the top level can point at the offending value in the text.
 */
export class PathError extends Error {
  readonly path: (string | number)[] = [];
  constructor(
    message: string,
    readonly limit = false,
  ) {
    super(message);
  }
}

/** Adds one path step to a PathError passing through a container; other errors pass untouched. */
export function withPath(e: unknown, step: string | number): unknown {
  if (e instanceof PathError) e.path.push(step);
  return e;
}

/** A PathError located at `field` of the object being converted. */
export function fieldError(field: string, message: string): PathError {
  const e = new PathError(message);
  e.path.push(field);
  return e;
}

/** Per-read state: the limits and the running row count (nested grids included). */
export interface Ctx {
  readonly maxDepth: number;
  readonly maxRows: number;
  readonly maxCols: number;
  rows: number;
}

/** Whatever the caller asks, recursion stays well inside any JS engine's stack. */
const HARD_MAX_DEPTH = 1000;

export function ctxOf(limits: ReadLimits | undefined): Ctx {
  return {
    maxDepth: Math.min(limits?.maxDepth ?? DEFAULT_LIMITS.maxDepth, HARD_MAX_DEPTH),
    maxRows: limits?.maxRows ?? DEFAULT_LIMITS.maxRows,
    maxCols: limits?.maxCols ?? DEFAULT_LIMITS.maxCols,
    rows: 0,
  };
}

/** Throws when a container at `depth` would exceed the nesting limit; called before recursing. */
export function checkDepth(ctx: Ctx, depth: number): void {
  if (depth >= ctx.maxDepth) throw new PathError(`nesting deeper than ${ctx.maxDepth}`, true);
}

/** `$.rows[3].ts`; long paths (deep nesting) keep their two ends. */
function pathText(path: JsonPath): string {
  const step = (p: string | number) => (typeof p === "number" ? `[${p}]` : `.${p}`);
  if (path.length > 16) return `$${path.slice(0, 6).map(step).join("")}...${path.slice(-6).map(step).join("")}`;
  return `$${path.map(step).join("")}`;
}

/**
 * Maps a PathError to a ParseError (LimitError for exceeded bounds) positioned at the value it
 * names in `text`; without text (already-parsed input) the position is the start and the message
 * carries the path. Other errors are returned unchanged.
 */
export function toReadError(e: unknown, text: string | undefined): unknown {
  if (!(e instanceof PathError)) return e;
  const path = e.path.slice().reverse();
  const msg = `${e.message} at ${pathText(path)}`;
  const pos = text === undefined ? { line: 1, column: 1, offset: 0 } : positionOf(text, offsetOfPath(text, path));
  return e.limit ? new LimitError(msg, pos) : new ParseError(msg, pos);
}

/** `toReadError` for a value that starts at offset `start` of `text` (paths are relative to it). */
export function toReadErrorAt(e: unknown, text: string, start: number): unknown {
  if (!(e instanceof PathError)) return e;
  const path = e.path.slice().reverse();
  const msg = `${e.message}${path.length > 0 ? ` at ${pathText(path)}` : ""}`;
  const pos = positionOf(text, offsetOfPath(text, path, start));
  return e.limit ? new LimitError(msg, pos) : new ParseError(msg, pos);
}

/** Haystack tag names: a lower-case letter or `_`, then letters, digits and `_`. */
export function isTagName(n: string): boolean {
  const c0 = n.charCodeAt(0);
  if (!((c0 >= 97 && c0 <= 122) || c0 === 95)) return false;
  for (let i = 1; i < n.length; i++) {
    const c = n.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95)) return false;
  }
  return true;
}

/**
 * A JSON string literal. Plain text is wrapped directly; anything needing an escape (controls,
 * quote, backslash, surrogates) goes through `JSON.stringify`, which also escapes lone surrogates.
 */
export function quote(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return `"${s}"`;
}

const quoted = new Map<string, string>();

/** `quote` memoised for the few strings that repeat on every row (units, zone names). */
export function quoteCached(s: string): string {
  let q = quoted.get(s);
  if (q === undefined) {
    q = quote(s);
    if (quoted.size >= 4096) quoted.clear();
    quoted.set(s, q);
  }
  return q;
}

function dig(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** `YYYY-MM-DD`, or undefined. */
export function parseDateText(s: string): HDate | undefined {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return undefined;
  const y = dig(s, 0, 4);
  const m = dig(s, 5, 2);
  const d = dig(s, 8, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return new HDate(y, m, d);
}

/**
 * `hh:mm:ss[.fff]`, also the lenient forms readers meet (`8:30`, `23:59`: one-digit hour, no
 * seconds), or undefined. Fractions beyond milliseconds are truncated.
 */
export function parseTimeText(s: string): HTime | undefined {
  let i = s.charCodeAt(1) === 58 ? 1 : 2;
  const h = dig(s, 0, i);
  if (h < 0 || h > 23 || s.charCodeAt(i) !== 58) return undefined;
  const mi = dig(s, i + 1, 2);
  if (mi < 0 || mi > 59) return undefined;
  i += 3;
  if (i === s.length) return new HTime(h, mi, 0, 0);
  if (s.charCodeAt(i) !== 58) return undefined;
  const sec = dig(s, i + 1, 2);
  if (sec < 0 || sec > 59) return undefined;
  i += 3;
  let ms = 0;
  if (i < s.length) {
    if (s.charCodeAt(i) !== 46 || i + 1 === s.length) return undefined;
    let scale = 100;
    for (i++; i < s.length; i++) {
      const c = s.charCodeAt(i) - 48;
      if (!(c >= 0 && c <= 9)) return undefined;
      ms += c * scale;
      scale = Math.floor(scale / 10);
    }
  }
  return new HTime(h, mi, sec, ms);
}

let lastTz = "";

/** Whether `tz` is a zone the runtime knows; the last hit is remembered (history rows share one). */
export function knownTz(tz: string): boolean {
  if (tz === lastTz) return true;
  if (!isKnownTz(tz)) return false;
  lastTz = tz;
  return true;
}

export function checkRefId(id: unknown): string {
  if (typeof id !== "string" || !isValidRefId(id)) throw new PathError(`invalid ref id ${JSON.stringify(id)}`);
  return id;
}

/**
 * Number text as Zinc and JSON v3 write it: decimal with optional exponent, `_` digit
 * separators, `0x` hex, or `INF`/`-INF`/`NaN`. Returns undefined for anything else.
 */
export function parseNumberText(s: string): number | undefined {
  if (s === "INF") return Number.POSITIVE_INFINITY;
  if (s === "-INF") return Number.NEGATIVE_INFINITY;
  if (s === "NaN") return Number.NaN;
  if (s.includes("_")) s = s.replaceAll("_", "");
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  if (s.charCodeAt(i) === 48 && s.charCodeAt(i + 1) === 120) {
    const hex = s.slice(i + 2);
    if (hex.length === 0) return undefined;
    for (let k = 0; k < hex.length; k++) {
      const c = hex.charCodeAt(k);
      if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return undefined;
    }
    const v = Number.parseInt(hex, 16);
    return i === 1 ? -v : v;
  }
  const start = i;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i === start) return undefined;
  if (s.charCodeAt(i) === 46) {
    const f = ++i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    if (i === f) return undefined;
  }
  const e = s.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    const sign = s.charCodeAt(i);
    if (sign === 43 || sign === 45) i++;
    const f = i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    if (i === f) return undefined;
  }
  return i === s.length ? Number(s) : undefined;
}

/** Number text for JSON v3, CSV and the like: `INF`, `-INF`, `NaN` or the shortest decimal. */
export function numberText(n: number): string {
  if (Number.isFinite(n)) return String(n);
  return Number.isNaN(n) ? "NaN" : n > 0 ? "INF" : "-INF";
}
