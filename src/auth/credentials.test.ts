/** API keys, bearer headers and session tokens (signature, rotation, claim shapes). */
import { describe, expect, it } from "vitest";
import { apiKeyMatches, looksLikeApiKey, newApiKey, parseApiKey } from "./apikey.ts";
import { toBase64Url, utf8Bytes } from "./base64.ts";
import { bearerCredential } from "./header.ts";
import { deriveKeys } from "./keys.ts";
import { signToken } from "./signed.ts";
import { issueAuthToken, verifyAuthToken } from "./tokens.ts";

const SECRET = "a-signing-secret-of-32-characters!!";

describe("API keys", () => {
  it("round-trips: a new key parses, matches its hash, and a changed secret does not", async () => {
    const k = await newApiKey();
    expect(looksLikeApiKey(k.key)).toBe(true);
    const p = parseApiKey(k.key) as { id: string; secret: string };
    expect(p.id).toBe(k.id);
    expect(await apiKeyMatches(p.secret, k.hash)).toBe(true);
    expect(await apiKeyMatches(`${p.secret.slice(0, -1)}x`, k.hash)).toBe(false);
    expect(k.hash).not.toContain(p.secret);
    expect(parseApiKey("hlk_short_x")).toBeUndefined();
    expect(await apiKeyMatches("s", "!!not base64")).toBe(false);
  });
});

describe("bearerCredential", () => {
  it.each([
    ["BEARER authToken=abc.def", "abc.def"],
    ["Bearer abc.def", "abc.def"],
    ["bearer   hlk_0123456789abcdef_x", "hlk_0123456789abcdef_x"],
    ["Bearer authToken=abc, other=1", "abc"],
    ["Bearer", undefined],
    ["Bearer a b", undefined],
    ["Basic dXNlcg==", undefined],
    ["HELLO username=dXNlcg", undefined],
    [`Bearer ${"a".repeat(5000)}`, undefined],
    // Django REST framework's form, as a HoLcStore sync client sends an API key.
    ["Token hlk_0123456789abcdef_x", "hlk_0123456789abcdef_x"],
    ["token abc.def", "abc.def"],
    ["Token authToken=abc", undefined],
    ["Token", undefined],
  ])("%s -> %s", (h, want) => {
    expect(bearerCredential(h)).toBe(want);
  });
});

describe("session tokens", () => {
  it("verify with the current secret and, after a rotation, with the previous one only", async () => {
    const old = await deriveKeys(SECRET);
    const rotated = await deriveKeys("the-next-secret-of-32-characters!!", SECRET);
    const req = { user: "u", project: "p", role: "viewer" as const, nowMs: 1000, ttlMs: 60_000 };
    const { token, claims } = await issueAuthToken(old, req);
    expect(await verifyAuthToken(rotated, token, 2000)).toEqual({ ok: true, claims });
    expect((await verifyAuthToken(await deriveKeys("the-next-secret-of-32-characters!!"), token, 2000)).ok).toBe(false);
    expect(await verifyAuthToken(old, token, 61_000)).toEqual({ ok: false, why: "expired" });
  });

  it("refuses a correctly signed token whose claims are the wrong shape", async () => {
    const keys = await deriveKeys(SECRET);
    const bad = await signToken(keys.token, {
      typ: "auth",
      exp: 10_000,
      sub: "u",
      prj: "p",
      role: "root",
      jti: "j",
      iat: 0,
    });
    expect(await verifyAuthToken(keys, bad, 0)).toEqual({ ok: false, why: "malformed" });
    const handshake = await signToken(keys.token, { typ: "hello", exp: 10_000 });
    expect(await verifyAuthToken(keys, handshake, 0)).toEqual({ ok: false, why: "wrong_type" });
    const unsigned = `${toBase64Url(utf8Bytes('{"typ":"auth"}'))}.`;
    expect((await verifyAuthToken(keys, unsigned, 0)).ok).toBe(false);
  });

  it("derives different keys per purpose", async () => {
    const k = await deriveKeys(SECRET);
    expect(toBase64Url(k.token)).not.toBe(toBase64Url(k.fake));
  });
});
