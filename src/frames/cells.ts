/**
 * Typed columns from text cells and back, shared by the CSV and JSON codecs: dtype inference,
 * ISO 8601 timestamps to int64 ns UTC (and back), and the limits every text reader enforces.
 *
 * Inference (no declared dtype), over the column's non-null cells:
 * - all booleans (JSON) or true/false in any case (CSV) -> bool;
 * - all integers (JSON numbers or decimal strings) -> int64; some with fractions -> float64;
 *   a JSON number beyond 2^53 is refused: JSON.parse has already rounded it, so such values must
 *   come as decimal strings: JSON strings of digits are int64 mixed with numbers, or in the index,
 *   and strings when the column holds nothing else;
 * - all ISO 8601 date-times with a zone (Z or an offset), or without one when a zone is given ->
 *   timestamp; zoneless times with no zone stay strings (a declared timestamp refuses them);
 * - anything else -> string (JSON: a mix of strings with numbers or booleans is dtype_mismatch);
 * - no value at all -> float64 of nulls (what pandas makes of an all-NaN column).
 */
import { civilFromDays, daysFromCivil } from "../haystack/kinds/calendar.ts";
import { parseInstant } from "../series/instants.ts";
import type { Column, DType, FrameIndex } from "./model.ts";
import { FrameError } from "./model.ts";
import { withValid } from "./rows.ts";

/** A scalar as JSON gives it; CSV cells are strings or null (an unquoted empty cell). */
export type Cell = null | boolean | number | string;

/** Limits a text reader enforces; over one -> FrameError "too_large". */
export interface TextLimits {
  readonly maxRows?: number;
  readonly maxColumns?: number;
  /**
   * Bytes of input (UTF-16 units for a string body); for the streaming readers in total, so also
   * per line or record, which is what bounds a line that never ends.
   */
  readonly maxBytes?: number;
}

export const DEFAULT_LIMITS: Required<TextLimits> = {
  maxRows: 1_000_000,
  maxColumns: 1_024,
  maxBytes: 64 * 1024 * 1024,
};

export interface TypingOptions {
  /** IANA zone for zoneless timestamps; without it they are refused (declared) or strings (inferred). */
  readonly zone?: string;
  /** The cells are text (CSV): numbers and booleans are read from strings. */
  readonly text: boolean;
}

/** Names a cell in messages: "line 7", "row 3". */
export type Where = (i: number) => string;

const QUOTE_MAX = 40;
export function quoted(s: string): string {
  return JSON.stringify(s.length > QUOTE_MAX ? `${s.slice(0, QUOTE_MAX)}…` : s);
}

// ---------------------------------------------------------------------------------------------
// Timestamps

const ISO =
  /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const MIN_NS = -(2n ** 63n);
const MAX_NS = 2n ** 63n - 1n;

/** Whether the text looks like an ISO 8601 date or date-time, and whether it names its zone. */
function isoShape(s: string): "zoned" | "naive" | undefined {
  const m = ISO.exec(s);
  if (m === null) return undefined;
  return m[8] === undefined ? "naive" : "zoned";
}

/**
 * ns UTC of an ISO 8601 string: `2024-01-02T03:04:05.123456789+01:00`, `...Z`, or zoneless and
 * local to `zone` (IANA; pandas' tz_localize choices, see src/series/instants.ts). Fractions keep
 * all 9 digits. Returns undefined when the text is not a timestamp or needs a zone it lacks.
 */
export function parseTimestamp(s: string, zone?: string): bigint | undefined {
  const m = ISO.exec(s);
  if (m === null) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [h, mi, sec] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59) return undefined;
  const frac = BigInt((m[7] ?? "").padEnd(9, "0") || "0");
  let seconds: bigint;
  if (m[8] !== undefined) {
    const z = m[8];
    let off = 0;
    if (z !== "Z" && z !== "z") {
      const digits = z.slice(1).replace(":", "");
      const oh = Number(digits.slice(0, 2));
      const om = Number(digits.slice(2) || "0");
      if (oh > 23 || om > 59) return undefined;
      off = (z[0] === "-" ? -1 : 1) * (oh * 3600 + om * 60);
    }
    seconds = BigInt(daysFromCivil(y, mo, d)) * 86_400n + BigInt(h * 3600 + mi * 60 + sec - off);
  } else {
    if (zone === undefined) return undefined;
    // The zone rules live in the series core (ms precision); the fraction is added back here.
    const civil = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? "00"}:${m[5] ?? "00"}:${m[6] ?? "00"}`;
    let ms: number;
    try {
      ms = parseInstant(civil, zone);
    } catch {
      return undefined;
    }
    seconds = BigInt(Math.floor(ms / 1000));
  }
  const ns = seconds * 1_000_000_000n + frac;
  return ns < MIN_NS || ns > MAX_NS ? undefined : ns;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, "0");
}

/** ISO 8601 UTC with as many fraction digits (0, 3, 6 or 9) as the value needs: `...05.123Z`. */
export function formatTimestamp(ns: bigint): string {
  let secs = ns / 1_000_000_000n;
  let frac = ns % 1_000_000_000n;
  if (frac < 0n) {
    frac += 1_000_000_000n;
    secs -= 1n;
  }
  let days = secs / 86_400n;
  let rem = Number(secs % 86_400n);
  if (rem < 0) {
    rem += 86_400;
    days -= 1n;
  }
  const [y, m, d] = civilFromDays(Number(days));
  const year = y >= 0 && y <= 9999 ? pad(y, 4) : `${y < 0 ? "-" : "+"}${pad(Math.abs(y), 6)}`;
  const hms = `${pad(Math.floor(rem / 3600), 2)}:${pad(Math.floor(rem / 60) % 60, 2)}:${pad(rem % 60, 2)}`;
  let f = "";
  if (frac !== 0n) {
    const nine = pad(Number(frac), 9);
    f = `.${nine.endsWith("000000") ? nine.slice(0, 3) : nine.endsWith("000") ? nine.slice(0, 6) : nine}`;
  }
  return `${year}-${pad(m, 2)}-${pad(d, 2)}T${hms}${f}Z`;
}

// ---------------------------------------------------------------------------------------------
// Reading cells

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|nan|NaN|inf|Inf|infinity|Infinity)$/;
const BOOL = /^(?:true|false)$/i;

/** The dtype the non-null cells of a column suggest (see the module comment). */
export function inferDType(cells: readonly Cell[], opts: TypingOptions, name: string): DType {
  let bools = 0;
  let ints = 0;
  let floats = 0;
  let zoned = 0;
  let naive = 0;
  let strings = 0;
  let n = 0;
  for (const c of cells) {
    if (c === null) continue;
    n++;
    if (typeof c === "boolean") bools++;
    else if (typeof c === "number") {
      if (Number.isInteger(c)) ints++;
      else floats++;
    } else if (INT.test(c)) {
      ints++;
      if (!opts.text) strings++;
    } else if (opts.text && FLOAT.test(c)) floats++;
    else if (opts.text && BOOL.test(c)) bools++;
    else {
      strings++;
      const shape = isoShape(c);
      if (shape === "zoned") zoned++;
      else if (shape === "naive") naive++;
    }
  }
  if (n === 0) return "float64";
  if (bools === n) return "bool";
  if (zoned + (opts.zone !== undefined ? naive : 0) === n) return "timestamp";
  const numeric = ints + floats === n ? (floats > 0 ? "float64" : "int64") : undefined;
  if (opts.text) return numeric ?? "string";
  // JSON strings of digits alone stay strings (zip codes); mixed with numbers they are int64
  // past 2^53, which must come as decimal strings.
  if (strings === n) return "string";
  if (numeric !== undefined) return numeric;
  throw new FrameError("dtype_mismatch", `column ${quoted(name)} mixes strings with numbers or booleans`, name);
}

function bad(name: string, where: string, what: string, cell: Cell): FrameError {
  const shown = typeof cell === "string" ? quoted(cell) : String(cell);
  return new FrameError("dtype_mismatch", `${where}: column ${quoted(name)} wants ${what}, got ${shown}`, name);
}

function toBig(c: Cell): bigint | undefined {
  if (typeof c === "number") return Number.isSafeInteger(c) ? BigInt(c) : undefined;
  if (typeof c === "string" && INT.test(c)) {
    const v = BigInt(c);
    return v < MIN_NS || v > MAX_NS ? undefined : v;
  }
  return undefined;
}

function toFloat(c: Cell): number | undefined {
  if (typeof c === "number") return c;
  if (typeof c !== "string") return undefined;
  // JSON carries non-finite floats as strings (pandas writes null; we accept both).
  if (INT.test(c) || FLOAT.test(c)) {
    const l = c.toLowerCase().replace(/^\+/, "");
    if (l === "nan") return Number.NaN;
    if (l === "inf" || l === "infinity") return Number.POSITIVE_INFINITY;
    if (l === "-inf" || l === "-infinity") return Number.NEGATIVE_INFINITY;
    return Number(c);
  }
  return undefined;
}

function toBool(c: Cell, opts: TypingOptions): number | undefined {
  if (typeof c === "boolean") return c ? 1 : 0;
  if (opts.text && typeof c === "string" && BOOL.test(c)) return c.toLowerCase() === "true" ? 1 : 0;
  return undefined;
}

/**
 * A column of `dtype` (inferred when undefined) from cells; a cell that does not fit is
 * FrameError "dtype_mismatch" naming its place.
 */
export function buildColumn(
  name: string,
  cells: readonly Cell[],
  declared: DType | undefined,
  opts: TypingOptions,
  where: Where,
): Column {
  const dtype = declared ?? inferDType(cells, opts, name);
  const n = cells.length;
  const valid = new Uint8Array(n);
  let nulls = 0;
  const each = <T>(convert: (c: Cell) => T | undefined, what: string, put: (i: number, v: T) => void): void => {
    for (let i = 0; i < n; i++) {
      const c = cells[i] as Cell;
      if (c === null) {
        nulls++;
        continue;
      }
      const v = convert(c);
      if (v === undefined) throw bad(name, where(i), what, c);
      valid[i] = 1;
      put(i, v);
    }
  };
  const done = <C extends Column>(col: C): C => withValid(col, nulls > 0 ? valid : undefined);
  switch (dtype) {
    case "float64":
    case "float32": {
      const values = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
      each(
        (c) => toFloat(c),
        "a number",
        (i, v) => {
          values[i] = v;
        },
      );
      return dtype === "float64"
        ? done({ name, dtype, values: values as Float64Array })
        : done({ name, dtype, values: values as Float32Array });
    }
    case "int64": {
      const values = new BigInt64Array(n);
      each(
        (c) => toBig(c),
        "an int64 (past 2^53 as a decimal string)",
        (i, v) => {
          values[i] = v;
        },
      );
      return done({ name, dtype, values });
    }
    case "int32": {
      const values = new Int32Array(n);
      const int32 = (c: Cell): number | undefined => {
        const v = toBig(c);
        return v !== undefined && v >= -(2n ** 31n) && v < 2n ** 31n ? Number(v) : undefined;
      };
      each(int32, "an int32", (i, v) => {
        values[i] = v;
      });
      return done({ name, dtype, values });
    }
    case "bool": {
      const values = new Uint8Array(n);
      each(
        (c) => toBool(c, opts),
        "a boolean",
        (i, v) => {
          values[i] = v;
        },
      );
      return done({ name, dtype, values });
    }
    case "timestamp": {
      const values = new BigInt64Array(n);
      const ts = (c: Cell): bigint | undefined => (typeof c === "string" ? parseTimestamp(c, opts.zone) : undefined);
      const what = opts.zone === undefined ? "an ISO 8601 time with a zone" : "an ISO 8601 time";
      each(ts, what, (i, v) => {
        values[i] = v;
      });
      return done({ name, dtype, values });
    }
    case "string": {
      const values = new Array<string>(n).fill("");
      each(
        (c) => (typeof c === "string" ? c : undefined),
        "a string",
        (i, v) => {
          values[i] = v;
        },
      );
      return done({ name, dtype, values });
    }
    case "category": {
      const codes = new Int32Array(n);
      const dictionary: string[] = [];
      const seen = new Map<string, number>();
      each(
        (c) => (typeof c === "string" ? c : undefined),
        "a string",
        (i, v) => {
          let code = seen.get(v);
          if (code === undefined) {
            code = dictionary.push(v) - 1;
            seen.set(v, code);
          }
          codes[i] = code;
        },
      );
      return done({ name, dtype, values: { codes, dictionary } });
    }
  }
}

/** The index from cells: timestamps or int64 (declared, else inferred), never null. */
export function buildIndex(
  name: string,
  cells: readonly Cell[],
  kind: FrameIndex["kind"] | undefined,
  opts: TypingOptions,
  where: Where,
): FrameIndex {
  for (let i = 0; i < cells.length; i++) {
    if (cells[i] === null) throw new FrameError("invalid", `${where(i)}: the index ${quoted(name)} is null`, name);
  }
  let k = kind;
  if (k === undefined) {
    const digits = (c: Cell): boolean =>
      typeof c === "number" ? Number.isInteger(c) : typeof c === "string" && INT.test(c);
    const d = cells.every(digits) ? "int64" : inferDType(cells, opts, name);
    if (d !== "int64" && d !== "timestamp" && cells.length > 0) {
      throw new FrameError(
        "dtype_mismatch",
        `the index ${quoted(name)} must be integers or ISO 8601 times${opts.zone === undefined ? " with a zone" : ""}`,
        name,
      );
    }
    k = d === "timestamp" ? "timestamp" : "int64";
  }
  const col = buildColumn(name, cells, k, opts, where);
  const values = col.values as BigInt64Array;
  return k === "timestamp" && opts.zone !== undefined
    ? { kind: k, name, values, zone: opts.zone }
    : { kind: k, name, values };
}

// ---------------------------------------------------------------------------------------------
// Writing cells

/** A float as text that reads back to the same value and stays a float (`1.0`, not `1`). */
export function floatText(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (Object.is(v, -0)) return "-0.0";
  const s = String(v);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/** A cell's text for CSV, or null for a null cell. */
export function cellText(c: Column, i: number): string | null {
  if (c.valid !== undefined && c.valid[i] !== 1) return null;
  switch (c.dtype) {
    case "float64":
    case "float32":
      return floatText(c.values[i] as number);
    case "int64":
    case "int32":
      return String(c.values[i]);
    case "bool":
      return c.values[i] === 1 ? "True" : "False";
    case "timestamp":
      return formatTimestamp(c.values[i] as bigint);
    case "string":
      return c.values[i] as string;
    case "category":
      return c.values.dictionary[c.values.codes[i] as number] as string;
  }
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A cell as JSON text. NaN and infinities are null (as pandas' to_json writes them); int64 past
 * 2^53 is a decimal string, so no reader rounds it.
 */
export function cellJSON(c: Column, i: number): string {
  if (c.valid !== undefined && c.valid[i] !== 1) return "null";
  switch (c.dtype) {
    case "float64":
    case "float32": {
      const v = c.values[i] as number;
      return Number.isFinite(v) ? floatText(v) : "null";
    }
    case "int64":
    case "int32":
      return bigJSON(BigInt(c.values[i] as number | bigint));
    case "bool":
      return c.values[i] === 1 ? "true" : "false";
    case "timestamp":
      return `"${formatTimestamp(c.values[i] as bigint)}"`;
    case "string":
      return JSON.stringify(c.values[i]);
    case "category":
      return JSON.stringify(c.values.dictionary[c.values.codes[i] as number]);
  }
}

export function bigJSON(v: bigint): string {
  return v > SAFE || v < -SAFE ? `"${v}"` : String(v);
}

/** An index value as JSON text. */
export function indexJSON(index: FrameIndex, i: number): string {
  const v = index.values[i] as bigint;
  return index.kind === "timestamp" ? `"${formatTimestamp(v)}"` : bigJSON(v);
}
