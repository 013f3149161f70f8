/**
 * Literal values as a filter writes them (Filters.fandoc `<val>`, which borrows Zinc's scalar
 * literals). Only kinds the filter grammar can read back are written; anything else is an error
 * rather than text that would not parse.
 */
import { HaystackError } from "../errors.ts";
import { type HVal, kindOf } from "../kinds/index.ts";

/**
 * The filter literal for `v`: `true`, `"a\"b"`, `75°F`, `` `uri` ``, `@id`, `^sym`, `2024-01-31`,
 * `08:30:00`, `2024-01-31T08:30:00-05:00 New_York`.
 * Throws HaystackError("invalid_value") for kinds the grammar has no literal for (null, marker,
 * NA, remove, coord, xstr, list, dict, grid) and for NaN and infinities.
 */
export function writeFilterVal(v: HVal): string {
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "string":
      return writeStr(v);
    case "number":
      return writeNum(v, "");
  }
  if (v !== null && !Array.isArray(v)) {
    const o = v as Exclude<HVal, null | boolean | string | number | readonly HVal[]>;
    switch (o.kind) {
      case "number":
        return writeNum(o.val, o.unit);
      case "uri":
        return writeUri(o.val);
      case "ref":
        return `@${o.id}`;
      case "symbol":
        return `^${o.val}`;
      case "date":
      case "time":
        return o.toString();
      case "dateTime":
        return `${o.iso()} ${o.tz}`;
    }
  }
  throw new HaystackError("invalid_value", `a filter has no literal for a ${kindOf(v)} value`);
}

function writeNum(n: number, unit: string): string {
  if (!Number.isFinite(n)) throw new HaystackError("invalid_value", `a filter has no literal for ${n}`);
  // String(n) may give exponent form (1e+21, 1e-7), which the number grammar accepts.
  return String(n) + unit;
}

const HEX = "0123456789abcdef";

/** Quoted string with the escapes Filters.fandoc lists; other control characters as `\uXXXX`. */
export function writeStr(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(start, i);
    start = i + 1;
    switch (c) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += "\\\\";
        break;
      case 0x0a:
        out += "\\n";
        break;
      case 0x0d:
        out += "\\r";
        break;
      case 0x09:
        out += "\\t";
        break;
      case 0x08:
        out += "\\b";
        break;
      case 0x0c:
        out += "\\f";
        break;
      default:
        out += `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
    }
  }
  return `${out}${s.slice(start)}"`;
}

/**
 * Backtick-quoted uri. Zinc keeps `\:` and the like as two characters, so a backslash is written
 * as `\u005c`, which every reader decodes to exactly one backslash whatever follows it.
 */
export function writeUri(s: string): string {
  let out = "`";
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x60 && c !== 0x5c) continue;
    out += s.slice(start, i);
    start = i + 1;
    if (c === 0x60) out += "\\`";
    else if (c === 0x5c) out += "\\u005c";
    else if (c === 0x0a) out += "\\n";
    else out += `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
  }
  return `${out}${s.slice(start)}\``;
}
