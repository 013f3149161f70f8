/**
 * Schema evolution (how an append's columns may differ from the item's) and validation rules (what
 * a collection's frames must satisfy). Both only check or reshape; neither touches storage, so a
 * failing write can be refused before anything changes.
 */

import {
  type Column,
  DTYPES,
  type DType,
  type Field,
  type Frame,
  FrameError,
  frameLength,
  isValid,
  type Schema,
} from "./model.ts";
import { showIndexValue, withValid } from "./rows.ts";

// ---------------------------------------------------------------------------------------------
// Schema evolution

/**
 * strict: columns and dtypes must match exactly. add_only: new columns allowed, a column absent on
 * one side is null there (never 0). compatible: add_only plus lossless numeric widening.
 */
export type EvolveStrategy = "strict" | "add_only" | "compatible";

export const EVOLVE_STRATEGIES: readonly EvolveStrategy[] = ["strict", "add_only", "compatible"];

/**
 * Allowed widenings, each exact for every value it can meet except int64 -> float64, which is exact
 * only up to 2^53: `conform` checks each value and refuses the ones a float64 would round. Not
 * allowed: int32/int64 -> float32 (24-bit mantissa rounds), bool -> numbers and int64 <->
 * timestamp (same bits, different meaning), string <-> category (a dictionary is a storage choice
 * the writer made; silently switching it would change read costs).
 */
const WIDER: Readonly<Partial<Record<DType, readonly DType[]>>> = {
  int32: ["int64", "float64"],
  int64: ["float64"],
  float32: ["float64"],
};

/** Whether values of `from` may be stored in a column of `to` under the compatible strategy. */
export function canWiden(from: DType, to: DType): boolean {
  return from === to || (WIDER[from]?.includes(to) ?? false);
}

/** The narrowest dtype both widen to, or undefined (int64 + float32 -> float64). */
function join(a: DType, b: DType): DType | undefined {
  if (canWiden(a, b)) return b;
  if (canWiden(b, a)) return a;
  return WIDER[a]?.find((t) => canWiden(b, t));
}

/**
 * The schema after writing frames of `incoming` schema into an item of `schema`: existing columns in
 * their order, then new ones in incoming's order. Throws FrameError("schema_changed") naming the
 * first column the strategy does not allow. Nullability is not a schema change: it is the OR of
 * both sides, and true for a column one side lacks.
 *
 * @example evolve(item, schemaOf(frame), "add_only") // item's fields + frame's new ones, nullable
 */
export function evolve(schema: Schema, incoming: Schema, strategy: EvolveStrategy): Schema {
  if (schema.index.kind !== incoming.index.kind || schema.index.name !== incoming.index.name) {
    throw new FrameError(
      "schema_changed",
      `index ${JSON.stringify(incoming.index.name)} (${incoming.index.kind}) differs from the item's ${JSON.stringify(schema.index.name)} (${schema.index.kind})`,
      incoming.index.name,
    );
  }
  const theirs = new Map(incoming.fields.map((f) => [f.name, f]));
  const fields: Field[] = schema.fields.map((mine) => {
    const other = theirs.get(mine.name);
    if (other === undefined) {
      if (strategy === "strict") {
        throw new FrameError("schema_changed", `column ${JSON.stringify(mine.name)} is missing`, mine.name);
      }
      return { ...mine, nullable: true };
    }
    const dtype =
      mine.dtype === other.dtype ? mine.dtype : strategy === "compatible" ? join(mine.dtype, other.dtype) : undefined;
    if (dtype === undefined) {
      throw new FrameError(
        "schema_changed",
        `column ${JSON.stringify(mine.name)} is ${other.dtype}, the item's is ${mine.dtype}` +
          (strategy === "compatible" ? " and neither widens to the other" : ""),
        mine.name,
      );
    }
    return { name: mine.name, dtype, nullable: mine.nullable || other.nullable };
  });
  const known = new Set(schema.fields.map((f) => f.name));
  for (const f of incoming.fields) {
    if (known.has(f.name)) continue;
    if (strategy === "strict") {
      throw new FrameError("schema_changed", `column ${JSON.stringify(f.name)} is new`, f.name);
    }
    fields.push({ ...f, nullable: true });
  }
  return { index: schema.index, fields };
}

/** A frame of the schema without rows (what new rows merge against, what an empty answer is). */
export function emptyFrame(schema: Schema, zone?: string): Frame {
  return {
    index: {
      kind: schema.index.kind,
      name: schema.index.name,
      values: new BigInt64Array(0),
      ...(zone === undefined ? {} : { zone }),
    },
    columns: schema.fields.map((f) => nullColumn(f.name, f.dtype, 0)),
  };
}

/** A column of n nulls. */
export function nullColumn(name: string, dtype: DType, n: number): Column {
  const valid = n === 0 ? undefined : new Uint8Array(n);
  switch (dtype) {
    case "float64":
      return withValid({ name, dtype, values: new Float64Array(n) }, valid);
    case "float32":
      return withValid({ name, dtype, values: new Float32Array(n) }, valid);
    case "int64":
    case "timestamp":
      return withValid({ name, dtype, values: new BigInt64Array(n) }, valid);
    case "int32":
      return withValid({ name, dtype, values: new Int32Array(n) }, valid);
    case "bool":
      return withValid({ name, dtype, values: new Uint8Array(n) }, valid);
    case "string":
      return withValid({ name, dtype, values: new Array<string>(n).fill("") }, valid);
    case "category":
      return withValid({ name, dtype, values: { codes: new Int32Array(n), dictionary: [] } }, valid);
  }
}

function widen(c: Column, to: DType): Column {
  const valid = c.valid;
  if (c.dtype === "int32" && to === "int64") {
    const out = new BigInt64Array(c.values.length);
    c.values.forEach((v, i) => {
      out[i] = BigInt(v);
    });
    return withValid({ name: c.name, dtype: "int64", values: out }, valid);
  }
  if ((c.dtype === "int32" || c.dtype === "float32") && to === "float64") {
    return withValid({ name: c.name, dtype: "float64", values: Float64Array.from(c.values) }, valid);
  }
  if (c.dtype === "int64" && to === "float64") {
    const out = new Float64Array(c.values.length);
    c.values.forEach((v, i) => {
      const x = Number(v);
      if (isValid(c, i) && BigInt(x) !== v) {
        throw new FrameError(
          "schema_changed",
          `column ${JSON.stringify(c.name)}: row ${i} value ${v} is not exact as float64`,
          c.name,
        );
      }
      out[i] = x;
    });
    return withValid({ name: c.name, dtype: "float64", values: out }, valid);
  }
  throw new FrameError("schema_changed", `column ${JSON.stringify(c.name)} is ${c.dtype}, not ${to}`, c.name);
}

/**
 * The frame reshaped to the schema: columns in the schema's order, absent ones all null, narrower
 * ones widened. Throws FrameError("schema_changed") for a column the schema lacks, a dtype that does
 * not widen, or an int64 value a float64 cannot hold exactly.
 */
export function conform(frame: Frame, schema: Schema): Frame {
  if (frame.index.kind !== schema.index.kind || frame.index.name !== schema.index.name) {
    throw new FrameError(
      "schema_changed",
      `index ${JSON.stringify(frame.index.name)} (${frame.index.kind}) is not the schema's ${JSON.stringify(schema.index.name)} (${schema.index.kind})`,
      frame.index.name,
    );
  }
  const wanted = new Set(schema.fields.map((f) => f.name));
  const extra = frame.columns.find((c) => !wanted.has(c.name));
  if (extra !== undefined) {
    throw new FrameError("schema_changed", `column ${JSON.stringify(extra.name)} is not in the schema`, extra.name);
  }
  const have = new Map(frame.columns.map((c) => [c.name, c]));
  const n = frameLength(frame);
  const columns = schema.fields.map((f) => {
    const c = have.get(f.name);
    if (c === undefined) return nullColumn(f.name, f.dtype, n);
    return c.dtype === f.dtype ? c : widen(c, f.dtype);
  });
  return { index: frame.index, columns };
}

// ---------------------------------------------------------------------------------------------
// Validation rules

/** A bound as JSON can carry it: a number, or a string for int64 / ns values and ISO timestamps. */
export type Bound = number | string;

export type Rule =
  | { readonly id: string; readonly kind: "column_exists"; readonly column: string }
  | { readonly id: string; readonly kind: "dtype"; readonly column: string; readonly dtype: DType }
  | { readonly id: string; readonly kind: "range"; readonly column: string; readonly min?: Bound; readonly max?: Bound }
  | { readonly id: string; readonly kind: "not_null"; readonly column: string }
  | { readonly id: string; readonly kind: "unique_index" };

export const MAX_RULES = 256;

function bad(message: string, subject?: string): FrameError {
  return new FrameError("invalid", message, subject);
}

function str(o: Record<string, unknown>, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== "string" || v === "") throw bad(`${where}: "${key}" must be a non-empty string`);
  return v;
}

function bound(o: Record<string, unknown>, key: string, where: string): Bound | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if ((typeof v === "number" && !Number.isNaN(v)) || (typeof v === "string" && v !== "")) return v;
  throw bad(`${where}: "${key}" must be a number or a non-empty string`);
}

/** Rules from JSON (a collection's stored rules or a request body). Throws FrameError("invalid"). */
export function parseRules(json: unknown): Rule[] {
  if (!Array.isArray(json)) throw bad("rules must be a JSON array");
  if (json.length > MAX_RULES) throw new FrameError("too_large", `at most ${MAX_RULES} rules`);
  const ids = new Set<string>();
  return json.map((raw, i): Rule => {
    const where = `rule ${i}`;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw bad(`${where} must be an object`);
    const o = raw as Record<string, unknown>;
    const id = str(o, "id", where);
    if (ids.has(id)) throw bad(`rule id ${JSON.stringify(id)} appears twice`, id);
    ids.add(id);
    const kind = o.kind;
    switch (kind) {
      case "unique_index":
        return { id, kind };
      case "column_exists":
      case "not_null":
        return { id, kind, column: str(o, "column", where) };
      case "dtype": {
        const dtype = o.dtype;
        if (!DTYPES.includes(dtype as DType)) throw bad(`${where}: unknown dtype ${JSON.stringify(dtype)}`, id);
        return { id, kind, column: str(o, "column", where), dtype: dtype as DType };
      }
      case "range": {
        const min = bound(o, "min", where);
        const max = bound(o, "max", where);
        if (min === undefined && max === undefined) throw bad(`${where}: a range needs min or max`, id);
        return {
          id,
          kind,
          column: str(o, "column", where),
          ...(min === undefined ? {} : { min }),
          ...(max === undefined ? {} : { max }),
        };
      }
      default:
        throw bad(`${where}: unknown kind ${JSON.stringify(kind)}`, id);
    }
  });
}

function describe(rule: Rule): string {
  switch (rule.kind) {
    case "unique_index":
      return "unique_index";
    case "dtype":
      return `dtype of ${JSON.stringify(rule.column)} is ${rule.dtype}`;
    case "range":
      return `range of ${JSON.stringify(rule.column)}${rule.min === undefined ? "" : ` min ${rule.min}`}${rule.max === undefined ? "" : ` max ${rule.max}`}`;
    default:
      return `${rule.kind} ${JSON.stringify(rule.column)}`;
  }
}

function failed(rule: Rule, why: string): FrameError {
  return new FrameError("rule_failed", `rule ${JSON.stringify(rule.id)} (${describe(rule)}) failed: ${why}`, rule.id);
}

function atRow(frame: Frame, i: number): string {
  return `row ${i} (${frame.index.name} ${showIndexValue(frame.index.kind, frame.index.values[i] as bigint)})`;
}

/** A date, or a date-time with Z or an offset: without one, Date.parse would use the host's zone. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/;

/** A bound on the column's scale: numbers for float / int32, bigint for int64 and timestamp (ns). */
function boundFor(rule: Rule, b: Bound, c: Column): number | bigint {
  const invalid = (): FrameError =>
    new FrameError(
      "invalid",
      `rule ${JSON.stringify(rule.id)}: bound ${JSON.stringify(b)} does not fit ${c.dtype}`,
      rule.id,
    );
  switch (c.dtype) {
    case "float64":
    case "float32":
    case "int32": {
      const x = typeof b === "number" ? b : Number(b);
      if (Number.isNaN(x) || (typeof b === "string" && b.trim() === "")) throw invalid();
      return x;
    }
    case "int64":
    case "timestamp": {
      if (typeof b === "number") {
        if (!Number.isSafeInteger(b)) throw invalid();
        return BigInt(b);
      }
      if (/^-?\d+$/.test(b)) return BigInt(b);
      // An ISO date or zoned date-time (ms precision, as Date parses it); only for timestamps.
      const ms = c.dtype === "timestamp" && ISO_WITH_ZONE.test(b) ? Date.parse(b) : Number.NaN;
      if (Number.isNaN(ms)) throw invalid();
      return BigInt(ms) * 1_000_000n;
    }
    default:
      throw failed(rule, `column is ${c.dtype}; a range needs numbers or timestamps`);
  }
}

function checkRange(frame: Frame, rule: Extract<Rule, { kind: "range" }>, c: Column): void {
  if (c.dtype === "category" || c.dtype === "string" || c.dtype === "bool") {
    throw failed(rule, `column is ${c.dtype}; a range needs numbers or timestamps`);
  }
  const lo = rule.min === undefined ? undefined : boundFor(rule, rule.min, c);
  const hi = rule.max === undefined ? undefined : boundFor(rule, rule.max, c);
  const values: ArrayLike<number | bigint> = c.values;
  for (let i = 0; i < values.length; i++) {
    if (!isValid(c, i)) continue;
    const v = values[i] as number | bigint;
    // NaN is outside every range: comparisons with it are false, so test "inside" and negate.
    const inside = (lo === undefined || v >= lo) && (hi === undefined || v <= hi);
    if (!inside) throw failed(rule, `${atRow(frame, i)} has ${v}`);
  }
}

function checkUnique(frame: Frame, rule: Rule): void {
  const idx = frame.index.values;
  const seen = new Set<bigint>();
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i] as bigint;
    if (seen.has(v)) throw failed(rule, `${atRow(frame, i)} repeats an index value`);
    seen.add(v);
  }
}

/**
 * Throws FrameError("rule_failed", subject = the rule's id) for the first rule, in order, the frame
 * breaks, naming the first offending row. A rule on a column the frame lacks: column_exists and
 * dtype fail, not_null fails if the frame has rows (they are all null), range passes (no values).
 */
export function checkRules(frame: Frame, rules: readonly Rule[]): void {
  for (const rule of rules) {
    if (rule.kind === "unique_index") {
      checkUnique(frame, rule);
      continue;
    }
    const c = frame.columns.find((col) => col.name === rule.column);
    if (c === undefined) {
      if (rule.kind === "range" || (rule.kind === "not_null" && frameLength(frame) === 0)) continue;
      throw failed(rule, `no column ${JSON.stringify(rule.column)}`);
    }
    switch (rule.kind) {
      case "column_exists":
        break;
      case "dtype":
        if (c.dtype !== rule.dtype) throw failed(rule, `column is ${c.dtype}`);
        break;
      case "not_null": {
        const i = c.valid?.indexOf(0) ?? -1;
        if (i >= 0) throw failed(rule, `${atRow(frame, i)} is null`);
        break;
      }
      case "range":
        checkRange(frame, rule, c);
        break;
    }
  }
}
