/**
 * JSON v4 (Hayson) writer. Text is built as UTF-8 bytes (see ../utf8-writer.ts) with the constant parts of
 * each kind pre-encoded; grids write one row object per line, null cells omitted, and meta always
 * starts with `ver:"3.0"` (a `ver` tag of the meta itself is not written twice).
 */
import type { HCol, HDict, HGrid, HRow, HVal } from "../../kinds/index.ts";
import type { GridEncoder } from "../types.ts";
import { bytesOf, Utf8Writer } from "../utf8-writer.ts";
import { quote } from "./common.ts";
import { DT_OPEN, DT_TZ, MARKER_J, NUM_OPEN, NUM_UNIT, quotedBytes, type RowOut, row, rowOut } from "./v4-rows.ts";

type HObj = Exclude<HVal, null | boolean | string | number | readonly HVal[]>;

const NULL = bytesOf("null");
const TRUE = bytesOf("true");
const FALSE = bytesOf("false");
const NA_J = bytesOf('{"_kind":"na"}');
const REMOVE_J = bytesOf('{"_kind":"remove"}');
const SPECIAL_NAN = bytesOf('"NaN"');
const SPECIAL_INF = bytesOf('"INF"');
const SPECIAL_NINF = bytesOf('"-INF"');
const REF_OPEN = bytesOf('{"_kind":"ref","val":');
const REF_DIS = bytesOf(',"dis":');
const DATE_OPEN = bytesOf('{"_kind":"date","val":"');
const TIME_OPEN = bytesOf('{"_kind":"time","val":"');
const URI_OPEN = bytesOf('{"_kind":"uri","val":');
const SYMBOL_OPEN = bytesOf('{"_kind":"symbol","val":');
const COORD_OPEN = bytesOf('{"_kind":"coord","lat":');
const COORD_LNG = bytesOf(',"lng":');
const XSTR_OPEN = bytesOf('{"_kind":"xstr","type":');
const XSTR_VAL = bytesOf(',"val":');
const GRID_OPEN = bytesOf('{"_kind":"grid","meta":{"ver":"3.0"');
const GRID_COLS = bytesOf('},"cols":[');
const GRID_ROWS = bytesOf('],"rows":[');
const COL_NAME = bytesOf('{"name":');
const COL_META = bytesOf(',"meta":');
const ROWS_END = bytesOf("\n]}");
const EMPTY_ROWS_END = bytesOf("]}");

/** One-entry memo in front of `quotedBytes` (a column's zone or unit rarely changes). */
class Memo {
  private s = "";
  private b: Uint8Array = bytesOf('""');
  get(s: string): Uint8Array {
    if (s !== this.s) {
      this.b = quotedBytes(s);
      this.s = s;
    }
    return this.b;
  }
}

const tzMemo = new Memo();
const unitMemo = new Memo();

function special(w: Utf8Writer, n: number): void {
  w.raw(Number.isNaN(n) ? SPECIAL_NAN : n > 0 ? SPECIAL_INF : SPECIAL_NINF);
}

/** Writes any value. */
export function writeVal(w: Utf8Writer, v: HVal): void {
  switch (typeof v) {
    case "string":
      w.quoted(v);
      return;
    case "number":
      if (Number.isFinite(v)) w.number(v);
      else {
        w.raw(NUM_OPEN);
        special(w, v);
        w.byte(125);
      }
      return;
    case "boolean":
      w.raw(v ? TRUE : FALSE);
      return;
  }
  if (v === null) {
    w.raw(NULL);
    return;
  }
  if (Array.isArray(v)) {
    w.byte(91);
    for (let i = 0; i < v.length; i++) {
      if (i > 0) w.byte(44);
      writeVal(w, v[i] ?? null);
    }
    w.byte(93);
    return;
  }
  writeObj(w, v as HObj);
}

function writeObj(w: Utf8Writer, x: HObj): void {
  switch (x.kind) {
    case "dateTime":
      w.raw(DT_OPEN);
      w.iso(x.ms, x.offset);
      w.raw(DT_TZ);
      w.raw(tzMemo.get(x.tz));
      w.byte(125);
      return;
    case "number":
      w.raw(NUM_OPEN);
      if (Number.isFinite(x.val)) w.number(x.val);
      else special(w, x.val);
      w.raw(NUM_UNIT);
      w.raw(unitMemo.get(x.unit));
      w.byte(125);
      return;
    case "marker":
      w.raw(MARKER_J);
      return;
    case "na":
      w.raw(NA_J);
      return;
    case "remove":
      w.raw(REMOVE_J);
      return;
    case "ref":
      w.raw(REF_OPEN);
      w.quoted(x.id);
      if (x.dis !== undefined) {
        w.raw(REF_DIS);
        w.quoted(x.dis);
      }
      w.byte(125);
      return;
    case "date":
    case "time":
      w.raw(x.kind === "date" ? DATE_OPEN : TIME_OPEN);
      w.str(x.toString());
      w.byte(34);
      w.byte(125);
      return;
    case "uri":
    case "symbol":
      w.raw(x.kind === "uri" ? URI_OPEN : SYMBOL_OPEN);
      w.quoted(x.val);
      w.byte(125);
      return;
    case "coord":
      w.raw(COORD_OPEN);
      w.number(x.lat);
      w.raw(COORD_LNG);
      w.number(x.lng);
      w.byte(125);
      return;
    case "xstr":
      w.raw(XSTR_OPEN);
      w.quoted(x.type);
      w.raw(XSTR_VAL);
      w.quoted(x.val);
      w.byte(125);
      return;
    case "dict":
      w.byte(123);
      tags(w, x, true);
      w.byte(125);
      return;
    case "grid":
      writeGrid(w, x);
      return;
  }
}

/** `"name":value` pairs of a dict; `first` when nothing precedes them in the object. */
function tags(w: Utf8Writer, d: HDict, first: boolean, skipVer = false): void {
  const t = d.toObject();
  for (const k in t) {
    if (skipVer && k === "ver") continue;
    if (!first) w.byte(44);
    first = false;
    w.quoted(k);
    w.byte(58);
    writeVal(w, t[k] ?? null);
  }
}

/** Grid header through `"rows":[`. */
function header(w: Utf8Writer, meta: HDict, cols: readonly HCol[]): void {
  w.raw(GRID_OPEN);
  tags(w, meta, false, true);
  w.raw(GRID_COLS);
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i] as HCol;
    if (i > 0) w.byte(44);
    w.raw(COL_NAME);
    w.quoted(c.name);
    if (!c.meta.isEmpty()) {
      w.raw(COL_META);
      w.byte(123);
      tags(w, c.meta, true);
      w.byte(125);
    }
    w.byte(125);
  }
  w.raw(GRID_ROWS);
}

function writeGrid(w: Utf8Writer, g: HGrid): void {
  header(w, g.meta, g.cols);
  const out = rowOut(g.cols);
  const rows = g.rows;
  for (let i = 0; i < rows.length; i++) row(w, rows[i] as HRow, i, out, writeVal);
  w.raw(rows.length === 0 ? EMPTY_ROWS_END : ROWS_END);
}

// One spare buffer reused across calls: allocating megabytes per grid costs extra full GCs.
let spare: Utf8Writer | null = null;
const MAX_SPARE = 32 << 20;

function withWriter(capacity: number, f: (w: Utf8Writer) => void): string {
  const w = spare ?? new Utf8Writer(capacity);
  spare = null;
  try {
    w.reset();
    w.reserve(capacity);
    f(w);
    return w.text();
  } finally {
    if (w.buf.length <= MAX_SPARE) spare = w;
  }
}

/** JSON v4 text of a value (`writeJsonValue(num(5, "kW"))` is `{"_kind":"number","val":5,"unit":"kW"}`). */
export function writeJsonValue(v: HVal): string {
  return withWriter(256, (w) => writeVal(w, v));
}

/**
 * Text is decoded in pieces of about this many bytes and joined as a rope: one TextDecoder call
 * over a whole large grid allocates its string in V8's large-object space, and the Alpha building
 * (0.9 MB) then decoded in 6.6 ms against 0.95 ms in 32 KB pieces (Node 20); pieces also keep the
 * byte buffer small. JSON.stringify also returns a rope for large outputs.
 */
const PIECE = 32 << 10;

/** ASCII bytes a piece must hold before a non-ASCII string may end it (see TextWriter). */
const MIN_RUN = 256;

function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return true;
  return false;
}

/**
 * The grid writer's buffer, turned into text piece by piece. A string with non-ASCII chars ends
 * the piece and joins the text as it is: V8's UTF-8 decoder copies ASCII about 7x faster than it
 * decodes what follows a piece's first multi-byte char, and entity grids carry a few such strings
 * (units like `°F`) per KB. Only after MIN_RUN bytes, so text full of them is not cut into tiny
 * pieces.
 */
class TextWriter extends Utf8Writer {
  private out = "";

  override quoted(s: string): void {
    const start = this.n;
    super.quoted(s);
    // One byte a char plus the quotes: plain ASCII, the usual case.
    if (this.n - start === s.length + 2 || start < MIN_RUN || !hasNonAscii(s)) return;
    this.n = start;
    this.out += this.text();
    this.out += quote(s);
    this.n = 0;
  }

  override reset(): void {
    super.reset();
    this.out = "";
  }

  /** Ends the piece at a row boundary. */
  flush(): void {
    this.out += this.text();
    this.n = 0;
  }

  /** All the text written, and a fresh start. */
  take(): string {
    this.flush();
    const s = this.out;
    this.out = "";
    return s;
  }
}

// The grid writer's own spare: a TextWriter's strings must not go astray in writeJsonValue.
let spareText: TextWriter | null = null;

/** JSON v4 text of a grid: meta `ver:"3.0"` first, one row object per line, null cells omitted. */
export function writeJsonGrid(g: HGrid): string {
  const w = spareText ?? new TextWriter(PIECE * 2);
  spareText = null;
  try {
    w.reset();
    header(w, g.meta, g.cols);
    const out = rowOut(g.cols);
    const rows = g.rows;
    for (let i = 0; i < rows.length; i++) {
      row(w, rows[i] as HRow, i, out, writeVal);
      if (w.n >= PIECE) w.flush();
    }
    w.raw(rows.length === 0 ? EMPTY_ROWS_END : ROWS_END);
    return w.take();
  } finally {
    if (w.buf.length <= MAX_SPARE) spareText = w;
  }
}

class Json4Encoder implements GridEncoder {
  private readonly w = new Utf8Writer(4096);
  private out: RowOut = rowOut([]);
  private count = 0;

  begin(meta: HDict, cols: readonly HCol[]): string {
    this.out = rowOut(cols);
    this.count = 0;
    this.w.reset();
    header(this.w, meta, cols);
    return this.w.text();
  }

  row(cells: HRow): string {
    this.w.reset();
    row(this.w, cells, this.count++, this.out, writeVal);
    return this.w.text();
  }

  rowBytes(rows: readonly HRow[]): Uint8Array {
    this.w.reset();
    for (let i = 0; i < rows.length; i++) row(this.w, rows[i] as HRow, this.count++, this.out, writeVal);
    return this.w.bytes();
  }

  end(): string {
    return this.count === 0 ? "]}" : "\n]}";
  }
}

/** A fresh incremental JSON v4 grid encoder; its pieces concatenate to `writeJsonGrid`. */
export function jsonEncoder(): GridEncoder {
  return new Json4Encoder();
}
