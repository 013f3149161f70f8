/**
 * The Worker as deployed plus baseline routes the benchmarks compare it with. Only bench/ uses
 * this entry (bench/worker/wrangler.toml); the production bundle never contains these routes.
 */

import { Hono } from "hono";
import type { AppEnv } from "../../src/api/context.ts";
import { haystackFace } from "../../src/api/haystack/router.ts";
import { systemClock } from "../../src/clock.ts";
import { loadConfig } from "../../src/config.ts";
import type { Env } from "../../src/env.ts";
import worker, { ProjectObject } from "../../src/index.ts";
import { DoSql } from "../../src/storage/do/sql.ts";
import { appDeps } from "../../src/worker.ts";

export { AuthObject, CatalogObject } from "../../src/index.ts";

/** The project object with raw SQLite baselines over the same tables our stores use. */
export class BenchProjectObject extends ProjectObject {
  readonly #raw: DoSql;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#raw = new DoSql(ctx.storage);
  }

  /** Scans every stored sample of point `id` with a plain SELECT, touching each column. */
  async rawScan(id: string): Promise<number> {
    const pid = this.#raw.first<{ pid: number }>("SELECT pid FROM his_points WHERE id = ?", id)?.pid;
    let n = 0;
    let sum = 0;
    for (const r of this.#raw.iterate<{ ts: number; k: number; n: number | null; s: string | null }>(
      "SELECT ts, k, n, s FROM his WHERE pid = ? ORDER BY ts",
      pid ?? -1,
    )) {
      sum += r.ts + r.k + (r.n ?? 0) + (r.s === null ? 0 : r.s.length);
      n++;
    }
    return sum === -1 ? -1 : n;
  }

  /** Inserts `count` samples for a fresh point key with 25-row INSERT statements in one transaction. */
  async rawInsert(key: string, start: number, count: number): Promise<number> {
    const pid = this.#raw.first<{ pid: number }>("INSERT INTO his_points (id) VALUES (?) RETURNING pid", key)?.pid;
    if (pid === undefined) throw new Error("no pid");
    const ROWS = 25;
    const values = Array.from({ length: ROWS }, () => `(${pid}, ?, 0, ?, 'kW')`).join(", ");
    const insert = `INSERT INTO his (pid, ts, k, n, s) VALUES ${values}`;
    this.#raw.transaction(() => {
      const params: number[] = new Array(ROWS * 2);
      for (let i = 0; i < count; i += ROWS) {
        for (let j = 0; j < ROWS; j++) {
          params[2 * j] = start + (i + j) * 60_000;
          params[2 * j + 1] = (i + j) % 1000;
        }
        this.#raw.run(insert, ...params);
      }
    });
    return count;
  }
}

/**
 * The Haystack router with no auth middleware in front (`/bench/open/api/{project}/{op}`): the
 * baseline that shows what authentication adds to a request.
 */
const open = new Hono<AppEnv>();
open.use(async (c, next) => {
  c.set("config", loadConfig(c.env));
  const project = c.req.path.split("/")[4] ?? "";
  c.set("principal", { user: "bench", role: "admin", project, via: "key", credentialId: "bench" });
  await next();
});
open.route("/bench/open/api", haystackFace(appDeps(systemClock)).router);

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/bench/open/")) return open.fetch(request, env, ctx);
    if (url.pathname.startsWith("/bench/")) {
      const project = url.searchParams.get("project") ?? "bench";
      const stub = env.PROJECT.get(env.PROJECT.idFromName(project)) as unknown as DurableObjectStub<BenchProjectObject>;
      if (url.pathname === "/bench/raw-scan") {
        return Response.json({ rows: await stub.rawScan(url.searchParams.get("id") ?? "") });
      }
      if (url.pathname === "/bench/raw-insert") {
        const n = Number(url.searchParams.get("n"));
        const start = Number(url.searchParams.get("start"));
        return Response.json({ rows: await stub.rawInsert(crypto.randomUUID(), start, n) });
      }
      return new Response("no such bench route", { status: 404 });
    }
    return worker.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
