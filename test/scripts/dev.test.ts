/**
 * `npm run dev` and `npm run login` end to end, in a throwaway copy of the project: the real npm,
 * wrangler, workerd and Postgres stand-in. Two wrangler starts serve every case: the first on the
 * embedded default (demo seeding, logins, SIGTERM), the second on the same ports with Postgres
 * (secrets off the command line, SIGHUP).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  allCommandLines,
  cleanEnv,
  eventually,
  freePort,
  heldPorts,
  Job,
  killJobs,
  npmRun,
  processTree,
  projectCopy,
  survivors,
} from "./harness.ts";

const { databaseUrl } = inject("pg");
const copy = projectCopy();
const dir = copy.dir;
const started: Job[] = [];
const trees: Map<number, string>[] = [];
let http = 0;
let inspector = 0;
let standIn = 0;
/** The Upstash REST stand-in's port. */
let upstashPort = 0;
/** The TStorage double's port (default 2025, which a machine may have taken). */
let tstorage = 0;

const ONE_TOKEN = /^[A-Za-z0-9._~+/=-]+\n$/;
const STOP_MS = 20_000;
const START_MS = 100_000;
/** The demo's 2.5M samples go to Redis through REST: slower to seed than SQLite. */
const UPSTASH_START_MS = 150_000;

function adminPassword(): string {
  const m = /^ADMIN_PASSWORD="?([^"\n]*)"?$/m.exec(readFileSync(join(dir, ".dev.vars"), "utf8"));
  if (!m) throw new Error("no ADMIN_PASSWORD in .dev.vars");
  return m[1] as string;
}

function dev(env: Record<string, string> = {}): Job {
  const job = new Job(
    ["run", "dev", "--", "--port", String(http), "--inspector-port", String(inspector)],
    dir,
    cleanEnv({ TSTORAGE_DOUBLE_PORT: String(tstorage), ...env }),
  );
  started.push(job);
  return job;
}

/** Waits until nothing of `tree` runs and no port of `ports` is held. */
async function gone(tree: Map<number, string>, ports: number[]): Promise<void> {
  await eventually(
    () => survivors(tree).length === 0,
    STOP_MS,
    () => `the tree to end:\n${survivors(tree).join("\n")}`,
  );
  await eventually(
    async () => (await heldPorts(ports)).length === 0,
    STOP_MS,
    () => `ports ${ports} to be free`,
  );
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(port, "127.0.0.1", () => resolve(s));
  });
}

beforeAll(async () => {
  http = await freePort(8850, 8899);
  inspector = await freePort(8850, 8899, [http]);
  standIn = await freePort(5550, 5599);
  upstashPort = await freePort(5550, 5599, [standIn]);
  tstorage = await freePort(5600, 5649);
});

afterAll(() => {
  // What a failed case left running: only processes that are still the ones we started.
  for (const tree of trees) {
    for (const line of survivors(tree)) process.kill(Number(line.split(" ")[0]), "SIGKILL");
  }
  killJobs();
  copy.remove();
});

describe("npm run dev", () => {
  it("stops before starting anything when a port is taken, with one line naming the port and what moves it", async () => {
    // One spare HTTP port per run: the runs check their ports at the same time, and two checking
    // the same port would see it held by each other.
    const spare = await freePort(8850, 8899, [http, inspector]);
    const spare2 = await freePort(8850, 8899, [http, inspector, spare]);
    const spare3 = await freePort(8850, 8899, [http, inspector, spare, spare2]);
    const inspector2 = await freePort(8850, 8899, [http, inspector, spare, spare2, spare3]);
    const inspector3 = await freePort(8850, 8899, [http, inspector, spare, spare2, spare3, inspector2]);
    const blockers = await Promise.all([http, inspector, standIn, tstorage].map(listen));
    try {
      const runs = await Promise.all([
        npmRun("dev", ["--port", String(http)], dir, cleanEnv()),
        npmRun("dev", [], dir, cleanEnv({ PORT: String(http) })),
        npmRun("dev", ["--port", String(spare)], dir, cleanEnv({ INSPECTOR_PORT: String(inspector) })),
        npmRun(
          "dev",
          ["--port", String(spare2)],
          dir,
          cleanEnv({ STORAGE: "postgres", PG_WS_PROXY_PORT: `${standIn}`, INSPECTOR_PORT: `${inspector2}` }),
        ),
        npmRun(
          "dev",
          ["--port", String(spare3)],
          dir,
          cleanEnv({ TSTORAGE_DOUBLE_PORT: `${tstorage}`, INSPECTOR_PORT: `${inspector3}` }),
        ),
      ]);
      const moved = (p: number, how: string) => `Port ${p} is in use: stop what holds it, or move it with ${how}\n`;
      expect(runs.map((r) => [r.code, r.stdout, r.stderr])).toEqual([
        [1, "", moved(http, "--port (or PORT=...)")],
        [1, "", moved(http, "--port (or PORT=...)")],
        [1, "", moved(inspector, "--inspector-port (or INSPECTOR_PORT=...)")],
        [1, "", moved(standIn, "PG_WS_PROXY_PORT=...")],
        [1, "", moved(tstorage, "TSTORAGE_DOUBLE_PORT=...")],
      ]);
    } finally {
      await Promise.all(blockers.map((b) => new Promise((r) => b.close(r))));
    }
  });

  it("warms the demo up as soon as wrangler answers, saying it is seeding and then what it holds", async () => {
    const job = dev();
    await job.waitFor(
      /Demo ready in \d+\.\d s: 2,032 records, 1,846 his points, 2\.5M samples; series stores forecast, load, tariffs; frames collections prices\n/,
      START_MS,
    );
    trees.push(processTree(job.pid));
    const out = job.stdout;
    // A first start in a fresh copy seeds 2.5M samples: slow enough for the notice, which comes
    // once wrangler serves, while its output goes on.
    expect(out.indexOf(`Ready on http://localhost:${http}`)).toBeGreaterThan(-1);
    expect(out.indexOf("Seeding the demo building")).toBeGreaterThan(out.indexOf(`Ready on http://localhost:${http}`));
    expect(out.indexOf("Demo ready in")).toBeGreaterThan(out.indexOf("Seeding the demo building"));
    expect([...(trees[0] as Map<number, string>).values()].some((cmd) => cmd.includes("workerd serve"))).toBe(true);
  });

  it("serves the series demo, takes HoLcStore's GET pack/ with a body, and pulls the demo into another project", async () => {
    const password = adminPassword();
    const env = cleanEnv({ HAYLOFT_URL: `http://localhost:${http}`, HAYLOFT_PASSWORD: password });
    const [demo, other] = await Promise.all([
      npmRun("login", ["admin"], dir, env),
      npmRun("login", ["--project", "copy", "admin"], dir, env),
    ]);
    const base = `http://localhost:${http}/ts`;
    const call = async (token: string, path: string, init: RequestInit = {}) => {
      const r = await fetch(`${base}/${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, ...init.headers },
      });
      const text = await r.text();
      expect(r.status, text).toBeLessThan(300);
      return JSON.parse(text) as Record<string, unknown>;
    };
    const t = demo.stdout.trim();
    const got = (await call(t, "demo/load/series?site=alpha&kind=pv&start=2026-06-01")) as {
      index: string[];
      values: number[];
    };
    expect(got.index.length).toBeGreaterThan(24);
    const updates = (await call(t, "demo/load/updates/?since=2000-01-01T00:00:00%2B01:00&limit=2")) as {
      results: unknown[];
    };
    // HoLcStore's client sends pack/ as a GET with a JSON body, which fetch cannot: a raw request.
    const packed = await new Promise<string>((resolve, reject) => {
      const body = JSON.stringify(updates.results);
      const req = httpRequest(
        `${base}/demo/load/pack/`,
        {
          method: "GET",
          headers: {
            authorization: `Token ${t}`,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => {
            text += c;
          });
          res.on("end", () =>
            res.statusCode === 200 ? resolve(text) : reject(new Error(`${res.statusCode} ${text}`)),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });
    expect((JSON.parse(packed) as { blob: string }[]).map((p) => p.blob.slice(0, 6))).toEqual(["BCJNGG", "BCJNGG"]);
    // The README's pull: a copy of the demo's load curves, through the DEMO_SYNC_TOKEN secret npm run dev sets.
    const o = other.stdout.trim();
    const json = { "content-type": "application/json" };
    await call(o, "copy/load", {
      method: "PUT",
      headers: json,
      body: JSON.stringify({ kind: "chunked", keys: { site: "str", kind: "str" }, freq: "1h", sync: true }),
    });
    await call(o, "copy/load/sources/demo", {
      method: "PUT",
      headers: json,
      body: JSON.stringify({ url: `http://localhost:${http}/ts/demo/load/`, tokenSecret: "DEMO_SYNC_TOKEN" }),
    });
    const pulled = (await call(o, "copy/load/sources/demo/pull", { method: "POST" })) as {
      ok: boolean;
      result: { applied: number };
    };
    expect(pulled.ok).toBe(true);
    expect(pulled.result.applied).toBeGreaterThan(100);
    const copied = await call(o, "copy/load/series?site=alpha&kind=pv&start=2026-06-01");
    expect(copied).toEqual(got);
  });

  it("serves the TStorage demo target: the seeded meters, a put read back, and the acq horizon", async () => {
    const password = adminPassword();
    const env = cleanEnv({ HAYLOFT_URL: `http://localhost:${http}`, HAYLOFT_PASSWORD: password });
    const token = (await npmRun("login", ["admin"], dir, env)).stdout.trim();
    const base = `http://localhost:${http}/tstorage/demo`;
    const call = async (path: string, init: RequestInit = {}) => {
      const r = await fetch(`${base}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, ...init.headers },
      });
      const text = await r.text();
      expect(r.status, text).toBe(200);
      return text;
    };
    expect(JSON.parse(await call(""))).toEqual({ targets: ["demo"] });
    const lines = (await call("/demo/records?midMin=1001&midMax=1002&format=%3Cd%3F")).trim().split("\n");
    const horizon = JSON.parse(lines.pop() as string) as { acq: string };
    expect(BigInt(horizon.acq)).toBeGreaterThan(0n);
    expect(lines.length).toBeGreaterThan(100);
    const first = JSON.parse(lines[0] as string) as { mid: string; payload: [number, boolean] };
    expect(first.mid).toBe("1001");
    expect(typeof first.payload[0]).toBe("number");
    const put = JSON.parse(
      await call("/demo/records/puta?format=%3Cd%3F", {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body: '{"cid": 7, "mid": "42", "moid": 0, "cap": "2026-01-01T00:00:00Z", "acq": "1", "payload": [231.5, true]}\n',
      }),
    ) as { records: number };
    expect(put.records).toBe(1);
    const back = (await call("/demo/records?cidMin=7&cidMax=8&format=%3Cd%3F&times=iso")).trim().split("\n");
    expect(JSON.parse(back[0] as string)).toMatchObject({
      cid: 7,
      mid: "42",
      cap: "2026-01-01T00:00:00Z",
      payload: [231.5, true],
    });
    expect(JSON.parse(await call("/demo/acq"))).toHaveProperty("acq");
  });

  it("serves the frames demo: the prices collection, a filtered read, a write, an append and a snapshot", async () => {
    const password = adminPassword();
    const env = cleanEnv({ HAYLOFT_URL: `http://localhost:${http}`, HAYLOFT_PASSWORD: password });
    const token = (await npmRun("login", ["admin"], dir, env)).stdout.trim();
    const base = `http://localhost:${http}/frames/demo`;
    const call = async (path: string, init: RequestInit = {}, status = 200) => {
      const r = await fetch(`${base}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, ...init.headers },
      });
      const text = await r.text();
      expect(r.status, text).toBe(status);
      return text;
    };
    expect(JSON.parse(await call(""))).toEqual({ collections: ["prices"], next: null });
    const tech = JSON.parse(await call("/prices/items?where=%7B%22sector%22%3A%22tech%22%7D")) as {
      items: { name: string }[];
    };
    expect(tech.items.map((i) => i.name)).toEqual(["AAPL", "MSFT"]);
    const csv = await call("/prices/items/AAPL?columns=close&head=3", { headers: { accept: "text/csv" } });
    expect(csv.split("\r\n")[0]).toBe("date,close");
    expect(csv.trim().split("\r\n")).toHaveLength(4);
    await call(
      "/prices/items/NVDA",
      { method: "PUT", headers: { "content-type": "text/csv" }, body: "date,close\n2026-01-02T00:00:00Z,140.5\n" },
      201,
    );
    await call("/prices/items/NVDA/append?on_dup=error", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: '{"date": "2026-01-05T00:00:00Z", "close": 141.25}\n',
    });
    await call("/prices/snapshots/eod", { method: "PUT" }, 201);
    const rows = JSON.parse(await call("/prices/items/NVDA?as_of=eod")) as { date: string; close: number }[];
    expect(rows).toEqual([
      { date: "2026-01-02T00:00:00Z", close: 140.5 },
      { date: "2026-01-05T00:00:00Z", close: 141.25 },
    ]);
    const initial = JSON.parse(await call("/prices/snapshots/initial")) as { versions: Record<string, number> };
    expect(initial.versions).toEqual({ AAPL: 0, MSFT: 0, XOM: 0 });
  });

  it("npm run login prints only a working token; a wrong password, a bad project and a dead server get one line each", async () => {
    const password = adminPassword();
    const env = cleanEnv({ HAYLOFT_URL: `http://localhost:${http}` });
    const dead = await freePort(8850, 8899, [http, inspector]);
    const [fromEnv, fromStdin, wrong, badProject, unreachable] = await Promise.all([
      npmRun("login", ["admin"], dir, { ...env, HAYLOFT_PASSWORD: password }),
      npmRun("login", ["admin"], dir, env, `${password}\n`),
      npmRun("login", ["admin"], dir, env, "not-the-password\n"),
      npmRun("login", ["--project", "no such", "admin"], dir, env, `${password}\n`),
      npmRun("login", ["--url", `http://127.0.0.1:${dead}`, "admin"], dir, env, `${password}\n`),
    ]);
    for (const ok of [fromEnv, fromStdin])
      expect([ok.code, ok.stderr, ok.stdout]).toEqual([0, "", expect.stringMatching(ONE_TOKEN)]);
    const about = `http://localhost:${http}/api/demo/about`;
    expect((await fetch(about)).status).toBe(401);
    const res = await fetch(about, { headers: { authorization: `Bearer ${fromEnv.stdout.trim()}` } });
    expect([res.status, (await res.text()).includes('"Hayloft"')]).toEqual([200, true]);

    expect([wrong.code, wrong.stdout, wrong.stderr]).toEqual([
      1,
      "",
      "Login refused: wrong user name or password for admin on project demo\n",
    ]);
    expect([badProject.code, badProject.stdout, badProject.stderr]).toEqual([
      1,
      "",
      `http://localhost:${http} has no project named "no such"\n`,
    ]);
    expect([unreachable.code, unreachable.stdout, unreachable.stderr]).toEqual([
      1,
      "",
      `Cannot reach http://127.0.0.1:${dead}: ECONNREFUSED\n`,
    ]);
  });

  it("SIGTERM to the npm process ends wrangler, workerd and the rest, and frees the ports", async () => {
    const job = started[started.length - 1] as Job;
    const tree = trees[0] as Map<number, string>;
    process.kill(job.pid, "SIGTERM");
    await gone(tree, [http, inspector, tstorage]);
  });

  it("starts again on the same ports, on Postgres, with the database URL on no command line", async () => {
    const job = dev({
      STORAGE: "postgres",
      DATABASE_URL: databaseUrl,
      PG_WS_PROXY_PORT: String(standIn),
      DEMO_PROJECT: "",
    });
    await job.waitFor(new RegExp(`Ready on http://localhost:${http}`), START_MS);
    const tree = processTree(job.pid);
    trees.push(tree);
    expect([...tree.values()].some((cmd) => cmd.includes("workerd serve"))).toBe(true);

    const u = new URL(databaseUrl);
    // Postgres's own backends name the database they serve in their titles (other test files'
    // connections among them): that is the server, not a leaked URL.
    const leaks = [...allCommandLines()].filter(
      ([, cmd]) => cmd.includes(u.pathname.slice(1)) && !cmd.startsWith("postgres: "),
    );
    expect(leaks).toEqual([]);
    const inTree = [...tree.values()].filter((cmd) => cmd.includes(`:${u.password}@`) || cmd.includes("DATABASE_URL"));
    expect(inTree).toEqual([]);
    const secrets = join(dir, ".wrangler/dev-secrets.env");
    expect(statSync(secrets).mode & 0o777).toBe(0o600);

    // The Worker writes to the database it was given: a record committed over HTTP is in it.
    const project = `scripts_${Date.now().toString(36)}`;
    const login = await npmRun(
      "login",
      ["--project", project, "admin"],
      dir,
      cleanEnv({ HAYLOFT_URL: `http://localhost:${http}` }),
      `${adminPassword()}\n`,
    );
    expect(login.stdout).toMatch(ONE_TOKEN);
    const commit = await fetch(`http://localhost:${http}/api/${project}/commit`, {
      method: "POST",
      headers: { authorization: `Bearer ${login.stdout.trim()}`, "content-type": "text/zinc" },
      body: 'ver:"3.0" commit:"add"\nid,site,dis\n@hq,M,"HQ"\n',
    });
    expect([commit.status, (await commit.text()).includes("err")]).toEqual([200, false]);
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const r = await db.query("SELECT count(*)::int AS n FROM entities WHERE project = $1", [project]);
      expect(r.rows[0].n).toBe(1);
    } finally {
      await db.end();
    }
  });

  it("SIGHUP to the npm process ends everything, the stand-in too, and removes the secrets file", async () => {
    const job = started[started.length - 1] as Job;
    process.kill(job.pid, "SIGHUP");
    await gone(trees[1] as Map<number, string>, [http, inspector, standIn]);
    expect(existsSync(join(dir, ".wrangler/dev-secrets.env"))).toBe(false);
  });

  it(
    "starts on Upstash (the REST stand-in over the local Redis), serves the demo from Redis, and keeps the token off every command line",
    async () => {
      const prefix = `hldev${Date.now().toString(36)}`;
      const redis = new Redis(inject("upstash").redisUrl);
      try {
        const job = dev({ STORAGE: "upstash", UPSTASH_KEY_PREFIX: prefix, UPSTASH_STAND_IN_PORT: String(upstashPort) });
        await job.waitFor(
          /Demo ready in \d+\.\d s: 2,032 records, 1,846 his points, 2\.5M samples; series stores forecast, load, tariffs; frames collections prices\n/,
          UPSTASH_START_MS,
        );
        expect(job.stdout).toContain(`Upstash: the REST stand-in at http://127.0.0.1:${upstashPort}`);
        const tree = processTree(job.pid);
        trees.push(tree);
        const secrets = readFileSync(join(dir, ".wrangler/dev-secrets.env"), "utf8");
        const token = /^UPSTASH_REDIS_REST_TOKEN=["']?([^"'\n]+)["']?$/m.exec(secrets)?.[1] ?? "";
        expect(token).toMatch(/^dev-/);
        expect([...allCommandLines()].filter(([, cmd]) => cmd.includes(token))).toEqual([]);

        const auth = { authorization: `Bearer ${(await npmRun("token", ["demo"], dir, cleanEnv())).stdout.trim()}` };
        const read = await fetch(`http://localhost:${http}/api/demo/read?filter=site`, { headers: auth });
        expect(read.status).toBe(200);
        expect((await read.text()).trim().split("\n")).toHaveLength(3); // ver line, columns, one site
        const his = await fetch(`http://localhost:${http}/api/demo/hisRead?id=@a-0002&range=yesterday`, {
          headers: auth,
        });
        expect(his.status).toBe(200);
        expect((await his.text()).trim().split("\n").length).toBeGreaterThan(90); // 96 quarter hours
        const series = await fetch(`http://localhost:${http}/ts/demo/load/series?site=alpha&kind=pv&start=2026-06-01`, {
          headers: auth,
        });
        expect(series.status).toBe(200);
        expect(((await series.json()) as { index: string[] }).index.length).toBeGreaterThan(24);
        // The Worker keeps them in Redis, under the prefix it was given.
        const [, keys] = await redis.scan("0", "MATCH", `${prefix}:*`, "COUNT", 10_000);
        expect(keys.length).toBeGreaterThan(0);

        process.kill(job.pid, "SIGTERM");
        await gone(tree, [http, inspector, upstashPort]);
      } finally {
        let cursor = "0";
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
          if (keys.length > 0) await redis.unlink(...keys);
          cursor = next;
        } while (cursor !== "0");
        redis.disconnect();
      }
    },
    UPSTASH_START_MS + 2 * STOP_MS,
  );
});
