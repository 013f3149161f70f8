/**
 * JSONB cannot hold U+0000 in a string, which a Haystack Str may contain. A string literal that
 * does is stored as `{"_kind":"hayloft:nul","b64":...}` (its UTF-8 in base64) and turned back on
 * the way out; every other record is stored and read as it is, at the cost of one substring test.
 */
const NUL_ESCAPE = "\\u0000";
/** The `_kind` of a string kept out of JSONB because it holds U+0000 (filter-sql.ts matches it). */
export const NUL_KIND = "hayloft:nul";
const MARK = NUL_KIND;
const LITERAL = /"(?:[^"\\]|\\.)*"/g;
// JSONB prints an object's keys shortest first, with a space after each colon and comma.
const STORED = /\{"b64": "([A-Za-z0-9+/=]*)", "_kind": "hayloft:nul"\}/g;

const utf8 = new TextEncoder();
const utf8Text = new TextDecoder();

/** The UTF-8 of `s` in base64: how a string holding U+0000 is kept. */
export function nulB64(s: string): string {
  let bin = "";
  for (const b of utf8.encode(s)) bin += String.fromCharCode(b);
  return btoa(bin);
}

function unb64(s: string): string {
  const bin = atob(s);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return utf8Text.decode(bytes);
}

/** JSON text ready for a jsonb column. */
export function toJsonb(json: string): string {
  if (!json.includes(NUL_ESCAPE)) return json;
  return json.replace(LITERAL, (lit) => {
    if (!lit.includes(NUL_ESCAPE)) return lit;
    // An escaped backslash before "u0000" is not a NUL: only a real U+0000 needs the wrapper.
    const s = JSON.parse(lit) as string;
    return s.includes("\u0000") ? `{"_kind":"${MARK}","b64":"${nulB64(s)}"}` : lit;
  });
}

/** A jsonb column's text (`tags::text`) as the JSON v4 text that was stored. */
export function fromJsonb(text: string): string {
  if (!text.includes(MARK)) return text;
  return text.replace(STORED, (_m, data: string) => JSON.stringify(unb64(data)));
}
