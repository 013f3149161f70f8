/**
 * The values a writable point holds (Number with or without unit, Bool, Str, or null) and their
 * JSON v4 form, through the shared codec: this module only narrows it to point values.
 */
import { json4ToVal, valToJson4 } from "../codec/json/index.ts";
import { HaystackError } from "../errors.ts";
import { HNumber } from "../kinds/number.ts";

/** A value a writable point can hold (`kind` tag Number, Bool or Str), or null. */
export type PointVal = null | boolean | string | number | HNumber;

/** JSON v4 form of a PointVal. */
export type PointValJson = null | boolean | string | number | { _kind: "number"; val: number | string; unit?: string };

/** True when `v` is a value a writable point can hold. */
export function isPointVal(v: unknown): v is PointVal {
  return v === null || typeof v === "boolean" || typeof v === "string" || typeof v === "number" || v instanceof HNumber;
}

/** Hayson form: plain JSON for finite unitless numbers, `{_kind:"number"}` otherwise. */
export function pointValToJson(v: PointVal): PointValJson {
  return valToJson4(v) as PointValJson;
}

/** Inverse of `pointValToJson`; throws `invalid_value` for anything a point cannot hold. */
export function jsonToPointVal(j: unknown): PointVal {
  let v: unknown;
  try {
    v = json4ToVal(j);
  } catch {
    throw bad(j);
  }
  if (!isPointVal(v)) throw bad(j);
  return v;
}

function bad(j: unknown): HaystackError {
  const text = JSON.stringify(j) ?? String(j);
  return new HaystackError(
    "invalid_value",
    `not a point value: ${text.length > 60 ? `${text.slice(0, 60)}...` : text}`,
  );
}
