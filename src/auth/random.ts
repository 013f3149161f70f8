import { toBase64Url } from "./base64.ts";

/** `bytes` random bytes as base64url: unguessable ids, nonces and key secrets. */
export function randomToken(bytes: number): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}
