/**
 * The test at the end of a filter path (`== 5kW`, `< "abc"`, `>= 2024-01-01`) as SQL over the
 * JSONB value the path reached, for filter-sql.ts, which documents what each kind compares as.
 */
import type { CmpOp } from "../../haystack/filter/ast.ts";
import { pad2, pad3 } from "../../haystack/kinds/calendar.ts";
import type { HTime, HVal } from "../../haystack/kinds/index.ts";
import { isRef as isRefVal, kindOf } from "../../haystack/kinds/index.ts";
import { NUL_KIND, nulB64 } from "./nul.ts";

/** A value bound to a query parameter. */
export type SqlValue = string | number | boolean;

/** Collects bound values; `add` answers the placeholder (`$1`, `$2`, ...) of the value it took. */
export class SqlParams {
  readonly values: SqlValue[] = [];

  add(value: SqlValue): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The test at the end of a path. */
export interface ValueTest {
  /** True or false (never NULL) for JSONB expression `v`, which is SQL NULL when nothing was reached. */
  sql(v: string): string;
  /** Only `missing` passes on no value; every other test lets the path's first tag be required. */
  readonly passesMissing: boolean;
  /** Whether a Ref inside a list can pass where the list itself does not (Ref literals, bar `!=`). */
  readonly refElements: boolean;
  /** For a one-tag path: a containment implied by the test, which a GIN index can answer. */
  contains?(name: string): string;
}

/** The test no value passes (a literal nothing equals or orders with). */
export const NEVER: ValueTest = { sql: () => "FALSE", passesMissing: false, refElements: false };

/** `has`: the path reaches something. */
export const HAS: ValueTest = { sql: (v) => `${v} IS NOT NULL`, passesMissing: false, refElements: false };

/** `not`: the path reaches nothing. */
export const MISSING: ValueTest = { sql: (v) => `${v} IS NULL`, passesMissing: true, refElements: false };

const NOTHING = "NULL::jsonb";

/** Compiles comparisons, binding their values into `p`; `a` is the alias of the record's row. */
export class ValueTests {
  constructor(
    private readonly p: SqlParams,
    private readonly a: string,
  ) {}

  /** The test of `path op val`, e.g. `== 5kW`. */
  cmp(op: CmpOp, val: HVal): ValueTest {
    const isRef = kindOf(val) === "ref";
    if (op === "eq" || op === "ne") {
      const eq = this.eqSql(val);
      if (op === "ne") {
        const sql = eq ? (v: string) => `(${v} IS NOT NULL AND NOT coalesce(${eq(v)}, false))` : HAS.sql;
        return { sql, passesMissing: false, refElements: false };
      }
      if (!eq) return NEVER;
      const canContain = typeof val === "string" || typeof val === "boolean" || isRef;
      return {
        sql: (v) => `coalesce(${eq(v)}, false)`,
        passesMissing: false,
        refElements: isRef,
        contains: canContain ? (name) => this.containsSql(name, val) : undefined,
      };
    }
    const order = this.orderSql(op, val);
    if (!order) return NEVER;
    return { sql: (v) => `coalesce(${order(v)}, false)`, passesMissing: false, refElements: isRef };
  }

  /** `v` equals the literal (NULL counts as no), per `equals`; undefined when nothing can. */
  private eqSql(val: HVal): ((v: string) => string) | undefined {
    const p = this.p;
    switch (typeof val) {
      case "string": {
        const j = this.jsonStr(val);
        return j === undefined ? undefined : (v) => `${v} = ${j}`;
      }
      case "boolean": {
        const b = p.add(String(val));
        return (v) => `${v} = ${b}::jsonb`;
      }
      case "number":
        return this.numEq(val, "");
    }
    if (val === null) return undefined; // `equals` never finds null in a record
    if (Array.isArray(val)) throw new TypeError("a filter has no SQL form for a list literal");
    const o = val as Exclude<HVal, null | boolean | string | number | readonly HVal[]>;
    switch (o.kind) {
      case "number":
        // An HNumber with unit "" is no form a reader makes: eval.ts finds nothing equal to it.
        return o.unit === "" ? undefined : this.numEq(o.val, o.unit);
      case "ref": {
        const id = p.add(o.id);
        return (v) => `(${v} ->> '_kind' = 'ref' AND ${v} ->> 'val' = ${id}::text)`;
      }
      case "uri":
      case "symbol": {
        const j = this.jsonStr(o.val);
        return j === undefined ? undefined : (v) => `(${v} ->> '_kind' = '${o.kind}' AND ${v} -> 'val' = ${j})`;
      }
      case "date": {
        const d = p.add(o.toString());
        return (v) => `(${v} ->> '_kind' = 'date' AND ${v} ->> 'val' = ${d}::text)`;
      }
      case "time": {
        const t = p.add(timeKey(o));
        return (v) => `${timeSql(v)} = ${t}::text`;
      }
      case "dateTime": {
        const ts = p.add(pgInstant(o.iso()));
        const tz = p.add(o.tz);
        return (v) => `(${instantSql(v)} = ${ts}::timestamptz AND coalesce(${v} ->> 'tz', 'UTC') = ${tz}::text)`;
      }
      case "coord": {
        const lat = p.add(floatText(o.lat));
        const lng = p.add(floatText(o.lng));
        return (v) =>
          `CASE WHEN ${v} ->> '_kind' = 'coord' THEN (${v} -> 'lat')::float8 = ${lat}::float8 ` +
          `AND (${v} -> 'lng')::float8 = ${lng}::float8 END`;
      }
      case "xstr": {
        // Check both before binding either: a value bound but not used cannot be typed.
        if (LONE_SURROGATE.test(o.type) || LONE_SURROGATE.test(o.val)) return undefined;
        const type = this.jsonStr(o.type);
        const x = this.jsonStr(o.val);
        return (v) => `(${v} ->> '_kind' = 'xstr' AND ${v} -> 'type' = ${type} AND ${v} -> 'val' = ${x})`;
      }
      case "marker":
      case "na":
      case "remove":
        return (v) => `${v} ->> '_kind' = '${o.kind}'`;
      default:
        throw new TypeError(`a filter has no SQL form for a ${o.kind} literal`);
    }
  }

  /**
   * A JSON string as storage holds it (nul.ts: text with U+0000 is a `hayloft:nul` object), as a
   * JSONB expression; undefined for text with a lone surrogate, which nothing stored can equal.
   */
  private jsonStr(s: string): string | undefined {
    if (LONE_SURROGATE.test(s)) return undefined;
    // Bound as JSON text cast to jsonb, which Postgres folds to a constant once (to_jsonb it may not).
    if (!s.includes("\u0000")) return `${this.p.add(JSON.stringify(s))}::jsonb`;
    return `jsonb_build_object('_kind', '${NUL_KIND}', 'b64', ${this.p.add(nulB64(s))}::text)`;
  }

  /** Whether `v` is a Number with this unit ("" for none). */
  private unitSql(unit: string): (v: string) => string {
    if (unit === "")
      return (v) =>
        `(jsonb_typeof(${v}) = 'number' OR (${v} ->> '_kind' = 'number' AND coalesce(${v} ->> 'unit', '') = ''))`;
    const u = this.jsonStr(unit);
    return u === undefined ? () => "FALSE" : (v) => `(${v} ->> '_kind' = 'number' AND ${v} -> 'unit' = ${u})`;
  }

  /** Equality with a number: same unit, same value; NaN only with NaN. */
  private numEq(x: number, unit: string): (v: string) => string {
    const u = this.unitSql(unit);
    if (Number.isNaN(x)) return (v) => `(${v} ->> '_kind' = 'number' AND ${v} ->> 'val' = 'NaN' AND ${u(v)})`;
    const n = this.p.add(floatText(x));
    return (v) => `(${u(v)} AND ${numValSql(v)} = ${n}::float8)`;
  }

  /** For one-tag equality with a Str, Bool or Ref: a containment every match satisfies. */
  private containsSql(name: string, val: HVal): string {
    const tags = `${this.a}.tags`;
    if (isRefVal(val)) {
      // A Ref may also match inside a list of Refs.
      const r = `jsonb_build_object('_kind', 'ref', 'val', ${this.p.add(val.id)}::text)`;
      return (
        `(${tags} @> jsonb_build_object(${name}::text, ${r}) ` +
        `OR ${tags} @> jsonb_build_object(${name}::text, jsonb_build_array(${r})))`
      );
    }
    const v = typeof val === "boolean" ? `${this.p.add(String(val))}::jsonb` : (this.jsonStr(val as string) as string);
    return `${tags} @> jsonb_build_object(${name}::text, ${v})`;
  }

  /**
   * `v op literal` in SQL (NULL when `v` does not compare with the literal); undefined when
   * nothing orders with it (per `compare`).
   */
  private orderSql(op: OrderOp, val: HVal): ((v: string) => string) | undefined {
    const p = this.p;
    const o = SQL_OPS[op];
    switch (typeof val) {
      case "string":
        return this.strOrder(op, val, (v) => v);
      case "boolean": {
        const b = p.add(val);
        return (v) => `(CASE WHEN jsonb_typeof(${v}) = 'boolean' THEN (${v})::boolean END) ${o} ${b}::boolean`;
      }
      case "number":
        return this.numOrder(op, val, "");
    }
    if (val === null || Array.isArray(val)) return undefined;
    const x = val as Exclude<HVal, null | boolean | string | number | readonly HVal[]>;
    switch (x.kind) {
      case "number":
        return x.unit === "" ? undefined : this.numOrder(op, x.val, x.unit);
      case "ref":
      case "uri":
      case "symbol":
        return this.strOrder(
          op,
          x.kind === "ref" ? x.id : x.val,
          (v) => `(CASE WHEN ${v} ->> '_kind' = '${x.kind}' THEN ${v} -> 'val' END)`,
        );
      case "date": {
        const d = p.add(x.toString());
        return (v) => `(CASE WHEN ${v} ->> '_kind' = 'date' THEN ${v} ->> 'val' END) COLLATE "C" ${o} ${d}::text`;
      }
      case "time": {
        const t = p.add(timeKey(x));
        return (v) => `${timeSql(v)} COLLATE "C" ${o} ${t}::text`;
      }
      case "dateTime": {
        const ts = p.add(pgInstant(x.iso()));
        return (v) => `${instantSql(v)} ${o} ${ts}::timestamptz`;
      }
      default:
        return undefined;
    }
  }

  private numOrder(op: OrderOp, x: number, unit: string): ((v: string) => string) | undefined {
    if (Number.isNaN(x)) return undefined;
    const u = this.unitSql(unit);
    const n = this.p.add(floatText(x));
    return (v) => `(CASE WHEN ${u(v)} THEN ${numValSql(v)} END) ${SQL_OPS[op]} ${n}::float8`;
  }

  /**
   * Text order (UTF-16 code units, as JS compares) of the JSON string `json(v)` against `s`.
   * Stored text is a JSON string, or (holding U+0000) nul.ts's object with its UTF-8 in base64.
   */
  private strOrder(op: OrderOp, s: string, json: (v: string) => string): (v: string) => string {
    // A literal no stored text can equal stands for the place it has among them (`loneSurrogateBound`).
    const bound = loneSurrogateBound(s);
    const lit = bound ?? s;
    const strict = (between: boolean) => (!between ? SQL_OPS[op] : op === "lt" || op === "le" ? "<" : ">=");
    // Text with U+0000 (rare): compare the bytes, remapped to UTF-16 order (see `bytesKey`).
    const bytes = this.p.add(bytesKey(utf8.encode(lit)));
    const wrapped = (j: string) =>
      `${bytesKeySql(`decode(${j} ->> 'b64', 'base64')`)} COLLATE "C" ${strict(bound !== undefined)} ${bytes}::text`;
    // Plain JSON strings have no U+0000: a literal with one is a bound too.
    const nul = lit.indexOf("\u0000");
    const plainLit = nul < 0 ? lit : `${lit.slice(0, nul)}\u0001`;
    const plainOp = strict(bound !== undefined || nul >= 0);
    // Below U+D800 the first difference decides the same way in code point and UTF-16 order.
    const keyed = /[\uD800-\uFFFF]/.test(plainLit);
    const text = this.p.add(keyed ? utf16Key(plainLit) : plainLit);
    const plain = (j: string) =>
      `${keyed ? utf16KeySql(`${j} #>> '{}'`) : `(${j} #>> '{}')`} COLLATE "C" ${plainOp} ${text}::text`;
    return (v) => {
      const j = json(v);
      return (
        `(CASE WHEN jsonb_typeof(${j}) = 'string' THEN ${plain(j)} ` +
        `WHEN ${j} ->> '_kind' = '${NUL_KIND}' THEN ${wrapped(j)} END)`
      );
    };
  }
}

type OrderOp = Exclude<CmpOp, "eq" | "ne">;

const SQL_OPS: Readonly<Record<OrderOp, string>> = { lt: "<", le: "<=", gt: ">", ge: ">=" };

const utf8 = new TextEncoder();

/**
 * UTF-8 bytes as text that orders (under COLLATE "C") as the text they encode does in UTF-16:
 * two hex digits and a space a byte, with lead bytes EE and EF (U+E000..U+FFFF) moved above F0-F4
 * (U+10000 and up). Other bytes of UTF-8 are never EE or EF.
 */
function bytesKey(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b === 0xee ? "f5 " : b === 0xef ? "f6 " : `${b.toString(16).padStart(2, "0")} `;
  return out;
}

function bytesKeySql(bytes: string): string {
  return `replace(replace(regexp_replace(encode(${bytes}, 'hex'), '(..)', '\\1 ', 'g'), 'ee ', 'f5 '), 'ef ', 'f6 ')`;
}

/** `v` when it is a JSON array, else NULL (so `jsonb_array_elements` yields nothing, not an error). */
export function ifArray(v: string): string {
  return `CASE WHEN jsonb_typeof(${v}) = 'array' THEN ${v} ELSE ${NOTHING} END`;
}

/** A Number's value as float8 (±Infinity for INF); NULL for NaN and other kinds. */
function numValSql(v: string): string {
  return (
    `(CASE WHEN jsonb_typeof(${v}) = 'number' THEN (${v})::float8 ` +
    `WHEN ${v} ->> '_kind' = 'number' THEN CASE WHEN jsonb_typeof(${v} -> 'val') = 'number' THEN (${v} -> 'val')::float8 ` +
    `WHEN ${v} ->> 'val' = 'INF' THEN 'Infinity'::float8 WHEN ${v} ->> 'val' = '-INF' THEN '-Infinity'::float8 END END)`
  );
}

/**
 * A Time as `hh:mm:ss.fff`; NULL for other kinds. JSON has `hh:mm:ss` when the milliseconds are
 * 0, and readers also take `h:mm`, `hh:mm` and longer fractions (cut to milliseconds).
 */
function timeSql(v: string): string {
  const t = `regexp_replace(regexp_replace(${v} ->> 'val', '^([0-9]):', '0\\1:'), '^([0-9]{2}:[0-9]{2})$', '\\1:00')`;
  return `(CASE WHEN ${v} ->> '_kind' = 'time' THEN rpad(CASE WHEN length(${t}) = 8 THEN ${t} || '.' ELSE left(${t}, 12) END, 12, '0') END)`;
}

function timeKey(t: HTime): string {
  return `${pad2(t.hour)}:${pad2(t.minute)}:${pad2(t.second)}.${pad3(t.ms)}`;
}

/** A DateTime's instant; NULL for other kinds. */
export function instantSql(v: string): string {
  const s = `${v} ->> 'val'`;
  // Postgres has no year 0 in ISO form: it is 1 BC. Readers cut fractions to milliseconds.
  return (
    `(CASE WHEN ${v} ->> '_kind' = 'dateTime' THEN date_trunc('milliseconds', ` +
    `(CASE WHEN left(${s}, 4) = '0000' THEN '0001' || substr(${s}, 5) || ' BC' ELSE ${s} END)::timestamptz) END)`
  );
}

function pgInstant(iso: string): string {
  return iso.startsWith("0000") ? `0001${iso.slice(4)} BC` : iso;
}

/** float8 input text for a JS number (`Infinity`, `-Infinity` as Postgres spells them). */
function floatText(x: number): string {
  return Number.isFinite(x) ? String(x) : x > 0 ? "Infinity" : "-Infinity";
}

/**
 * Text whose code point order is the UTF-16 order of `s`: each character above U+FFFF gets
 * U+D7FF in front. UTF-16 puts those characters (lead surrogates D800-DBFF) between U+D7FF and
 * U+E000; with the prefix they sort after U+D7FF (then by themselves) and before U+E000.
 */
export function utf16Key(s: string): string {
  return s.replace(/[\u{10000}-\u{10FFFF}]/gu, "\uD7FF$&");
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A filter string may hold a lone surrogate (`"\uD83D"`), which no stored text can: then a
 * well-formed T such that, for every well-formed s, s < L in UTF-16 order exactly when s < T (and
 * s > L exactly when s >= T). Undefined when `s` is well formed. With L = P u R, u the first lone
 * surrogate: a low u sorts above every surrogate pair and below U+E000; a high u sits with the
 * pairs that lead with it, above them when R goes on with U+E000 or more, below them otherwise.
 */
export function loneSurrogateBound(s: string): string | undefined {
  const m = LONE_SURROGATE.exec(s);
  if (m === null) return undefined;
  const p = s.slice(0, m.index);
  const u = s.charCodeAt(m.index);
  if (u >= 0xdc00) return `${p}\uE000`;
  const first = 0x10000 + (u - 0xd800) * 0x400; // the first code point whose lead surrogate is u
  if (s.charCodeAt(m.index + 1) >= 0xe000) return u === 0xdbff ? `${p}\uE000` : p + String.fromCodePoint(first + 0x400);
  return p + String.fromCodePoint(first);
}

function utf16KeySql(text: string): string {
  return `regexp_replace(${text}, '([\\U00010000-\\U0010FFFF])', chr(55295) || '\\1', 'g')`;
}
