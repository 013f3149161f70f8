/**
 * Test support: turns the JSON v4 (Hayson) values of test/fixtures/haystack into HVals, so Zinc
 * and filter tests can compare against fixtures without depending on the JSON codec under test.
 * Grid meta drops `ver` (a Zinc/JSON framing tag, not a meta tag in the value model).
 */
import {
  HCoord,
  HDate,
  HDateTime,
  HDict,
  HGrid,
  HRef,
  HSymbol,
  HTime,
  HUri,
  type HVal,
  HXStr,
  MARKER,
  NA,
  num,
  parseIso,
  REMOVE,
} from "../../src/haystack/kinds/index.ts";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function numOf(v: Json): number {
  if (v === "INF") return Number.POSITIVE_INFINITY;
  if (v === "-INF") return Number.NEGATIVE_INFINITY;
  if (v === "NaN") return Number.NaN;
  return v as number;
}

function dictOf(o: { [k: string]: Json }, skip?: string): HDict {
  const tags: Record<string, HVal> = {};
  for (const [k, v] of Object.entries(o)) if (k !== "_kind" && k !== skip) tags[k] = fromJson4(v);
  return HDict.of(tags);
}

/** JSON v4 value (as parsed by JSON.parse) to HVal. */
export function fromJson4(j: Json): HVal {
  if (j === null || typeof j !== "object") return j;
  if (Array.isArray(j)) return j.map(fromJson4);
  const s = (k: string): string => j[k] as string;
  switch (j._kind) {
    case undefined:
    case "dict":
      return dictOf(j);
    case "marker":
      return MARKER;
    case "na":
      return NA;
    case "remove":
      return REMOVE;
    case "number":
      return num(numOf(j.val ?? null), (j.unit as string | undefined) ?? null);
    case "uri":
      return new HUri(s("val"));
    case "ref":
      return new HRef(s("val"), j.dis as string | undefined);
    case "symbol":
      return new HSymbol(s("val"));
    case "date": {
      const [y, m, d] = s("val").split("-").map(Number);
      return HDate.of(y ?? 0, m ?? 0, d ?? 0);
    }
    case "time": {
      const [h, mi, sec] = s("val").split(":");
      const [ss, frac] = (sec ?? "0").split(".");
      return HTime.of(Number(h), Number(mi), Number(ss), frac ? Number(frac.padEnd(3, "0").slice(0, 3)) : 0);
    }
    case "dateTime": {
      const iso = parseIso(s("val"));
      if (!iso) throw new Error(`bad dateTime ${s("val")}`);
      return new HDateTime(iso.ms, (j.tz as string | undefined) ?? "GMT", iso.offset);
    }
    case "coord":
      return new HCoord(j.lat as number, j.lng as number);
    case "xstr":
      return new HXStr(s("type"), s("val"));
    case "grid": {
      const meta = dictOf((j.meta ?? {}) as { [k: string]: Json }, "ver");
      const cols = ((j.cols ?? []) as { name: string; meta?: { [k: string]: Json } }[]).map((c) => ({
        name: c.name,
        meta: dictOf(c.meta ?? {}),
      }));
      const rows = ((j.rows ?? []) as { [k: string]: Json }[]).map((r) =>
        cols.map((c) => (r[c.name] === undefined ? null : fromJson4(r[c.name] as Json))),
      );
      return new HGrid(meta, cols, rows);
    }
    default:
      throw new Error(`unknown _kind ${String(j._kind)}`);
  }
}
