/**
 * The client side of Haystack's SCRAM-SHA-256 login (Auth.fandoc #scram, RFC 5802/7677): HELLO,
 * client-first, client-final, then the `authToken` of `Authentication-Info`. WebCrypto only, so
 * it runs in Node, workerd and browsers alike.
 *
 * It deliberately imports nothing from the server side (scram.ts, handshake.ts, base64.ts): the
 * tests drive the server with it, and a bug shared by both sides would pass unseen.
 *
 * @example
 *   const s = await scramLogin(fetch, "http://localhost:8787/api/demo/about", "admin", password);
 *   if (s.token) headers.set("authorization", `Bearer ${s.token}`);
 */

const utf8 = new TextEncoder();

function base64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

const base64url = (text: string): string =>
  base64(utf8.encode(text)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

function unbase64(text: string): Uint8Array {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

const unbase64url = (text: string): string => new TextDecoder().decode(unbase64(text));

/** `SCRAM a=1, b=2` -> { scheme, params }; a missing header gives an empty scheme. */
export function parseChallenge(header: string | null): { scheme: string; params: Map<string, string> } {
  const text = (header ?? "").trim();
  const sp = text.indexOf(" ");
  const scheme = sp < 0 ? text : text.slice(0, sp);
  const params = new Map<string, string>();
  if (sp >= 0) {
    for (const part of text.slice(sp + 1).split(",")) {
      const eq = part.indexOf("=");
      if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }
  return { scheme, params };
}

/** RFC 5802 §5.1 saslname: `,` and `=` escaped. */
const saslName = (user: string): string => user.replace(/=/g, "=3D").replace(/,/g, "=2C");

/**
 * SaltedPassword values by (password, salt, iterations). RFC 5802 §5.1 allows a client to keep
 * them; a caller that logs in many times (a test suite) passes one Map to skip PBKDF2 after the
 * first login. It holds password-derived keys, so keep it no longer than the password itself.
 */
export type SaltedPasswordCache = Map<string, Uint8Array<ArrayBuffer>>;

async function hmac(key: Uint8Array<ArrayBuffer>, text: string): Promise<Uint8Array<ArrayBuffer>> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, utf8.encode(text)));
}

async function saltedPassword(
  password: string,
  salt: string,
  iterations: number,
  cache?: SaltedPasswordCache,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = `${password}\u0000${salt}\u0000${iterations}`;
  const known = cache?.get(key);
  if (known) return known;
  // NFKC stands in for SASLprep (RFC 4013), as the server does.
  const raw = await crypto.subtle.importKey("raw", utf8.encode(password.normalize("NFKC")), "PBKDF2", false, [
    "deriveBits",
  ]);
  const params = { name: "PBKDF2", hash: "SHA-256", salt: unbase64(salt), iterations };
  const salted = new Uint8Array(await crypto.subtle.deriveBits(params, raw, 256));
  cache?.set(key, salted);
  return salted;
}

/**
 * The client-final message for `serverFirst` (`r=...,s=...,i=...`), and the server-final message
 * (`v=...`) a server that knows the password must answer with (RFC 5802 §3).
 */
export async function clientFinal(
  password: string,
  bare: string,
  serverFirst: string,
  cache?: SaltedPasswordCache,
): Promise<{ message: string; serverSig: string }> {
  const a = new Map(serverFirst.split(",").map((p) => [p[0], p.slice(2)] as const));
  const salted = await saltedPassword(password, a.get("s") ?? "", Number(a.get("i")), cache);
  const clientKey = await hmac(salted, "Client Key");
  const storedKey = new Uint8Array(await crypto.subtle.digest("SHA-256", clientKey));
  const withoutProof = `c=biws,r=${a.get("r")}`;
  const authMessage = `${bare},${serverFirst},${withoutProof}`;
  const sig = await hmac(storedKey, authMessage);
  const proof = clientKey.map((b, i) => b ^ (sig[i] as number));
  const serverKey = await hmac(salted, "Server Key");
  return {
    message: `${withoutProof},p=${base64(proof)}`,
    serverSig: `v=${base64(await hmac(serverKey, authMessage))}`,
  };
}

/** Every response of one login attempt, for callers that explain a failure or test the server. */
export interface LoginSteps {
  readonly hello: Response;
  readonly first?: Response;
  readonly final?: Response;
  /** The server-first message the server sent (salt, iterations, nonce). */
  readonly serverFirst?: string;
  readonly token?: string;
  /** Whether the server proved it knows the password too (`v=` matches). */
  readonly serverVerified?: boolean;
}

export type Fetch = (url: string, init?: RequestInit) => Response | Promise<Response>;

export interface LoginOptions {
  readonly cache?: SaltedPasswordCache;
}

/**
 * Runs HELLO -> client-first -> client-final against `url` (any guarded URL, e.g. `.../about`)
 * and stops at the first answer that does not continue the exchange. Throws only when the
 * server's nonce does not extend ours (a broken or hostile server).
 */
export async function scramLogin(
  fetch: Fetch,
  url: string,
  user: string,
  password: string,
  opts: LoginOptions = {},
): Promise<LoginSteps> {
  const get = (authorization: string) => fetch(url, { headers: { authorization } });
  const hello = await get(`HELLO username=${base64url(user)}`);
  const c1 = parseChallenge(hello.headers.get("www-authenticate"));
  if (hello.status !== 401 || c1.scheme !== "SCRAM" || c1.params.get("hash") !== "SHA-256") return { hello };
  const nonce = base64(crypto.getRandomValues(new Uint8Array(18)));
  const bare = `n=${saslName(user)},r=${nonce}`;
  const first = await get(`SCRAM handshakeToken=${c1.params.get("handshakeToken")}, data=${base64url(`n,,${bare}`)}`);
  const c2 = parseChallenge(first.headers.get("www-authenticate"));
  if (first.status !== 401 || c2.scheme !== "SCRAM") return { hello, first };
  const serverFirst = unbase64url(c2.params.get("data") ?? "");
  if (!serverFirst.startsWith(`r=${nonce}`)) throw new Error(`server nonce does not extend ours: ${serverFirst}`);
  const f = await clientFinal(password, bare, serverFirst, opts.cache);
  const final = await get(`SCRAM handshakeToken=${c2.params.get("handshakeToken")}, data=${base64url(f.message)}`);
  if (final.status !== 200) return { hello, first, final, serverFirst };
  const info = parseChallenge(`x ${final.headers.get("authentication-info") ?? ""}`).params;
  const token = info.get("authToken");
  return {
    hello,
    first,
    final,
    serverFirst,
    ...(token === undefined ? {} : { token }),
    serverVerified: unbase64url(info.get("data") ?? "") === f.serverSig,
  };
}
