/**
 * A Haystack SCRAM-SHA-256 client written from RFC 5802/7677 and Auth.fandoc with node:crypto
 * alone, so the server's handshake is checked against code it shares nothing with.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

const b64url = (s: string | Buffer): string => Buffer.from(s).toString("base64url");
const unb64url = (s: string): string => Buffer.from(s, "base64url").toString("utf8");

/** `SCRAM a=1, b=2` -> { scheme, params }. */
export function parseChallenge(h: string | null): { scheme: string; params: Map<string, string> } {
  const text = (h ?? "").trim();
  const sp = text.indexOf(" ");
  const scheme = sp < 0 ? text : text.slice(0, sp);
  const params = new Map<string, string>();
  if (sp >= 0) {
    for (const part of text.slice(sp + 1).split(",")) {
      const eq = part.indexOf("=");
      params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }
  return { scheme, params };
}

/** RFC 5802 §5.1 saslname: `,` and `=` escaped. */
const saslName = (u: string): string => u.replace(/=/g, "=3D").replace(/,/g, "=2C");

// RFC 5802 §5.1 lets a client cache SaltedPassword per (password, salt, iterations).
const saltedCache = new Map<string, Buffer>();

function saltedPassword(password: string, salt: string, iterations: number): Buffer {
  const k = `${password}\u0000${salt}\u0000${iterations}`;
  let v = saltedCache.get(k);
  if (!v) {
    v = pbkdf2Sync(password.normalize("NFKC"), Buffer.from(salt, "base64"), iterations, 32, "sha256");
    saltedCache.set(k, v);
  }
  return v;
}

/** The client-final message and the server signature the client expects back (RFC 5802 §3). */
export function clientFinal(
  password: string,
  bare: string,
  serverFirst: string,
): { message: string; serverSig: string } {
  const a = new Map(serverFirst.split(",").map((p) => [p[0], p.slice(2)] as const));
  const salted = saltedPassword(password, a.get("s") ?? "", Number(a.get("i")));
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const withoutProof = `c=biws,r=${a.get("r")}`;
  const authMessage = `${bare},${serverFirst},${withoutProof}`;
  const sig = createHmac("sha256", storedKey).update(authMessage).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ (sig[i] as number)));
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return {
    message: `${withoutProof},p=${proof.toString("base64")}`,
    serverSig: `v=${createHmac("sha256", serverKey).update(authMessage).digest("base64")}`,
  };
}

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

type Fetch = (url: string, init?: RequestInit) => Response | Promise<Response>;

/** Runs HELLO -> client-first -> client-final against `url` (any guarded URL, e.g. `.../about`). */
export async function scramLogin(fetch: Fetch, url: string, user: string, password: string): Promise<LoginSteps> {
  const get = (authorization: string) => fetch(url, { headers: { authorization } });
  const hello = await get(`HELLO username=${b64url(user)}`);
  const c1 = parseChallenge(hello.headers.get("www-authenticate"));
  if (hello.status !== 401 || c1.scheme !== "SCRAM" || c1.params.get("hash") !== "SHA-256") return { hello };
  const nonce = randomBytes(18).toString("base64");
  const bare = `n=${saslName(user)},r=${nonce}`;
  const first = await get(`SCRAM handshakeToken=${c1.params.get("handshakeToken")}, data=${b64url(`n,,${bare}`)}`);
  const c2 = parseChallenge(first.headers.get("www-authenticate"));
  if (first.status !== 401 || c2.scheme !== "SCRAM") return { hello, first };
  const serverFirst = unb64url(c2.params.get("data") ?? "");
  if (!serverFirst.startsWith(`r=${nonce}`)) throw new Error(`server nonce does not extend ours: ${serverFirst}`);
  const f = clientFinal(password, bare, serverFirst);
  const final = await get(`SCRAM handshakeToken=${c2.params.get("handshakeToken")}, data=${b64url(f.message)}`);
  if (final.status !== 200) return { hello, first, final, serverFirst };
  const info = parseChallenge(`x ${final.headers.get("authentication-info") ?? ""}`).params;
  const token = info.get("authToken");
  return {
    hello,
    first,
    final,
    serverFirst,
    ...(token === undefined ? {} : { token }),
    serverVerified: unb64url(info.get("data") ?? "") === f.serverSig,
  };
}
