/**
 * Machine API keys: `hlk_<id>_<secret>`. The id finds the key's record; only a SHA-256 of the
 * 256-bit secret is stored, which is enough because the secret is random rather than chosen.
 */
import { fromBase64Url, toBase64Url, utf8Bytes } from "./base64.ts";
import { randomToken } from "./random.ts";
import { sameBytes } from "./scram.ts";

const PREFIX = "hlk_";
const SHAPE = /^hlk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  readonly id: string;
  /** The whole key, shown to its creator once and never stored. */
  readonly key: string;
  /** What is stored: base64url SHA-256 of the secret part. */
  readonly hash: string;
}

export function looksLikeApiKey(text: string): boolean {
  return text.startsWith(PREFIX);
}

async function digest(secret: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", utf8Bytes(secret)));
}

export async function newApiKey(): Promise<NewApiKey> {
  const id = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
  const secret = randomToken(32);
  return { id, key: `${PREFIX}${id}_${secret}`, hash: toBase64Url(await digest(secret)) };
}

/** The key's id and secret, or undefined when the text is not a key's shape. */
export function parseApiKey(text: string): { id: string; secret: string } | undefined {
  const m = SHAPE.exec(text);
  return m ? { id: m[1] as string, secret: m[2] as string } : undefined;
}

/** Whether `secret` hashes to `storedHash`, compared in constant time. */
export async function apiKeyMatches(secret: string, storedHash: string): Promise<boolean> {
  const want = fromBase64Url(storedHash);
  return want !== undefined && sameBytes(await digest(secret), want);
}
