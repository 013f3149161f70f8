/**
 * Hayson cells in the compact form writers emit, read in one pass: dateTime, number with unit,
 * ref and marker. Zone names and units are matched in place against recent ones. Any deviation
 * (spacing, key order, an unseen zone) leaves `pos` unchanged for the general reader.
 */
import { HDateTime, HRef, type HVal, isRefIdChar, MARKER, num } from "../../kinds/index.ts";
import { ISO, scanIso } from "./iso.ts";
import { Interned, JsonScanner } from "./text-scan.ts";

const DT_PREFIX = '{"_kind":"dateTime","val":"';
const MARKER_TEXT = '{"_kind":"marker"}';
const REF_PREFIX = '{"_kind":"ref","val":"';
const DIS_MID = ',"dis":';
const TZ_MID = '","tz":"';
const NUM_PREFIX = '{"_kind":"number","val":';
const UNIT_MID = ',"unit":"';

export class HaysonCells extends JsonScanner {
  /** Zone names seen (each validated before it is remembered). */
  protected readonly tzs = new Interned();
  protected readonly units = new Interned();

  /**
   * A history cell in the compact form writers emit (`{"_kind":"dateTime","val":"...","tz":"..."}`,
   * `{"_kind":"number","val":n,"unit":"..."}`) with an already-seen zone or unit, read in one pass.
   * Anything else returns undefined with `pos` unchanged, for the general path.
   */
  protected fastCell(): HVal | undefined {
    const s = this.s;
    const at = this.pos;
    if (s.startsWith(MARKER_TEXT, at)) {
      this.pos = at + MARKER_TEXT.length;
      return MARKER;
    }
    if (s.startsWith(REF_PREFIX, at)) return this.fastRef(at);
    if (s.startsWith(DT_PREFIX, at)) {
      const end = scanIso(s, at + DT_PREFIX.length);
      if (end < 0 || !s.startsWith(TZ_MID, end)) return undefined;
      const from = end + TZ_MID.length;
      const q = s.indexOf('"', from);
      if (q < 0 || s.charCodeAt(q + 1) !== 125) return undefined;
      const tz = this.tzs.find(s, from, q - from);
      if (tz === undefined) return undefined;
      this.pos = q + 2;
      return new HDateTime(ISO.ms, tz, ISO.offset);
    }
    if (s.startsWith(NUM_PREFIX, at)) {
      const c = s.charCodeAt(at + NUM_PREFIX.length);
      if (!(c === 45 || (c >= 48 && c <= 57))) return undefined;
      this.pos = at + NUM_PREFIX.length;
      const v = this.num();
      const i = this.pos;
      if (s.charCodeAt(i) === 125) {
        this.pos = i + 1;
        return v;
      }
      if (s.startsWith(UNIT_MID, i)) {
        const from = i + UNIT_MID.length;
        const q = s.indexOf('"', from);
        const unit = q > 0 && s.charCodeAt(q + 1) === 125 ? this.units.find(s, from, q - from) : undefined;
        if (unit !== undefined) {
          this.pos = q + 2;
          return num(v, unit);
        }
      }
      this.pos = at;
    }
    return undefined;
  }

  /** `{"_kind":"ref","val":"<id>"}` or with `,"dis":"..."`; undefined (pos unchanged) otherwise. */
  private fastRef(at: number): HRef | undefined {
    const s = this.s;
    const from = at + REF_PREFIX.length;
    let i = from;
    while (isRefIdChar(s.charCodeAt(i))) i++;
    if (i === from || s.charCodeAt(i) !== 34) return undefined;
    const id = s.slice(from, i);
    if (s.charCodeAt(i + 1) === 125) {
      this.pos = i + 2;
      return new HRef(id);
    }
    if (!s.startsWith(DIS_MID, i + 1) || s.charCodeAt(i + 1 + DIS_MID.length) !== 34) return undefined;
    this.pos = i + 1 + DIS_MID.length;
    const dis = this.str();
    if (s.charCodeAt(this.pos) !== 125) {
      this.pos = at;
      return undefined;
    }
    this.pos++;
    return new HRef(id, dis);
  }
}
