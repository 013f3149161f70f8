/**
 * What Django REST framework does to the bytes HoLcStore's endpoints send, so that ours match:
 * its JSON strings (`JSONRenderer`: compact, UTF-8, U+2028/U+2029 escaped) and the `next` /
 * `previous` links of `LimitOffsetPagination` (rest_framework/utils/urls.py: the request's query
 * parsed with `parse_qs(keep_blank_values=True)`, the one parameter set or removed, then every
 * parameter re-encoded with `urlencode(sorted(...), doseq=True)`, i.e. sorted and `quote_plus`ed).
 */

/** A JSON string literal as DRF's renderer writes it. */
export function drfString(s: string): string {
  return JSON.stringify(s)
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

const HEX = "0123456789ABCDEF";
const utf8 = new TextEncoder();
const lenientUtf8 = new TextDecoder("utf-8");

/** Python's `quote_plus`: everything but letters, digits and `_.-~` percent-encoded, space as `+`. */
export function quotePlus(s: string): string {
  let out = "";
  for (const b of utf8.encode(s)) {
    const safe =
      (b >= 0x30 && b <= 0x39) ||
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      b === 0x5f ||
      b === 0x2e ||
      b === 0x2d ||
      b === 0x7e;
    if (safe) out += String.fromCharCode(b);
    else if (b === 0x20) out += "+";
    else out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Python's `unquote_plus`: `+` as space, valid `%XX` as bytes, invalid UTF-8 replaced, bad `%` kept. */
function unquotePlus(s: string): string {
  const bytes = utf8.encode(s.replace(/\+/g, " "));
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0x25 && i + 2 < bytes.length) {
      const hi = hexValue(bytes[i + 1] ?? -1);
      const lo = hexValue(bytes[i + 2] ?? -1);
      if (hi >= 0 && lo >= 0) {
        out[n++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[n++] = b;
  }
  return lenientUtf8.decode(out.subarray(0, n));
}

/** Python's `parse_qs(query, keep_blank_values=True)`: values per name, names in first-seen order. */
function parseQs(query: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of query.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = unquotePlus(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? "" : unquotePlus(part.slice(eq + 1));
    const list = out.get(name);
    if (list === undefined) out.set(name, [value]);
    else list.push(value);
  }
  return out;
}

/** Python's string order (by code point), which `sorted` uses on the names. */
function byCodePoint(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) as number);
  const y = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] as number) - (y[i] as number);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/**
 * DRF's `replace_query_param` / `remove_query_param` in one: `url` with `name` set to `value`
 * (or removed when `value` is null), every parameter sorted by name and re-encoded.
 */
export function withQueryParam(url: string, name: string, value: string | null): string {
  const hash = url.indexOf("#");
  const fragment = hash < 0 ? "" : url.slice(hash + 1);
  const noFragment = hash < 0 ? url : url.slice(0, hash);
  const q = noFragment.indexOf("?");
  const base = q < 0 ? noFragment : noFragment.slice(0, q);
  const params = parseQs(q < 0 ? "" : noFragment.slice(q + 1));
  if (value === null) params.delete(name);
  else params.set(name, [value]);
  const query = [...params.keys()]
    .sort(byCodePoint)
    .flatMap((k) => (params.get(k) ?? []).map((v) => `${quotePlus(k)}=${quotePlus(v)}`))
    .join("&");
  return `${base}${query === "" ? "" : `?${query}`}${fragment === "" ? "" : `#${fragment}`}`;
}

/**
 * The URL of another page of a limit/offset listing, as DRF links it: `limit` set, and `offset`
 * set, or removed when it is 0 or less (DRF's `previous` back to the first page).
 * @example pageUrl("http://h/api/ts/updates/?since=2000-01-01T00:00:00%2B01:00&limit=8", 8, 8)
 *   === "http://h/api/ts/updates/?limit=8&offset=8&since=2000-01-01T00%3A00%3A00%2B01%3A00"
 */
export function pageUrl(requestUrl: string | URL, limit: number, offset: number): string {
  const withLimit = withQueryParam(String(requestUrl), "limit", String(limit));
  return withQueryParam(withLimit, "offset", offset > 0 ? String(offset) : null);
}

/** `next` and `previous` of DRF's LimitOffsetPagination for one page of `count` rows. */
export function pageLinks(
  requestUrl: string | URL,
  limit: number,
  offset: number,
  count: number,
): { next: string | null; previous: string | null } {
  return {
    next: offset + limit >= count ? null : pageUrl(requestUrl, limit, offset + limit),
    previous: offset <= 0 ? null : pageUrl(requestUrl, limit, offset - limit),
  };
}
