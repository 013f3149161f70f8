/**
 * The Haystack auth exchange over HTTP (Auth.fandoc), driven by the SCRAM client in
 * src/auth/scram-client.ts, which shares no code with the server: HELLO, SCRAM,
 * Authentication-Info, bearer tokens in both forms, close, and the server's refusal to run
 * without its secrets.
 */
import { createExecutionContext, env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { deriveKeys } from "../../src/auth/keys.ts";
import { issueAuthToken } from "../../src/auth/tokens.ts";
import { systemClock } from "../../src/clock.ts";
import { readZincGrid } from "../../src/haystack/codec/zinc/index.ts";
import { composeWorker } from "../../src/worker.ts";
import { createUser, mintToken } from "../support/auth.ts";
import { BASE, newProject } from "../support/haystack-http.ts";
import { clientFinal, parseChallenge, scramLogin } from "../support/scram-client.ts";

const fetchSelf = (url: string, init?: RequestInit) => SELF.fetch(url, init);
const about = (p: string) => `${BASE}/api/${p}/about`;
const withToken = (p: string, authorization: string) => SELF.fetch(about(p), { headers: { authorization } });

describe("the test's SCRAM client", () => {
  it("reproduces RFC 7677's client proof and server signature", async () => {
    const bare = "n=user,r=rOprNGfwEbeRWgbNEkqO";
    const sf = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    expect(await clientFinal("pencil", bare, sf)).toEqual({
      message:
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
      serverSig: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
    });
  });
});

describe("SCRAM-SHA-256 over HTTP", () => {
  it("logs a project user in: 401 SCRAM challenge, 401 server-first, 200 with authToken; the server proves itself", async () => {
    const p = newProject();
    await createUser(p, "ops", "pencil-pencil", "operator");
    const s = await scramLogin(fetchSelf, about(p), "ops", "pencil-pencil");
    expect(s.hello.status).toBe(401);
    expect(parseChallenge(s.hello.headers.get("www-authenticate")).params.get("handshakeToken")).toBeTruthy();
    expect(s.first?.status).toBe(401);
    expect(s.serverFirst).toMatch(/,s=[A-Za-z0-9+/]+=*,i=100000$/);
    expect(s.final?.status).toBe(200);
    expect(s.serverVerified).toBe(true);
    const token = s.token as string;
    const r = await withToken(p, `BEARER authToken=${token}`);
    expect(r.status).toBe(200);
    expect(
      readZincGrid(await r.text())
        .rowDict(0)
        .get("productName"),
    ).toBe("Hayloft");
    expect((await withToken(p, `Bearer ${token}`)).status).toBe(200);
  });

  it("logs the server admin (ADMIN_PASSWORD) into any project", async () => {
    const s = await scramLogin(fetchSelf, about(newProject()), "admin", env.ADMIN_PASSWORD as string);
    expect([s.final?.status, s.serverVerified]).toEqual([200, true]);
  });

  it("gives an unknown user a challenge shaped like a real one, the same salt each time, and 403 at the proof", async () => {
    const p = newProject();
    await createUser(p, "real", "right-password", "viewer");
    const real = await scramLogin(fetchSelf, about(p), "real", "wrong-password");
    const ghost1 = await scramLogin(fetchSelf, about(p), "ghost", "whatever-it-is");
    const ghost2 = await scramLogin(fetchSelf, about(p), "ghost", "whatever-it-is");
    for (const s of [real, ghost1, ghost2]) {
      expect([s.hello.status, s.first?.status, s.final?.status]).toEqual([401, 401, 403]);
      expect(s.token).toBeUndefined();
    }
    const saltOf = (s: string | undefined) => /,s=([^,]+),i=(\d+)$/.exec(s ?? "")?.slice(1);
    expect(saltOf(ghost1.serverFirst)).toEqual(saltOf(ghost2.serverFirst));
    expect(saltOf(ghost1.serverFirst)?.[1]).toBe(saltOf(real.serverFirst)?.[1]);
    expect(saltOf(ghost1.serverFirst)?.[0]).toHaveLength(saltOf(real.serverFirst)?.[0]?.length ?? -1);
  });

  it("refuses a handshake token from another project and a forged one with 403", async () => {
    const a = newProject();
    const hello = await SELF.fetch(about(a), { headers: { authorization: "HELLO username=YWRtaW4" } });
    const ht = parseChallenge(hello.headers.get("www-authenticate")).params.get("handshakeToken");
    const data = Buffer.from("n,,n=admin,r=abcdef").toString("base64url");
    const other = await withToken(newProject(), `SCRAM handshakeToken=${ht}, data=${data}`);
    expect(other.status).toBe(403);
    const forged = await withToken(a, `SCRAM handshakeToken=${ht}x, data=${data}`);
    expect(forged.status).toBe(403);
  });

  it("answers 400 to a HELLO without a user name and to a malformed client-first", async () => {
    const p = newProject();
    expect((await withToken(p, "HELLO")).status).toBe(400);
    const hello = await withToken(p, "HELLO username=YWRtaW4");
    const ht = parseChallenge(hello.headers.get("www-authenticate")).params.get("handshakeToken");
    const bad = Buffer.from("p=tls-unique,,n=admin,r=x").toString("base64url");
    expect((await withToken(p, `SCRAM handshakeToken=${ht}, data=${bad}`)).status).toBe(400);
  });
});

describe("session tokens", () => {
  it("without credentials: 401 with a challenge naming HELLO", async () => {
    const r = await SELF.fetch(about(newProject()));
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toMatch(/HELLO/);
    expect(readZincGrid(await r.text()).meta.get("errCode")).toBe("unauthorized");
  });

  it("close revokes the token: the next request with it is 401", async () => {
    const p = newProject();
    await createUser(p, "v", "viewer-pass", "viewer");
    const { token } = await scramLogin(fetchSelf, about(p), "v", "viewer-pass");
    const bearer = `BEARER authToken=${token}`;
    expect((await withToken(p, bearer)).status).toBe(200);
    const close = await SELF.fetch(`${BASE}/api/${p}/close`, { method: "POST", headers: { authorization: bearer } });
    expect(close.status).toBe(200);
    const after = await withToken(p, bearer);
    expect(after.status).toBe(401);
    expect(readZincGrid(await after.text()).meta.get("errCode")).toBe("token_revoked");
  });

  it("refuses an expired token (401), another project's token (403) and a token signed with another secret (401)", async () => {
    const p = newProject();
    const keys = await deriveKeys(env.AUTH_SECRET as string);
    const old = await issueAuthToken(keys, {
      user: "admin",
      project: p,
      role: "admin",
      nowMs: Date.now() - 7_200_000,
      ttlMs: 3_600_000,
    });
    const expired = await withToken(p, `Bearer ${old.token}`);
    expect(expired.status).toBe(401);
    expect(readZincGrid(await expired.text()).meta.get("errCode")).toBe("token_expired");
    expect((await withToken(p, `Bearer ${await mintToken(newProject())}`)).status).toBe(403);
    const stranger = await issueAuthToken(await deriveKeys("some-other-secret-of-at-least-32-chars!!"), {
      user: "admin",
      project: p,
      role: "admin",
      nowMs: Date.now(),
      ttlMs: 3_600_000,
    });
    expect((await withToken(p, `Bearer ${stranger.token}`)).status).toBe(401);
  });

  it("accepts tokens signed with AUTH_SECRET_PREVIOUS after a rotation, and signs new ones with the new secret", async () => {
    const p = newProject();
    const oldSecret = env.AUTH_SECRET as string;
    const rotated = {
      ...env,
      AUTH_SECRET: "the-new-secret-after-rotation-0123456789",
      AUTH_SECRET_PREVIOUS: oldSecret,
    };
    const app = composeWorker(systemClock);
    const call = (authorization: string) =>
      app.fetch(new Request(about(p), { headers: { authorization } }), rotated, createExecutionContext());
    expect((await call(`Bearer ${await mintToken(p)}`)).status).toBe(200);
    const s = await scramLogin(
      (_url, init) => call(new Headers(init?.headers).get("authorization") ?? ""),
      about(p),
      "admin",
      env.ADMIN_PASSWORD as string,
    );
    expect(s.final?.status).toBe(200);
    // The new token is not valid under the old secret alone.
    expect((await withToken(p, `Bearer ${s.token}`)).status).toBe(401);
  });
});

describe("failing closed", () => {
  it("answers 503 when the auth store cannot be reached, without letting the request through", async () => {
    const p = newProject();
    const down = new Proxy({}, { get: () => () => Promise.reject(new Error("storage offline: secret detail")) });
    const broken = { ...env, AUTH: { getByName: () => down } } as unknown as typeof env;
    const r = await composeWorker(systemClock).fetch(
      new Request(`${BASE}/api/${p}/commit`, {
        method: "POST",
        headers: { authorization: `Bearer ${await mintToken(p)}`, "content-type": "text/zinc" },
        body: 'ver:"3.0" commit:"add"\nid,site\n@s,M\n',
      }),
      broken,
      createExecutionContext(),
    );
    expect(r.status).toBe(503);
    const text = await r.text();
    expect(readZincGrid(text).meta.get("errCode")).toBe("unavailable");
    expect(text).not.toContain("secret detail");
    const read = await SELF.fetch(`${BASE}/api/${p}/read?filter=id`, {
      headers: { authorization: `Bearer ${await mintToken(p)}` },
    });
    expect(readZincGrid(await read.text()).rows).toHaveLength(0);
  });
});

describe("refusing to run open", () => {
  it.each([
    ["AUTH_SECRET", { AUTH_SECRET: undefined }],
    ["AUTH_SECRET", { AUTH_SECRET: "short" }],
    ["ADMIN_PASSWORD", { ADMIN_PASSWORD: undefined }],
  ])("answers every request 500 bad_config naming %s and never the secret", async (name, change) => {
    const app = composeWorker(systemClock);
    const r = await app.fetch(new Request(`${BASE}/`), { ...env, ...change }, createExecutionContext());
    expect(r.status).toBe(500);
    const body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("bad_config");
    expect(body.error.message).toContain(name);
    expect(body.error.message).not.toContain(env.ADMIN_PASSWORD as string);
  });
});
