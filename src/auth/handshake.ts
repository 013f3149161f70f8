/**
 * The Haystack auth exchange (Auth.fandoc) as a pure state machine over headers:
 * HELLO -> 401 `SCRAM hash=SHA-256, handshakeToken` -> client-first -> 401 server-first ->
 * client-final -> 200 `Authentication-Info: authToken, hash, data`. State between round trips
 * rides in signed, short-lived handshake tokens, so any Worker instance can take the next step.
 * An unknown user gets deterministic fake credentials and fails only at the proof, with 403.
 */
import { fromBase64Url, toBase64Url, utf8Bytes, utf8Text } from "./base64.ts";
import { type AuthHeader, formatAuthHeader, formatAuthParams } from "./header.ts";
import type { SigningKeys } from "./keys.ts";
import { randomToken } from "./random.ts";
import type { Role } from "./roles.ts";
import {
  type ClientFirst,
  fakeCredentials,
  parseClientFirst,
  type ScramCredentials,
  ScramError,
  serverFirst,
  verifyClientFinal,
} from "./scram.ts";
import { type BaseClaims, signToken, verifyToken } from "./signed.ts";
import { type AuthClaims, issueAuthToken } from "./tokens.ts";

/** A user as the exchange needs them. */
export interface Account {
  readonly credentials: ScramCredentials;
  readonly role: Role;
  readonly rateLimit?: number;
}

export interface HandshakeContext {
  readonly keys: SigningKeys;
  readonly project: string;
  readonly nowMs: number;
  readonly tokenTtlMs: number;
  /** The account of `user` in this project, or undefined when there is none. */
  account(user: string): Promise<Account | undefined>;
}

export type HandshakeResult =
  | { readonly status: 401; readonly wwwAuthenticate: string }
  | { readonly status: 200; readonly authenticationInfo: string; readonly claims: AuthClaims }
  | { readonly status: 400 | 403; readonly reason: string };

/** How long a client has for each step of the exchange. */
export const HANDSHAKE_TTL_MS = 60_000;
const MAX_USERNAME = 256;

interface HelloState extends BaseClaims {
  readonly typ: "hello";
  readonly u: string;
  readonly prj: string;
}

interface ScramState extends BaseClaims {
  readonly typ: "scram";
  readonly u: string;
  readonly prj: string;
  readonly first: ClientFirst;
  readonly sf: string;
  readonly nonce: string;
}

const bad = (reason: string): HandshakeResult => ({ status: 400, reason });
const forbidden = (reason: string): HandshakeResult => ({ status: 403, reason });

/** Handles a HELLO or SCRAM Authorization header. */
export async function handshake(header: AuthHeader, cx: HandshakeContext): Promise<HandshakeResult> {
  if (header.scheme === "HELLO") return hello(header, cx);
  if (header.scheme !== "SCRAM") return bad(`${header.scheme} is not an auth exchange scheme`);
  const token = header.params.get("handshakeToken");
  if (!token) return bad("SCRAM message without handshakeToken");
  const data = decodeData(header.params.get("data"));
  if (data === undefined) return bad("SCRAM message without base64url data");
  const kind = await stateKind(cx.keys, token, cx.nowMs);
  if (kind === "hello") return clientFirst(token, data, cx);
  if (kind === "scram") return clientFinal(token, data, cx);
  // Expired or forged state: the client must start again, which a 403 tells it.
  return forbidden("handshake expired or invalid: start again with HELLO");
}

async function hello(header: AuthHeader, cx: HandshakeContext): Promise<HandshakeResult> {
  const raw = header.params.get("username");
  const bytes = raw === undefined ? undefined : fromBase64Url(raw);
  const user = bytes && utf8Text(bytes);
  if (!user || user.length > MAX_USERNAME) return bad("HELLO needs username=<base64url of the user name>");
  const state: HelloState = { typ: "hello", u: user, prj: cx.project, exp: cx.nowMs + HANDSHAKE_TTL_MS };
  const handshakeToken = await signToken(cx.keys.token, state);
  return { status: 401, wwwAuthenticate: formatAuthHeader("SCRAM", { hash: "SHA-256", handshakeToken }) };
}

async function clientFirst(token: string, data: string, cx: HandshakeContext): Promise<HandshakeResult> {
  const v = await verifyToken<HelloState>(cx.keys.token, token, "hello", cx.nowMs);
  if (!v.ok || v.claims.prj !== cx.project) return forbidden("handshake expired or invalid: start again with HELLO");
  let first: ClientFirst;
  try {
    first = parseClientFirst(data);
  } catch (err) {
    return bad(err instanceof ScramError ? err.message : "bad client-first message");
  }
  if (first.username !== v.claims.u) return bad("client-first user differs from the HELLO user");
  const creds = await credentialsOf(first.username, cx);
  const nonce = first.clientNonce + randomToken(18);
  const sf = serverFirst(nonce, creds);
  const state: ScramState = {
    typ: "scram",
    u: first.username,
    prj: cx.project,
    first,
    sf,
    nonce,
    exp: cx.nowMs + HANDSHAKE_TTL_MS,
  };
  const handshakeToken = await signToken(cx.keys.token, state);
  const data64 = toBase64Url(utf8Bytes(sf));
  return {
    status: 401,
    wwwAuthenticate: formatAuthHeader("SCRAM", { handshakeToken, hash: "SHA-256", data: data64 }),
  };
}

async function clientFinal(token: string, data: string, cx: HandshakeContext): Promise<HandshakeResult> {
  const v = await verifyToken<ScramState>(cx.keys.token, token, "scram", cx.nowMs);
  if (!v.ok || v.claims.prj !== cx.project) return forbidden("handshake expired or invalid: start again with HELLO");
  const s = v.claims;
  const account = await cx.account(s.u);
  const creds = account?.credentials ?? (await fakeCredentials(s.u, cx.keys.fake));
  // A password changed mid-exchange leaves the salt the client used stale: that proof cannot pass.
  if (serverFirst(s.nonce, creds) !== s.sf) return forbidden("authentication failed");
  let serverFinal: string;
  try {
    serverFinal = await verifyClientFinal(data, s.first, s.sf, s.nonce, creds);
  } catch {
    return forbidden("authentication failed");
  }
  if (!account) return forbidden("authentication failed");
  const { token: authToken, claims } = await issueAuthToken(cx.keys, {
    user: s.u,
    project: cx.project,
    role: account.role,
    nowMs: cx.nowMs,
    ttlMs: cx.tokenTtlMs,
    ...(account.rateLimit === undefined ? {} : { rateLimit: account.rateLimit }),
  });
  return {
    status: 200,
    authenticationInfo: formatAuthParams({ authToken, hash: "SHA-256", data: toBase64Url(utf8Bytes(serverFinal)) }),
    claims,
  };
}

async function credentialsOf(user: string, cx: HandshakeContext): Promise<ScramCredentials> {
  return (await cx.account(user))?.credentials ?? fakeCredentials(user, cx.keys.fake);
}

function decodeData(raw: string | undefined): string | undefined {
  const bytes = raw === undefined ? undefined : fromBase64Url(raw);
  return bytes && utf8Text(bytes);
}

/** Which step a handshake token belongs to, when it is ours and current. */
async function stateKind(keys: SigningKeys, token: string, nowMs: number): Promise<"hello" | "scram" | undefined> {
  for (const typ of ["hello", "scram"] as const) {
    const v = await verifyToken<BaseClaims>(keys.token, token, typ, nowMs);
    if (v.ok) return typ;
    if (v.why !== "wrong_type") return undefined;
  }
  return undefined;
}
