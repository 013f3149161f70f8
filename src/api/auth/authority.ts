/**
 * The Worker's view of who may do what: signing keys, the server admin, and per-project users,
 * keys and revocations from each project's AuthObject. Everything an isolate learns is cached
 * briefly, so verifying a request costs no round trip while the cache is warm, and a revocation
 * reaches every isolate within REVOCATION_CACHE_MS.
 */
import { apiKeyMatches, parseApiKey } from "../../auth/apikey.ts";
import { fromBase64, toBase64, utf8Bytes } from "../../auth/base64.ts";
import type { Account } from "../../auth/handshake.ts";
import { deriveKeys, type SigningKeys } from "../../auth/keys.ts";
import type { Principal } from "../../auth/principal.ts";
import { RateLimiter } from "../../auth/ratelimit.ts";
import { deriveCredentials, type ScramCredentials } from "../../auth/scram.ts";
import type { Verified } from "../../auth/signed.ts";
import { type AuthClaims, verifyAuthToken } from "../../auth/tokens.ts";
import type { AuthConfig } from "../../config.ts";
import type { AuthObjectRpc } from "../../objects.ts";
import type { StoredCredentials, StoredKey } from "../../storage/do/accounts.ts";

/** How stale a revocation list or API key record an isolate may act on. */
export const REVOCATION_CACHE_MS = 5_000;
const MAX_CACHED = 10_000;

export type AuthStub = DurableObjectStub<AuthObjectRpc>;

/** Why a credential was refused: 401 asks the client to authenticate again, 403 does not. */
export interface Refusal {
  readonly status: 401 | 403;
  readonly code: string;
  readonly message: string;
}

interface RevokedSet {
  readonly at: number;
  readonly jtis: ReadonlySet<string>;
  readonly cutoffs: ReadonlyMap<string, number>;
}

export class Authority {
  readonly limiter = new RateLimiter();
  readonly handshakeLimiter = new RateLimiter();
  readonly #keys: Promise<SigningKeys>;
  #admin: Promise<ScramCredentials> | undefined;
  readonly #revoked = new Map<string, RevokedSet | Promise<RevokedSet>>();
  readonly #apiKeys = new Map<string, { at: number; key: StoredKey | null }>();
  readonly #tokens = new Map<string, AuthClaims>();

  constructor(readonly config: AuthConfig) {
    this.#keys = deriveKeys(config.secret, config.previousSecret);
  }

  keys(): Promise<SigningKeys> {
    return this.#keys;
  }

  /** A user of `project` as the SCRAM exchange needs them; the server admin is in every project. */
  async account(stub: AuthStub, user: string): Promise<Account | undefined> {
    if (user === this.config.adminUser) return { credentials: await this.#adminCredentials(), role: "admin" };
    const rec = await stub.account(user);
    if (!rec) return undefined;
    return {
      credentials: credentialsFromStored(rec.credentials),
      role: rec.role,
      ...(rec.rateLimit === undefined ? {} : { rateLimit: rec.rateLimit }),
    };
  }

  /** The principal a session token stands for in `project`, or why it is refused. */
  async fromToken(stub: AuthStub, project: string, token: string, nowMs: number): Promise<Principal | Refusal> {
    const v = await this.#verified(token, nowMs);
    if (!v.ok) {
      const message = v.why === "expired" ? "Token expired: authenticate again" : "Invalid token";
      return { status: 401, code: v.why === "expired" ? "token_expired" : "invalid_token", message };
    }
    const c = v.claims;
    if (c.prj !== project) return { status: 403, code: "wrong_project", message: "Token is for another project" };
    const revoked = await this.#revocations(stub, project, nowMs);
    const cutoff = revoked.cutoffs.get(c.sub);
    if (revoked.jtis.has(c.jti) || (cutoff !== undefined && c.iat <= cutoff)) {
      return { status: 401, code: "token_revoked", message: "Token revoked: authenticate again" };
    }
    return {
      user: c.sub,
      role: c.role,
      project,
      via: "token",
      credentialId: c.jti,
      expiresMs: c.exp,
      ...(c.rl === undefined ? {} : { rateLimit: c.rl }),
    };
  }

  /** The principal an API key stands for in `project`, or why it is refused. */
  async fromApiKey(stub: AuthStub, project: string, text: string, nowMs: number): Promise<Principal | Refusal> {
    const parsed = parseApiKey(text);
    const invalid: Refusal = { status: 401, code: "invalid_key", message: "Invalid API key" };
    if (!parsed) return invalid;
    const key = await this.#apiKey(stub, project, parsed.id, nowMs);
    // The hash is checked even for a revoked key, so timing does not tell revoked from wrong.
    if (!key || !(await apiKeyMatches(parsed.secret, key.hash)) || key.revoked !== undefined) return invalid;
    return {
      user: key.name,
      role: key.role,
      project,
      via: "key",
      credentialId: key.id,
      ...(key.rateLimit === undefined ? {} : { rateLimit: key.rateLimit }),
    };
  }

  // A token seen before skips the MAC: its claims cannot change, and expiry is checked again here.
  async #verified(token: string, nowMs: number): Promise<Verified<AuthClaims>> {
    const known = this.#tokens.get(token);
    if (known && nowMs < known.exp) return { ok: true, claims: known };
    const v = await verifyAuthToken(await this.#keys, token, nowMs);
    if (v.ok) {
      bound(this.#tokens);
      this.#tokens.set(token, v.claims);
    }
    return v;
  }

  /** Ends a session token now; this isolate stops accepting it at once, others within the cache time. */
  async revokeToken(stub: AuthStub, project: string, jti: string, exp: number): Promise<void> {
    await stub.revokeToken(jti, exp);
    this.forget(project);
  }

  /** Drops what this isolate knows about `project`'s revocations and keys. */
  forget(project: string): void {
    this.#revoked.delete(project);
    for (const k of this.#apiKeys.keys()) if (k.startsWith(`${project}/`)) this.#apiKeys.delete(k);
  }

  async #revocations(stub: AuthStub, project: string, nowMs: number): Promise<RevokedSet> {
    const cached = this.#revoked.get(project);
    if (cached && (cached instanceof Promise || nowMs - cached.at < REVOCATION_CACHE_MS)) return cached;
    const load = stub.revocations(nowMs).then(
      (r): RevokedSet => ({
        at: nowMs,
        jtis: new Set(r.jtis),
        cutoffs: new Map(r.cutoffs.map((x) => [x.name, x.before])),
      }),
    );
    bound(this.#revoked);
    this.#revoked.set(project, load);
    try {
      const set = await load;
      this.#revoked.set(project, set);
      return set;
    } catch (err) {
      this.#revoked.delete(project);
      throw err;
    }
  }

  async #apiKey(stub: AuthStub, project: string, id: string, nowMs: number): Promise<StoredKey | null> {
    const k = `${project}/${id}`;
    const cached = this.#apiKeys.get(k);
    if (cached && nowMs - cached.at < REVOCATION_CACHE_MS) return cached.key;
    const key = await stub.key(id);
    bound(this.#apiKeys);
    this.#apiKeys.set(k, { at: nowMs, key });
    return key;
  }

  // The server admin lives in no table: its credentials come from ADMIN_PASSWORD with a salt
  // derived from the secret, computed once per isolate (PBKDF2 is the expensive part).
  #adminCredentials(): Promise<ScramCredentials> {
    this.#admin ??= (async () => {
      const keys = await this.#keys;
      const key = await crypto.subtle.importKey("raw", keys.fake, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      const salt = new Uint8Array(
        await crypto.subtle.sign("HMAC", key, utf8Bytes(`admin-salt\u0000${this.config.adminUser}`)),
      ).slice(0, 16);
      return deriveCredentials(this.config.adminPassword, salt, this.config.scramIterations);
    })();
    return this.#admin;
  }
}

function bound(m: Map<string, unknown>): void {
  if (m.size >= MAX_CACHED) m.clear();
}

const authorities = new WeakMap<AuthConfig, Authority>();

/** The isolate's Authority for a config (configs are memoised per env, so this is one per isolate). */
export function authorityFor(config: AuthConfig): Authority {
  let a = authorities.get(config);
  if (!a) {
    a = new Authority(config);
    authorities.set(config, a);
  }
  return a;
}

export function credentialsToStored(c: ScramCredentials): StoredCredentials {
  return {
    salt: toBase64(c.salt),
    iterations: c.iterations,
    storedKey: toBase64(c.storedKey),
    serverKey: toBase64(c.serverKey),
  };
}

function credentialsFromStored(c: StoredCredentials): ScramCredentials {
  return {
    salt: fromBase64(c.salt) ?? new Uint8Array(),
    iterations: c.iterations,
    storedKey: fromBase64(c.storedKey) ?? new Uint8Array(),
    serverKey: fromBase64(c.serverKey) ?? new Uint8Array(),
  };
}
