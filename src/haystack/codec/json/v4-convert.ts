/**
 * JSON v4 conversion of already-parsed JSON (`JSON.parse` output) into Haystack values. Depth is
 * checked before every recursion; failures are PathErrors naming the JSON path, positioned later.
 */

import { ISO, scanIso } from "../../kinds/datetime.ts";
import {
  type HCol,
  HCoord,
  HDateTime,
  HDict,
  HGrid,
  HRef,
  type HRow,
  HSymbol,
  HUri,
  type HVal,
  HXStr,
  MARKER,
  NA,
  newTags,
  num,
  REMOVE,
} from "../../kinds/index.ts";
import {
  type Ctx,
  checkDepth,
  checkRefId,
  fieldError,
  isTagName,
  knownTz,
  PathError,
  parseDateText,
  parseTimeText,
  withPath,
} from "./common.ts";

export type JsonObj = Record<string, unknown>;

/** One parsed JSON value at nesting `depth` as a Haystack value. */
export function val4(j: unknown, ctx: Ctx, depth: number): HVal {
  switch (typeof j) {
    case "string":
    case "boolean":
      return j;
    case "number":
      return j;
    case "object":
      if (j === null) return null;
      if (Array.isArray(j)) return list4(j, ctx, depth);
      return obj4(j as JsonObj, ctx, depth);
  }
  throw new PathError(`unsupported JSON value of type ${typeof j}`);
}

function list4(a: readonly unknown[], ctx: Ctx, depth: number): HVal[] {
  checkDepth(ctx, depth);
  const out: HVal[] = new Array(a.length);
  let i = 0;
  try {
    for (; i < a.length; i++) out[i] = val4(a[i], ctx, depth + 1);
  } catch (e) {
    throw withPath(e, i);
  }
  return out;
}

/** A JSON object: a dict, or the kind its `_kind` names. */
export function obj4(o: JsonObj, ctx: Ctx, depth: number): HVal {
  const kind = o._kind;
  switch (kind) {
    case undefined:
    case "dict":
      return dict4(o, ctx, depth, false);
    case "number":
      return number4(o);
    case "marker":
      return MARKER;
    case "na":
      return NA;
    case "remove":
      return REMOVE;
    case "ref": {
      const id = o.val;
      try {
        checkRefId(id);
      } catch (e) {
        throw withPath(e, "val");
      }
      const dis = o.dis;
      if (dis !== undefined && dis !== null && typeof dis !== "string")
        throw fieldError("dis", "ref dis must be a string");
      return new HRef(id as string, dis ?? undefined);
    }
    case "dateTime":
      return dateTime4(o);
    case "date": {
      const d = typeof o.val === "string" ? parseDateText(o.val) : undefined;
      if (!d) throw fieldError("val", `invalid date ${JSON.stringify(o.val)}`);
      return d;
    }
    case "time": {
      const t = typeof o.val === "string" ? parseTimeText(o.val) : undefined;
      if (!t) throw fieldError("val", `invalid time ${JSON.stringify(o.val)}`);
      return t;
    }
    case "uri":
      return new HUri(str(o, "val"));
    case "symbol":
      return new HSymbol(str(o, "val"));
    case "coord": {
      const lat = o.lat;
      const lng = o.lng;
      if (typeof lat !== "number" || lat < -90 || lat > 90) throw fieldError("lat", "coord lat must be -90..90");
      if (typeof lng !== "number" || lng < -180 || lng > 180) throw fieldError("lng", "coord lng must be -180..180");
      return new HCoord(lat, lng);
    }
    case "xstr": {
      const type = str(o, "type");
      const c = type.charCodeAt(0);
      if (!(c >= 65 && c <= 90)) throw fieldError("type", `xstr type must start upper case: ${JSON.stringify(type)}`);
      return new HXStr(type, str(o, "val"));
    }
    case "grid":
      return grid4(o, ctx, depth);
  }
  throw fieldError("_kind", `unknown _kind ${JSON.stringify(kind)}`);
}

function str(o: JsonObj, field: string): string {
  const v = o[field];
  if (typeof v !== "string") throw fieldError(field, `'${field}' must be a string`);
  return v;
}

function number4(o: JsonObj): HVal {
  const v = o.val;
  let n: number;
  if (typeof v === "number") n = v;
  else if (v === "INF") n = Number.POSITIVE_INFINITY;
  else if (v === "-INF") n = Number.NEGATIVE_INFINITY;
  else if (v === "NaN") n = Number.NaN;
  else throw fieldError("val", `invalid number val ${JSON.stringify(v)}`);
  const unit = o.unit;
  if (unit === undefined || unit === null) return n;
  if (typeof unit !== "string") throw fieldError("unit", "number unit must be a string");
  return num(n, unit);
}

function dateTime4(o: JsonObj): HDateTime {
  const v = o.val;
  const end = typeof v === "string" ? scanIso(v, 0) : -1;
  if (end < 0 || end !== (v as string).length) throw fieldError("val", `invalid dateTime ${JSON.stringify(v)}`);
  const { ms, offset } = ISO;
  const tz = o.tz;
  // Json.fandoc says a missing tz means GMT; we read it as UTC (same instant and offset).
  if (tz === undefined || tz === null) return new HDateTime(ms, "UTC", 0);
  if (typeof tz !== "string" || !knownTz(tz)) throw fieldError("tz", `unknown time zone ${JSON.stringify(tz)}`);
  return new HDateTime(ms, tz, offset);
}

/** A dict from a JSON object; keys that are not tag names are skipped (Json.fandoc #dict). */
function dict4(o: JsonObj, ctx: Ctx, depth: number, isMeta: boolean): HDict {
  checkDepth(ctx, depth);
  const tags = newTags();
  let any = false;
  let key = "";
  try {
    for (key in o) {
      const v = o[key];
      if (v === null || v === undefined || key === "_kind" || !isTagName(key) || (isMeta && key === "ver")) continue;
      tags[key] = val4(v, ctx, depth + 1);
      any = true;
    }
  } catch (e) {
    throw withPath(e, key);
  }
  return any ? HDict.unsafeOf(tags) : HDict.EMPTY;
}

/** A JSON object (not null, not an array). */
export function isObj(v: unknown): v is JsonObj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Grid meta drops `ver` (the writer always emits `ver:"3.0"`), as haxall does. */
function grid4(o: JsonObj, ctx: Ctx, depth: number): HGrid {
  checkDepth(ctx, depth);
  const m = o.meta;
  if (m !== undefined && m !== null && !isObj(m)) throw fieldError("meta", "grid meta must be an object");
  let meta: HDict;
  try {
    meta = m ? dict4(m, ctx, depth + 1, true) : HDict.EMPTY;
  } catch (e) {
    throw withPath(e, "meta");
  }
  let cols: HCol[];
  let index: Map<string, number>;
  try {
    [cols, index] = cols4(o.cols, ctx, depth);
  } catch (e) {
    throw withPath(e, "cols");
  }
  const r = o.rows;
  if (r === undefined || r === null) return new HGrid(meta, cols, []);
  if (!Array.isArray(r)) throw fieldError("rows", "grid rows must be an array");
  if (ctx.rows + r.length > ctx.maxRows) throw withPath(new PathError(`more than ${ctx.maxRows} rows`, true), "rows");
  ctx.rows += r.length;
  const n = cols.length;
  const rows: HRow[] = new Array(r.length);
  let i = 0;
  let key = "";
  try {
    for (; i < r.length; i++) {
      const ro = r[i];
      if (!isObj(ro)) throw new PathError("grid row must be an object");
      const cells: HVal[] = new Array(n).fill(null);
      for (key in ro) {
        const c = index.get(key);
        if (c === undefined) throw new PathError(`row has no column '${key}'`);
        const v = ro[key];
        if (v !== null) cells[c] = val4(v, ctx, depth + 1);
      }
      key = "";
      rows[i] = cells;
    }
  } catch (e) {
    if (key !== "") withPath(e, key);
    throw withPath(withPath(e, i), "rows");
  }
  return new HGrid(meta, cols, rows);
}

/** Grid columns and a name -> index map. */
export function cols4(c: unknown, ctx: Ctx, depth: number): [HCol[], Map<string, number>] {
  if (!Array.isArray(c)) throw new PathError("grid cols must be an array");
  if (c.length > ctx.maxCols) throw new PathError(`more than ${ctx.maxCols} columns`, true);
  const cols: HCol[] = new Array(c.length);
  const index = new Map<string, number>();
  let i = 0;
  try {
    for (; i < c.length; i++) {
      const co = c[i];
      if (!isObj(co)) throw new PathError("grid column must be an object");
      const name = co.name;
      if (typeof name !== "string" || name === "") throw fieldError("name", "column name must be a non-empty string");
      if (index.has(name)) throw fieldError("name", `duplicate column '${name}'`);
      index.set(name, i);
      const m = co.meta;
      if (m !== undefined && m !== null && !isObj(m)) throw fieldError("meta", "column meta must be an object");
      let meta = HDict.EMPTY;
      try {
        if (m) meta = dict4(m, ctx, depth + 1, false);
      } catch (e) {
        throw withPath(e, "meta");
      }
      cols[i] = { name, meta };
    }
  } catch (e) {
    throw withPath(e, i);
  }
  return [cols, index];
}
