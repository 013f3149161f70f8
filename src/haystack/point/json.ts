/**
 * JSON v4 (Hayson) for the few kinds a writable point holds: Number (with or without unit),
 * Bool, Str and null. Local so the priority array does not depend on the full JSON codec.
 */
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

function specialText(n: number): string | undefined {
  if (Number.isNaN(n)) return "NaN";
  if (n === Number.POSITIVE_INFINITY) return "INF";
  if (n === Number.NEGATIVE_INFINITY) return "-INF";
  return undefined;
}

/** Hayson form: plain JSON for finite unitless numbers, `{_kind:"number"}` otherwise. */
export function pointValToJson(v: PointVal): PointValJson {
  if (typeof v === "number") {
    const s = specialText(v);
    return s === undefined ? v : { _kind: "number", val: s };
  }
  if (v instanceof HNumber) return { _kind: "number", val: specialText(v.val) ?? v.val, unit: v.unit };
  return v;
}

/** Inverse of `pointValToJson`; throws `invalid_value` for anything else. */
export function jsonToPointVal(j: unknown): PointVal {
  if (j === null || typeof j === "boolean" || typeof j === "string") return j;
  if (typeof j === "number") {
    if (!Number.isFinite(j)) throw bad(j);
    return j;
  }
  if (typeof j === "object" && !Array.isArray(j)) {
    const o = j as Record<string, unknown>;
    if (o._kind !== "number") throw bad(j);
    const val = numberOf(o.val);
    if (o.unit === undefined || o.unit === null || o.unit === "") return val;
    if (typeof o.unit !== "string") throw bad(j);
    return new HNumber(val, o.unit);
  }
  throw bad(j);
}

function numberOf(v: unknown): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (v === "NaN") return Number.NaN;
  if (v === "INF") return Number.POSITIVE_INFINITY;
  if (v === "-INF") return Number.NEGATIVE_INFINITY;
  throw bad(v);
}

function bad(j: unknown): HaystackError {
  let shown: string;
  try {
    shown = JSON.stringify(j) ?? String(j);
  } catch {
    shown = String(j);
  }
  return new HaystackError("invalid_value", `not a point value: ${shown.slice(0, 80)}`);
}
