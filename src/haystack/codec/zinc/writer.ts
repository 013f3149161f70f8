/**
 * Zinc writer (Zinc.fandoc; layout of haxall's ZincWriter). Grids are written row by row through
 * `zincEncoder()`, so a large grid can stream; `writeZincGrid` is the same text in one string.
 */
import { HaystackError } from "../../errors.ts";
import {
  formatIso,
  type HCol,
  type HDict,
  type HGrid,
  type HList,
  type HRow,
  type HVal,
  MARKER,
} from "../../kinds/index.ts";
import type { GridEncoder, GridWriter, ValueWriter } from "../types.ts";
import { ZincCellWriter } from "./cell-writer.ts";

type HObj = Exclude<HVal, null | boolean | string | number | HList>;

function numText(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Number.POSITIVE_INFINITY) return "INF";
  if (n === Number.NEGATIVE_INFINITY) return "-INF";
  // Exponent forms such as 1e+21 and 5e-7 are valid Zinc `<exp>`.
  return String(n);
}

function hex4(c: number): string {
  return `\\u${c.toString(16).padStart(4, "0")}`;
}

/** Escape of one UTF-16 unit inside a Str or Uri. */
function escapeUnit(c: number): string {
  switch (c) {
    case 10:
      return "\\n";
    case 13:
      return "\\r";
    case 9:
      return "\\t";
    case 8:
      return "\\b";
    case 12:
      return "\\f";
    case 34:
      return '\\"';
    case 92:
      return "\\\\";
    default:
      return hex4(c);
  }
}

/** Whether `s[i]` is the high half of a valid surrogate pair (kept raw; lone halves are escaped). */
function isPairStart(s: string, i: number, c: number): boolean {
  if (c < 0xd800 || c > 0xdbff) return false;
  const d = s.charCodeAt(i + 1);
  return d >= 0xdc00 && d <= 0xdfff;
}

function needsStrEscape(c: number): boolean {
  return c < 0x20 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff);
}

/** Zinc Str literal with quotes. Control chars, `"`, `\` and lone surrogates are escaped. */
export function zincStr(s: string): string {
  let i = 0;
  const n = s.length;
  while (i < n && !needsStrEscape(s.charCodeAt(i))) i++;
  if (i === n) return `"${s}"`;
  let out = '"';
  let chunk = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (!needsStrEscape(c)) continue;
    if (isPairStart(s, i, c)) {
      i++;
      continue;
    }
    out += s.slice(chunk, i) + escapeUnit(c);
    chunk = i + 1;
  }
  return `${out}${s.slice(chunk)}"`;
}

/** Uri escapes a reader keeps verbatim as backslash + char (Zinc `<uriEscChar>`), except `\\`. */
const URI_KEPT = new Set([":", "/", "?", "#", "[", "]", "@", "&", "=", ";"].map((c) => c.charCodeAt(0)));

/**
 * Zinc Uri literal. A backslash before a kept escape char (`\#`) stays verbatim, as readers keep
 * it; any other backslash is written `\u005c` so no reader can take it as an escape.
 */
export function zincUri(s: string): string {
  let out = "`";
  let chunk = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) {
      out += s.slice(chunk, i);
      if (URI_KEPT.has(s.charCodeAt(i + 1))) {
        out += s.slice(i, i + 2);
        i++;
      } else {
        out += "\\u005c";
      }
      chunk = i + 1;
    } else if (c === 96 || c < 0x20 || (c >= 0xd800 && c <= 0xdfff)) {
      if (isPairStart(s, i, c)) {
        i++;
        continue;
      }
      out += s.slice(chunk, i) + (c === 96 ? "\\`" : escapeUnit(c));
      chunk = i + 1;
    }
  }
  return `${out}${s.slice(chunk)}\``;
}

function isTagName(name: string): boolean {
  const c0 = name.charCodeAt(0);
  // A lone `_` is not an identifier to the tokenizer (`_` must be followed by an id char).
  if (!((c0 >= 97 && c0 <= 122) || (c0 === 95 && name.length > 1))) return false;
  for (let i = 1; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95)) return false;
  }
  return true;
}

function checkName(name: string): string {
  if (!isTagName(name)) throw new HaystackError("invalid_value", `Zinc cannot write tag name ${JSON.stringify(name)}`);
  return name;
}

/** ` name` / ` name:val` for each tag (grid and column meta); dict bodies drop the first space. */
function metaText(d: HDict): string {
  let out = "";
  const tags = d.toObject();
  for (const name in tags) {
    const v = tags[name] as HVal;
    out += v === MARKER ? ` ${checkName(name)}` : ` ${checkName(name)}:${zincVal(v)}`;
  }
  return out;
}

function objText(v: HObj): string {
  switch (v.kind) {
    case "dateTime":
      return `${formatIso(v.ms, v.offset)} ${v.tz}`;
    case "number":
      return Number.isFinite(v.val) ? String(v.val) + v.unit : numText(v.val);
    case "marker":
      return "M";
    case "ref":
      return v.dis === undefined ? `@${v.id}` : `@${v.id} ${zincStr(v.dis)}`;
    case "na":
      return "NA";
    case "remove":
      return "R";
    case "uri":
      return zincUri(v.val);
    case "symbol":
      return `^${v.val}`;
    case "date":
    case "time":
      return v.toString();
    case "coord":
      return `C(${numText(v.lat)},${numText(v.lng)})`;
    case "xstr":
      return `${v.type}(${zincStr(v.val)})`;
    case "dict":
      return `{${metaText(v).slice(1)}}`;
    case "grid":
      return `<<\n${writeZincGrid(v)}>>`;
  }
}

function zincVal(v: HVal): string {
  switch (typeof v) {
    case "number":
      return numText(v);
    case "string":
      return zincStr(v);
    case "boolean":
      return v ? "T" : "F";
  }
  if (v === null) return "N";
  if (Array.isArray(v)) {
    let out = "[";
    for (let i = 0; i < v.length; i++) out += i === 0 ? zincVal(v[i] as HVal) : `,${zincVal(v[i] as HVal)}`;
    return `${out}]`;
  }
  return objText(v as HObj);
}

/**
 * Writes one value as Zinc: `N`, `T`, `72.5°F`, `"a\"b"`, `@id "dis"`, `2024-01-01T00:00:00-05:00 New_York`,
 * `[1,2]`, `{site dis:"A"}`, `<<...>>`. INF/-INF/NaN are written without their unit (the grammar has none).
 */
export function writeZincValue(v: HVal): string {
  return zincVal(v);
}

function headerText(meta: HDict, cols: readonly HCol[]): string {
  let out = `ver:"3.0"${metaText(meta)}\n`;
  if (cols.length === 0) return `${out}empty\n`;
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i] as HCol;
    out += (i === 0 ? "" : ",") + checkName(c.name) + metaText(c.meta);
  }
  return `${out}\n`;
}

/** One cell into `w`; the types of history grids skip building strings. */
function writeCell(w: ZincCellWriter, v: HVal): void {
  if (typeof v === "number") {
    if (Number.isFinite(v)) w.number(v);
    else w.str(numText(v));
    return;
  }
  if (typeof v === "object" && v !== null) {
    const o = v as HObj; // a list has no `kind`, so it falls through to zincVal
    if (o.kind === "dateTime") {
      w.dateTime(o);
      return;
    }
    if (o.kind === "number") {
      // No `Number.isFinite(o.val)` here: a load of the double through `o` boxed it.
      w.quantity(o);
      return;
    }
  }
  w.str(zincVal(v));
}

/** One row line. A lone null cell is `N`: an empty line would end the grid. */
function writeRow(w: ZincCellWriter, cells: HRow, n: number): void {
  const first = cells[0] ?? null;
  if (first !== null) writeCell(w, first);
  else if (n <= 1) w.byte(78);
  for (let i = 1; i < n; i++) {
    w.byte(44);
    const v = cells[i] ?? null;
    if (v !== null) writeCell(w, v);
  }
  w.byte(10);
}

// One spare buffer reused across calls: allocating megabytes of ArrayBuffer per grid makes V8
// schedule extra full GCs. Nested grids find it taken and use their own. Huge buffers are dropped.
let spare: ZincCellWriter | null = null;
const MAX_SPARE_BYTES = 8 << 20;

/** Writes a grid as Zinc 3.0 text; every row ends with "\n". A grid with no columns gets `empty`. */
export function writeZincGrid(g: HGrid): string {
  const n = g.cols.length;
  // ~24 bytes a cell fits a history grid (ts + value) without regrowing.
  const estimate = 256 + g.rows.length * Math.max(1, n) * 24;
  const w = spare ?? new ZincCellWriter(estimate);
  spare = null;
  try {
    w.reset();
    w.reserve(estimate);
    w.str(headerText(g.meta, g.cols));
    // Indexed: the for-of iterator was not always optimised away (40 bytes a row of young garbage).
    const rows = g.rows;
    // Rows of history kinds take hisRow; once it has declined 8 rows the grid is taken not to be one.
    let declined = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as HRow;
      if (declined < 8 && w.hisRow(row, n)) continue;
      declined++;
      writeRow(w, row, n);
    }
    return w.text();
  } finally {
    if (w.capacity <= MAX_SPARE_BYTES) spare = w;
  }
}

class ZincEncoder implements GridEncoder {
  private n = 0;
  private readonly w = new ZincCellWriter();
  begin(meta: HDict, cols: readonly HCol[]): string {
    this.n = cols.length;
    return headerText(meta, cols);
  }
  row(cells: HRow): string {
    this.w.reset();
    if (!this.w.hisRow(cells, this.n)) writeRow(this.w, cells, this.n);
    return this.w.text();
  }
  rowBytes(rows: readonly HRow[]): Uint8Array {
    const w = this.w;
    w.reset();
    for (let i = 0; i < rows.length; i++) {
      const cells = rows[i] as HRow;
      if (!w.hisRow(cells, this.n)) writeRow(w, cells, this.n);
    }
    return w.bytes();
  }
  end(): string {
    return "";
  }
}

/** A fresh incremental Zinc encoder: `begin` + each `row` + `end` concatenate to `writeZincGrid`. */
export function zincEncoder(): GridEncoder {
  return new ZincEncoder();
}

export const ZINC_WRITER: GridWriter & ValueWriter = {
  writeGrid: writeZincGrid,
  encoder: zincEncoder,
  writeValue: writeZincValue,
};
