/**
 * Signed, expiring tokens: `base64url(JSON claims).base64url(HMAC-SHA-256)`. Any Worker instance
 * holding the secret verifies one without a round trip; revocation is a separate list keyed by
 * `jti`. The same form carries SCRAM handshake state between the exchange's round trips.
 */
import { fromBase64Url, toBase64Url, utf8Bytes, utf8Text } from "./base64.ts";
import { sameBytes } from "./scram.ts";

/** Claims every signed token has; `exp` is epoch milliseconds. */
export interface BaseClaims {
  readonly exp: number;
  readonly typ: string;
}

export type VerifyFailure = "malformed" | "bad_signature" | "expired" | "wrong_type";

export type Verified<C> =
  | { readonly ok: true; readonly claims: C }
  | { readonly ok: false; readonly why: VerifyFailure };

/** Longest token accepted: claims stay small, so anything longer is not ours. */
const MAX_TOKEN = 4096;

// Importing a key costs about as much as the MAC itself; secrets are long-lived objects, so keep it.
const imported = new WeakMap<Uint8Array, Promise<CryptoKey>>();

async function mac(secret: Uint8Array, data: string): Promise<Uint8Array> {
  let key = imported.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    imported.set(secret, key);
  }
  return new Uint8Array(await crypto.subtle.sign("HMAC", await key, utf8Bytes(data)));
}

export async function signToken<C extends BaseClaims>(secret: Uint8Array, claims: C): Promise<string> {
  const body = toBase64Url(utf8Bytes(JSON.stringify(claims)));
  return `${body}.${toBase64Url(await mac(secret, body))}`;
}

/**
 * The claims of a token signed with `secret`, of type `typ`, not expired at `nowMs`; otherwise
 * why not. The signature is checked (in constant time) before the claims are parsed.
 */
export async function verifyToken<C extends BaseClaims>(
  secret: Uint8Array,
  token: string,
  typ: string,
  nowMs: number,
): Promise<Verified<C>> {
  if (token.length > MAX_TOKEN) return { ok: false, why: "malformed" };
  const dot = token.indexOf(".");
  if (dot <= 0 || dot !== token.lastIndexOf(".")) return { ok: false, why: "malformed" };
  const body = token.slice(0, dot);
  const sig = fromBase64Url(token.slice(dot + 1));
  if (!sig) return { ok: false, why: "malformed" };
  if (!sameBytes(sig, await mac(secret, body))) return { ok: false, why: "bad_signature" };
  const bytes = fromBase64Url(body);
  const text = bytes && utf8Text(bytes);
  let claims: unknown;
  try {
    claims = text === undefined ? undefined : JSON.parse(text);
  } catch {
    claims = undefined;
  }
  if (typeof claims !== "object" || claims === null) return { ok: false, why: "malformed" };
  const { exp, typ: t } = claims as Partial<BaseClaims>;
  if (typeof exp !== "number" || typeof t !== "string") return { ok: false, why: "malformed" };
  if (t !== typ) return { ok: false, why: "wrong_type" };
  if (!(nowMs < exp)) return { ok: false, why: "expired" };
  return { ok: true, claims: claims as C };
}
