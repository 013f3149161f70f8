/**
 * Haystack auth headers (Auth.fandoc #syntax): `scheme` then comma-separated `name=token`
 * parameters, with no quoted strings and no token68. Values that are not tokens travel as
 * base64url, so a parameter value here is always a plain token.
 */

export interface AuthHeader {
  /** Upper-cased scheme: HELLO, SCRAM, BEARER. */
  readonly scheme: string;
  readonly params: ReadonlyMap<string, string>;
}

/** Longest header we parse; a real SCRAM exchange stays far below it. */
const MAX_HEADER = 4096;
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * Parses `SCRAM handshakeToken=abc, data=xyz`; undefined when the header does not follow the
 * syntax. Parameter names are case-sensitive as the spec writes them.
 */
export function parseAuthHeader(text: string | null | undefined): AuthHeader | undefined {
  if (!text || text.length > MAX_HEADER) return undefined;
  const t = text.trim();
  const sp = t.search(/\s/);
  const scheme = (sp < 0 ? t : t.slice(0, sp)).toUpperCase();
  if (!TOKEN.test(scheme)) return undefined;
  const params = new Map<string, string>();
  const rest = sp < 0 ? "" : t.slice(sp + 1).trim();
  if (rest !== "") {
    for (const part of rest.split(",")) {
      const eq = part.indexOf("=");
      if (eq <= 0) return undefined;
      const name = part.slice(0, eq).trim();
      // base64url values may keep their `=` padding, which the token syntax would refuse.
      const value = part.slice(eq + 1).trim();
      if (!TOKEN.test(name) || !/^[A-Za-z0-9!#$%&'*+.^_`|~=-]+$/.test(value) || params.has(name)) return undefined;
      params.set(name, value);
    }
  }
  return { scheme, params };
}

/** `SCRAM hash=SHA-256, handshakeToken=abc`: the inverse of parseAuthHeader. */
export function formatAuthHeader(scheme: string, params: Readonly<Record<string, string>>): string {
  const list = formatAuthParams(params);
  return list === "" ? scheme : `${scheme} ${list}`;
}

/** `authToken=abc, hash=SHA-256`: parameters alone, as Authentication-Info carries them. */
export function formatAuthParams(params: Readonly<Record<string, string>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

const TOKEN68 = /^[A-Za-z0-9._~+/-]+=*$/;

/**
 * The credential of a bearer header in any form a client sends: Haystack's
 * `BEARER authToken=xyz`, RFC 6750's `Bearer xyz`, or Django REST framework's `Token xyz` (what a
 * HoLcStore sync client is configured with). Undefined for any other header.
 */
export function bearerCredential(text: string | null | undefined): string | undefined {
  if (!text || text.length > MAX_HEADER) return undefined;
  const m = /^(bearer|token)[ \t]+(.+)$/i.exec(text.trim());
  if (!m) return undefined;
  const rest = (m[2] as string).trim();
  if (rest.startsWith("authToken=")) {
    return (m[1] as string).toLowerCase() === "bearer"
      ? parseAuthHeader(`BEARER ${rest}`)?.params.get("authToken")
      : undefined;
  }
  return TOKEN68.test(rest) ? rest : undefined;
}
