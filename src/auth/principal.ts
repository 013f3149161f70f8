import type { Role } from "./roles.ts";

/** Who a request acts as, once its credentials have been checked. */
export interface Principal {
  readonly user: string;
  readonly role: Role;
  readonly project: string;
  /** A session token from the SCRAM exchange, or a machine API key. */
  readonly via: "token" | "key";
  /** The token's `jti` or the key's id: what rate limits and revocations are keyed by. */
  readonly credentialId: string;
  /** When a session token stops working (epoch ms); keys do not expire. */
  readonly expiresMs?: number;
  /** Requests per minute this credential may make, when it has its own limit. */
  readonly rateLimit?: number;
}
