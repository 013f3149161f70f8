/**
 * `GET /api/{project}/watch/live`: the live watch socket (src/watch/live-protocol.ts). The Worker
 * checks what it can (the upgrade, the subprotocol, a bearer credential when one came) and hands
 * the request to the project's object, which accepts and holds the socket. A socket that came
 * without credentials authenticates with its first message, checked by `verifyLiveToken`.
 */
import type { Context } from "hono";
import { looksLikeApiKey } from "../../auth/apikey.ts";
import type { Principal } from "../../auth/principal.ts";
import { roleAllows } from "../../auth/roles.ts";
import type { Config } from "../../config.ts";
import { registerProject } from "../../durable/catalog.ts";
import { projectObject } from "../../durable/project-client.ts";
import type { Env } from "../../env.ts";
import type { Verdict } from "../../watch/live.ts";
import { CLOSE, LIVE_HEADERS, offersSubprotocol, SUBPROTOCOL } from "../../watch/live-protocol.ts";
import { authorityFor } from "../auth/authority.ts";
import { authStub } from "../auth/middleware.ts";
import { isWebSocketUpgrade } from "../auth/socket.ts";
import type { AppEnv } from "../context.ts";
import { HttpError } from "../errors/index.ts";

/** The least role that may watch live: reading values, as `read` needs. */
export const LIVE_ROLE = "viewer";

export async function liveSocket(c: Context<AppEnv>, project: string, nowMs: number): Promise<Response> {
  if (!isWebSocketUpgrade(c.req.raw)) {
    throw new HttpError(426, "upgrade_required", "Open this path as a WebSocket", { upgrade: "websocket" });
  }
  if (!offersSubprotocol(c.req.header("sec-websocket-protocol"))) {
    throw new HttpError(400, "bad_request", `Offer the ${SUBPROTOCOL} subprotocol`);
  }
  // Set only when the auth middleware checked a credential; undefined for a deferred socket.
  const principal = c.get("principal") as Principal | undefined;
  const headers = new Headers({ upgrade: "websocket", [LIVE_HEADERS.project]: project });
  if (principal) {
    headers.set(LIVE_HEADERS.user, principal.user);
    headers.set(LIVE_HEADERS.role, principal.role);
    if (principal.expiresMs !== undefined) headers.set(LIVE_HEADERS.expires, String(principal.expiresMs));
  }
  c.executionCtx.waitUntil(registerProject(c.env, project, nowMs));
  return projectObject(c.env, project).fetch(new Request("https://project/live", { headers }));
}

/** The first-message check: the same credentials, expiry and revocations as the HTTP middleware. */
export async function verifyLiveToken(
  env: Env,
  config: Config,
  project: string,
  token: string,
  nowMs: number,
): Promise<Verdict> {
  const authority = authorityFor(config.auth);
  const stub = authStub(env, project);
  const who = looksLikeApiKey(token)
    ? await authority.fromApiKey(stub, project, token, nowMs)
    : await authority.fromToken(stub, project, token, nowMs);
  if (!("user" in who)) {
    return { ok: false, close: who.status === 403 ? CLOSE.forbidden : CLOSE.unauthorized, message: who.message };
  }
  if (!roleAllows(who.role, LIVE_ROLE)) {
    return { ok: false, close: CLOSE.forbidden, message: `Watching live needs the ${LIVE_ROLE} role` };
  }
  return { ok: true, who: { user: who.user, role: who.role, expires: who.expiresMs ?? null } };
}
