/**
 * The shipped SCRAM client against RFC 7677's test vector and against the server's own checks
 * (scram.ts), which it shares no code with.
 */
import { describe, expect, it } from "vitest";
import { deriveCredentials, parseClientFirst, serverFirst, verifyClientFinal } from "./scram.ts";
import { clientFinal, parseChallenge, type SaltedPasswordCache } from "./scram-client.ts";

const BARE = "n=user,r=rOprNGfwEbeRWgbNEkqO";
const SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

describe("SCRAM client", () => {
  it("reproduces RFC 7677's client proof and server signature", async () => {
    expect(await clientFinal("pencil", BARE, SERVER_FIRST)).toEqual({
      message:
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
      serverSig: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
    });
  });

  it("gives the same answer from its cache, and keeps one entry per password, salt and iterations", async () => {
    const cache: SaltedPasswordCache = new Map();
    const fresh = await clientFinal("pencil", BARE, SERVER_FIRST, cache);
    expect(await clientFinal("pencil", BARE, SERVER_FIRST, cache)).toEqual(fresh);
    expect(cache.size).toBe(1);
    await clientFinal("pencil2", BARE, SERVER_FIRST, cache);
    expect(cache.size).toBe(2);
  });

  it("passes the server's proof check with a non-ASCII password, and the server signs back what it expects", async () => {
    const password = "pässwörd ünïcode";
    const creds = await deriveCredentials(password, new Uint8Array(16).fill(7), 4096);
    const first = parseClientFirst("n,,n=ana,r=abcdef");
    const nonce = "abcdefSERVER";
    const sf = serverFirst(nonce, creds);
    const f = await clientFinal(password, first.bare, sf);
    expect(await verifyClientFinal(f.message, first, sf, nonce, creds)).toBe(f.serverSig);
    const wrong = await clientFinal("passwörd ünïcode", first.bare, sf);
    await expect(verifyClientFinal(wrong.message, first, sf, nonce, creds)).rejects.toThrow(/wrong password/);
  });

  it("parses a challenge header into its scheme and parameters", () => {
    const c = parseChallenge("SCRAM hash=SHA-256, handshakeToken=abc=");
    expect([c.scheme, c.params.get("hash"), c.params.get("handshakeToken")]).toEqual(["SCRAM", "SHA-256", "abc="]);
    expect(parseChallenge(null).scheme).toBe("");
  });
});
