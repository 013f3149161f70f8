/**
 * Every op x role cell, for session tokens (obtained by a real SCRAM login) and for API keys:
 * allowed calls succeed, refused ones answer 403 and change nothing (records, history, priority
 * array and watches compared before and after).
 */
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { OPS } from "../../src/api/haystack/ops/registry.ts";
import { mountedFaces } from "../../src/app.ts";
import type { Role } from "../../src/auth/roles.ts";
import { systemClock } from "../../src/clock.ts";
import { readZincGrid } from "../../src/haystack/codec/zinc/index.ts";
import { appDeps } from "../../src/worker.ts";
import { adminCall, createKey, createUser } from "../support/auth.ts";
import { BASE, building, newProject, ok, post } from "../support/haystack-http.ts";
import { scramLogin } from "../support/scram-client.ts";

/** The least role of each op, written out here so a change to the server's table shows up. */
const LEAST: Readonly<Record<string, Role>> = {
  about: "viewer",
  ops: "viewer",
  formats: "viewer",
  defs: "viewer",
  libs: "viewer",
  filetypes: "viewer",
  read: "viewer",
  nav: "viewer",
  hisRead: "viewer",
  close: "viewer",
  hisWrite: "operator",
  pointWrite: "operator",
  invokeAction: "operator",
  watchSub: "operator",
  watchUnsub: "operator",
  watchPoll: "operator",
  commit: "admin",
};
const RANK: Readonly<Record<Role, number>> = { viewer: 0, operator: 1, admin: 2 };
const ROLES: readonly Role[] = ["viewer", "operator", "admin"];
const PASSWORD = "role-table-password";

let p: string;
let seq = 0;

/** A valid request for each op; watch ops get a fresh watch made by the server admin. */
async function requestFor(op: string): Promise<string> {
  const n = ++seq;
  switch (op) {
    case "read":
      return 'ver:"3.0"\nfilter\n"point"\n';
    case "hisRead":
      return 'ver:"3.0"\nid,range\n@p1,"2024-01-01"\n';
    case "hisWrite":
      return `ver:"3.0" id:@p1\nts,val\n${new Date(Date.UTC(2024, 0, 1, 0, n)).toISOString()} UTC,${n}°F\n`;
    case "pointWrite":
      return `ver:"3.0"\nid,level,val,who\n@w,10,${n},"t"\n`;
    case "invokeAction":
      return `ver:"3.0" id:@w action:"Override"\nval\n${n}\n`;
    case "watchSub":
      return 'ver:"3.0" watchDis:"t"\nid\n@p1\n';
    case "watchUnsub":
    case "watchPoll":
      return `ver:"3.0" watchId:"${await adminWatch()}"${op === "watchUnsub" ? " close" : ""}\nempty\n`;
    case "commit":
      return `ver:"3.0" commit:"add"\nid,dis\n@new${n},"New ${n}"\n`;
    default:
      return "";
  }
}

async function adminWatch(): Promise<string> {
  const g = await ok(post(p, "watchSub", 'ver:"3.0" watchDis:"setup"\nid\n@p1\n'));
  return g.meta.get("watchId") as string;
}

/** What a refused call must leave alone. */
async function snapshot(): Promise<string[]> {
  const texts = async (op: string, body: string) => (await post(p, op, body)).text();
  return [
    await texts("read", 'ver:"3.0"\nfilter\n"id"\n'),
    await texts("hisRead", 'ver:"3.0"\nid,range\n@p1,"2024-01-01"\n'),
    await texts("pointWrite", 'ver:"3.0"\nid\n@w\n'),
  ];
}

type Cred = () => Promise<string>;
const creds: Record<"token" | "key", Record<Role, Cred>> = { token: {}, key: {} } as never;

beforeAll(async () => {
  p = newProject();
  await building(p);
  await ok(
    post(
      p,
      "commit",
      `ver:"3.0" commit:"add"\nid,point,writable,kind,actions\n@w,M,M,"Number",<<ver:"3.0"\ndis,expr\n"Override","pointOverride($self, $val)"\n>>\n`,
    ),
  );
  for (const role of ROLES) {
    await createUser(p, `u-${role}`, PASSWORD, role);
    const key = await createKey(p, `k-${role}`, role);
    // A fresh login per call, so `close` revoking one token never spoils the next cell.
    creds.token[role] = async () => {
      const s = await scramLogin((u, i) => SELF.fetch(u, i), `${BASE}/api/${p}/about`, `u-${role}`, PASSWORD);
      if (!s.token)
        throw new Error(`login as u-${role} failed: ${s.final?.status ?? s.first?.status ?? s.hello.status}`);
      return `BEARER authToken=${s.token}`;
    };
    creds.key[role] = async () => `Bearer ${key.secret}`;
  }
});

describe("op x role", () => {
  it("the table names every op the server has", () => {
    expect(Object.keys(LEAST).sort()).toEqual(OPS.map((o) => o.name).sort());
  });

  const cells = ["token", "key"].flatMap((via) =>
    Object.keys(LEAST).flatMap((op) => ROLES.map((role) => [via as "token" | "key", op, role] as const)),
  );

  it.each(cells)("%s: %s as %s", async (via, op, role) => {
    const allowed = RANK[role] >= RANK[LEAST[op] as Role];
    const body = await requestFor(op);
    const before = allowed ? undefined : await snapshot();
    const r = await SELF.fetch(`${BASE}/api/${p}/${op}`, {
      method: "POST",
      headers: { authorization: await creds[via][role](), "content-type": "text/zinc" },
      body,
    });
    const g = readZincGrid(await r.text());
    if (allowed) {
      expect([r.status, g.meta.get("dis") ?? null]).toEqual([200, null]);
    } else {
      expect(r.status).toBe(403);
      expect(g.meta.get("errCode")).toBe("forbidden");
      expect(await snapshot()).toEqual(before);
      if (op === "watchUnsub") {
        const id = /watchId:"([^"]+)"/.exec(body)?.[1];
        await ok(post(p, "watchPoll", `ver:"3.0" watchId:"${id}"\nempty\n`));
      }
    }
  });
});

describe("every mounted face", () => {
  it("has each of its routes in a table here, with the least role written there", () => {
    const faces = mountedFaces(appDeps(systemClock));
    const declared = faces.flatMap(({ face }) =>
      face.routes.map((r) => `${face.root} ${r.method} ${r.path} ${r.role}`),
    );
    const tabled = [
      ...Object.entries(LEAST).flatMap(([op, role]) => {
        const methods = OPS.find((o) => o.name === op)?.noSideEffects ? ["GET", "POST"] : ["POST"];
        return methods.map((m) => `api ${m} /:project/${op} ${role}`);
      }),
      // The live watch socket: reading values, so a viewer may (test/worker/live.test.ts).
      "api GET /:project/watch/live viewer",
      ...ADMIN_ROUTES.map(
        ([method, path]) =>
          `admin ${method} /:project${path.replace(/\/u-viewer$/, "/:name").replace("{id}", ":id")} admin`,
      ),
      ...SERIES_ROUTES.map(([method, path, role]) => `ts ${method} /:project${path} ${role}`),
      ...TSTORAGE_ROUTES.map(([method, path, role]) => `tstorage ${method} /:project${path} ${role}`),
      ...FRAMES_ROUTES.map(([method, path, role]) => `frames ${method} /:project${path} ${role}`),
    ];
    expect(declared.sort()).toEqual(tabled.sort());
  });
});

/**
 * The series face's routes and least roles: reading (sync included) is a viewer's, writing data
 * an operator's, defining stores and sources (and pulling now) an admin's.
 */
const SERIES_ROUTES: readonly (readonly [string, string, Role])[] = [
  ["GET", "", "viewer"],
  ["PUT", "/:store", "admin"],
  ["GET", "/:store", "viewer"],
  ["DELETE", "/:store", "admin"],
  ["GET", "/:store/series", "viewer"],
  ["PUT", "/:store/series", "operator"],
  ["DELETE", "/:store/series", "operator"],
  ["GET", "/:store/scan", "viewer"],
  ["POST", "/:store/many", "operator"],
  ["GET", "/:store/last", "viewer"],
  ["GET", "/:store/holes", "viewer"],
  ["GET", "/:store/updates/", "viewer"],
  ["GET", "/:store/updates", "viewer"],
  ["GET", "/:store/pack/", "viewer"],
  ["POST", "/:store/pack/", "viewer"],
  ["GET", "/:store/pack", "viewer"],
  ["POST", "/:store/pack", "viewer"],
  ["GET", "/:store/feed/", "viewer"],
  ["GET", "/:store/sources", "viewer"],
  ["PUT", "/:store/sources/:name", "admin"],
  ["GET", "/:store/sources/:name", "viewer"],
  ["DELETE", "/:store/sources/:name", "admin"],
  ["POST", "/:store/sources/:name/pull", "admin"],
];

/**
 * The frames face's routes and least roles: reading (batch reads too) is a viewer's, changing items
 * and snapshots an operator's, creating, configuring and deleting collections an admin's.
 */
const FRAMES_ROUTES: readonly (readonly [string, string, Role])[] = [
  ["GET", "", "viewer"],
  ["PUT", "/:collection", "admin"],
  ["GET", "/:collection", "viewer"],
  ["PATCH", "/:collection", "admin"],
  ["DELETE", "/:collection", "admin"],
  ["GET", "/:collection/items", "viewer"],
  ["PUT", "/:collection/items/:item", "operator"],
  ["POST", "/:collection/items/:item/append", "operator"],
  ["POST", "/:collection/items/:item/update", "operator"],
  ["DELETE", "/:collection/items/:item/rows", "operator"],
  ["DELETE", "/:collection/items/:item", "operator"],
  ["GET", "/:collection/items/:item", "viewer"],
  ["GET", "/:collection/items/:item/info", "viewer"],
  ["GET", "/:collection/items/:item/metadata", "viewer"],
  ["PUT", "/:collection/items/:item/metadata", "operator"],
  ["PUT", "/:collection/items/:item/strategy", "operator"],
  ["GET", "/:collection/items/:item/versions", "viewer"],
  ["POST", "/:collection/items/:item/versions/prune", "operator"],
  ["GET", "/:collection/snapshots", "viewer"],
  ["PUT", "/:collection/snapshots/:snapshot", "operator"],
  ["GET", "/:collection/snapshots/:snapshot", "viewer"],
  ["DELETE", "/:collection/snapshots/:snapshot", "operator"],
  ["POST", "/:collection/batch", "operator"],
  ["POST", "/:collection/transaction", "operator"],
  ["POST", "/:collection/batch/read", "viewer"],
];

/** The TStorage bridge's routes and least roles: reading is a viewer's, putting an operator's. */
const TSTORAGE_ROUTES: readonly (readonly [string, string, Role])[] = [
  ["GET", "", "viewer"],
  ["GET", "/:target/records", "viewer"],
  ["GET", "/:target/acq", "viewer"],
  ["POST", "/:target/records", "operator"],
  ["POST", "/:target/records/puta", "operator"],
];

describe("TStorage bridge route x role", () => {
  // The real-mode double: the fault tests cut connections of the mock one.
  const call = (method: string, path: string, auth: string) =>
    SELF.fetch(`${BASE}/tstorage/${p}${path.replace(":target", "real")}`, {
      method,
      headers: { authorization: auth, "content-type": "application/x-ndjson" },
      ...(method === "POST"
        ? { body: JSON.stringify({ cid: 1, mid: "77", moid: 0, cap: "1", acq: "1", payload: "" }) }
        : {}),
    });
  const count = async () => {
    const r = await SELF.fetch(`${BASE}/tstorage/${p}/real/records?midMin=77&midMax=78`, {
      headers: { authorization: await creds.key.admin() },
    });
    return new TextDecoder()
      .decode(await r.arrayBuffer())
      .trimEnd()
      .split("\n").length;
  };

  it.each(TSTORAGE_ROUTES.flatMap(([m, path, least]) => ROLES.map((role) => [m, path, least, role] as const)))(
    "%s %s (least %s) as %s",
    async (method, path, least, role) => {
      const before = await count();
      const r = await call(method, path, await creds.key[role]());
      if (RANK[role] >= RANK[least]) {
        expect(r.status).toBe(200);
      } else {
        expect(r.status).toBe(403);
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe("forbidden");
        expect(await count()).toBe(before);
      }
    },
  );
});

/** Each admin route with a valid request; `{id}` is a key made for the call. */
const ADMIN_ROUTES: readonly (readonly [string, string, unknown])[] = [
  ["GET", "/users", undefined],
  ["POST", "/users", { name: "made", password: "made-password", role: "viewer" }],
  ["PATCH", "/users/u-viewer", { rateLimit: 1000 }],
  ["DELETE", "/users/u-viewer", undefined],
  ["GET", "/keys", undefined],
  ["POST", "/keys", { name: "made", role: "viewer" }],
  ["DELETE", "/keys/{id}", undefined],
];

describe("admin route x role", () => {
  const ROUTES = ADMIN_ROUTES;
  const accounts = async () =>
    Promise.all(["/users", "/keys"].map(async (path) => (await adminCall(p, "GET", path)).text()));

  it.each(ROUTES.flatMap((r) => ["viewer", "operator"].map((role) => [...r, role] as const)))(
    "%s %s as %s: 403, nothing changes",
    async (method, path, body, role) => {
      const { id } = await createKey(p, `target-${++seq}`, "viewer");
      const before = await accounts();
      const r = await SELF.fetch(`${BASE}/admin/${p}${path.replace("{id}", id)}`, {
        method,
        headers: { authorization: await creds.token[role as Role](), "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      expect(r.status).toBe(403);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("forbidden");
      expect(await accounts()).toEqual(before);
    },
  );

  it.each(ROUTES)("%s %s as a project admin succeeds", async (method, path, body) => {
    const { id } = await createKey(p, `target-${++seq}`, "viewer");
    const payload = method === "POST" && path === "/users" ? { ...(body as object), name: `made-${++seq}` } : body;
    const r = await SELF.fetch(`${BASE}/admin/${p}${path.replace("{id}", id)}`, {
      method,
      headers: { authorization: await creds.token.admin(), "content-type": "application/json" },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
    });
    expect([200, 201, 204]).toContain(r.status);
    // The deleted viewer comes back for the cells that log in as it.
    if (method === "DELETE" && path.startsWith("/users")) await createUser(p, "u-viewer", PASSWORD, "viewer");
  });
});
