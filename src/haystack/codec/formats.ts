/**
 * The format registry: which media type reads and writes with which codec, request Content-Type
 * lookup, and Accept negotiation (RFC 9110 §12.5.1: q-values, wildcards, most specific range
 * wins; Zinc when the client states no preference).
 */
import { CSV_WRITER } from "./csv.ts";
import { JSON3_READER, JSON3_WRITER, JSON4_READER, JSON4_WRITER } from "./json/index.ts";
import { TRIO_READER, TRIO_WRITER } from "./trio/index.ts";
import type { Format } from "./types.ts";
import { ZINC_READER, ZINC_WRITER } from "./zinc/index.ts";

export const ZINC: Format = { name: "zinc", mime: "text/zinc", reader: ZINC_READER, writer: ZINC_WRITER };
export const JSON4: Format = { name: "json", mime: "application/json", reader: JSON4_READER, writer: JSON4_WRITER };
export const JSON3: Format = {
  name: "json3",
  mime: "application/vnd.haystack+json;version=3",
  reader: JSON3_READER,
  writer: JSON3_WRITER,
};
export const CSV: Format = { name: "csv", mime: "text/csv", writer: CSV_WRITER };
export const TRIO: Format = { name: "trio", mime: "text/trio", reader: TRIO_READER, writer: TRIO_WRITER };

/** Every format, in server preference order (ties in negotiation go to the earlier one). */
export const FORMATS: readonly Format[] = [ZINC, JSON4, JSON3, CSV, TRIO];

interface Offer {
  readonly type: string;
  readonly subtype: string;
  /** The `version` parameter an offer needs a range to match, if it has one. */
  readonly version?: string;
  readonly format: Format;
}

const OFFERS: readonly Offer[] = [
  { type: "text", subtype: "zinc", format: ZINC },
  { type: "application", subtype: "json", format: JSON4 },
  { type: "application", subtype: "vnd.haystack+json", version: "4", format: JSON4 },
  { type: "application", subtype: "vnd.haystack+json", version: "3", format: JSON3 },
  { type: "text", subtype: "csv", format: CSV },
  { type: "text", subtype: "trio", format: TRIO },
];

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly params: ReadonlyMap<string, string>;
  readonly q: number;
  readonly index: number;
}

/** `type/subtype; a=b; q=0.5` -> parts, lower-cased, quotes stripped; undefined if malformed. */
function parseRange(text: string, index: number): MediaRange | undefined {
  const parts = text.split(";");
  const full = (parts[0] ?? "").trim().toLowerCase();
  const slash = full.indexOf("/");
  if (slash <= 0 || slash === full.length - 1) return undefined;
  const params = new Map<string, string>();
  let q = 1;
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i] ?? "";
    const eq = p.indexOf("=");
    if (eq < 0) continue;
    const name = p.slice(0, eq).trim().toLowerCase();
    let val = p.slice(eq + 1).trim();
    if (val.length >= 2 && val.startsWith('"') && val.endsWith('"')) val = val.slice(1, -1);
    if (name === "q") {
      const n = Number(val);
      q = Number.isFinite(n) && n >= 0 && n <= 1 && val !== "" ? n : 0;
    } else {
      params.set(name, val.toLowerCase());
    }
  }
  return { type: full.slice(0, slash), subtype: full.slice(slash + 1), params, q, index };
}

/** The format a request body of Content-Type `ct` is in (charset ignored), or undefined. */
export function formatForContentType(ct: string | null | undefined): Format | undefined {
  if (!ct) return undefined;
  const r = parseRange(ct, 0);
  if (!r || r.type === "*" || r.subtype === "*") return undefined;
  const version = r.params.get("version");
  if (r.type === "application" && (r.subtype === "json" || r.subtype === "vnd.haystack+json")) {
    if (version === undefined || version === "4") return JSON4;
    return version === "3" ? JSON3 : undefined;
  }
  return OFFERS.find((o) => o.type === r.type && o.subtype === r.subtype)?.format;
}

/** How well `range` matches `offer`: -1 none, else higher for more specific ranges. */
function specificity(range: MediaRange, offer: Offer): number {
  if (range.type === "*") return range.subtype === "*" ? 0 : -1;
  if (range.type !== offer.type) return -1;
  if (range.subtype === "*") return 1;
  if (range.subtype !== offer.subtype) return -1;
  const v = range.params.get("version");
  if (v === undefined) return 2;
  return v === (offer.version ?? (offer.format === JSON4 ? "4" : undefined)) ? 3 : -1;
}

/**
 * The format to answer with for an `Accept` header: the offer with the highest q from its most
 * specific matching range (q=0 refuses), ties to the range listed first, then server order.
 * A missing or empty header means Zinc; undefined means nothing acceptable (HTTP 406).
 */
export function negotiate(accept: string | null | undefined): Format | undefined {
  if (!accept || accept.trim() === "") return ZINC;
  const ranges: MediaRange[] = [];
  accept.split(",").forEach((part, i) => {
    const r = parseRange(part, i);
    if (r) ranges.push(r);
  });
  let best: { format: Format; q: number; index: number; order: number } | undefined;
  OFFERS.forEach((offer, order) => {
    let match: MediaRange | undefined;
    let spec = -1;
    for (const r of ranges) {
      const s = specificity(r, offer);
      if (s > spec) {
        spec = s;
        match = r;
      }
    }
    if (!match || match.q <= 0) return;
    const better =
      !best ||
      match.q > best.q ||
      (match.q === best.q && (match.index < best.index || (match.index === best.index && order < best.order)));
    if (better) best = { format: offer.format, q: match.q, index: match.index, order };
  });
  return best?.format;
}
