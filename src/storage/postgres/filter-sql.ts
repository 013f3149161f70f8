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
 * - The cost follows the distinct terms and paths, not the filter's length: a repeated term is
 *   compiled once (`dedupeFilter`), and a prefix (or whole path) that several terms walk is walked
 *   once per record, by a subquery at the smallest `and`/`or` holding those terms
 *   (filter-share.ts), into a jsonb array of what it reached: for a prefix the "containers" the
 *   next `->` reads a tag of (a Ref's record, a dict, a DateTime's parts), for a path its values.
 *   The terms test its elements, the only one (the common case) without a subquery of their own.
 * - The tests at the end of a path are in filter-values.ts. Numbers: units must be identical
 *   (unitless only with unitless), compared as float8 (what a JS number is); NaN equals NaN of the
 *   same unit but never orders; ±INF order as infinities.
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
import { dedupeFilter } from "../../haystack/filter/walk.ts";
import { pathKey, type SharedPrefix, type SharedWalks, sharedWalks, usesAny } from "./filter-share.ts";
import { HAS, ifArray, instantSql, MISSING, NEVER, SqlParams, type ValueTest, ValueTests } from "./filter-values.ts";

export { loneSurrogateBound, SqlParams, type SqlValue, utf16Key } from "./filter-values.ts";

/**
 * The filter as a boolean SQL expression over the row `alias` of `entities` (`alias.tags`,
 * `alias.project`); values go into `p`. Throws HaystackError("limit_exceeded") for an AST past the
 * evaluator's bounds, TypeError for a literal no filter can hold (list, dict, grid).
 */
export function filterToSql(filter: Filter, p: SqlParams, alias = "e"): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new TypeError(`not a plain SQL alias: ${JSON.stringify(alias)}`);
  // A term written many times is compiled once, and a path prefix many terms share is walked once
  // per record (filter-share.ts): the work follows the distinct terms and paths, not the text.
  const f = dedupeFilter(filter);
  return visit(f, new SqlCompiler(p, alias, sharedWalks(f)));
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

/** A term as a test of the elements of a walked array: column `col` of FROM item `m`. */
interface ElementTest {
  readonly m: string;
  readonly col: "c" | "v";
  sql(x: string): string;
}

class SqlCompiler implements FilterVisitor<string> {
  private n = 0;
  private readonly tests: ValueTests;
  /** Prefixes walked once by an enclosing `and`/`or`: pathKey to the alias of their containers. */
  private readonly walked = new Map<string, string>();
  /** Paths whose values an enclosing `and`/`or` holds: pathKey to the alias of those values. */
  private readonly valued = new Map<string, string>();

  constructor(
    private readonly p: SqlParams,
    private readonly a: string,
    private readonly shared: ReadonlyMap<Filter, SharedWalks>,
  ) {
    this.tests = new ValueTests(p, a);
  }

  has(f: HasFilter): string {
    return this.path(f.path, HAS);
  }

  missing(f: MissingFilter): string {
    return this.path(f.path, MISSING);
  }

  cmp(f: CmpFilter): string {
    const test = this.tests.cmp(f.op, f.val);
    // Nothing passes: say so, and bind no value the SQL would not use (Postgres cannot type those).
    return test === NEVER ? "FALSE" : this.path(f.path, test);
  }

  and(f: AndFilter): string {
    return f.args.length === 0 ? "TRUE" : this.group(f, " AND ");
  }

  or(f: OrFilter): string {
    return f.args.length === 0 ? "FALSE" : this.group(f, " OR ");
  }

  /**
   * `a AND b ...`; where prefixes are shared under this node, the arguments that use them become
   * one subquery that walks each prefix first, the others stay outside (where the planner can
   * still use them, e.g. `tags ? 'point'` with the GIN index, and test them first). Under `or`,
   * the terms that test elements of the same walked array are tested in one pass over it.
   */
  private group(f: AndFilter | OrFilter, join: string): string {
    const shared = this.shared.get(f);
    const from = shared
      ? [...shared.prefixes.map((x) => this.walk(x)), ...shared.paths.map((x) => this.values(x))]
      : [];
    const prefixes = new Set(shared?.prefixes.map((x) => pathKey(x.path)));
    const paths = new Set(shared?.paths.map((x) => pathKey(x)));
    const inside: string[] = [];
    const outside: string[] = [];
    const place = (xs: readonly Filter[], sql: string) =>
      (xs.some((x) => usesAny(x, prefixes, paths)) ? inside : outside).push(sql);
    // Terms on the same array, by the array (`m3.c`): ∃x t1(x) ∨ ∃x t2(x) is ∃x (t1(x) ∨ t2(x)).
    const byArray = new Map<string, { terms: Filter[]; tests: ElementTest[] }>();
    for (const x of f.args) {
      const t = join === " OR " ? this.elementTest(x) : undefined;
      if (t === undefined) {
        place([x], visit(x, this));
        continue;
      }
      const key = `${t.m}.${t.col}`;
      const g = byArray.get(key) ?? { terms: [], tests: [] };
      g.terms.push(x);
      g.tests.push(t);
      byArray.set(key, g);
    }
    for (const g of byArray.values()) place(g.terms, this.anyOf(g.tests));
    if (!shared) return `(${outside.join(join)})`;
    for (const k of prefixes) this.walked.delete(k);
    for (const k of paths) this.valued.delete(k);
    outside.push(`(SELECT (${inside.join(join)}) FROM ${from.join(" CROSS JOIN LATERAL ")})`);
    return `(${outside.join(join)})`;
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
    const element = this.element(path, test);
    if (element) return this.anyOf([element]);
    const walked = this.walkedPrefix(path);
    const tags = `${this.a}.tags`;
    // Every parameter bound must appear in the SQL: Postgres cannot type one that does not.
    const name = !test.passesMissing || !walked ? this.p.add(path[0] as string) : "";
    const guard: string[] = [];
    if (!test.passesMissing) {
      guard.push(`${tags} ? ${name}::text`);
      if (path.length === 1 && test.contains) guard.push(test.contains(name));
    }
    const from: string[] = [];
    let v: string;
    if (walked) {
      // Continue from the containers a shared prefix reached, one row each.
      const u = `u${this.n++}`;
      from.push(`unnest(${walked.alias}.c) AS ${u}(c)`);
      v = `NULLIF(${u}.c -> ${this.p.add(path[walked.length] as string)}::text, 'null'::jsonb)`;
    } else {
      v = `NULLIF(${tags} -> ${name}::text, 'null'::jsonb)`;
    }
    for (let i = (walked?.length ?? 0) + 1; i < path.length; i++) {
      const s = `s${this.n++}`;
      from.push(`${from.length === 0 ? "" : "CROSS JOIN LATERAL "}${this.step(v, path[i] as string)} AS ${s}(v)`);
      v = `${s}.v`;
    }
    guard.push(
      from.length === 0 ? this.last(v, test) : `EXISTS (SELECT 1 FROM ${from.join(" ")} WHERE ${this.last(v, test)})`,
    );
    return `(${guard.join(" AND ")})`;
  }

  /**
   * A term whose path ends one step past a walked array (the values of a shared path, or the
   * containers of a shared prefix) as a test of that array's elements; undefined for others.
   */
  private elementTest(f: Filter): ElementTest | undefined {
    switch (f.op) {
      case "has":
        return this.element(f.path, HAS);
      case "missing":
        return this.element(f.path, MISSING);
      case "and":
      case "or":
      case "isSymbol":
      case "isSpec":
        return undefined;
      default: {
        if (!this.elementPath(f.path)) return undefined;
        const test = this.tests.cmp(f.op, f.val);
        return test === NEVER ? undefined : this.element(f.path, test);
      }
    }
  }

  private elementPath(path: Path): boolean {
    return this.valued.has(pathKey(path)) || this.walkedPrefix(path)?.length === path.length - 1;
  }

  private element(path: Path, test: ValueTest): ElementTest | undefined {
    const valued = this.valued.get(pathKey(path));
    if (valued !== undefined) return { m: valued, col: "v", sql: (x) => this.last(x, test) };
    const walked = this.walkedPrefix(path);
    if (walked === undefined || walked.length !== path.length - 1) return undefined;
    const seg = this.p.add(path[walked.length] as string);
    return { m: walked.alias, col: "c", sql: (x) => this.last(`NULLIF(${x} -> ${seg}::text, 'null'::jsonb)`, test) };
  }

  /**
   * Whether some element of the one array the tests are on passes one of them. Most records reach
   * a single element, tested without a subquery: in a filter of many terms that is most of the
   * work. (No `tags ?` guard: inside the subquery that walked the path no index can use it.)
   */
  private anyOf(tests: readonly ElementTest[]): string {
    const { m, col } = tests[0] as ElementTest;
    const w = `w${this.n++}`;
    const one = tests.map((t) => t.sql(`${m}.one`)).join(" OR ");
    const each = tests.map((t) => t.sql(`${w}.x`)).join(" OR ");
    return `(CASE WHEN ${m}.n = 1 THEN ${one} ELSE EXISTS (SELECT 1 FROM unnest(${m}.${col}) AS ${w}(x) WHERE ${each}) END)`;
  }

  private walkedAlias(path: Path, length: number): string {
    const alias = this.walked.get(pathKey(path, length));
    if (alias === undefined) throw new Error(`filter-sql: prefix ${pathKey(path, length)} was not walked`);
    return alias;
  }

  /** The longest proper prefix of `path` an enclosing node walked: its length and alias. */
  private walkedPrefix(path: Path): { length: number; alias: string } | undefined {
    if (this.walked.size === 0) return undefined;
    for (let k = path.length - 1; k >= 1; k--) {
      const alias = this.walked.get(pathKey(path, k));
      if (alias !== undefined) return { length: k, alias };
    }
    return undefined;
  }

  /**
   * Walks `prefix` once for the enclosing subquery: a FROM item with one row whose `c` holds the
   * container of every value the prefix reaches (see `container`), as a jsonb array. It starts
   * from the containers of the prefix one shorter, walked already (`sharedWalks` puts a
   * prefix's own prefixes first, at this node or above), or from the record itself.
   */
  private walk({ path: prefix, next }: SharedPrefix): string {
    const m = `m${this.n++}`;
    const seg = this.p.add(prefix[prefix.length - 1] as string);
    const c = `c${this.n}`;
    const x = `x${this.n++}`;
    let values: string;
    if (prefix.length === 1) {
      values = `(${expandSql(`NULLIF(${this.a}.tags -> ${seg}::text, 'null'::jsonb)`, x)}) AS ${c}(x)`;
    } else {
      const up = this.walkedAlias(prefix, prefix.length - 1);
      const u = `u${this.n++}`;
      const v = `NULLIF(${u}.c -> ${seg}::text, 'null'::jsonb)`;
      values = `unnest(${up}.c) AS ${u}(c) CROSS JOIN LATERAL (${expandSql(v, x)}) AS ${c}(x)`;
    }
    this.walked.set(pathKey(prefix), m);
    return withOne(m, "c", `ARRAY(SELECT ${this.container(`${c}.x`, next)} FROM ${values})`);
  }

  /**
   * The values at `path` for the enclosing subquery, from the walked containers of its prefix: a
   * FROM item with one row of `v` (a jsonb array, NULL for nothing reached), its length `n`, and
   * `one`, its only element when `n` is 1.
   */
  private values(path: Path): string {
    const m = `m${this.n++}`;
    const u = `u${this.n++}`;
    const up = this.walkedAlias(path, path.length - 1);
    const seg = this.p.add(path[path.length - 1] as string);
    const v = `ARRAY(SELECT NULLIF(${u}.c -> ${seg}::text, 'null'::jsonb) FROM unnest(${up}.c) AS ${u}(c))`;
    this.valued.set(pathKey(path), m);
    return withOne(m, "v", v);
  }

  /**
   * What a `->` from value `x` steps into, so that `->seg` is then `container -> seg`: the record
   * a Ref names (NULL when there is none), a dict itself, those of a DateTime's `date`, `time`
   * and `tz` among `next`; NULL for anything else. The same steps as `step`, with the lookup done
   * once for every `seg`.
   */
  private container(x: string, next: ReadonlySet<string>): string {
    const r = `r${this.n++}`;
    const parts = (["date", "time", "tz"] as const)
      .filter((s) => next.has(s))
      .map((s) => `'${s}', ${dateTimePart(x, s)}`);
    return (
      "CASE " +
      `WHEN ${x} ->> '_kind' = 'ref' THEN (SELECT ${r}.tags FROM entities ${r} ` +
      `WHERE ${r}.project = ${this.a}.project AND ${r}.id = ${x} ->> 'val') ` +
      `WHEN jsonb_typeof(${x}) = 'object' AND coalesce(${x} ->> '_kind', 'dict') = 'dict' THEN ${x} ` +
      (parts.length > 0 ? `WHEN ${x} ->> '_kind' = 'dateTime' THEN jsonb_build_object(${parts.join(", ")}) ` : "") +
      "END"
    );
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
    const derived = seg === "date" || seg === "time" || seg === "tz" ? dateTimePart(x, seg) : "";
    const next =
      "CASE " +
      `WHEN ${x} ->> '_kind' = 'ref' THEN (SELECT NULLIF(${r}.tags -> ${name}::text, 'null'::jsonb) FROM entities ${r} ` +
      `WHERE ${r}.project = ${this.a}.project AND ${r}.id = ${x} ->> 'val') ` +
      `WHEN jsonb_typeof(${x}) = 'object' AND coalesce(${x} ->> '_kind', 'dict') = 'dict' ` +
      `THEN NULLIF(${x} -> ${name}::text, 'null'::jsonb) ` +
      (derived ? `WHEN ${x} ->> '_kind' = 'dateTime' THEN ${derived} ` : "") +
      "END";
    // OFFSET 0 keeps the step a subquery of its own: pulled up, the planner would copy `v` (and the
    // steps before it) into every place it is used, growing with each hop.
    return `(SELECT ${next} FROM (${expandSql(v, l)}) AS ${c}(x) OFFSET 0)`;
  }

  /** The test on the value a path ends at; a list passes when it or one of its Refs does. */
  private last(v: string, test: ValueTest): string {
    if (!test.refElements) return test.sql(v);
    const l = `l${this.n++}`;
    // Only a list pays for the subquery.
    return (
      `(${test.sql(v)} OR (jsonb_typeof(${v}) = 'array' AND EXISTS (SELECT 1 FROM jsonb_array_elements(${ifArray(v)}) AS ${l}(x) ` +
      `WHERE ${l}.x ->> '_kind' = 'ref' AND ${test.sql(`${l}.x`)})))`
    );
  }
}

/**
 * FROM item `m` of one row: array `col` (the value of `array`), its length `n`, and `one`, its
 * first element. OFFSET 0 keeps each a value computed once, not an expression copied into every
 * place that uses it.
 */
function withOne(m: string, col: "c" | "v", array: string): string {
  return (
    `(SELECT ${m}.${col}, cardinality(${m}.${col}) AS n, ${m}.${col}[1] AS one ` +
    `FROM (SELECT ${array} AS ${col} OFFSET 0) AS ${m} OFFSET 0) AS ${m}`
  );
}

/**
 * The values a `->` continues from at `v`: `v` itself (NULL, nothing, included), or for a list
 * every Ref in it (so a list of no Refs ends the walk). Column `x`; `l` names the elements.
 */
function expandSql(v: string, l: string): string {
  return (
    `SELECT ${v} WHERE jsonb_typeof(${v}) IS DISTINCT FROM 'array' UNION ALL ` +
    `SELECT ${l}.x FROM jsonb_array_elements(${ifArray(v)}) AS ${l}(x) WHERE ${l}.x ->> '_kind' = 'ref'`
  );
}

/** `->date`, `->time` or `->tz` of DateTime `x` (haxall), as JSON v4. */
function dateTimePart(x: string, seg: "date" | "time" | "tz"): string {
  if (seg === "tz") return `to_jsonb(coalesce(${x} ->> 'tz', 'UTC'))`;
  // The wall clock of the ISO text, but a DateTime without a zone reads as UTC.
  const local = seg === "date" ? `left(${x} ->> 'val', 10)` : `substring(${x} ->> 'val' from '^.{10}T([^Z+-]*)')`;
  const utc = `to_char(${instantSql(x)} AT TIME ZONE 'UTC', '${seg === "date" ? "YYYY-MM-DD" : "HH24:MI:SS.MS"}')`;
  const text =
    `CASE WHEN jsonb_typeof(${x} -> 'tz') = 'string' OR ${x} ->> 'val' ~ '(Z|[+-]00:00)$' ` +
    `THEN ${local} ELSE ${utc} END`;
  return `jsonb_build_object('_kind', '${seg}', 'val', ${text})`;
}
