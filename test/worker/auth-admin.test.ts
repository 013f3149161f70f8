/**
 * The admin API (users, passwords, roles, API keys), what is stored, and the per-credential and
 * per-address rate limits.
 */
import { createExecutionContext, env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { systemClock } from "../../src/clock.ts";
import type { Env } from "../../src/env.ts";
import { readZincGrid } from "../../src/haystack/codec/zinc/index.ts";
import { composeWorker } from "../../src/worker.ts";
import { adminCall, createKey, createUser, mintToken } from "../support/auth.ts";
import { ClockedWorker } from "../support/clocked.ts";
import { BASE, building, hisLines, newProject, post } from "../support/haystack-http.ts";
import { scramLogin } from "../support/scram-client.ts";

const fetchSelf = (url: string, init?: RequestInit) => SELF.fetch(url, init);
const aboutUrl = (p: string) => `${BASE}/api/${p}/about`;
const about = (p: string, authorization: string) => SELF.fetch(aboutUrl(p), { headers: { authorization } });

async function login(p: string, user: string, password: string): Promise<string | undefined> {
  return (await scramLogin(fetchSelf, aboutUrl(p), user, password)).token;
}

async function problemCode(r: Response): Promise<string> {
  return ((await r.json()) as { error: { code: string } }).error.code;
}

describe("admin API: users", () => {
  it("creates, lists, changes and deletes users; lists never show credentials", async () => {
    const p = newProject();
    const created = await adminCall(p, "POST", "/users", { name: "ana", password: "ana-password", role: "viewer" });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { user: unknown }).user).toMatchObject({ name: "ana", role: "viewer" });
    const list = await (await adminCall(p, "GET", "/users")).text();
    expect(JSON.parse(list).users.map((u: { name: string }) => u.name)).toEqual(["ana"]);
    expect(list).not.toMatch(/salt|storedKey|serverKey|password/i);

    const t1 = (await login(p, "ana", "ana-password")) as string;
    expect((await about(p, `Bearer ${t1}`)).status).toBe(200);
    // A role change voids tokens issued under the old role.
    expect((await adminCall(p, "PATCH", "/users/ana", { role: "operator" })).status).toBe(200);
    const stale = await about(p, `Bearer ${t1}`);
    expect(stale.status).toBe(401);
    expect(readZincGrid(await stale.text()).meta.get("errCode")).toBe("token_revoked");
    const t2 = (await login(p, "ana", "ana-password")) as string;
    const w = await SELF.fetch(`${BASE}/api/${p}/watchSub`, {
      method: "POST",
      headers: { authorization: `Bearer ${t2}`, "content-type": "text/zinc" },
      body: 'ver:"3.0" watchDis:"w"\nid\n@x\n',
    });
    expect(w.status).toBe(200);

    // A password change: the old password fails at the proof, the new one works, old tokens die.
    expect((await adminCall(p, "PATCH", "/users/ana", { password: "new-password!" })).status).toBe(200);
    expect(await login(p, "ana", "ana-password")).toBeUndefined();
    expect((await about(p, `Bearer ${t2}`)).status).toBe(401);
    const t3 = (await login(p, "ana", "new-password!")) as string;
    expect((await about(p, `Bearer ${t3}`)).status).toBe(200);

    expect((await adminCall(p, "DELETE", "/users/ana")).status).toBe(204);
    expect((await about(p, `Bearer ${t3}`)).status).toBe(401);
    expect(await login(p, "ana", "new-password!")).toBeUndefined();
    expect(JSON.parse(await (await adminCall(p, "GET", "/users")).text()).users).toEqual([]);
  });

  it.each([
    ["POST", "/users", { name: "bob", password: "short", role: "viewer" }, 400, "invalid"],
    ["POST", "/users", { name: "b,ob", password: "long-enough", role: "viewer" }, 400, "invalid"],
    ["POST", "/users", { name: "bob", password: "long-enough", role: "root" }, 400, "invalid"],
    ["POST", "/users", { name: "bob", password: "long-enough" }, 400, "invalid"],
    ["POST", "/users", { name: "admin", password: "long-enough", role: "viewer" }, 400, "invalid"],
    ["POST", "/users", { name: "bob", password: "long-enough", role: "viewer", rateLimit: 0 }, 400, "invalid"],
    ["POST", "/users", [1, 2], 400, "bad_request"],
    ["PATCH", "/users/nobody", { role: "viewer" }, 404, "not_found"],
    ["DELETE", "/users/nobody", undefined, 404, "not_found"],
    ["DELETE", "/keys/0123456789abcdef", undefined, 404, "not_found"],
    ["POST", "/keys", { name: "k", role: "superuser" }, 400, "invalid"],
  ])("%s %s %j -> %i %s", async (method, path, body, status, code) => {
    const r = await adminCall(newProject(), method, path, body);
    expect(r.status).toBe(status);
    expect(await problemCode(r)).toBe(code);
  });

  it("refuses a second user of the same name (409), a non-JSON body (415) and broken JSON (400)", async () => {
    const p = newProject();
    await createUser(p, "dup", "dup-password", "viewer");
    const again = await adminCall(p, "POST", "/users", { name: "dup", password: "dup-password", role: "admin" });
    expect([again.status, await problemCode(again)]).toEqual([409, "duplicate"]);
    const token = await mintToken(p);
    const send = (type: string, body: string) =>
      SELF.fetch(`${BASE}/admin/${p}/users`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": type },
        body,
      });
    expect((await send("text/plain", "{}")).status).toBe(415);
    expect((await send("application/json", "{not json")).status).toBe(400);
    expect((await send("application/json", "x".repeat(20_000))).status).toBe(413);
  });

  it("is for admins only: a viewer or operator gets 403, nobody gets 401", async () => {
    const p = newProject();
    for (const role of ["viewer", "operator"] as const) {
      const r = await SELF.fetch(`${BASE}/admin/${p}/users`, {
        headers: { authorization: `Bearer ${await mintToken(p, role, `u-${role}`)}` },
      });
      expect([r.status, await problemCode(r)]).toEqual([403, "forbidden"]);
    }
    const anon = await SELF.fetch(`${BASE}/admin/${p}/users`);
    expect([anon.status, await problemCode(anon)]).toEqual([401, "unauthorized"]);
  });
});

describe("admin API: keys", () => {
  it("creates a key shown once, stores only its hash, scopes it to its project and revokes it", async () => {
    const p = newProject();
    const { id, secret } = await createKey(p, "sync-client", "operator");
    expect(secret).toMatch(/^hlk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const listed = await (await adminCall(p, "GET", "/keys")).text();
    expect(JSON.parse(listed).keys).toMatchObject([{ id, name: "sync-client", role: "operator" }]);
    expect(listed).not.toContain(secret.slice(21));
    expect(listed).not.toMatch(/hash/);

    // Nothing in the auth object's database holds the key's secret part.
    const stored = await runInDurableObject(env.AUTH.get(env.AUTH.idFromName(p)), async (_o, state) =>
      JSON.stringify(state.storage.sql.exec("SELECT * FROM api_keys").toArray()),
    );
    expect(stored).toContain(id);
    expect(stored).not.toContain(secret.slice(21));

    expect((await about(p, `Bearer ${secret}`)).status).toBe(200);
    expect((await about(newProject(), `Bearer ${secret}`)).status).toBe(401);
    const revoked = await adminCall(p, "DELETE", `/keys/${id}`);
    expect(((await revoked.json()) as { key: { revoked?: number } }).key.revoked).toBeGreaterThan(0);
    const after = await about(p, `Bearer ${secret}`);
    expect([after.status, readZincGrid(await after.text()).meta.get("errCode")]).toEqual([401, "invalid_key"]);
    const tampered = `${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`;
    expect((await about(p, `Bearer ${tampered}`)).status).toBe(401);
  });
});

describe("rate limits", () => {
  it("a user's own limit: within it fine, beyond it 429 with Retry-After, and a refused write changes nothing", async () => {
    const p = newProject();
    await building(p);
    await createUser(p, "slow", "slow-password", "operator", 3);
    const token = (await login(p, "slow", "slow-password")) as string;
    const his = () => post(p, "hisRead", 'ver:"3.0"\nid,range\n@p1,"2024-01-01"\n');
    const before = await (await his()).text();
    for (let i = 0; i < 3; i++) expect((await about(p, `Bearer ${token}`)).status).toBe(200);
    const write = await SELF.fetch(`${BASE}/api/${p}/hisWrite`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "text/zinc" },
      body: `ver:"3.0" id:@p1\nts,val\n${hisLines(Date.UTC(2024, 0, 1, 5), 1, 1, () => "1°F")[0]}\n`,
    });
    expect(write.status).toBe(429);
    expect(Number(write.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(readZincGrid(await write.text()).meta.get("errCode")).toBe("rate_limited");
    expect(await (await his()).text()).toBe(before);
    // Other credentials are not held back by this one.
    expect((await about(p, `Bearer ${await mintToken(p)}`)).status).toBe(200);
  });

  it("a key's own limit", async () => {
    const p = newProject();
    const { secret } = await createKey(p, "burst", "viewer", 2);
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await about(p, `Bearer ${secret}`)).status);
    expect(codes).toEqual([200, 200, 429, 429]);
  });

  it("handshake messages per client address (HANDSHAKE_RATE_LIMIT)", async () => {
    const app = composeWorker(systemClock);
    const tight: Env = { ...env, HANDSHAKE_RATE_LIMIT: "3" };
    const hello = (ip: string) =>
      app.fetch(
        new Request(aboutUrl(newProject()), {
          headers: { authorization: "HELLO username=YWRtaW4", "cf-connecting-ip": ip },
        }),
        tight,
        createExecutionContext(),
      );
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await hello("203.0.113.9")).status);
    expect(codes).toEqual([401, 401, 401, 429]);
    expect((await hello("198.51.100.7")).status).toBe(401);
  });

  it("TOKEN_TTL sets how long a token lives", async () => {
    const w = new ClockedWorker();
    const p = newProject();
    const call = (url: string, init?: RequestInit) => w.fetch(url, init, { TOKEN_TTL: "60" });
    const s = await scramLogin(call, aboutUrl(p), "admin", env.ADMIN_PASSWORD as string);
    const bearer = { headers: { authorization: `Bearer ${s.token}` } };
    w.advance(59_999);
    expect((await call(aboutUrl(p), bearer)).status).toBe(200);
    w.advance(1);
    const late = await call(aboutUrl(p), bearer);
    expect([late.status, readZincGrid(await late.text()).meta.get("errCode")]).toEqual([401, "token_expired"]);
  });
});
