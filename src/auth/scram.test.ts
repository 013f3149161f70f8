/**
 * The server side checked against RFC 7677's test vector and against a SCRAM client written here
 * from RFC 5802 with node:crypto, so the two sides share no code.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fromBase64, fromBase64Url, toBase64Url, utf8Bytes } from "./base64.ts";
import { formatAuthHeader, parseAuthHeader } from "./header.ts";
import {
  deriveCredentials,
  fakeCredentials,
  parseClientFirst,
  ScramError,
  sameBytes,
  serverFirst,
  verifyClientFinal,
} from "./scram.ts";

/** RFC 5802 §3 client, SHA-256 (RFC 7677). */
function clientFinal(opts: { password: string; bare: string; serverFirst: string; gs2?: string }): {
  message: string;
  expectedServerSignature: string;
} {
  const a = new Map(opts.serverFirst.split(",").map((p) => [p[0], p.slice(2)] as const));
  const salt = Buffer.from(a.get("s") as string, "base64");
  const salted = pbkdf2Sync(opts.password, salt, Number(a.get("i")), 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const withoutProof = `c=${Buffer.from(opts.gs2 ?? "n,,").toString("base64")},r=${a.get("r")}`;
  const authMessage = `${opts.bare},${opts.serverFirst},${withoutProof}`;
  const signature = createHmac("sha256", storedKey).update(authMessage).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ (signature[i] as number)));
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  const serverSig = createHmac("sha256", serverKey).update(authMessage).digest("base64");
  return { message: `${withoutProof},p=${proof.toString("base64")}`, expectedServerSignature: `v=${serverSig}` };
}

describe("SCRAM-SHA-256, server side", () => {
  it("reproduces RFC 7677's example exchange", async () => {
    const creds = await deriveCredentials("pencil", fromBase64("W22ZaJ0SNY7soEsUEjb6gQ==") as Uint8Array, 4096);
    const first = parseClientFirst("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    expect(first).toMatchObject({ username: "user", clientNonce: "rOprNGfwEbeRWgbNEkqO", gs2: "n,," });
    const nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    const sFirst = serverFirst(nonce, creds);
    expect(sFirst).toBe("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
    const final =
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    expect(await verifyClientFinal(final, first, sFirst, nonce, creds)).toBe(
      "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
    );
  });

  it("accepts an independent client's proof at 100,000 iterations and the client accepts the server", async () => {
    const password = "correct horse ☃ battery";
    const creds = await deriveCredentials(password, new Uint8Array(randomBytes(16)), 100_000);
    const first = parseClientFirst("n,,n=op=2Cerator=3D1,r=clientNONCE123");
    expect(first.username).toBe("op,erator=1");
    const nonce = `${first.clientNonce}serverNONCE456`;
    const sFirst = serverFirst(nonce, creds);
    const c = clientFinal({ password, bare: first.bare, serverFirst: sFirst });
    expect(await verifyClientFinal(c.message, first, sFirst, nonce, creds)).toBe(c.expectedServerSignature);
  });

  it("refuses a wrong password, a changed nonce, a bad channel binding and a mangled proof", async () => {
    const creds = await deriveCredentials("secret", new Uint8Array(16).fill(7), 4096);
    const first = parseClientFirst("n,,n=u,r=abc");
    const nonce = "abcXYZ";
    const sFirst = serverFirst(nonce, creds);
    const wrong = clientFinal({ password: "Secret", bare: first.bare, serverFirst: sFirst });
    await expect(verifyClientFinal(wrong.message, first, sFirst, nonce, creds)).rejects.toThrow(/wrong password/);
    const good = clientFinal({ password: "secret", bare: first.bare, serverFirst: sFirst });
    await expect(verifyClientFinal(good.message, first, sFirst, "abcOTHER", creds)).rejects.toThrow(/nonce/);
    const bound = clientFinal({ password: "secret", bare: first.bare, serverFirst: sFirst, gs2: "y,," });
    await expect(verifyClientFinal(bound.message, first, sFirst, nonce, creds)).rejects.toThrow(/channel binding/);
    const cut = good.message.replace(/p=.*$/, "p=AAAA");
    await expect(verifyClientFinal(cut, first, sFirst, nonce, creds)).rejects.toThrow(ScramError);
  });

  it("gives an unknown user the same fake salt every time, different per name, and a proof that never passes", async () => {
    const secret = utf8Bytes("server secret");
    const a1 = await fakeCredentials("mallory", secret);
    const a2 = await fakeCredentials("mallory", secret);
    const b = await fakeCredentials("trent", secret);
    expect(sameBytes(a1.salt, a2.salt)).toBe(true);
    expect(sameBytes(a1.salt, b.salt)).toBe(false);
    expect(a1.iterations).toBe(100_000);
    const first = parseClientFirst("n,,n=mallory,r=n1");
    const sFirst = serverFirst("n1n2", a1);
    const c = clientFinal({ password: "anything", bare: first.bare, serverFirst: sFirst });
    await expect(verifyClientFinal(c.message, first, sFirst, "n1n2", a1)).rejects.toThrow(/wrong password/);
  });

  it.each([
    ["p=tls-unique,,n=u,r=x", /channel binding/],
    ["n,a=admin,n=u,r=x", /authorization/],
    ["n,,n=u", /r=/],
    ["n,,n=,r=x", /n=/],
    ["n,,n=u,r=has space", /r=/],
    ["n,,n=u=41,r=x", /escape/],
    ["n,,m=ext,n=u,r=x", /extensions/],
    [`n,,n=${"u".repeat(2000)},r=x`, /too long/],
  ])("refuses the client-first message %s", (msg, why) => {
    expect(() => parseClientFirst(msg)).toThrow(why);
  });

  it("refuses iteration counts workerd cannot run or RFC 7677 forbids", async () => {
    await expect(deriveCredentials("x", new Uint8Array(16), 100_001)).rejects.toThrow(/iterations/);
    await expect(deriveCredentials("x", new Uint8Array(16), 1000)).rejects.toThrow(/iterations/);
  });
});

describe("auth headers and base64url", () => {
  it("parses the spec's examples and formats them back", () => {
    expect(parseAuthHeader("HELLO username=dXNlcg")).toEqual({
      scheme: "HELLO",
      params: new Map([["username", "dXNlcg"]]),
    });
    const scram = parseAuthHeader("SCRAM handshakeToken=aabbcc, data=biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8K");
    expect(scram?.params.get("handshakeToken")).toBe("aabbcc");
    expect(parseAuthHeader("Bearer authToken=xyz")?.scheme).toBe("BEARER");
    expect(formatAuthHeader("SCRAM", { hash: "SHA-256", handshakeToken: "t" })).toBe(
      "SCRAM hash=SHA-256, handshakeToken=t",
    );
  });

  it.each(['SCRAM data="quoted"', "SCRAM data", "SCRAM a=1, a=2", "SCRAM =x", "", "X".repeat(5000)])(
    "refuses %j",
    (h) => {
      expect(parseAuthHeader(h)).toBeUndefined();
    },
  );

  it("round-trips base64url without padding and refuses malformed text", () => {
    for (let n = 0; n < 40; n++) {
      const b = new Uint8Array(randomBytes(n));
      const s = toBase64Url(b);
      expect(s).not.toMatch(/[=+/]/);
      expect(fromBase64Url(s)).toEqual(b);
    }
    expect(new TextDecoder().decode(fromBase64Url("dXNlcg"))).toBe("user");
    expect(fromBase64Url("a")).toBeUndefined();
    expect(fromBase64Url("a*b")).toBeUndefined();
  });
});
