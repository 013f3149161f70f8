/**
 * The one auth middleware, in front of every face: answers the Haystack auth exchange (HELLO,
 * SCRAM) on any guarded path, checks bearer tokens and API keys, applies the per-credential rate
 * limit and the route's least role, then hands the request on with its principal set.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../../app.ts";
import { looksLikeApiKey } from "../../auth/apikey.ts";
import { handshake } from "../../auth/handshake.ts";
import { bearerCredential, parseAuthHeader } from "../../auth/header.ts";
import type { Principal } from "../../auth/principal.ts";
import { roleAllows } from "../../auth/roles.ts";
import { PROJECT_NAME } from "../../config.ts";
import { negotiate } from "../../haystack/codec/formats.ts";
import { problem } from "../errors.ts";
import { errorResponse } from "../haystack/respond.ts";
import { logFailure } from "../log.ts";
import { type Authority, type AuthStub, authorityFor, type Refusal } from "./authority.ts";
import { type Guard, guardFor } from "./policy.ts";

interface Failure {
  readonly status: 400 | 401 | 403 | 404 | 429 | 503;
  readonly code: string;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Sent with every 401 that is not a SCRAM step: how to get credentials. */
const CHALLENGE = "HELLO, Bearer";

export function authStub(c: Context<AppEnv>, project: string): AuthStub {
  return c.env.AUTH.get(c.env.AUTH.idFromName(project));
}

export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const guard = guardFor(c.req.path, c.req.method);
    if (!guard) return next();
    if (!PROJECT_NAME.test(guard.project)) {
      return fail(c, guard, { status: 404, code: "not_found", message: "No such project" });
    }
    const header = c.req.header("authorization");
    if (!header) return fail(c, guard, unauthorized("Authentication required: start with HELLO or send a token"));
    const authority = authorityFor(c.var.config.auth);
    const stub = authStub(c, guard.project);
    const now = Date.now();
    const bearer = bearerCredential(header);
    let outcome: Principal | Failure | Response;
    try {
      outcome =
        bearer === undefined
          ? await exchange(c, guard, authority, stub, header, now)
          : await identify(guard, authority, stub, bearer, now);
    } catch (err) {
      // The auth store could not be asked: fail closed, and say so without the cause's details.
      logFailure(c.var.config, `auth on ${guard.project} failed`, err);
      return fail(c, guard, { status: 503, code: "unavailable", message: "Authentication is unavailable: retry" });
    }
    if (outcome instanceof Response) return outcome;
    if (!("user" in outcome)) return fail(c, guard, outcome);
    c.set("principal", outcome);
    await next();
  };
}

/** One step of the HELLO / SCRAM exchange. */
async function exchange(
  c: Context<AppEnv>,
  guard: Guard,
  authority: Authority,
  stub: AuthStub,
  header: string,
  now: number,
): Promise<Failure | Response> {
  const parsed = parseAuthHeader(header);
  if (!parsed || (parsed.scheme !== "HELLO" && parsed.scheme !== "SCRAM")) {
    return { status: 400, code: "bad_auth_header", message: "Unreadable Authorization header" };
  }
  const client = c.req.header("cf-connecting-ip") ?? "local";
  const gate = authority.handshakeLimiter.take(client, authority.config.handshakeRateLimit, now);
  if (!gate.ok) return tooMany(gate.retryAfterSec);
  const r = await handshake(parsed, {
    keys: await authority.keys(),
    project: guard.project,
    nowMs: now,
    tokenTtlMs: authority.config.tokenTtlMs,
    account: (user) => authority.account(stub, user),
  });
  if (r.status === 200) {
    return new Response(null, { status: 200, headers: { "authentication-info": r.authenticationInfo } });
  }
  if (r.status === 401) {
    const headers = { "www-authenticate": r.wwwAuthenticate };
    return { status: 401, code: "unauthorized", message: "Continue the SCRAM exchange", headers };
  }
  return { status: r.status, code: r.status === 403 ? "auth_failed" : "bad_request", message: r.reason };
}

/** The principal of a bearer token or API key, rate limited and checked against the route's role. */
async function identify(
  guard: Guard,
  authority: Authority,
  stub: AuthStub,
  bearer: string,
  now: number,
): Promise<Principal | Failure> {
  const who: Principal | Refusal = looksLikeApiKey(bearer)
    ? await authority.fromApiKey(stub, guard.project, bearer, now)
    : await authority.fromToken(stub, guard.project, bearer, now);
  if (!("user" in who)) return who.status === 401 ? { ...unauthorized(who.message), code: who.code } : who;
  const gate = authority.limiter.take(
    `${who.via}:${who.credentialId}`,
    who.rateLimit ?? authority.config.rateLimit,
    now,
  );
  if (!gate.ok) return tooMany(gate.retryAfterSec);
  if (!roleAllows(who.role, guard.need)) {
    return { status: 403, code: "forbidden", message: `This needs the ${guard.need} role; ${who.user} is ${who.role}` };
  }
  return who;
}

function unauthorized(message: string): Failure {
  return { status: 401, code: "unauthorized", message, headers: { "www-authenticate": CHALLENGE } };
}

function tooMany(retryAfterSec: number): Failure {
  return {
    status: 429,
    code: "rate_limited",
    message: `Too many requests: retry in ${retryAfterSec} s`,
    headers: { "retry-after": String(retryAfterSec) },
  };
}

function fail(c: Context<AppEnv>, guard: Guard, f: Failure): Response {
  const res =
    guard.errors === "haystack"
      ? errorResponse(negotiate(c.req.header("accept")), { code: f.code, dis: f.message }, f.status)
      : c.json(problem(f.code, f.message), f.status);
  for (const [k, v] of Object.entries(f.headers ?? {})) res.headers.set(k, v);
  return res;
}
