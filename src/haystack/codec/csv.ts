/**
 * CSV writer (Csv.fandoc, RFC 4180). Lossy by design: the header row is the column display names
 * (`dis` column meta, else the name), grid meta and types are dropped. Cells: Marker is ✓, null
 * is empty, Ref is `@id dis`, Bool is `true`/`false`, Str and Uri are their raw text, everything
 * else its Zinc encoding. Fields holding a comma, quote, CR/LF or edge spaces are quoted.
 */
import { formatIso, type HCol, type HDict, type HGrid, type HRow, type HVal } from "../kinds/index.ts";
import { numberText } from "./json/common.ts";
import type { GridEncoder, GridWriter } from "./types.ts";
import { writeZincValue } from "./zinc/index.ts";

export interface CsvOptions {
  /** Record separator; RFC 4180 says CRLF (the default), haxall writes "\n". */
  readonly newline?: "\r\n" | "\n";
  /** Write the header row of column display names (default true). */
  readonly header?: boolean;
}

/** RFC 4180 field: quoted (inner quotes doubled) only when it has to be. */
export function csvField(s: string): string {
  const n = s.length;
  if (n === 0) return s;
  let quote = s.charCodeAt(0) === 32 || s.charCodeAt(n - 1) === 32;
  for (let i = 0; !quote && i < n; i++) {
    const c = s.charCodeAt(i);
    quote = c === 44 || c === 34 || c === 10 || c === 13;
  }
  if (!quote) return s;
  return `"${s.includes('"') ? s.replaceAll('"', '""') : s}"`;
}

/** The CSV text of one cell per Csv.fandoc (before quoting). */
export function csvCellText(v: HVal): string {
  switch (typeof v) {
    case "string":
      return v;
    case "boolean":
      return v ? "true" : "false";
    case "number":
      return numberText(v);
  }
  if (v === null) return "";
  if (Array.isArray(v)) return writeZincValue(v);
  const x = v as Exclude<HVal, null | boolean | string | number | readonly HVal[]>;
  switch (x.kind) {
    case "marker":
      return "\u2713";
    case "number":
      // Zinc has no unit on INF/-INF/NaN.
      return Number.isFinite(x.val) ? numberText(x.val) + x.unit : numberText(x.val);
    case "dateTime":
      return `${formatIso(x.ms, x.offset)} ${x.tz}`;
    case "ref":
      return x.dis === undefined ? `@${x.id}` : `@${x.id} ${x.dis}`;
    case "uri":
      return x.val;
    case "date":
    case "time":
      return x.toString();
    default:
      return writeZincValue(x);
  }
}

function headerText(c: HCol): string {
  const dis = c.meta.get("dis");
  return typeof dis === "string" ? dis : c.name;
}

class CsvEncoder implements GridEncoder {
  private width = 0;
  private readonly nl: string;
  private readonly header: boolean;

  constructor(opts: CsvOptions) {
    this.nl = opts.newline ?? "\r\n";
    this.header = opts.header ?? true;
  }

  begin(_meta: HDict, cols: readonly HCol[]): string {
    this.width = cols.length;
    return this.header ? cols.map((c) => csvField(headerText(c))).join(",") + this.nl : "";
  }

  row(cells: HRow): string {
    let s = "";
    for (let i = 0; i < this.width; i++) {
      const v = cells[i];
      if (i > 0) s += ",";
      // An empty Str is written `""` so it stays distinguishable from an empty (null) cell.
      if (v === "") s += '""';
      else if (v !== null && v !== undefined) s += csvField(csvCellText(v));
    }
    return s + this.nl;
  }

  end(): string {
    return "";
  }
}

/** A fresh incremental CSV encoder. */
export function csvEncoder(opts: CsvOptions = {}): GridEncoder {
  return new CsvEncoder(opts);
}

/** The whole grid as CSV text. */
export function writeCsvGrid(g: HGrid, opts: CsvOptions = {}): string {
  const enc = new CsvEncoder(opts);
  let s = enc.begin(g.meta, g.cols);
  for (const r of g.rows) s += enc.row(r);
  return s;
}

export const CSV_WRITER: GridWriter = {
  writeGrid: (g) => writeCsvGrid(g),
  encoder: () => csvEncoder(),
};
