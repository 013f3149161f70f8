/**
 * Haystack JSON v4 (Hayson) values as the API sends them, and how the explorer shows each kind:
 * refs as links to their record, numbers with units, dateTimes with their zone, markers as ✓.
 */
import { h } from "../../app/dom.ts";
import { link } from "../../app/router.ts";

/** A decoded JSON v4 value: plain JSON for Str, Bool, null, unitless Numbers, lists and dicts. */
export type HJson = string | number | boolean | null | HKind | readonly HJson[] | HDictJson;
export interface HKind {
  readonly _kind: string;
  readonly val?: unknown;
  readonly [k: string]: unknown;
}
export type HDictJson = { readonly [tag: string]: HJson };

export interface RefJson {
  readonly _kind: "ref";
  readonly val: string;
  readonly dis?: string;
}
export interface NumberJson {
  readonly _kind: "number";
  readonly val: number | string;
  readonly unit?: string;
}

export function kindOf(v: unknown): string | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v)
    ? ((v as HKind)._kind as string | undefined)
    : undefined;
}

export function isRef(v: unknown): v is RefJson {
  return kindOf(v) === "ref" && typeof (v as RefJson).val === "string";
}

export function isMarker(v: unknown): boolean {
  return kindOf(v) === "marker";
}

/** The record id of a ref (without `@`), or undefined. */
export function refId(v: unknown): string | undefined {
  return isRef(v) ? v.val : undefined;
}

/** A record's display name: `dis`, else its id's dis, else the id. */
export function disOf(rec: HDictJson): string {
  if (typeof rec.dis === "string") return rec.dis;
  const id = rec.id;
  if (isRef(id)) return id.dis ?? `@${id.val}`;
  return "";
}

/** A Number's value and unit (plain JSON numbers are unitless); undefined for other kinds. */
export function numberOf(v: unknown): { val: number; unit?: string } | undefined {
  if (typeof v === "number") return { val: v };
  if (kindOf(v) !== "number") return undefined;
  const n = v as NumberJson;
  const val =
    typeof n.val === "number" ? n.val : n.val === "INF" ? Infinity : n.val === "-INF" ? -Infinity : Number.NaN;
  return n.unit ? { val, unit: n.unit } : { val };
}

const numFmt = new Intl.NumberFormat(undefined, { maximumFractionDigits: 4 });

export function formatNumber(val: number, unit?: string): string {
  const s = Number.isFinite(val) ? numFmt.format(val) : Number.isNaN(val) ? "NaN" : val > 0 ? "INF" : "-INF";
  return unit ? `${s} ${unit}` : s;
}

/** One line of text for any value (table cells, titles). */
export function valText(v: HJson | undefined): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return formatNumber(v);
  if (Array.isArray(v)) return `[${v.map((x) => valText(x)).join(", ")}]`;
  const k = kindOf(v);
  const o = v as HKind;
  switch (k) {
    case "marker":
      return "✓";
    case "na":
      return "NA";
    case "remove":
      return "remove";
    case "ref":
      return (o.dis as string | undefined) ?? `@${String(o.val)}`;
    case "number": {
      const n = numberOf(v) as { val: number; unit?: string };
      return formatNumber(n.val, n.unit);
    }
    case "dateTime":
      return `${String(o.val)} ${String(o.tz ?? "")}`.trim();
    case "date":
    case "time":
    case "uri":
    case "symbol":
      return String(o.val);
    case "coord":
      return `C(${String(o.lat)}, ${String(o.lng)})`;
    case "xstr":
      return `${String(o.type)}("${String(o.val)}")`;
    case "grid":
      return `<grid ${((o.rows as unknown[] | undefined) ?? []).length} rows>`;
    case undefined:
      return `{${Object.keys(v as HDictJson).join(", ")}}`;
    default:
      return String(o.val ?? k);
  }
}

/** The hash link of a record's view. */
export function recLink(project: string, id: string): string {
  return link([project, "haystack", "rec", id]);
}

/** A value as DOM: refs become links to their record, kinds get a class for styling. */
export function valNode(v: HJson | undefined, project: string): Node {
  if (isRef(v)) {
    return h("a", { href: recLink(project, v.val), class: "hs-ref", title: `@${v.val}` }, v.dis ?? `@${v.val}`);
  }
  const k = kindOf(v) ?? (Array.isArray(v) ? "list" : typeof v);
  if (k === "uri") {
    const u = String((v as HKind).val);
    return /^https?:/.test(u) ? h("a", { href: u, rel: "noreferrer", target: "_blank" }, u) : h("span", null, u);
  }
  return h("span", { class: `hs-v hs-${k}` }, valText(v));
}
