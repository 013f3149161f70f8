import { describe, expect, it } from "vitest";
import { toBase64Url, utf8Bytes } from "./base64.ts";
import { type BaseClaims, signToken, verifyToken } from "./signed.ts";

interface AuthClaims extends BaseClaims {
  readonly sub: string;
  readonly role: string;
  readonly jti: string;
}

const SECRET = utf8Bytes("a signing secret of enough length");
const NOW = Date.UTC(2026, 0, 1);

function claims(over: Partial<AuthClaims> = {}): AuthClaims {
  return { typ: "auth", sub: "ann", role: "operator", jti: "t1", exp: NOW + 3_600_000, ...over };
}

describe("signed tokens", () => {
  it("round-trips the claims before expiry", async () => {
    const token = await signToken(SECRET, claims());
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(await verifyToken<AuthClaims>(SECRET, token, "auth", NOW)).toEqual({ ok: true, claims: claims() });
  });

  it("refuses an expired token, one of another type, and one signed with another secret", async () => {
    const token = await signToken(SECRET, claims());
    expect(await verifyToken(SECRET, token, "auth", NOW + 3_600_000)).toEqual({ ok: false, why: "expired" });
    expect(await verifyToken(SECRET, token, "handshake", NOW)).toEqual({ ok: false, why: "wrong_type" });
    expect(await verifyToken(utf8Bytes("another secret"), token, "auth", NOW)).toEqual({
      ok: false,
      why: "bad_signature",
    });
  });

  it("refuses changed claims under the old signature", async () => {
    const token = await signToken(SECRET, claims());
    const sig = token.split(".")[1];
    const forged = `${toBase64Url(utf8Bytes(JSON.stringify(claims({ role: "admin" }))))}.${sig}`;
    expect(await verifyToken(SECRET, forged, "auth", NOW)).toEqual({ ok: false, why: "bad_signature" });
  });

  it.each(["", "abc", "a.b.c", ".sig", "body.", "body.!!!", "x".repeat(5000)])("calls %j malformed", async (token) => {
    const r = await verifyToken(SECRET, token, "auth", NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(["malformed", "bad_signature"]).toContain(r.why);
  });

  it("a correctly signed body that is not claims is malformed", async () => {
    const token = await signToken(SECRET, [1, 2] as unknown as BaseClaims);
    expect(await verifyToken(SECRET, token, "auth", NOW)).toEqual({ ok: false, why: "malformed" });
  });
});
