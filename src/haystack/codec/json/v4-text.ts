/**
 * JSON v4 (Hayson) text straight to Haystack values, without `JSON.parse`'s intermediate objects:
 * history-grid shapes (`_kind` first, `val`/`tz`/`unit` members, rows keyed in column order) are
 * read in place with interned zone names and units; anything unusual (a `_kind` that is not the
 * first key, rows before cols) is handed to `JSON.parse` + the generic converter for that object
 * only. Strict JSON: syntax errors are ParseErrors at the offending character.
 */
import { LimitError, positionOf } from "../../errors.ts";
import { ISO, scanIso } from "../../kinds/datetime.ts";
import {
  type HCol,
  HDateTime,
  HDict,
  HGrid,
  type HRow,
  type HVal,
  MARKER,
  NA,
  newTags,
  num,
  REMOVE,
} from "../../kinds/index.ts";
import { rowOf } from "../row-of.ts";
import { type Ctx, isTagName, knownTz, toReadErrorAt, withPath } from "./common.ts";
import { parseJsonText, skipValue } from "./scan.ts";
import { KeyTable } from "./text-scan.ts";
import { HaysonCells } from "./v4-cells.ts";
import { cols4, type JsonObj, obj4, val4 } from "./v4-convert.ts";

const KIND_KEY = '"_kind"';
const KIND_NAMES = ["dateTime", "number", "marker", "ref"];
const KINDS = KIND_NAMES.map((k) => `"${k}"`);

/** Thrown to abandon the fast path for the object starting at `start`. */
class Fallback {
  constructor(readonly start: number) {}
}

export class HaysonText extends HaysonCells {
  constructor(
    s: string,
    private readonly ctx: Ctx,
  ) {
    super(s);
  }

  /** The whole text as one value. */
  top(): HVal {
    const v = this.value(0);
    if (this.ws() < this.s.length) throw this.err("unexpected text after the JSON value");
    return v;
  }

  /** Refuses a container at `depth` beyond the limit, before recursing into it. */
  private depth(depth: number, at = this.pos): void {
    if (depth >= this.ctx.maxDepth) {
      throw new LimitError(`nesting deeper than ${this.ctx.maxDepth}`, positionOf(this.s, at));
    }
  }

  value(depth: number): HVal {
    const c = this.s.charCodeAt(this.ws());
    switch (c) {
      case 34:
        return this.str();
      case 123: {
        const fast = this.fastCell();
        return fast !== undefined ? fast : this.obj(depth);
      }
      case 91:
        return this.arr(depth);
      case 116:
        return this.lit("true", true);
      case 102:
        return this.lit("false", false);
      case 110:
        return this.lit("null", null);
    }
    if (c === 45 || (c >= 48 && c <= 57)) return this.num();
    throw this.err(this.pos >= this.s.length ? "unexpected end of input" : "unexpected character");
  }

  private arr(depth: number): HVal[] {
    this.depth(depth);
    this.pos++;
    const out: HVal[] = [];
    if (this.s.charCodeAt(this.ws()) === 93) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      const c = this.s.charCodeAt(this.ws());
      this.pos++;
      if (c === 93) return out;
      if (c !== 44) throw this.err("expected ',' or ']'", this.pos - 1);
    }
  }

  obj(depth: number): HVal {
    const start = this.pos;
    try {
      return this.objFast(depth, start);
    } catch (e) {
      if (!(e instanceof Fallback) || e.start !== start) throw e;
    }
    return this.objSlow(depth, start);
  }

  /** Hands one object to JSON.parse + the generic converter (a `_kind` after other keys). */
  private objSlow(depth: number, start: number): HVal {
    let end = this.s.length;
    try {
      end = skipValue(this.s, start);
    } catch {
      // unterminated: JSON.parse below fails and the validator reports where
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(this.s.slice(start, end));
    } catch {
      parseJsonText(this.s); // throws the first syntax error of the text, which is at or after `start`
      throw this.err("invalid object", start);
    }
    try {
      const v = val4(parsed, this.ctx, depth);
      this.pos = end;
      return v;
    } catch (e) {
      throw toReadErrorAt(e, this.s, start);
    }
  }

  private objFast(depth: number, start: number): HVal {
    this.pos++;
    const c = this.s.charCodeAt(this.ws());
    if (c === 125) {
      this.depth(depth, start);
      this.pos++;
      return HDict.EMPTY;
    }
    if (!this.keyIs(KIND_KEY)) {
      this.depth(depth, start);
      return this.members(depth, start);
    }
    if (this.s.charCodeAt(this.ws()) !== 34) throw new Fallback(start);
    const kind = this.kind();
    switch (kind) {
      case "dateTime":
        return this.dateTime(start);
      case "number":
        return this.number(start);
      case "grid":
        this.depth(depth, start);
        return this.grid(depth, start);
      case "dict":
        this.depth(depth, start);
        return this.more() ? this.members(depth, start) : HDict.EMPTY;
      case "marker":
      case "na":
      case "remove":
        if (this.more()) this.fields();
        return kind === "marker" ? MARKER : kind === "na" ? NA : REMOVE;
    }
    const f = this.more() ? this.fields() : (newTags() as JsonObj);
    f._kind = kind;
    try {
      return obj4(f, this.ctx, depth);
    } catch (e) {
      throw toReadErrorAt(e, this.s, start);
    }
  }

  /** The `_kind` string; the common ones are matched in place rather than sliced out. */
  private kind(): string {
    const s = this.s;
    const at = this.pos;
    for (let i = 0; i < KINDS.length; i++) {
      const k = KINDS[i] as string;
      if (s.startsWith(k, at)) {
        this.pos = at + k.length;
        return KIND_NAMES[i] as string;
      }
    }
    return this.str();
  }

  /** The remaining members of a typed object, values converted (scalars come out as in JSON). */
  private fields(): JsonObj {
    const f = newTags() as JsonObj;
    do {
      const k = this.key();
      f[k] = this.raw();
    } while (this.more());
    return f;
  }

  /**
   * The members of a dict whose `{` is consumed (`skip`: a key to leave out, like meta `ver`); a
   * `_kind` other than "dict" among them falls back.
   */
  private members(depth: number, start: number, skip?: string): HDict {
    const tags = newTags();
    let any = false;
    do {
      const k = this.key();
      if (k === "_kind") {
        if (this.raw() !== "dict") throw new Fallback(start);
        continue;
      }
      // Skipped keys are read as plain JSON, unconverted, as the converter ignores them too.
      if (k === skip || !isTagName(k)) {
        this.raw();
        continue;
      }
      const v = this.value(depth + 1);
      if (v === null) continue;
      tags[k] = v;
      any = true;
    } while (this.more());
    return any ? HDict.unsafeOf(tags) : HDict.EMPTY;
  }

  private dateTime(start: number): HDateTime {
    let ms = Number.NaN;
    let offset = 0;
    let tz: string | null = null;
    const s = this.s;
    while (this.more()) {
      if (this.keyIs('"val"')) {
        const at = this.ws();
        const end = s.charCodeAt(at) === 34 ? scanIso(s, at + 1) : -1;
        if (end < 0 || s.charCodeAt(end) !== 34) throw this.err("invalid dateTime val", at);
        ms = ISO.ms;
        offset = ISO.offset;
        this.pos = end + 1;
      } else if (this.keyIs('"tz"')) {
        const at = this.ws();
        if (s.charCodeAt(at) === 110) this.lit("null", null);
        else {
          if (s.charCodeAt(at) !== 34) throw this.err("dateTime tz must be a string", at);
          const t = this.internedStr(this.tzs, knownTz);
          if (t === undefined)
            throw this.err(`unknown time zone ${JSON.stringify(this.s.slice(at + 1, this.pos - 1))}`, at);
          tz = t;
        }
      } else {
        this.key();
        this.raw();
      }
    }
    if (Number.isNaN(ms)) throw this.err("dateTime without val", start);
    // Json.fandoc says a missing tz means GMT; we read it as UTC (same instant and offset).
    return tz === null ? new HDateTime(ms, "UTC", 0) : new HDateTime(ms, tz, offset);
  }

  private number(start: number): HVal {
    let v = Number.NaN;
    let seen = false;
    let unit: string | null = null;
    const s = this.s;
    while (this.more()) {
      if (this.keyIs('"val"')) {
        const at = this.ws();
        const c = s.charCodeAt(at);
        if (c === 34) {
          const t = this.str();
          if (t === "INF") v = Number.POSITIVE_INFINITY;
          else if (t === "-INF") v = Number.NEGATIVE_INFINITY;
          else if (t === "NaN") v = Number.NaN;
          else throw this.err(`invalid number val ${JSON.stringify(t)}`, at);
        } else if (c === 45 || (c >= 48 && c <= 57)) {
          v = this.num();
        } else {
          throw this.err("invalid number val", at);
        }
        seen = true;
      } else if (this.keyIs('"unit"')) {
        const at = this.ws();
        if (s.charCodeAt(at) === 110) this.lit("null", null);
        else if (s.charCodeAt(at) === 34) unit = this.internedStr(this.units) ?? null;
        else throw this.err("number unit must be a string", at);
      } else {
        this.key();
        this.raw();
      }
    }
    if (!seen) throw this.err("number without val", start);
    return num(v, unit);
  }

  /** A grid: meta, then cols, then rows read straight into cell arrays. */
  private grid(depth: number, start: number): HGrid {
    let meta = HDict.EMPTY;
    let cols: HCol[] | undefined;
    let rows: HRow[] = [];
    while (this.more()) {
      if (this.keyIs('"meta"')) {
        meta = this.meta(depth + 1);
      } else if (this.keyIs('"cols"')) {
        cols = this.cols(depth, start);
      } else if (this.keyIs('"rows"')) {
        if (!cols) throw new Fallback(start);
        rows = this.rows(depth, cols);
      } else {
        this.key();
        this.raw();
      }
    }
    if (!cols) throw this.err("grid without cols", start);
    return new HGrid(meta, cols, rows);
  }

  /** Grid meta: a dict without `ver`, or null. */
  private meta(depth: number): HDict {
    const s = this.s;
    const at = this.ws();
    if (s.charCodeAt(at) === 110) return this.lit("null", HDict.EMPTY);
    if (s.charCodeAt(at) !== 123) throw this.err("grid meta must be an object", at);
    this.depth(depth, at);
    this.pos++;
    if (s.charCodeAt(this.ws()) === 125) {
      this.pos++;
      return HDict.EMPTY;
    }
    return this.members(depth, at, "ver");
  }

  /**
   * Column objects are few: read as plain JSON and converted like v4-convert does (which refuses a
   * name given twice). Errors are located from the grid's start, so they read `$.cols[1].name`.
   */
  private cols(depth: number, gridStart: number): HCol[] {
    const raw = this.raw();
    try {
      return cols4(raw, this.ctx, depth)[0];
    } catch (e) {
      throw toReadErrorAt(withPath(e, "cols"), this.s, gridStart);
    }
  }

  private rows(depth: number, cols: readonly HCol[]): HRow[] {
    const s = this.s;
    const at = this.ws();
    if (s.charCodeAt(at) !== 91) throw this.err("grid rows must be an array", at);
    this.pos++;
    const rows: HRow[] = [];
    if (s.charCodeAt(this.ws()) === 93) {
      this.pos++;
      return rows;
    }
    const n = cols.length;
    const keys = cols.map((c) => JSON.stringify(c.name));
    const keysColon = keys.map((k) => `${k}:`);
    const index = new Map(cols.map((c, i) => [c.name, i]));
    const table = new KeyTable(keysColon, index.values());
    // The column whose key followed column i last time (slot n: the first key of a row): rows of
    // one entity type repeat their key order, whatever order the columns are in.
    const after = new Int32Array(n + 1).fill(-1);
    const ctx = this.ctx;
    // The row being read, copied out at its exact size by rowOf.
    const cells = new Array<HVal>(n);
    do {
      const rowAt = this.ws();
      if (s.charCodeAt(rowAt) !== 123) throw this.err("grid row must be an object", rowAt);
      if (++ctx.rows > ctx.maxRows) throw new LimitError(`more than ${ctx.maxRows} rows`, positionOf(s, rowAt));
      this.pos++;
      cells.fill(null);
      if (s.charCodeAt(this.ws()) === 125) this.pos++;
      else {
        let prev = n;
        do {
          let c = after[prev] as number;
          const at = this.ws();
          const guess = c >= 0 ? keysColon[c] : undefined;
          if (guess !== undefined && s.startsWith(guess, at)) {
            this.pos += guess.length;
          } else {
            c = table.find(s, at);
            if (c >= 0) this.pos = at + (keysColon[c] as string).length;
            else {
              const name = this.key();
              c = index.get(name) ?? -1;
              if (c < 0) throw this.err(`row has no column '${name}'`, at);
            }
            after[prev] = c;
          }
          prev = c;
          cells[c] = this.value(depth + 1);
        } while (this.more());
      }
      rows.push(rowOf(cells, n));
    } while (this.moreItems());
    return rows;
  }
}
