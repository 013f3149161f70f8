/**
 * JSON v3 (Json.fandoc #v3): scalars are strings with a one-letter type prefix (`m:`, `n:45.5 °F`,
 * `r:id dis`, `t:iso tz`...); a string without `:` as its second char is a Str. Grids are objects
 * with `meta`, `cols` (name plus column meta tags side by side) and `rows`. Still read and written
 * for older clients; JSON v4 is the default.
 */
import { ParseError, positionOf } from "../../errors.ts";
import { ISO, scanIso } from "../../kinds/datetime.ts";
import {
  formatIso,
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
import type { GridEncoder, GridReader, GridWriter, ReadLimits, ValueReader, ValueWriter } from "../types.ts";
import {
  type Ctx,
  checkDepth,
  checkRefId,
  ctxOf,
  isTagName,
  knownTz,
  numberText,
  PathError,
  parseDateText,
  parseNumberText,
  parseTimeText,
  quote,
  toReadError,
  withPath,
} from "./common.ts";
import { parseJsonText } from "./scan.ts";

type JsonObj = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Reading

/** Reads one value from JSON v3; a string argument is JSON text, anything else parsed JSON. */
export function readJson3Value(input: unknown, limits?: ReadLimits): HVal {
  const text = typeof input === "string" ? input : undefined;
  const parsed = text === undefined ? input : parseJsonText(text);
  try {
    return val3(parsed, ctxOf(limits), 0);
  } catch (e) {
    throw toReadError(e, text);
  }
}

/** Reads a JSON v3 grid (text or parsed JSON). */
export function readJson3Grid(input: unknown, limits?: ReadLimits): HGrid {
  const v = readJson3Value(input, limits);
  if (v instanceof HGrid) return v;
  const pos = typeof input === "string" ? positionOf(input, 0) : { line: 1, column: 1, offset: 0 };
  throw new ParseError("JSON value is not a grid", pos);
}

function val3(j: unknown, ctx: Ctx, depth: number): HVal {
  switch (typeof j) {
    case "string":
      return str3(j);
    case "boolean":
    case "number":
      return j;
    case "object": {
      if (j === null) return null;
      if (Array.isArray(j)) {
        checkDepth(ctx, depth);
        const out: HVal[] = new Array(j.length);
        let i = 0;
        try {
          for (; i < j.length; i++) out[i] = val3(j[i], ctx, depth + 1);
        } catch (e) {
          throw withPath(e, i);
        }
        return out;
      }
      const o = j as JsonObj;
      const isGrid = o.meta !== undefined && o.meta !== null && o.cols != null && o.rows != null;
      return isGrid ? grid3(o, ctx, depth) : dict3(o, ctx, depth, undefined);
    }
  }
  throw new PathError(`unsupported JSON value of type ${typeof j}`);
}

/** Decodes a type-prefixed string (haxall HaysonV3Parser rules). */
export function str3(s: string): HVal {
  if (s.length < 2 || s.charCodeAt(1) !== 58) return s;
  const body = s.slice(2);
  switch (s.charCodeAt(0)) {
    case 115: // s
      return body;
    case 109: // m
      if (body === "") return MARKER;
      break;
    case 122: // z
      if (body === "") return NA;
      break;
    case 45: // -
      if (body === "") return REMOVE;
      break;
    case 110: {
      // n:<num>[ unit]
      const sp = body.indexOf(" ");
      const n = parseNumberText(sp < 0 ? body : body.slice(0, sp));
      if (n !== undefined) return sp < 0 ? n : num(n, body.slice(sp + 1));
      break;
    }
    case 114: {
      // r:<id>[ dis]
      const sp = body.indexOf(" ");
      return sp < 0 ? new HRef(checkRefId(body)) : new HRef(checkRefId(body.slice(0, sp)), body.slice(sp + 1));
    }
    case 121: // y
      if (body !== "") return new HSymbol(body);
      break;
    case 100: {
      const d = parseDateText(body);
      if (d) return d;
      break;
    }
    case 104: {
      const t = parseTimeText(body);
      if (t) return t;
      break;
    }
    case 116: {
      const dt = dateTime3(body);
      if (dt) return dt;
      break;
    }
    case 117: // u
      return new HUri(body);
    case 98: // b: a Bin, which Haystack 4 carries as an XStr
      return new HXStr("Bin", body);
    case 99: {
      const comma = body.indexOf(",");
      const lat = comma < 0 ? undefined : parseNumberText(body.slice(0, comma));
      const lng = comma < 0 ? undefined : parseNumberText(body.slice(comma + 1));
      if (lat !== undefined && lng !== undefined && Math.abs(lat) <= 90 && Math.abs(lng) <= 180) {
        return new HCoord(lat, lng);
      }
      break;
    }
    case 120: {
      const colon = body.indexOf(":", 1);
      const c = body.charCodeAt(0);
      if (colon > 0 && c >= 65 && c <= 90) return new HXStr(body.slice(0, colon), body.slice(colon + 1));
      break;
    }
  }
  throw new PathError(`invalid JSON v3 value ${JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}...` : s)}`);
}

/** `iso tz`; a bare `...Z` means UTC (haxall does the same). */
function dateTime3(s: string): HDateTime | undefined {
  const end = scanIso(s, 0);
  if (end < 0) return undefined;
  const { ms, offset } = ISO;
  if (end === s.length) return offset === 0 && s.endsWith("Z") ? new HDateTime(ms, "UTC", 0) : undefined;
  if (s.charCodeAt(end) !== 32) return undefined;
  const tz = s.slice(end + 1);
  return knownTz(tz) ? new HDateTime(ms, tz, offset) : undefined;
}

function dict3(o: JsonObj, ctx: Ctx, depth: number, skip: string | undefined): HDict {
  checkDepth(ctx, depth);
  const tags = newTags();
  let any = false;
  let key = "";
  try {
    for (key in o) {
      const v = o[key];
      if (v === null || v === undefined || key === skip || !isTagName(key)) continue;
      tags[key] = val3(v, ctx, depth + 1);
      any = true;
    }
  } catch (e) {
    throw withPath(e, key);
  }
  return any ? HDict.unsafeOf(tags) : HDict.EMPTY;
}

function isObj(v: unknown): v is JsonObj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function grid3(o: JsonObj, ctx: Ctx, depth: number): HGrid {
  checkDepth(ctx, depth);
  let step: string | number = "meta";
  let key = "";
  let i = 0;
  try {
    if (!isObj(o.meta)) throw new PathError("grid meta must be an object");
    const meta = dict3(o.meta, ctx, depth + 1, "ver");
    step = "cols";
    const c = o.cols;
    if (!Array.isArray(c)) throw new PathError("grid cols must be an array");
    if (c.length > ctx.maxCols) throw new PathError(`more than ${ctx.maxCols} columns`, true);
    const cols: HCol[] = new Array(c.length);
    const index = new Map<string, number>();
    for (; i < c.length; i++) {
      const co = c[i];
      const name = isObj(co) ? co.name : undefined;
      if (typeof name !== "string" || name === "") throw new PathError("grid column needs a non-empty string name");
      if (index.has(name)) throw new PathError(`duplicate column '${name}'`);
      index.set(name, i);
      cols[i] = { name, meta: dict3(co as JsonObj, ctx, depth + 1, "name") };
    }
    step = "rows";
    i = 0;
    const r = o.rows;
    if (!Array.isArray(r)) throw new PathError("grid rows must be an array");
    if (ctx.rows + r.length > ctx.maxRows) throw new PathError(`more than ${ctx.maxRows} rows`, true);
    ctx.rows += r.length;
    const rows: HRow[] = new Array(r.length);
    for (; i < r.length; i++) {
      const ro = r[i];
      if (!isObj(ro)) throw new PathError("grid row must be an object");
      const cells: HVal[] = new Array(cols.length).fill(null);
      for (key in ro) {
        const ci = index.get(key);
        if (ci === undefined) throw new PathError(`row has no column '${key}'`);
        const v = ro[key];
        if (v !== null) cells[ci] = val3(v, ctx, depth + 1);
      }
      key = "";
      rows[i] = cells;
    }
    return new HGrid(meta, cols, rows);
  } catch (e) {
    if (step !== "meta") {
      if (key !== "") withPath(e, key);
      withPath(e, i);
    }
    throw withPath(e, step);
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

/** The JSON v3 string form of a scalar (`m:`, `n:72 °F`, `t:... New_York`), or the Str itself. */
export function scalar3(v: Exclude<HVal, readonly HVal[] | HDict | HGrid | null | boolean>): string {
  if (typeof v === "string") return v.includes(":") ? `s:${v}` : v;
  if (typeof v === "number") return `n:${numberText(v)}`;
  switch (v.kind) {
    case "number":
      return `n:${numberText(v.val)} ${v.unit}`;
    case "dateTime":
      return `t:${formatIso(v.ms, v.offset)} ${v.tz}`;
    case "marker":
      return "m:";
    case "na":
      return "z:";
    case "remove":
      return "-:";
    case "ref":
      return v.dis === undefined ? `r:${v.id}` : `r:${v.id} ${v.dis}`;
    case "date":
      return `d:${v.toString()}`;
    case "time":
      return `h:${v.toString()}`;
    case "uri":
      return `u:${v.val}`;
    case "symbol":
      return `y:${v.val}`;
    case "coord":
      return `c:${v.lat},${v.lng}`;
    case "xstr":
      return `x:${v.type}:${v.val}`;
  }
}

/** JSON v3 text of a value. */
export function writeJson3Value(v: HVal): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (Array.isArray(v)) {
    let s = "[";
    for (let i = 0; i < v.length; i++) s += (i === 0 ? "" : ",") + writeJson3Value(v[i] ?? null);
    return `${s}]`;
  }
  if (v instanceof HDict) return dictJson3(v, "{", undefined);
  if (v instanceof HGrid) return writeJson3Grid(v);
  return quote(scalar3(v as Exclude<HVal, readonly HVal[] | HDict | HGrid | null | boolean>));
}

function dictJson3(d: HDict, open: string, skip: string | undefined): string {
  let s = open;
  const tags = d.toObject();
  for (const k in tags) {
    if (k === skip) continue;
    s += `${s.length === 1 ? "" : ","}${quote(k)}:${writeJson3Value(tags[k] ?? null)}`;
  }
  return `${s}}`;
}

/** JSON v3 text of a grid. */
export function writeJson3Grid(g: HGrid): string {
  const enc = new Json3Encoder();
  let s = enc.begin(g.meta, g.cols);
  for (const r of g.rows) s += enc.row(r);
  return s + enc.end();
}

/** A fresh incremental JSON v3 grid encoder. */
export function json3Encoder(): GridEncoder {
  return new Json3Encoder();
}

class Json3Encoder implements GridEncoder {
  private keys: string[] = [];
  private count = 0;

  begin(meta: HDict, cols: readonly HCol[]): string {
    this.keys = cols.map((c) => `${quote(c.name)}:`);
    this.count = 0;
    let s = `{"meta":${dictJson3(meta, '{"ver":"3.0"', "ver")},"cols":[`;
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i] as HCol;
      s += (i === 0 ? "" : ",") + dictJson3(c.meta, `{"name":${quote(c.name)}`, "name");
    }
    return `${s}],"rows":[`;
  }

  row(cells: HRow): string {
    const keys = this.keys;
    let s = this.count++ === 0 ? "\n{" : ",\n{";
    let first = true;
    for (let i = 0; i < keys.length; i++) {
      const v = cells[i];
      if (v === null || v === undefined) continue;
      s += (first ? keys[i] : `,${keys[i]}`) + writeJson3Value(v);
      first = false;
    }
    return `${s}}`;
  }

  end(): string {
    return this.count === 0 ? "]}" : "\n]}";
  }
}

// ---------------------------------------------------------------------------------------------
// Codec objects

export const JSON3_READER: GridReader & ValueReader = {
  readGrid: (text, limits) => readJson3Grid(text, limits),
  readValue: (text, limits) => readJson3Value(text, limits),
};

export const JSON3_WRITER: GridWriter & ValueWriter = {
  writeGrid: writeJson3Grid,
  writeValue: writeJson3Value,
  encoder: json3Encoder,
};
