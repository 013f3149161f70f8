/**
 * Content negotiation for series bodies: which codec reads a request (`Content-Type`) and which
 * writes the response (`Accept` with q-values, or a format named explicitly, e.g. `?format=`).
 */
import type { SeriesFormat } from "./types.ts";

/** The media type each format answers with. Arrow answers in the IPC stream format. */
export const CONTENT_TYPES: Readonly<Record<SeriesFormat, string>> = {
  json: "application/json",
  ndjson: "application/x-ndjson",
  csv: "text/csv; charset=utf-8",
  arrow: "application/vnd.apache.arrow.stream",
};

/** Media types read per format. Arrow reads the stream and the file format alike. */
const INPUT_TYPES: Readonly<Record<string, SeriesFormat>> = {
  "application/json": "json",
  "text/json": "json",
  "application/x-ndjson": "ndjson",
  "application/ndjson": "ndjson",
  "application/jsonl": "ndjson",
  "application/x-jsonlines": "ndjson",
  "text/csv": "csv",
  "application/csv": "csv",
  "application/vnd.apache.arrow.stream": "arrow",
  "application/vnd.apache.arrow.file": "arrow",
};

/**
 * Media types each format can answer, in the server's order of preference (the tie-break when an
 * Accept header likes several equally). `.file` is not offered: responses stream, and the Arrow
 * file format needs a footer written after the whole body.
 */
const OUTPUT_TYPES: readonly (readonly [SeriesFormat, string])[] = [
  ["json", "application/json"],
  ["ndjson", "application/x-ndjson"],
  ["ndjson", "application/ndjson"],
  ["ndjson", "application/jsonl"],
  ["csv", "text/csv"],
  ["arrow", "application/vnd.apache.arrow.stream"],
];

const FORMATS: readonly SeriesFormat[] = ["json", "ndjson", "csv", "arrow"];

function mediaType(value: string): string {
  const semi = value.indexOf(";");
  return (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
}

/**
 * The codec for a request body's Content-Type, or null (answer 415). A missing or empty header
 * reads as JSON, what most clients mean when they send a body without saying.
 */
export function inputFormat(contentType: string | undefined): SeriesFormat | null {
  if (contentType === undefined || contentType.trim() === "") return "json";
  return INPUT_TYPES[mediaType(contentType)] ?? null;
}

interface Range {
  readonly type: string;
  readonly sub: string;
  readonly q: number;
}

/** Accept's media ranges; a range with a malformed q-value counts as q=0 (RFC 9110 12.4.2 allows 0..1, 3 decimals). */
function ranges(accept: string): Range[] {
  const out: Range[] = [];
  for (const part of accept.split(",").slice(0, 64)) {
    const [range = "", ...params] = part.split(";");
    const [type = "", sub = ""] = range.trim().toLowerCase().split("/");
    if (type === "" || sub === "") continue;
    let q = 1;
    for (const p of params) {
      const [name = "", value = ""] = p.split("=");
      if (name.trim().toLowerCase() === "q") {
        const v = value.trim();
        q = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(v) ? Number(v) : 0;
      }
    }
    out.push({ type, sub, q });
  }
  return out;
}

/** q and specificity (2 exact, 1 type/*, 0 *\/*) of the most specific range matching `media`, or undefined. */
function match(rs: readonly Range[], media: string): readonly [number, number] | undefined {
  const [type, sub] = media.split("/");
  let best: readonly [number, number] | undefined;
  for (const r of rs) {
    const spec =
      r.type === type && r.sub === sub
        ? 2
        : r.type === type && r.sub === "*"
          ? 1
          : r.type === "*" && r.sub === "*"
            ? 0
            : -1;
    if (spec >= 0 && (best === undefined || spec > best[1])) best = [r.q, spec];
  }
  return best;
}

/**
 * The response format: `explicit` when given (a format name or one of its media types; anything
 * else -> null), else the best of Accept by q-value, then by how specifically it was named, then
 * in the order json, ndjson, csv, arrow. No Accept or `*\/*` -> json; nothing acceptable -> null
 * (answer 406). Example: `negotiateOutput("text/csv;q=0.5, application/vnd.apache.arrow.stream")`
 * is "arrow".
 */
export function negotiateOutput(accept: string | undefined, explicit?: string): SeriesFormat | null {
  if (explicit !== undefined) {
    const name = explicit.trim().toLowerCase();
    const media = mediaType(name);
    return FORMATS.find((f) => f === name) ?? OUTPUT_TYPES.find(([, m]) => m === media)?.[0] ?? null;
  }
  if (accept === undefined || accept.trim() === "") return "json";
  const rs = ranges(accept);
  let best: SeriesFormat | null = null;
  let bestQ = 0;
  let bestSpec = -1;
  for (const [format, media] of OUTPUT_TYPES) {
    const m = match(rs, media);
    if (m === undefined) continue;
    const [q, spec] = m;
    if (q > bestQ || (q === bestQ && q > 0 && spec > bestSpec)) {
      best = format;
      bestQ = q;
      bestSpec = spec;
    }
  }
  return best;
}
