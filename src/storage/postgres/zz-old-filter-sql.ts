/**
 * A Haystack filter as one parameterised Postgres boolean expression over `entities.tags` (each
 * record in JSON v4, see schema.ts), answering exactly what the in-memory evaluator
 * (haystack/filter/eval.ts) answers for the same records. Every value and tag name the filter
 * holds is a bound parameter; the SQL text is made only of this module's constants.
 *
 * How eval.ts reads a path, and how it is written here:
 * - The value at a path is JSONB, SQL NULL when the path reached nothing (a JSON null counts as
 *   nothing, as HDict has no null tags). Each test answers true or false, never NULL, so `and`
 *   and `or` compose plainly.
 * - `a->b->c` is EXISTS over a chain of steps, each a set of next values: a Ref steps into the
 *   record it names (a correlated subquery on the primary key, NULL when there is none); a dict
 *   into its tag; a DateTime into its `date`, `time` or `tz` (haxall); a list mid-path into the
 *   record of every Ref it holds (nothing else in it is followed, so a list of no Refs ends the
 *   walk with no match, even for `missing`); anything else gives NULL. At the end of the path a
 *   list matches when it, or any Ref in it, passes the test.
 * - Numbers: units must be identical (unitless only with unitless), compared as float8 (what a
 *   JS number is); NaN equals NaN of the same unit but never orders; ±INF order as infinities.
 * - Str, Uri, Symbol and Ref ids order by UTF-16 code unit, as JS `<` does. COLLATE "C" orders
 *   by code point, which differs only between U+E000..U+FFFF and characters above U+FFFF; when the
 *   literal holds either kind, both sides are rewritten so that code point order is UTF-16 order
 *   (see `utf16Key`). Equality is exact either way. A literal with a lone surrogate (which stored
 *   text cannot hold) equals nothing and orders through `loneSurrogateBound`. Text holding U+0000
 *   is stored by nul.ts as `{"_kind":"hayloft:nul","b64":...}`; it is matched in that form, and
 *   ordered by its bytes (`bytesKey`).
 * - Date compares as `YYYY-MM-DD` text, Time by its `hh:mm:ss.fff` text, DateTime by instant
 *   (`==` also needs the same zone, as `equals` does). Bool orders false < true. Other kinds have
 *   equality only; ordering across kinds is false.
 * - `^a-b` without a namespace needs tags `a` and `b`; `^lib:x` and spec names match nothing
 *   (no def or spec namespace here, as in memory without one).
 * - JSON v4 forms that readers accept but the writer never emits read the same way: number
 *   objects without a unit, `"unit": ""`, no `tz` (UTC), `h:mm` times, fractions past milliseconds.
 * Tests that a missing value fails also get `tags ? name` (and `tags @> ...` for Str, Bool and
 * Ref equality on a tag) in front: implied by the exact test, so only the GIN index notices.
 * Not covered: JSON numbers outside the double range (a JS reader makes them ±Infinity or 0, the
 * float8 cast fails) and dateTimes the JSON reader would reject; the writer produces neither.
 */
import type {
  AndFilter,
  CmpFilter,
  CmpOp,
  Filter,
  FilterVisitor,
  HasFilter,
  IsSpecFilter,
  IsSymbolFilter,
  MissingFilter,
  OrFilter,
  Path,
} from "../../haystack/filter/ast.ts";
import { visit } from "../../haystack/filter/ast.ts";
import { checkFilterBounds } from "../../haystack/filter/walk.ts";
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

/**
 * The filter as a boolean SQL expression over the row `alias` of `entities` (`alias.tags`,
 * `alias.project`); values go into `p`. Throws HaystackError("limit_exceeded") for an AST past the
 * evaluator's bounds, TypeError for a literal no filter can hold (list, dict, grid).
 */
export function filterToSql(filter: Filter, p: SqlParams, alias = "e"): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new TypeError(`not a plain SQL alias: ${JSON.stringify(alias)}`);
  checkFilterBounds(filter);
  return visit(filter, new SqlCompiler(p, alias));
}

/**
 * The read query: matching records of `project` in id order, `limit + 1` at most (one more than
 * asked tells the caller the result is incomplete). Columns `id`, `tags` (JSON text), `mod`.
 */
export function readSql(project: string, filter: Filter, limit: number): { text: string; values: unknown[] } {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`bad read limit ${limit}`);
  const p = new SqlParams();
  const proj = p.add(project);
  const where = filterToSql(filter, p, "e");
  const text =
    "SELECT e.id, e.tags::text AS tags, e.mod FROM entities e " +
    `WHERE e.project = ${proj}::text AND (${where}) ORDER BY e.id COLLATE "C" LIMIT ${p.add(limit + 1)}::bigint`;
  return { text, values: p.values };
}

/** The test at the end of a path. */
interface ValueTest {
  /** True or false (never NULL) for JSONB expression `v`, which is SQL NULL when nothing was reached. */
  sql(v: string): string;
  /** Only `missing` passes on no value; every other test lets the path's first tag be required. */
  readonly passesMissing: boolean;
  /** Whether a Ref inside a list can pass where the list itself does not (Ref literals, bar `!=`). */
  readonly refElements: boolean;
  /** For a one-tag path: a containment implied by the test, which a GIN index can answer. */
  contains?(name: string): string;
}

const NOTHING = "NULL::jsonb";

class SqlCompiler implements FilterVisitor<string> {
  private n = 0;

  constructor(
    private readonly p: SqlParams,
    private readonly a: string,
  ) {}

  has(f: HasFilter): string {
    return this.path(f.path, { sql: (v) => `${v} IS NOT NULL`, passesMissing: false, refElements: false });
  }

  missing(f: MissingFilter): string {
    return this.path(f.path, { sql: (v) => `${v} IS NULL`, passesMissing: true, refElements: false });
  }

  cmp(f: CmpFilter): string {
    return this.path(f.path, this.cmpTest(f.op, f.val));
  }

  and(f: AndFilter): string {
    return f.args.length === 0 ? "TRUE" : `(${f.args.map((x) => visit(x, this)).join(" AND ")})`;
  }

  or(f: OrFilter): string {
    return f.args.length === 0 ? "FALSE" : `(${f.args.map((x) => visit(x, this)).join(" OR ")})`;
  }

  isSymbol(f: IsSymbolFilter): string {
    // No def namespace: haxall's inference, every `-` part a tag (a key symbol `lib:x` is none).
    if (f.symbol.includes(":")) return "FALSE";
    const parts = f.symbol.split("-").map((t) => this.has({ op: "has", path: [t] }));
    return `(${parts.join(" AND ")})`;
  }

  isSpec(_f: IsSpecFilter): string {
    return "FALSE"; // no Xeto namespace: nothing is an instance of any spec
  }

  // ---- paths

  private path(path: Path, test: ValueTest): string {
    const name = this.p.add(path[0] as string);
    const tags = `${this.a}.tags`;
    const guard: string[] = [];
    if (!test.passesMissing) {
      guard.push(`${tags} ? ${name}::text`);
      if (path.length === 1 && test.contains) guard.push(test.contains(name));
    }
    let v = `NULLIF(${tags} -> ${name}::text, 'null'::jsonb)`;
    let body: string;
    if (path.length === 1) {
      body = this.last(v, test);
    } else {
      const from: string[] = [];
      for (let i = 1; i < path.length; i++) {
        const s = `s${this.n++}`;
        from.push(`${i === 1 ? "" : "CROSS JOIN LATERAL "}${this.step(v, path[i] as string)} AS ${s}(v)`);
        v = `${s}.v`;
      }
      body = `EXISTS (SELECT 1 FROM ${from.join(" ")} WHERE ${this.last(v, test)})`;
    }
    guard.push(body);
    return `(${guard.join(" AND ")})`;
  }

  /**
   * The values one `->seg` leads to from `v`: one row (NULL when nothing), or for a list one row
   * per Ref in it (none when it holds no Refs).
   */
  private step(v: string, seg: string): string {
    const c = `c${this.n}`;
    const l = `l${this.n}`;
    const r = `r${this.n++}`;
    const name = this.p.add(seg);
    const x = `${c}.x`;
    let derived = "";
    if (seg === "date" || seg === "time") {
      // The wall clock of the ISO text, but a DateTime without a zone reads as UTC.
      const local = seg === "date" ? `left(${x} ->> 'val', 10)` : `substring(${x} ->> 'val' from '^.{10}T([^Z+-]*)')`;
      const utc = `to_char(${instantSql(x)} AT TIME ZONE 'UTC', '${seg === "date" ? "YYYY-MM-DD" : "HH24:MI:SS.MS"}')`;
      const text =
        `CASE WHEN jsonb_typeof(${x} -> 'tz') = 'string' OR ${x} ->> 'val' ~ '(Z|[+-]00:00)$' ` +
        `THEN ${local} ELSE ${utc} END`;
      derived = `jsonb_build_object('_kind', '${seg}', 'val', ${text})`;
    } else if (seg === "tz") {
      derived = `to_jsonb(coalesce(${x} ->> 'tz', 'UTC'))`;
    }
    const next =
      "CASE " +
      `WHEN ${x} ->> '_kind' = 'ref' THEN (SELECT NULLIF(${r}.tags -> ${name}::text, 'null'::jsonb) FROM entities ${r} ` +
      `WHERE ${r}.project = ${this.a}.project AND ${r}.id = ${x} ->> 'val') ` +
      `WHEN jsonb_typeof(${x}) = 'object' AND coalesce(${x} ->> '_kind', 'dict') = 'dict' ` +
      `THEN NULLIF(${x} -> ${name}::text, 'null'::jsonb) ` +
      (derived ? `WHEN ${x} ->> '_kind' = 'dateTime' THEN ${derived} ` : "") +
      "END";
    const from =
      `SELECT ${v} WHERE jsonb_typeof(${v}) IS DISTINCT FROM 'array' UNION ALL ` +
      `SELECT ${l}.x FROM jsonb_array_elements(${ifArray(v)}) AS ${l}(x) WHERE ${l}.x ->> '_kind' = 'ref'`;
    // OFFSET 0 keeps the step a subquery of its own: pulled up, the planner would copy `v` (and the
    // steps before it) into every place it is used, growing with each hop.
    return `(SELECT ${next} FROM (${from}) AS ${c}(x) OFFSET 0)`;
  }

  /** The test on the value a path ends at; a list passes when it or one of its Refs does. */
  private last(v: string, test: ValueTest): string {
    if (!test.refElements) return test.sql(v);
    const l = `l${this.n++}`;
    return (
      `(${test.sql(v)} OR EXISTS (SELECT 1 FROM jsonb_array_elements(${ifArray(v)}) AS ${l}(x) ` +
      `WHERE ${l}.x ->> '_kind' = 'ref' AND ${test.sql(`${l}.x`)}))`
    );
  }

  // ---- comparisons

  private cmpTest(op: CmpOp, val: HVal): ValueTest {
    const isRef = kindOf(val) === "ref";
    if (op === "eq" || op === "ne") {
      const eq = this.eqSql(val);
      if (op === "ne") {
        const sql = eq ? (v: string) => `(${v} IS NOT NULL AND NOT coalesce(${eq(v)}, false))` : presentSql;
        return { sql, passesMissing: false, refElements: false };
      }
      if (!eq) return { sql: () => "FALSE", passesMissing: false, refElements: false };
      const canContain = typeof val === "string" || typeof val === "boolean" || isRef;
      return {
        sql: (v) => `coalesce(${eq(v)}, false)`,
        passesMissing: false,
        refElements: isRef,
        contains: canContain ? (name) => this.containsSql(name, val) : undefined,
      };
    }
    const order = this.orderSql(op, val);
    return {
      sql: order ? (v) => `coalesce(${order(v)}, false)` : () => "FALSE",
      passesMissing: false,
      refElements: isRef,
    };
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
        const b = p.add(val);
        return (v) => `${v} = to_jsonb(${b}::boolean)`;
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
        const type = this.jsonStr(o.type);
        const x = this.jsonStr(o.val);
        if (type === undefined || x === undefined) return undefined;
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
    if (!s.includes("\u0000")) return `to_jsonb(${this.p.add(s)}::text)`;
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
    const v =
      typeof val === "boolean" ? `to_jsonb(${this.p.add(val)}::boolean)` : (this.jsonStr(val as string) as string);
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

function presentSql(v: string): string {
  return `${v} IS NOT NULL`;
}

/** `v` when it is a JSON array, else NULL (so `jsonb_array_elements` yields nothing, not an error). */
function ifArray(v: string): string {
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
function instantSql(v: string): string {
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
