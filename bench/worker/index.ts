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
import { loadRecords, readFiltered } from "./hc-read.ts";

export { AuthObject, CatalogObject, FramesObject, SeriesObject } from "../../src/index.ts";

/** Rows a raw TSV chunk carries: large enough that chunking costs nothing next to the scan. */
const TSV_ROWS = 4096;

/** Samples per raw INSERT: three bound parameters each, under DO SQLite's 100. */
const INSERT_ROWS = 33;

interface HisRow extends Record<string, number | string | null> {
  ts: number;
  k: number;
  n: number | null;
  s: string | null;
}

/** What a point's stored samples add up to: equal digests, equal rows (values are exact quarters). */
export interface HisDigest {
  readonly rows: number;
  readonly first: number | null;
  readonly last: number | null;
  readonly sum: number;
  readonly kinds: string | null;
  readonly units: string | null;
}

/** The project object with raw SQLite baselines over the same tables our stores use. */
export class BenchProjectObject extends ProjectObject {
  readonly #raw: DoSql;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#raw = new DoSql(ctx.storage);
  }

  #pid(id: string): number {
    return this.#raw.first<{ pid: number }>("SELECT pid FROM his_points WHERE id = ?", id)?.pid ?? -1;
  }

  /**
   * Every stored sample of point `id`, by a plain SELECT written out as `ts k n s` lines: the
   * least a server can do to hand a client the rows, with no Haystack encoding.
   */
  rawTsv(id: string): ReadableStream<Uint8Array> {
    const rows = this.#raw.iterate<HisRow>("SELECT ts, k, n, s FROM his WHERE pid = ? ORDER BY ts", this.#pid(id));
    const utf8 = new TextEncoder();
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        let text = "";
        for (let i = 0; i < TSV_ROWS; i++) {
          const step = rows.next();
          if (step.done) {
            if (text !== "") controller.enqueue(utf8.encode(text));
            controller.close();
            return;
          }
          const r = step.value;
          text += `${r.ts}\t${r.k}\t${r.n}\t${r.s}\n`;
        }
        controller.enqueue(utf8.encode(text));
      },
    });
  }

  /** Inserts the samples under a new point key in one transaction; answers how many. */
  rawInsert(key: string, ts: Float64Array, num: Float64Array, units: string[]): number {
    const pid = this.#raw.first<{ pid: number }>("INSERT INTO his_points (id) VALUES (?) RETURNING pid", key)?.pid;
    if (pid === undefined) throw new Error("no pid");
    const sql = (n: number) =>
      `INSERT INTO his (pid, ts, k, n, s) VALUES ${Array.from({ length: n }, () => `(${pid}, ?, 0, ?, ?)`).join(", ")}`;
    const full = sql(INSERT_ROWS);
    this.#raw.transaction(() => {
      const params: (number | string)[] = [];
      for (let from = 0; from < ts.length; from += INSERT_ROWS) {
        const to = Math.min(ts.length, from + INSERT_ROWS);
        params.length = 0;
        for (let i = from; i < to; i++) params.push(ts[i] as number, num[i] as number, units[i] as string);
        this.#raw.run(to - from === INSERT_ROWS ? full : sql(to - from), ...params);
      }
    });
    return ts.length;
  }

  /** The digest of point `id`'s stored samples, read straight from the table (ours and raw alike). */
  rawDigest(id: string): HisDigest {
    const d = this.#raw.first<{ [K in keyof HisDigest]: HisDigest[K] }>(
      "SELECT count(*) AS rows, min(ts) AS first, max(ts) AS last, total(n) AS sum, " +
        "group_concat(DISTINCT k) AS kinds, group_concat(DISTINCT s) AS units FROM his WHERE pid = ?",
      this.#pid(id),
    );
    if (!d) throw new Error("no digest");
    return d;
  }
}

/**
 * `ts val unit` lines (epoch ms), the raw baseline's request body: parsed in the Worker as ours
 * parses Zinc there, and handed to the object in one call as ours hands it pages.
 */
function parseTsv(text: string): { ts: Float64Array; num: Float64Array; units: string[] } {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  const ts = new Float64Array(n);
  const num = new Float64Array(n);
  const units: string[] = new Array(n);
  let at = 0;
  for (let row = 0; row < n; row++) {
    const tab1 = text.indexOf("\t", at);
    const tab2 = text.indexOf("\t", tab1 + 1);
    const end = text.indexOf("\n", tab2 + 1);
    ts[row] = Number(text.slice(at, tab1));
    num[row] = Number(text.slice(tab1 + 1, tab2));
    units[row] = text.slice(tab2 + 1, end);
    at = end + 1;
  }
  return { ts, num, units };
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
    if (url.pathname.startsWith("/bench/")) return benchRoute(url, request, env);
    return worker.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;

async function benchRoute(url: URL, request: Request, env: Env): Promise<Response> {
  const arg = (name: string) => url.searchParams.get(name) ?? "";
  if (url.pathname === "/bench/hc/load" && request.method === "POST") {
    return Response.json({ rows: loadRecords(arg("set"), await request.text()) });
  }
  if (url.pathname === "/bench/hc/read") return readFiltered(arg("set"), arg("filter"));
  const stub = env.PROJECT.get(
    env.PROJECT.idFromName(arg("project")),
  ) as unknown as DurableObjectStub<BenchProjectObject>;
  if (url.pathname === "/bench/raw-tsv") {
    return new Response(await stub.rawTsv(arg("id")), { headers: { "content-type": "text/tab-separated-values" } });
  }
  if (url.pathname === "/bench/raw-insert" && request.method === "POST") {
    const { ts, num, units } = parseTsv(await request.text());
    return Response.json({ rows: await stub.rawInsert(arg("key"), ts, num, units) });
  }
  if (url.pathname === "/bench/raw-digest") return Response.json(await stub.rawDigest(arg("id")));
  return new Response("no such bench route", { status: 404 });
}
