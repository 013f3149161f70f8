/**
 * Who is signed in, to which project. The token lives in sessionStorage (this tab only, gone when
 * it closes), never in a URL or a cookie. Signing in with a password runs Haystack SCRAM in the
 * browser through WebCrypto (src/auth/scram-client.ts, shared with the tests); an API key is
 * checked with one call before it is kept.
 */
import { scramLogin } from "../../auth/scram-client.ts";
import { ApiError, errorOf } from "./api.ts";
import { track } from "./status.ts";

export type Role = "viewer" | "operator" | "admin" | "unknown";

export interface Session {
  readonly project: string;
  readonly token: string;
  readonly user: string;
  readonly role: Role;
  /** Epoch ms the token stops working, when it says. */
  readonly expires?: number;
}

const KEY = "hayloft.session";
let current: Session | undefined = load();

function load(): Session | undefined {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? "null") as Session | null;
    if (!s || typeof s.token !== "string" || typeof s.project !== "string") return undefined;
    if (s.expires !== undefined && s.expires <= Date.now()) return undefined;
    return s;
  } catch {
    return undefined;
  }
}

export function session(): Session | undefined {
  return current;
}

export function signOut(): void {
  current = undefined;
  sessionStorage.removeItem(KEY);
}

function keep(s: Session): Session {
  current = s;
  sessionStorage.setItem(KEY, JSON.stringify(s));
  return s;
}

/** A signed session token's claims (not verified here: the server does that on every call). */
function claimsOf(token: string): { sub?: string; role?: string; exp?: number } {
  const body = token.split(".")[0] ?? "";
  try {
    const bin = atob(body.replace(/-/g, "+").replace(/_/g, "/"));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
  } catch {
    return {};
  }
}

function roleOf(r: unknown): Role {
  return r === "viewer" || r === "operator" || r === "admin" ? r : "unknown";
}

const aboutUrl = (project: string) => `/api/${encodeURIComponent(project)}/about`;

export async function signInWithPassword(project: string, user: string, password: string): Promise<Session> {
  const steps = await track(scramLogin(fetch, aboutUrl(project), user, password));
  if (!steps.token) {
    const last = steps.final ?? steps.first ?? steps.hello;
    throw last.status === 401 && !steps.final
      ? new ApiError(401, "auth_failed", "The server did not offer SCRAM for this user")
      : await errorOf(last);
  }
  if (!steps.serverVerified) throw new ApiError(0, "auth_failed", "The server could not prove it knows the password");
  const c = claimsOf(steps.token);
  return keep({ project, token: steps.token, user: c.sub ?? user, role: roleOf(c.role), expires: c.exp });
}

export async function signInWithKey(project: string, key: string): Promise<Session> {
  const res = await track(
    fetch(aboutUrl(project), { headers: { authorization: `Bearer ${key}`, accept: "application/json" } }),
  );
  if (!res.ok) throw await errorOf(res);
  return keep({ project, token: key, user: "API key", role: "unknown" });
}
