/**
 * Session tokens: signed claims naming the user, project and role, with an id (`jti`) for
 * revocation. Any Worker instance holding the secret verifies one without a round trip.
 */

import type { SigningKeys } from "./keys.ts";
import { randomToken } from "./random.ts";
import { isRole, type Role } from "./roles.ts";
import { type BaseClaims, signToken, type Verified, verifyToken } from "./signed.ts";

export interface AuthClaims extends BaseClaims {
  readonly typ: "auth";
  readonly sub: string;
  readonly prj: string;
  readonly role: Role;
  readonly jti: string;
  /** Issued at (epoch ms): a user's tokens issued before a password or role change stop working. */
  readonly iat: number;
  /** Requests per minute, when the user has a limit of their own. */
  readonly rl?: number;
}

export interface TokenRequest {
  readonly user: string;
  readonly project: string;
  readonly role: Role;
  readonly nowMs: number;
  readonly ttlMs: number;
  readonly rateLimit?: number;
}

export async function issueAuthToken(
  keys: SigningKeys,
  req: TokenRequest,
): Promise<{ token: string; claims: AuthClaims }> {
  const claims: AuthClaims = {
    typ: "auth",
    sub: req.user,
    prj: req.project,
    role: req.role,
    jti: randomToken(12),
    iat: req.nowMs,
    exp: req.nowMs + req.ttlMs,
    ...(req.rateLimit === undefined ? {} : { rl: req.rateLimit }),
  };
  return { token: await signToken(keys.token, claims), claims };
}

/** Checks signature (current secret, then the previous one), type, expiry and claim shapes. */
export async function verifyAuthToken(keys: SigningKeys, token: string, nowMs: number): Promise<Verified<AuthClaims>> {
  let v = await verifyToken<AuthClaims>(keys.token, token, "auth", nowMs);
  if (!v.ok && v.why === "bad_signature" && keys.previousToken) {
    v = await verifyToken<AuthClaims>(keys.previousToken, token, "auth", nowMs);
  }
  if (!v.ok) return v;
  const c = v.claims;
  const wellFormed =
    typeof c.sub === "string" &&
    typeof c.prj === "string" &&
    isRole(c.role) &&
    typeof c.jti === "string" &&
    typeof c.iat === "number" &&
    (c.rl === undefined || (Number.isSafeInteger(c.rl) && c.rl > 0));
  return wellFormed ? v : { ok: false, why: "malformed" };
}
