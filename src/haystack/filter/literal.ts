/**
 * Literal values as a filter writes them (Filters.fandoc `<val>`, which borrows Zinc's scalar
 * literals). Only kinds the filter grammar can read back are written; anything else is an error
 * rather than text that would not parse.
 */
import { zincStr, zincUri } from "../codec/zinc/writer.ts";
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
      return zincStr(v);
    case "number":
      return writeNum(v, "");
  }
  if (v !== null && !Array.isArray(v)) {
    const o = v as Exclude<HVal, null | boolean | string | number | readonly HVal[]>;
    switch (o.kind) {
      case "number":
        return writeNum(o.val, o.unit);
      case "uri":
        return zincUri(o.val);
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
