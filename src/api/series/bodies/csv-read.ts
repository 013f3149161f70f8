/**
 * CSV request bodies (RFC 4180: quoted cells may hold commas, quotes and newlines; CRLF or LF).
 * A header row comes first. One series: two columns, time then value, whatever their names
 * (pandas writes the index name, e.g. `horodate,value`). Many series, long format: the declared
 * key columns by name, an optional `version` column, then the time and value columns in that
 * order. An empty value cell (or NaN, nan, null, NA) is missing. Blank lines are skipped.
 */
import { SeriesError } from "../../../series/errors.ts";
import { invalidInstant, quote, type ZoneClock } from "../../../series/instants.ts";
import type { KeyDecl, KeyValue, Points } from "../../../series/model.ts";
import { keyFromText } from "./keys.ts";
import { type Budget, ManyCollector, PointsBuilder } from "./points.ts";
import type { ManyItem } from "./types.ts";

interface Row {
  readonly cells: string[];
  /** Line of the row's first character, 1-based. */
  readonly line: number;
}

function bad(line: number, msg: string): SeriesError {
  return new SeriesError("invalid", `line ${line}: ${msg}`);
}

/** The rows of a CSV text, on char codes. */
export function* csvRows(text: string): Generator<Row> {
  const n = text.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const rowLine = line;
    const cells: string[] = [];
    let blank = true;
    for (;;) {
      let cell: string;
      if (text.charCodeAt(i) === 34 /* " */) {
        blank = false;
        const parts: string[] = [];
        let from = ++i;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q < 0) throw bad(rowLine, "unterminated quoted cell");
          for (let k = text.indexOf("\n", from); k >= 0 && k < q; k = text.indexOf("\n", k + 1)) line++;
          parts.push(text.slice(from, q));
          if (text.charCodeAt(q + 1) === 34) {
            parts.push('"');
            from = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        cell = parts.join("");
        const c = text.charCodeAt(i);
        if (i < n && c !== 44 && c !== 10 && c !== 13) {
          throw bad(line, `column ${cells.length + 1}: text after a closing quote`);
        }
      } else {
        const start = i;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === 44 || c === 10 || c === 13) break;
          if (c === 34) throw bad(line, `column ${cells.length + 1}: quote inside an unquoted cell`);
          i++;
        }
        cell = text.slice(start, i);
        if (cell !== "") blank = false;
      }
      cells.push(cell);
      if (i < n && text.charCodeAt(i) === 44) {
        blank = false;
        i++;
        continue;
      }
      break;
    }
    // End of row: CRLF, LF, a lone CR, or the end of the text.
    if (text.charCodeAt(i) === 13) i++;
    if (text.charCodeAt(i) === 10) i++;
    line++;
    if (!blank) yield { cells, line: rowLine };
  }
}

const MISSING = new Set(["", "nan", "NaN", "NAN", "null", "NULL", "NA"]);
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function cellValue(s: string, line: number): number {
  if (MISSING.has(s)) return Number.NaN;
  const v = NUMBER_RE.test(s) ? Number(s) : Number.NaN;
  if (!Number.isFinite(v)) throw bad(line, `invalid value "${quote(s)}"`);
  return v;
}

function cellTime(clock: ZoneClock, s: string, line: number): number {
  const t = clock.parse(s);
  if (Number.isNaN(t)) throw bad(line, invalidInstant(s).message);
  return t;
}

function header(rows: Generator<Row>): Row {
  const h = rows.next();
  if (h.done) throw new SeriesError("invalid", "CSV body has no header row");
  return h.value;
}

function checkWidth(row: Row, width: number): void {
  if (row.cells.length !== width) {
    throw bad(row.line, `expected ${width} cells as in the header, got ${row.cells.length}`);
  }
}

/** One series: `time,value` rows after a header. */
export function readCsvPoints(text: string, clock: ZoneClock, budget: Budget): Points {
  const rows = csvRows(text);
  const h = header(rows);
  if (h.cells.length !== 2) throw bad(h.line, `expected a header of two columns (time, value), got ${h.cells.length}`);
  // A first row that is data means the header is missing: say so rather than drop a point.
  if (!Number.isNaN(clock.parse(h.cells[0] as string)) && h.cells[0] !== "") {
    throw bad(h.line, "expected a header row (e.g. time,value), got data");
  }
  const b = new PointsBuilder(budget);
  for (const row of rows) {
    checkWidth(row, 2);
    b.push(cellTime(clock, row.cells[0] as string, row.line), cellValue(row.cells[1] as string, row.line));
  }
  return b.build();
}

interface Columns {
  readonly keys: readonly number[];
  readonly version: number;
  readonly time: number;
  readonly value: number;
  readonly width: number;
}

function manyColumns(h: Row, decls: readonly KeyDecl[]): Columns {
  const names = h.cells;
  const keys = decls.map((d) => {
    const at = names.indexOf(d.name);
    if (at < 0) throw bad(h.line, `key column "${d.name}" is missing from the header`);
    if (names.indexOf(d.name, at + 1) >= 0) throw bad(h.line, `column "${d.name}" appears twice`);
    return at;
  });
  const rest = names.map((_, i) => i).filter((i) => !keys.includes(i));
  const version = rest.find((i) => names[i] === "version") ?? -1;
  const tv = rest.filter((i) => i !== version);
  if (tv.length !== 2) {
    throw bad(
      h.line,
      `expected the key columns, optionally version, then time and value; got ${quote(names.join(","))}`,
    );
  }
  return { keys, version, time: tv[0] as number, value: tv[1] as number, width: names.length };
}

const VERSION_RE = /^\d{1,15}$/;

/** Many series in long format: key columns, optional version, time, value. */
export function readCsvMany(text: string, clock: ZoneClock, decls: readonly KeyDecl[], budget: Budget): ManyItem[] {
  const rows = csvRows(text);
  const cols = manyColumns(header(rows), decls);
  const many = new ManyCollector(decls, budget);
  for (const row of rows) {
    checkWidth(row, cols.width);
    const keys: Record<string, KeyValue> = {};
    decls.forEach((d, k) => {
      try {
        keys[d.name] = keyFromText(d, row.cells[cols.keys[k] as number] as string);
      } catch (e) {
        throw e instanceof SeriesError ? bad(row.line, e.message) : e;
      }
    });
    let version: number | undefined;
    if (cols.version >= 0) {
      const v = row.cells[cols.version] as string;
      if (v !== "" && !VERSION_RE.test(v)) throw bad(row.line, `invalid version "${quote(v)}"`);
      version = v === "" ? undefined : Number(v);
    }
    many
      .series(keys, version)
      .push(
        cellTime(clock, row.cells[cols.time] as string, row.line),
        cellValue(row.cells[cols.value] as string, row.line),
      );
  }
  return many.items();
}
