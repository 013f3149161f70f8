/**
 * Browser access from other origins (CORS). Only the origins named in CORS_ORIGINS get any CORS
 * header; the default names none, so a browser page elsewhere cannot read a single answer.
 * Auth is a bearer token the page sends itself, never a cookie, so no answer carries
 * Access-Control-Allow-Credentials: credentials (cookies, HTTP auth) are never sent cross-origin.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context.ts";

const METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE";
/** Request headers a page may send: auth, bodies, content negotiation, and SCRAM's handshake. */
const ALLOWED_HEADERS = "Authorization, Content-Type, Accept, If-None-Match";
/** Response headers a page may read: the SCRAM exchange, rate limits, downloads. */
const EXPOSED_HEADERS = "WWW-Authenticate, Authentication-Info, Retry-After, Content-Disposition, ETag";
/** Seconds a browser may keep a preflight's answer. */
const MAX_AGE = "600";

export function cors(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = c.req.header("origin");
    const allowed = origin !== undefined && c.var.config.corsOrigins.includes(origin);
    if (c.req.method === "OPTIONS" && c.req.header("access-control-request-method") !== undefined) {
      // A preflight: answered here, before auth (a browser sends it without the token).
      const headers = new Headers({ Vary: "Origin" });
      if (allowed) {
        headers.set("Access-Control-Allow-Origin", origin);
        headers.set("Access-Control-Allow-Methods", METHODS);
        headers.set("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        headers.set("Access-Control-Max-Age", MAX_AGE);
      }
      return new Response(null, { status: 204, headers });
    }
    await next();
    if (!allowed) return;
    // Errors too: a page must be able to read why it was refused.
    const res = new Response(c.res.body, c.res);
    res.headers.set("Access-Control-Allow-Origin", origin);
    res.headers.set("Access-Control-Expose-Headers", EXPOSED_HEADERS);
    res.headers.append("Vary", "Origin");
    c.res = res;
  };
}
