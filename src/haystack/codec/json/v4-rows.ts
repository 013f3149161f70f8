/**
 * JSON v4 grid rows as bytes. History cells (dateTime, number with unit) are three copies of
 * pre-encoded pieces around two digit runs; pieces that meet on every row are joined once.
 */
import { type HCol, HDateTime, HNumber, HRef, type HRow, type HVal, MARKER } from "../../kinds/index.ts";
import { bytesOf, type Utf8Writer } from "../utf8-writer.ts";

export const MARKER_J = bytesOf('{"_kind":"marker"}');
export const DT_OPEN = bytesOf('{"_kind":"dateTime","val":"');
export const DT_TZ = bytesOf('","tz":');
export const NUM_OPEN = bytesOf('{"_kind":"number","val":');
export const NUM_UNIT = bytesOf(',"unit":');
export const REF_OPEN = bytesOf('{"_kind":"ref","val":');
export const REF_DIS = bytesOf(',"dis":');
export const ROW_FIRST = bytesOf("\n{");
export const ROW_NEXT = bytesOf(",\n{");
export const CLOSE = bytesOf("}");
export const EMPTY = new Uint8Array(0);

// Module-local copies of the kinds read on every cell: under a CommonJS transform (tsx, vitest) an
// imported name is a getter call on the exporting module's namespace at each use.
const DATE_TIME = HDateTime;
const NUMBER = HNumber;
const REF = HRef;
const MARKER_V = MARKER;

/** Quoted-string bytes of zone names and units, which repeat on every row. Bounded. */
const quotedCache = new Map<string, Uint8Array>();

export function quotedBytes(s: string): Uint8Array {
  let b = quotedCache.get(s);
  if (b === undefined) {
    b = bytesOf(JSON.stringify(s));
    if (quotedCache.size >= 4096) quotedCache.clear();
    quotedCache.set(s, b);
  }
  return b;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Per-column pre-encoded pieces, so a history cell is three copies and two digit runs:
 * `,"ts":{"_kind":"dateTime","val":"` + iso + `","tz":"New_York"}`.
 */
class ColOut {
  readonly key: Uint8Array;
  readonly keyNext: Uint8Array;
  readonly dt: Uint8Array;
  readonly dtNext: Uint8Array;
  readonly num: Uint8Array;
  readonly numNext: Uint8Array;
  /** Markers are the commonest cell of entity grids: key and value in one piece. */
  readonly marker: Uint8Array;
  readonly markerNext: Uint8Array;
  /** Refs are the commonest after markers and strings: key and `{"_kind":"ref","val":` in one. */
  readonly ref: Uint8Array;
  readonly refNext: Uint8Array;
  /** Joins the piece before this column's head with it. */
  readonly join = new Joiner();
  private tz = "";
  private tzTail = DT_TZ;
  private unit = "";
  private unitTail = NUM_UNIT;

  constructor(name: string) {
    this.key = bytesOf(`${JSON.stringify(name)}:`);
    this.keyNext = bytesOf(`,${JSON.stringify(name)}:`);
    this.dt = concat(this.key, DT_OPEN);
    this.dtNext = concat(this.keyNext, DT_OPEN);
    this.num = concat(this.key, NUM_OPEN);
    this.marker = concat(this.key, MARKER_J);
    this.markerNext = concat(this.keyNext, MARKER_J);
    this.numNext = concat(this.keyNext, NUM_OPEN);
    this.ref = concat(this.key, REF_OPEN);
    this.refNext = concat(this.keyNext, REF_OPEN);
  }

  /** `","tz":"<tz>"}` for this column's (usually only) zone. */
  tzTailOf(tz: string): Uint8Array {
    if (tz !== this.tz) {
      this.tzTail = concat(concat(DT_TZ, quotedBytes(tz)), CLOSE);
      this.tz = tz;
    }
    return this.tzTail;
  }

  /** `,"unit":"<unit>"}` for this column's (usually only) unit. */
  unitTailOf(unit: string): Uint8Array {
    if (unit !== this.unit) {
      this.unitTail = concat(concat(NUM_UNIT, quotedBytes(unit)), CLOSE);
      this.unit = unit;
    }
    return this.unitTail;
  }
}

/**
 * Column pieces by name, shared by every grid: column names repeat across grids (they are tag
 * names), and building them anew cost 0.37 ms for the Alpha building's 100 columns, a tenth of
 * its encode. Their memos check their keys, so sharing is safe. Bounded.
 */
const colCache = new Map<string, ColOut>();

function colOut(name: string): ColOut {
  let c = colCache.get(name);
  if (c === undefined) {
    if (colCache.size >= 4096) colCache.clear();
    c = new ColOut(name);
    colCache.set(name, c);
  }
  return c;
}

/** Row state for a grid's columns. */
export function rowOut(cols: readonly HCol[]): RowOut {
  return { cols: cols.map((c) => colOut(c.name)), end: new Joiner() };
}

/**
 * Joins a pending constant piece with the next one, remembered by identity: in a history grid the
 * same pieces meet on every row (`","tz":"New_York"}` + `,"val":{"_kind":"number","val":`), so
 * one copy replaces two. A pair is only built once it has repeated, so sparse grids whose pieces
 * change cell to cell allocate nothing.
 */
class Joiner {
  private a: Uint8Array | null = null;
  private b: Uint8Array | null = null;
  private ab: Uint8Array | null = null;

  /** The joined bytes, or null when the pair is new (write the two pieces separately). */
  get(a: Uint8Array, b: Uint8Array): Uint8Array | null {
    if (a === this.a && b === this.b) {
      if (this.ab === null) this.ab = concat(a, b);
      return this.ab;
    }
    this.a = a;
    this.b = b;
    this.ab = null;
    return null;
  }
}

/** Copies `x` to `b` at `n` (room reserved); returns the new end. */
function put(b: Uint8Array, n: number, x: Uint8Array): number {
  b.set(x, n);
  return n + x.length;
}

/** Writes `a` then `b` (joined when the pair repeats) at `n`; room is reserved by the caller. */
function put2(b: Uint8Array, n: number, j: Joiner, x: Uint8Array, y: Uint8Array): number {
  const xy = j.get(x, y);
  if (xy !== null) {
    b.set(xy, n);
    return n + xy.length;
  }
  b.set(x, n);
  b.set(y, n + x.length);
  return n + x.length + y.length;
}

/** Writes the pending constant bytes and a cell's head (`,"name":` and its value's start). */
function lead(w: Utf8Writer, j: Joiner, pend: Uint8Array, head: Uint8Array): void {
  const need = pend.length + head.length;
  if (w.n + need > w.buf.length) w.reserve(need);
  w.n = pend.length === 0 ? put(w.buf, w.n, head) : put2(w.buf, w.n, j, pend, head);
}

/** Bytes a fast cell may take beyond its pre-encoded pieces (40 for an ISO, 32 for a number). */
const CELL_SLACK = 48;

/** Per-grid row state: the column pieces and the joiner for the row end. */
export interface RowOut {
  readonly cols: readonly ColOut[];
  readonly end: Joiner;
}

/**
 * One row object (with its leading newline/comma); `writeVal` writes cells of other kinds. Kinds
 * are tested commonest first: markers and strings (entity rows; two cheap tests), then the
 * history cells, written on local copies of the buffer and its length, then refs.
 */
export function row(
  w: Utf8Writer,
  cells: HRow,
  index: number,
  out: RowOut,
  writeVal: (w: Utf8Writer, v: HVal) => void,
): void {
  const cols = out.cols;
  // `pend`: constant bytes not yet written (row start, then a cell's tail), joined with the next.
  let pend = index === 0 ? ROW_FIRST : ROW_NEXT;
  let first = true;
  let b = w.buf;
  let n = w.n;
  for (let i = 0; i < cols.length; i++) {
    const v = cells[i];
    if (v === null || v === undefined) continue;
    const c = cols[i] as ColOut;
    let head: Uint8Array;
    let tail: Uint8Array;
    if (v === MARKER_V) {
      w.n = n;
      lead(w, c.join, pend, first ? c.marker : c.markerNext);
      pend = EMPTY;
      first = false;
      b = w.buf;
      n = w.n;
      continue;
    }
    if (typeof v === "string") {
      w.n = n;
      lead(w, c.join, pend, first ? c.key : c.keyNext);
      pend = EMPTY;
      first = false;
      w.quoted(v);
      b = w.buf;
      n = w.n;
      continue;
    }
    if (v instanceof DATE_TIME) {
      head = first ? c.dt : c.dtNext;
      tail = c.tzTailOf(v.tz);
    } else if (v instanceof NUMBER && Number.isFinite(v.val)) {
      head = first ? c.num : c.numNext;
      tail = c.unitTailOf(v.unit);
    } else {
      w.n = n;
      if (v instanceof REF) {
        lead(w, c.join, pend, first ? c.ref : c.refNext);
        w.quoted(v.id);
        if (v.dis !== undefined) {
          w.raw(REF_DIS);
          w.quoted(v.dis);
        }
        w.byte(125);
      } else {
        lead(w, c.join, pend, first ? c.key : c.keyNext);
        writeVal(w, v);
      }
      pend = EMPTY;
      first = false;
      b = w.buf;
      n = w.n;
      continue;
    }
    first = false;
    const need = pend.length + head.length + tail.length + CELL_SLACK;
    if (n + need > b.length) {
      w.n = n;
      w.reserve(need);
      b = w.buf;
    }
    n = put2(b, n, c.join, pend, head);
    n = head === c.dt || head === c.dtNext ? w.isoAt(n, v as HDateTime) : w.numberAt(n, (v as HNumber).val);
    b = w.buf;
    pend = tail;
  }
  w.n = n;
  lead(w, out.end, pend, CLOSE);
}
