/** JSON v4 of a value as plain JSON data: what `JSON.parse(writeJsonValue(v))` gives. */
import { formatIso, type HDict, type HVal } from "../../kinds/index.ts";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The JSON v4 form of a value as plain JSON data (what `JSON.parse(writeJsonValue(v))` gives). */
export function valToJson4(v: HVal): Json {
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      return Number.isFinite(v) ? v : { _kind: "number", val: numSpecial(v) };
  }
  if (v === null) return null;
  if (Array.isArray(v)) return v.map((x: HVal) => valToJson4(x));
  const x = v as Exclude<HVal, null | boolean | string | number | readonly HVal[]>;
  switch (x.kind) {
    case "number":
      return { _kind: "number", val: Number.isFinite(x.val) ? x.val : numSpecial(x.val), unit: x.unit };
    case "dateTime":
      return { _kind: "dateTime", val: formatIso(x.ms, x.offset), tz: x.tz };
    case "ref":
      return x.dis === undefined ? { _kind: "ref", val: x.id } : { _kind: "ref", val: x.id, dis: x.dis };
    case "marker":
    case "na":
    case "remove":
      return { _kind: x.kind };
    case "date":
    case "time":
      return { _kind: x.kind, val: x.toString() };
    case "uri":
    case "symbol":
      return { _kind: x.kind, val: x.val };
    case "coord":
      return { _kind: "coord", lat: x.lat, lng: x.lng };
    case "xstr":
      return { _kind: "xstr", type: x.type, val: x.val };
    case "dict":
      return dictToJson(x, false);
    case "grid":
      return {
        _kind: "grid",
        meta: dictToJson(x.meta, true),
        cols: x.cols.map(
          (c): Json => (c.meta.isEmpty() ? { name: c.name } : { name: c.name, meta: dictToJson(c.meta, false) }),
        ),
        rows: x.rows.map((r) => {
          const o: { [k: string]: Json } = {};
          x.cols.forEach((c, i) => {
            const cell = r[i];
            if (cell !== null && cell !== undefined) setKey(o, c.name, valToJson4(cell));
          });
          return o;
        }),
      };
  }
}

function numSpecial(n: number): string {
  return Number.isNaN(n) ? "NaN" : n > 0 ? "INF" : "-INF";
}

function dictToJson(d: HDict, ver: boolean): { [k: string]: Json } {
  const o: { [k: string]: Json } = ver ? { ver: "3.0" } : {};
  for (const [k, v] of d.entries()) if (!(ver && k === "ver")) setKey(o, k, valToJson4(v));
  return o;
}

/** Plain assignment, except that a `__proto__` tag must become an own property, not a prototype. */
function setKey(o: { [k: string]: Json }, k: string, v: Json): void {
  if (k === "__proto__")
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}
