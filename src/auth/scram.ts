/**
 * The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as Haystack uses it (Auth.fandoc #scram),
 * on WebCrypto only. No channel binding: clients send the gs2 header `n,,` (or `y,,`).
 * State between the two round trips is the caller's business (a signed handshake token); this
 * module only parses, derives and verifies.
 */
import { fromBase64, toBase64, utf8Bytes } from "./base64.ts";

/** workerd refuses PBKDF2 above this many iterations. */
export const MAX_ITERATIONS = 100_000;
export const DEFAULT_ITERATIONS = 100_000;
const KEY_BITS = 256;

/** What a server keeps for a user: never the password. */
export interface ScramCredentials {
  readonly salt: Uint8Array;
  readonly iterations: number;
  readonly storedKey: Uint8Array;
  readonly serverKey: Uint8Array;
}

export class ScramError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScramError";
  }
}

async function hmac(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, data));
}

async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
}

/** SaltedPassword = Hi(password, salt, i), i.e. PBKDF2-HMAC-SHA-256 with one block. */
async function saltedPassword(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  if (!Number.isInteger(iterations) || iterations < 4096 || iterations > MAX_ITERATIONS) {
    throw new ScramError(`iterations must be 4096..${MAX_ITERATIONS}, got ${iterations}`);
  }
  const key = await crypto.subtle.importKey("raw", utf8Bytes(password.normalize("NFKC")), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, KEY_BITS);
  return new Uint8Array(bits);
}

/**
 * The stored form of a password. `password.normalize("NFKC")` stands in for SASLprep (RFC 4013),
 * which agrees with it on the printable passwords people type.
 */
export async function deriveCredentials(
  password: string,
  salt: Uint8Array,
  iterations = DEFAULT_ITERATIONS,
): Promise<ScramCredentials> {
  const salted = await saltedPassword(password, salt, iterations);
  const clientKey = await hmac(salted, utf8Bytes("Client Key"));
  return {
    salt,
    iterations,
    storedKey: await sha256(clientKey),
    serverKey: await hmac(salted, utf8Bytes("Server Key")),
  };
}

/**
 * Credentials for a user who does not exist, the same for the same name on every call and every
 * instance (derived from a server secret), so a probe cannot tell them from a real user's; the
 * proof check then fails as it would for a wrong password.
 */
export async function fakeCredentials(username: string, secret: Uint8Array): Promise<ScramCredentials> {
  const salt = (await hmac(secret, utf8Bytes(`scram-fake-salt\u0000${username}`))).slice(0, 16);
  const key = await hmac(secret, utf8Bytes(`scram-fake-key\u0000${username}`));
  return { salt, iterations: DEFAULT_ITERATIONS, storedKey: key, serverKey: key };
}

export interface ClientFirst {
  readonly username: string;
  readonly clientNonce: string;
  /** gs2 header, as `c=` must echo it. */
  readonly gs2: string;
  /** client-first-message-bare, part of the AuthMessage. */
  readonly bare: string;
}

const MAX_MESSAGE = 1024;
/** RFC 5802 `printable`: %x21-2B / %x2D-7E (no comma). */
const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;

/** `=2C` and `=3D` are the only escapes a SCRAM username may hold. */
function decodeSaslName(s: string): string {
  if (/=(?!2C|3D)/.test(s)) throw new ScramError("bad escape in username");
  return s.replace(/=2C/g, ",").replace(/=3D/g, "=");
}

function attrs(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of text.split(",")) {
    if (part.length < 2 || part[1] !== "=") throw new ScramError(`bad attribute ${JSON.stringify(part.slice(0, 20))}`);
    const k = part[0] as string;
    if (m.has(k)) throw new ScramError(`attribute ${k} twice`);
    m.set(k, part.slice(2));
  }
  return m;
}

/** Parses `n,,n=user,r=nonce`. Channel binding (`p=`) and `m=` extensions are refused. */
export function parseClientFirst(msg: string): ClientFirst {
  if (msg.length > MAX_MESSAGE) throw new ScramError("client-first message too long");
  const m = /^([ny]),(a=[^,]*)?,(.*)$/.exec(msg);
  if (!m) throw new ScramError("client-first message must start with n,, or y,, (no channel binding)");
  if (m[2] !== undefined) throw new ScramError("authorization identities (a=) are not supported");
  const bare = m[3] as string;
  const a = attrs(bare);
  if (a.has("m")) throw new ScramError("mandatory extensions are not supported");
  const n = a.get("n");
  const r = a.get("r");
  if (n === undefined || n === "" || r === undefined || !NONCE.test(r)) {
    throw new ScramError("client-first message needs n= and a printable r=");
  }
  return { username: decodeSaslName(n), clientNonce: r, gs2: `${m[1]},,`, bare };
}

/** `r=<client+server nonce>,s=<salt>,i=<iterations>`. */
export function serverFirst(nonce: string, creds: ScramCredentials): string {
  return `r=${nonce},s=${toBase64(creds.salt)},i=${creds.iterations}`;
}

/** Constant-time equality: the time taken does not depend on where the bytes differ. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * Checks `c=biws,r=...,p=...` against the earlier messages. Returns the server-final message
 * (`v=<server signature>`) when the proof is right; throws ScramError otherwise.
 */
export async function verifyClientFinal(
  msg: string,
  first: ClientFirst,
  serverFirstMessage: string,
  nonce: string,
  creds: ScramCredentials,
): Promise<string> {
  if (msg.length > MAX_MESSAGE) throw new ScramError("client-final message too long");
  const at = msg.lastIndexOf(",p=");
  if (at < 0) throw new ScramError("client-final message has no proof");
  const withoutProof = msg.slice(0, at);
  const a = attrs(withoutProof);
  const proof = fromBase64(msg.slice(at + 3));
  if (a.get("c") !== toBase64(utf8Bytes(first.gs2))) throw new ScramError("channel binding does not match");
  if (a.get("r") !== nonce) throw new ScramError("nonce does not match");
  if (proof?.length !== 32) throw new ScramError("bad proof");
  const authMessage = utf8Bytes(`${first.bare},${serverFirstMessage},${withoutProof}`);
  const clientSignature = await hmac(creds.storedKey, authMessage);
  const clientKey = proof.map((b, i) => b ^ (clientSignature[i] as number));
  if (!sameBytes(await sha256(clientKey), creds.storedKey)) throw new ScramError("wrong password");
  return `v=${toBase64(await hmac(creds.serverKey, authMessage))}`;
}
