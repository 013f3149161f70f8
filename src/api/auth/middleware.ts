/**
 * The one auth middleware, in front of every face: answers the Haystack auth exchange (HELLO,
 * SCRAM) on any guarded path, checks bearer tokens and API keys, applies the per-credential rate
 * limit and the route's least role (from the policy), then hands the request on with its
 * principal set. Refusals are answered in the face's own error style.
 */
import type { Context, MiddlewareHandler } from "hono";
import { looksLikeApiKey } from "../../auth/apikey.ts";
import { handshake } from "../../auth/handshake.ts";
import { bearerCredential, parseAuthHeader } from "../../auth/header.ts";
import type { Principal } from "../../auth/principal.ts";
import { roleAllows } from "../../auth/roles.ts";
import type { Clock } from "../../clock.ts";
import { PROJECT_NAME } from "../../config.ts";
import type { Env } from "../../env.ts";
import type { AppEnv } from "../context.ts";
import { failureResponse, HttpError } from "../errors/index.ts";
import { logFailure } from "../log.ts";
import { type Authority, type AuthStub, authorityFor } from "./authority.ts";
import type { Guard, Policy } from "./policy.ts";
import { defersAuth, socketCredential } from "./socket.ts";

/** Sent with every 401 that is not a SCRAM step: how to get credentials. */
const CHALLENGE = "HELLO, Bearer";

export function authStub(env: Env, project: string): AuthStub {
  return env.AUTH.getByName(project);
}

export function authenticate(policy: Policy, clock: Clock): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const guard = policy.guardFor(c.req.path, c.req.method);
    if (!guard) return next();
    const outcome = await check(c, guard, clock.now()).catch((err: unknown) => {
      if (err instanceof HttpError) return err;
      // The auth store could not be asked: fail closed, and say so without the cause's details.
      logFailure(c.var.config, `auth on ${guard.project} failed`, err);
      return new HttpError(503, "unavailable", "Authentication is unavailable: retry");
    });
    if (outcome === DEFERRED) return next();
    if (outcome instanceof Response) return outcome;
    if (outcome instanceof HttpError) {
      return failureResponse(outcome, guard.errors, {
        accept: c.req.header("accept"),
        trace: false,
        // The cause of a 503 was logged above; a refusal is the caller's doing.
        log: () => {},
      });
    }
    c.set("principal", outcome);
    await next();
  };
}

/** A live socket without credentials: it authenticates with its first message, in the project's object. */
const DEFERRED = Symbol("deferred");

/** The request's principal, a SCRAM step's reply, the refusal, or DEFERRED. */
async function check(
  c: Context<AppEnv>,
  guard: Guard,
  now: number,
): Promise<Principal | Response | HttpError | typeof DEFERRED> {
  if (!PROJECT_NAME.test(guard.project)) return new HttpError(404, "not_found", "No such project");
  const header = c.req.header("authorization") ?? socketCredential(c.req.raw);
  if (!header && defersAuth(c.req.raw, c.req.path)) return DEFERRED;
  if (!header) return unauthorized("Authentication required: start with HELLO or send a token");
  const authority = authorityFor(c.var.config.auth);
  const stub = authStub(c.env, guard.project);
  const bearer = bearerCredential(header);
  return bearer === undefined
    ? exchange(c, guard, authority, stub, header, now)
    : identify(guard, authority, stub, bearer, now);
}

/** One step of the HELLO / SCRAM exchange. */
async function exchange(
  c: Context<AppEnv>,
  guard: Guard,
  authority: Authority,
  stub: AuthStub,
  header: string,
  now: number,
): Promise<HttpError | Response> {
  const parsed = parseAuthHeader(header);
  if (!parsed || (parsed.scheme !== "HELLO" && parsed.scheme !== "SCRAM")) {
    return new HttpError(400, "bad_auth_header", "Unreadable Authorization header");
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
    return new HttpError(401, "unauthorized", "Continue the SCRAM exchange", { "www-authenticate": r.wwwAuthenticate });
  }
  return new HttpError(r.status, r.status === 403 ? "auth_failed" : "bad_request", r.reason);
}

/** The principal of a bearer token or API key, rate limited and checked against the route's role. */
async function identify(
  guard: Guard,
  authority: Authority,
  stub: AuthStub,
  bearer: string,
  now: number,
): Promise<Principal | HttpError> {
  const who = looksLikeApiKey(bearer)
    ? await authority.fromApiKey(stub, guard.project, bearer, now)
    : await authority.fromToken(stub, guard.project, bearer, now);
  if (!("user" in who)) {
    return who.status === 401 ? unauthorized(who.message, who.code) : new HttpError(who.status, who.code, who.message);
  }
  const gate = authority.limiter.take(
    `${who.via}:${who.credentialId}`,
    who.rateLimit ?? authority.config.rateLimit,
    now,
  );
  if (!gate.ok) return tooMany(gate.retryAfterSec);
  if (!roleAllows(who.role, guard.need)) {
    return new HttpError(403, "forbidden", `This needs the ${guard.need} role; ${who.user} is ${who.role}`);
  }
  return who;
}

function unauthorized(message: string, code = "unauthorized"): HttpError {
  return new HttpError(401, code, message, { "www-authenticate": CHALLENGE });
}

function tooMany(retryAfterSec: number): HttpError {
  return new HttpError(429, "rate_limited", `Too many requests: retry in ${retryAfterSec} s`, {
    "retry-after": String(retryAfterSec),
  });
}
