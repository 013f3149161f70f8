/**
 * JSON v4 grid rows as bytes. History cells (dateTime, number with unit) are three copies of
 * pre-encoded pieces around two digit runs; pieces that meet on every row are joined once.
 */
import { type HCol, HDateTime, HNumber, type HRow, type HVal, MARKER } from "../../kinds/index.ts";
import { bytesOf, type Utf8Writer } from "../utf8-writer.ts";

export const MARKER_J = bytesOf('{"_kind":"marker"}');
export const DT_OPEN = bytesOf('{"_kind":"dateTime","val":"');
export const DT_TZ = bytesOf('","tz":');
export const NUM_OPEN = bytesOf('{"_kind":"number","val":');
export const NUM_UNIT = bytesOf(',"unit":');
export const ROW_FIRST = bytesOf("\n{");
export const ROW_NEXT = bytesOf(",\n{");
export const CLOSE = bytesOf("}");
export const EMPTY = new Uint8Array(0);

// Module-local copies of the kinds read on every cell: under a CommonJS transform (tsx, vitest) an
// imported name is a getter call on the exporting module's namespace at each use.
const DATE_TIME = HDateTime;
const NUMBER = HNumber;
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

/** Row state for a grid's columns. */
export function rowOut(cols: readonly HCol[]): RowOut {
  return { cols: cols.map((c) => new ColOut(c.name)), end: new Joiner() };
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

/** Bytes a fast cell may take beyond its pre-encoded pieces (40 for an ISO, 32 for a number). */
const CELL_SLACK = 48;

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

/** Per-grid row state: the column pieces and the joiner for the row end. */
export interface RowOut {
  readonly cols: readonly ColOut[];
  readonly end: Joiner;
}

/** One row object (with its leading newline/comma); `writeVal` writes cells of other kinds. */
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
  let any = false;
  let b = w.buf;
  let n = w.n;
  for (let i = 0; i < cols.length; i++) {
    const v = cells[i];
    if (v === null || v === undefined) continue;
    const c = cols[i] as ColOut;
    const first = !any;
    let head: Uint8Array | null = null;
    let tail: Uint8Array | null = null;
    if (v instanceof DATE_TIME) {
      head = first ? c.dt : c.dtNext;
      tail = c.tzTailOf(v.tz);
    } else if (v instanceof NUMBER && Number.isFinite(v.val)) {
      head = first ? c.num : c.numNext;
      tail = c.unitTailOf(v.unit);
    }
    any = true;
    if (head === null || tail === null) {
      w.n = n;
      if (pend.length > 0) w.raw(pend);
      pend = EMPTY;
      if (v === MARKER_V) w.raw(first ? c.marker : c.markerNext);
      else {
        w.raw(first ? c.key : c.keyNext);
        writeVal(w, v as HVal);
      }
      b = w.buf;
      n = w.n;
      continue;
    }
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
  w.reserve(pend.length + 1);
  w.n = put2(w.buf, w.n, out.end, pend, CLOSE);
}
