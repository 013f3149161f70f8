/**
 * Keys derived from the deployment's signing secret. Each use gets its own HMAC-derived key so a
 * value produced for one purpose (say a fake SCRAM salt) can never pass as another (a token MAC).
 */
import { utf8Bytes } from "./base64.ts";

export interface SigningKeys {
  /** Signs new tokens and verifies them. */
  readonly token: Uint8Array;
  /** Verifies tokens signed before the secret was rotated; never signs. */
  readonly previousToken?: Uint8Array;
  /** Seeds fake SCRAM credentials for unknown users. */
  readonly fake: Uint8Array;
}

async function derive(secret: string, purpose: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", utf8Bytes(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8Bytes(`hayloft/${purpose}/v1`)));
}

/** The keys for `secret`, with `previous` (the secret before a rotation) still accepted for tokens. */
export async function deriveKeys(secret: string, previous?: string): Promise<SigningKeys> {
  const [token, fake, previousToken] = await Promise.all([
    derive(secret, "token"),
    derive(secret, "scram-fake"),
    previous === undefined ? undefined : derive(previous, "token"),
  ]);
  return previousToken === undefined ? { token, fake } : { token, fake, previousToken };
}
