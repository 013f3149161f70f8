/**
 * Zinc reader (Zinc.fandoc, grammar of haxall's ZincReader): values, grids (ver 3.0 and 2.0) and
 * bare tag lists. Nesting is counted before each recursion, so hostile input fails with a
 * LimitError long before the JS stack is at risk.
 */
import {
  type HCol,
  HCoord,
  HDict,
  HGrid,
  HRef,
  type HRow,
  type HVal,
  HXStr,
  MARKER,
  NA,
  newTags,
  numVal,
  REMOVE,
} from "../../kinds/index.ts";
import { rowOf } from "../row-of.ts";
import { Tok, Tokenizer } from "../tokenizer.ts";
import { DEFAULT_LIMITS, type GridReader, type ReadLimits, type ValueReader } from "../types.ts";

/** Whatever the caller asks, recursion stays well inside any JS engine's stack. */
const HARD_MAX_DEPTH = 1_000;

function isTagNameStart(name: string): boolean {
  const c = name.charCodeAt(0);
  return (c >= 97 && c <= 122) || c === 95;
}

function isUpperStart(name: string): boolean {
  const c = name.charCodeAt(0);
  return c >= 65 && c <= 90;
}

class ZincParser {
  readonly t: Tokenizer;
  private depth = 0;
  private rowCount = 0;
  private ver = 3;
  private readonly maxDepth: number;
  private readonly maxRows: number;
  private readonly maxCols: number;

  constructor(text: string, limits: ReadLimits = {}) {
    this.t = new Tokenizer(text);
    this.maxDepth = Math.min(limits.maxDepth ?? DEFAULT_LIMITS.maxDepth, HARD_MAX_DEPTH);
    this.maxRows = limits.maxRows ?? DEFAULT_LIMITS.maxRows;
    this.maxCols = limits.maxCols ?? DEFAULT_LIMITS.maxCols;
    this.t.next();
    this.skipNl();
  }

  /** Top level: a grid when the text starts with `ver`, else one value; nothing may follow. */
  top(): HVal {
    const v = this.t.isId("ver") ? this.grid(false) : this.value();
    this.end();
    return v;
  }

  topGrid(): HGrid {
    if (!this.t.isId("ver")) throw this.t.error(`Expected grid 'ver' identifier, not ${this.t.describe()}`);
    const g = this.grid(false);
    this.end();
    return g;
  }

  topTags(): HDict {
    const d = this.tags(true, Tok.Eof);
    this.end();
    return d;
  }

  private end(): void {
    this.skipNl();
    if (!this.t.is(Tok.Eof)) throw this.t.error(`Expected end of input, not ${this.t.describe()}`);
  }

  private skipNl(): void {
    while (this.t.is(Tok.Nl)) this.t.next();
  }

  private expect(k: Tok, what: string): void {
    if (!this.t.is(k)) throw this.t.error(`Expected ${what}, not ${this.t.describe()}`);
    this.t.next();
  }

  private enter(): void {
    if (++this.depth > this.maxDepth) throw this.t.limitError(`Nesting deeper than ${this.maxDepth}`);
  }

  /** One value starting at the current token; leaves the token after it current. */
  value(): HVal {
    const t = this.t;
    switch (t.tok) {
      case Tok.Num:
      case Tok.Str:
      case Tok.Uri:
      case Tok.DateTime:
      case Tok.Date:
      case Tok.Time:
      case Tok.Symbol: {
        const v = t.val;
        t.next();
        return v;
      }
      case Tok.Ref: {
        const r = t.val as HRef;
        if (t.next() !== Tok.Str) return r;
        const dis = t.val as string;
        t.next();
        return new HRef(r.id, dis);
      }
      case Tok.Id:
        return this.idValue();
      case Tok.Minus:
        if (t.next() === Tok.Id && t.val === "INF") {
          t.next();
          return Number.NEGATIVE_INFINITY;
        }
        throw t.error(`Expected INF after '-', not ${t.describe()}`);
      case Tok.LBracket:
        return this.list();
      case Tok.LBrace: {
        this.enter();
        t.next();
        const d = this.tags(true, Tok.RBrace);
        this.expect(Tok.RBrace, "'}'");
        this.depth--;
        return d;
      }
      case Tok.Lt2:
        return this.grid(true);
      default:
        throw t.error(`Unexpected ${t.describe()}`);
    }
  }

  private idValue(): HVal {
    const t = this.t;
    const id = t.val as string;
    const at = t.start;
    if (t.next() === Tok.LParen) return this.call(id, at);
    switch (id) {
      case "N":
        return null;
      case "M":
        return MARKER;
      case "T":
        return true;
      case "F":
        return false;
      case "NA":
        return NA;
      case "R":
        return REMOVE;
      case "NaN":
        return Number.NaN;
      case "INF":
        return Number.POSITIVE_INFINITY;
      default:
        throw t.error(`Unexpected identifier ${JSON.stringify(id)}`, at);
    }
  }

  /** `Type("...")` XStr, `C(lat,lng)` Coord, or Zinc 2.0's unquoted `Bin(mime)`; current token is `(`. */
  private call(type: string, at: number): HVal {
    const t = this.t;
    if (!isUpperStart(type)) throw t.error(`Invalid XStr type ${JSON.stringify(type)}`, at);
    if (this.ver < 3 && type === "Bin" && t.peekChar() !== 34) return new HXStr("Bin", t.rawUntil(41));
    const k = t.next();
    if (k === Tok.Num && type === "C") {
      const lat = numVal(t.val as number);
      t.next();
      this.expect(Tok.Comma, "','");
      if (!t.is(Tok.Num)) throw t.error(`Expected Coord longitude, not ${t.describe()}`);
      const lng = numVal(t.val as number);
      t.next();
      this.expect(Tok.RParen, "')'");
      return new HCoord(lat, lng);
    }
    if (k !== Tok.Str) throw t.error(`Expected Str in ${type}(...), not ${t.describe()}`);
    const val = t.val as string;
    t.next();
    this.expect(Tok.RParen, "')'");
    return new HXStr(type, val);
  }

  private list(): HVal[] {
    const t = this.t;
    this.enter();
    t.next();
    this.skipNl();
    const out: HVal[] = [];
    while (!t.is(Tok.RBracket)) {
      out.push(this.value());
      this.skipNl();
      if (!t.is(Tok.Comma)) break;
      t.next();
      this.skipNl();
    }
    this.expect(Tok.RBracket, "']'");
    this.depth--;
    return out;
  }

  /**
   * `name` / `name:val` pairs. In braces and bare tag lists (`lenient`) commas and newlines may
   * separate them; grid and column meta use spaces only. Null values are dropped (no null tags).
   */
  private tags(lenient: boolean, close: Tok): HDict {
    const t = this.t;
    let tags: Record<string, HVal> | undefined;
    for (;;) {
      if (lenient) this.skipNl();
      if (!t.is(Tok.Id)) break;
      const name = t.val as string;
      if (!isTagNameStart(name)) throw t.error(`Invalid tag name ${JSON.stringify(name)}`);
      let v: HVal = MARKER;
      if (t.next() === Tok.Colon) {
        t.next();
        v = this.value();
      }
      if (v !== null) {
        tags ??= newTags();
        tags[name] = v;
      }
      if (lenient && t.is(Tok.Comma)) t.next();
    }
    if (lenient && !t.is(close)) throw t.error(`Expected tag name, not ${t.describe()}`);
    return tags ? HDict.unsafeOf(tags) : HDict.EMPTY;
  }

  private grid(nested: boolean): HGrid {
    const t = this.t;
    if (nested) {
      this.enter();
      if (t.next() === Tok.Nl) t.next();
    }
    if (!t.isId("ver")) throw t.error(`Expected grid 'ver' identifier, not ${t.describe()}`);
    t.next();
    this.expect(Tok.Colon, "':'");
    if (!t.is(Tok.Str)) throw t.error(`Expected version Str, not ${t.describe()}`);
    const outerVer = this.ver;
    if (t.val === "3.0") this.ver = 3;
    else if (t.val === "2.0") this.ver = 2;
    else throw t.error(`Unsupported version ${JSON.stringify(t.val)}`);
    t.next();
    const meta = this.tags(false, Tok.Nl);
    this.expect(Tok.Nl, "newline after grid meta");
    const cols = this.cols();
    const rows = this.rows(cols.length, nested);
    if (t.is(Tok.Nl)) t.next();
    if (nested) {
      this.expect(Tok.Gt2, "'>>'");
      this.depth--;
    }
    this.ver = outerVer;
    return new HGrid(meta, cols, rows);
  }

  private cols(): HCol[] {
    const t = this.t;
    const cols: HCol[] = [];
    // Rows are read by position, so a repeated name would leave a column no name can reach (and
    // row dicts would keep only the last): refused, as haxall's GridBuilder refuses it (finishCols).
    const seen = new Set<string>();
    while (t.is(Tok.Id)) {
      const name = t.val as string;
      if (!isTagNameStart(name)) throw t.error(`Invalid column name ${JSON.stringify(name)}`);
      if (seen.has(name)) throw t.error(`Duplicate column name ${JSON.stringify(name)}`);
      seen.add(name);
      if (cols.length >= this.maxCols) throw t.limitError(`More than ${this.maxCols} columns`);
      t.next();
      cols.push({ name, meta: this.tags(false, Tok.Comma) });
      if (!t.is(Tok.Comma)) break;
      t.next();
      if (!t.is(Tok.Id)) throw t.error(`Expected column name, not ${t.describe()}`);
    }
    if (cols.length === 0) throw t.error(`Expected column names, not ${t.describe()}`);
    if (t.is(Tok.Nl)) t.next();
    else if (!t.is(Tok.Eof) && !t.is(Tok.Gt2)) throw t.error(`Expected newline after columns, not ${t.describe()}`);
    return cols;
  }

  /** Rows until a blank line, the end, or `>>` of a nested grid. */
  private rows(n: number, nested: boolean): HRow[] {
    const t = this.t;
    const rows: HRow[] = [];
    // The row being read; each row is then copied out at its exact size by rowOf.
    const cells = new Array<HVal>(n);
    for (;;) {
      let k = t.tok;
      if (k === Tok.Nl || k === Tok.Eof || (nested && k === Tok.Gt2)) break;
      if (++this.rowCount > this.maxRows) throw t.limitError(`More than ${this.maxRows} rows`);
      for (let i = 0; ; ) {
        k = t.tok;
        cells[i] = k === Tok.Comma || k === Tok.Nl || k === Tok.Eof || (nested && k === Tok.Gt2) ? null : this.value();
        if (++i >= n) break;
        if (!t.is(Tok.Comma))
          throw t.error(`Expected ',' (row has fewer cells than ${n} columns), not ${t.describe()}`);
        if (i === n - 1) {
          t.next();
          continue;
        }
        // The separator and the commas right after it (empty cells: 85% of the Alpha building's
        // cells) go in one scan, never past the last cell so a surplus comma still fails as "end
        // of row" (building decode 4.1 -> 2.6 ms). Narrow grids (history) skip it.
        const run = t.commaRun(n - 1 - i);
        for (let j = 0; j < run; j++) cells[i++] = null;
      }
      rows.push(rowOf(cells, n));
      k = t.tok;
      if (k === Tok.Nl) t.next();
      else if (k !== Tok.Eof && !(nested && k === Tok.Gt2)) throw t.error(`Expected end of row, not ${t.describe()}`);
      else break;
    }
    return rows;
  }
}

/**
 * Reads one Zinc value: a scalar, list, dict, `<<grid>>`, or a whole grid when the text starts
 * with `ver:`. Anything after the value is an error.
 */
export function readZincValue(text: string, limits?: ReadLimits): HVal {
  return new ZincParser(text, limits).top();
}

/** Reads a Zinc grid (`ver:"3.0"` or `"2.0"`). */
export function readZincGrid(text: string, limits?: ReadLimits): HGrid {
  return new ZincParser(text, limits).topGrid();
}

/**
 * Reads a bare tag list such as `dis:"Site" site area:5000ft²` (haxall's readTags): names with
 * optional values, separated by spaces or commas.
 */
export function readZincTags(text: string, limits?: ReadLimits): HDict {
  return new ZincParser(text, limits).topTags();
}

export const ZINC_READER: GridReader & ValueReader = {
  readGrid: readZincGrid,
  readValue: readZincValue,
};
