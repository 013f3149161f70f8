/**
 * Key values of many-series bodies, checked against the store's declarations: from JSON (typed
 * values), from text (CSV cells) and from Arrow cells, and written back as JSON or CSV text.
 * Errors say which key and what was wrong; the callers add where in the body.
 */
import { civilFromDays, daysFromCivil } from "../../../haystack/kinds/calendar.ts";
import { SeriesError } from "../../../series/errors.ts";
import { quote, shown } from "../../../series/instants.ts";
import type { KeyDecl, KeyValue } from "../../../series/model.ts";
import { isDate } from "../../../sync/datetime.ts";

const INT_RE = /^[+-]?\d{1,16}$/;

function wrongType(decl: KeyDecl, v: unknown): SeriesError {
  const want =
    decl.type === "int"
      ? "an int"
      : decl.type === "str"
        ? "a string"
        : decl.type === "date"
          ? "a YYYY-MM-DD date"
          : "a bool";
  return new SeriesError("invalid", `key "${decl.name}": expected ${want}, got ${shown(v)}`);
}

/** A JSON value as the declared key type. */
export function keyFromJson(decl: KeyDecl, v: unknown): KeyValue {
  switch (decl.type) {
    case "int":
      if (typeof v === "number" && Number.isSafeInteger(v)) return v;
      break;
    case "str":
      if (typeof v === "string") return v;
      break;
    case "date":
      if (typeof v === "string" && isDate(v)) return v;
      break;
    case "bool":
      if (typeof v === "boolean") return v;
      break;
  }
  throw wrongType(decl, v);
}

/** A CSV cell as the declared key type: ints in decimal, bools as true/false (any case), dates ISO. */
export function keyFromText(decl: KeyDecl, s: string): KeyValue {
  switch (decl.type) {
    case "int":
      if (INT_RE.test(s) && Number.isSafeInteger(Number(s))) return Number(s);
      break;
    case "str":
      return s;
    case "date":
      if (isDate(s)) return s;
      break;
    case "bool": {
      const l = s.toLowerCase();
      if (l === "true" || l === "false") return l === "true";
      break;
    }
  }
  throw wrongType(decl, s);
}

/**
 * An Arrow cell (as apache-arrow's `get` returns it) as the declared key type: int64 cells are
 * bigints, Date32/Date64 cells epoch ms of a UTC midnight.
 */
export function keyFromArrow(decl: KeyDecl, v: unknown, temporal: boolean): KeyValue {
  if (decl.type === "int" && typeof v === "bigint") {
    if (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
    throw wrongType(decl, v);
  }
  if (decl.type === "date" && temporal && typeof v === "number" && Number.isSafeInteger(v / 86_400_000)) {
    const [y, m, d] = civilFromDays(v / 86_400_000);
    const iso = `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
    if (isDate(iso)) return iso;
  }
  if (decl.type === "date" && temporal) throw wrongType(decl, v);
  return keyFromJson(decl, v);
}

/** Checks a JSON object of key values: every declared key, of its type, and nothing else. */
export function keysFromJson(decls: readonly KeyDecl[], v: unknown): Record<string, KeyValue> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new SeriesError("invalid", `"keys" must be an object of key values`);
  }
  const obj = v as Record<string, unknown>;
  const out: Record<string, KeyValue> = {};
  for (const d of decls) {
    if (!Object.hasOwn(obj, d.name)) throw new SeriesError("invalid", `key "${d.name}" is missing`);
    out[d.name] = keyFromJson(d, obj[d.name]);
  }
  for (const name of Object.keys(obj)) {
    if (!decls.some((d) => d.name === name)) throw new SeriesError("invalid", `unknown key "${quote(name)}"`);
  }
  return out;
}

/** The values of `keys` in declaration order, as text for grouping rows of one series. */
export function keyTupleText(decls: readonly KeyDecl[], keys: Readonly<Record<string, KeyValue>>): string {
  return JSON.stringify(decls.map((d) => keys[d.name]));
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` key (Arrow Date32). */
export function epochDays(date: string): number {
  return daysFromCivil(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)));
}

/** A CSV cell, quoted when it holds a comma, quote, CR or LF, or has edge spaces (RFC 4180). */
export function csvCell(s: string): string {
  if (/[",\r\n]/.test(s) || s !== s.trim()) return `"${s.replaceAll('"', '""')}"`;
  return s;
}

/** A key value as CSV text. */
export function keyText(v: KeyValue): string {
  return typeof v === "string" ? csvCell(v) : String(v);
}
