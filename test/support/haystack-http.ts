/** Talking to the Worker's Haystack face from workers-pool tests. */
import { env } from "cloudflare:test";
import { readZincGrid, writeZincGrid } from "../../src/haystack/codec/zinc/index.ts";
import { type HDict, type HGrid, type HRef, isRef } from "../../src/haystack/kinds/index.ts";
import type { ProjectObjectRpc } from "../../src/objects.ts";
import { authedFetch } from "./auth.ts";

export const BASE = "http://hayloft.test";

/** A fresh project name: each test gets its own Durable Object. */
export function newProject(): string {
  return `t-${crypto.randomUUID().slice(0, 12)}`;
}

export async function post(
  project: string,
  op: string,
  body: string | HGrid,
  headers: Record<string, string> = {},
): Promise<Response> {
  return authedFetch(`${BASE}/api/${project}/${op}`, {
    method: "POST",
    headers: { "content-type": "text/zinc", ...headers },
    body: typeof body === "string" ? body : writeZincGrid(body),
  });
}

export async function get(project: string, op: string, query = "", headers: Record<string, string> = {}) {
  return authedFetch(`${BASE}/api/${project}/${op}${query ? `?${query}` : ""}`, { headers });
}

/** The reply as a grid, checking it is Zinc. */
export async function zinc(res: Response | Promise<Response>): Promise<HGrid> {
  const r = await res;
  expectZinc(r);
  return readZincGrid(await r.text());
}

function expectZinc(r: Response): void {
  const ct = r.headers.get("content-type") ?? "";
  if (!ct.startsWith("text/zinc")) throw new Error(`expected a Zinc reply, got ${ct} (${r.status})`);
}

/** An op that must succeed: the grid, or a thrown error quoting the error grid. */
export async function ok(res: Response | Promise<Response>): Promise<HGrid> {
  const r = await res;
  const g = await zinc(r);
  if (r.status !== 200 || g.meta.has("err")) throw new Error(`op failed: ${r.status} ${g.meta.get("dis")}`);
  return g;
}

/** Adds records given as Zinc rows under a header line. */
export async function seed(project: string, header: string, ...rows: string[]): Promise<HGrid> {
  return ok(post(project, "commit", `ver:"3.0" commit:"add"\n${header}\n${rows.join("\n")}\n`));
}

/**
 * An error grid (HttpApi.fandoc): meta `err` and a Str `dis`, the single `empty` column and no
 * rows, no `errTrace` unless ERR_TRACE is on. Checks the HTTP status and answers the meta.
 */
export async function errorGrid(res: Response | Promise<Response>, status = 200): Promise<HDict> {
  const r = await res;
  const g = await zinc(r);
  if (r.status !== status || !g.meta.has("err")) {
    throw new Error(`expected an error grid with status ${status}, got ${r.status} ${writeZincGrid(g).slice(0, 200)}`);
  }
  if (typeof g.meta.get("dis") !== "string") throw new Error("error grid without a Str dis");
  if (g.meta.has("errTrace")) throw new Error("error grid carries errTrace although ERR_TRACE is off");
  if (g.rows.length !== 0 || g.colNames().join() !== "empty") throw new Error("error grid is not empty");
  return g.meta;
}

/** The project's Durable Object. */
export function stubOf(project: string): DurableObjectStub<ProjectObjectRpc> {
  return env.PROJECT.get(env.PROJECT.idFromName(project));
}

/** The ids of a grid's `id` column, in row order (null for an all-null row). */
export function idsOf(g: HGrid): (string | null)[] {
  const c = g.colIdx("id");
  return g.rows.map((r) => {
    const v = c < 0 ? null : r[c];
    return isRef(v ?? undefined) ? (v as HRef).id : null;
  });
}

/** Zinc `ts,val` lines: `count` samples `stepMs` apart from `startMs`, in UTC, valued by `val`. */
export function hisLines(startMs: number, count: number, stepMs: number, val: (i: number) => string): string[] {
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = `${new Date(startMs + i * stepMs).toISOString()} UTC,${val(i)}`;
  return out;
}

/** hisWrite of `lines` to one point, in requests of `batch` rows (the test limit is 5,000 rows). */
export async function hisWriteAll(project: string, id: string, lines: readonly string[], batch = 5000): Promise<void> {
  for (let i = 0; i < lines.length; i += batch) {
    await ok(post(project, "hisWrite", `ver:"3.0" id:@${id}\nts,val\n${lines.slice(i, i + batch).join("\n")}\n`));
  }
}

/**
 * A small New York building: site @s, equips @e1 and @e2, his points @p1 (Number °F), @p2 (Bool)
 * and @p3 (Str, in Tokyo).
 */
export async function building(project: string): Promise<void> {
  await seed(
    project,
    "id,dis,site,equip,siteRef,equipRef,tz,point,his,kind,unit",
    `@s,"HQ",M,,,,"New_York",,,,`,
    `@e1,"AHU-1",,M,@s,,"New_York",,,,`,
    `@e2,"AHU-2",,M,@s,,"New_York",,,,`,
    `@p1,"Temp",,,@s,@e1,"New_York",M,M,"Number","°F"`,
    `@p2,"Fan",,,@s,@e1,"New_York",M,M,"Bool",`,
    `@p3,"Mode",,,@s,@e2,"Tokyo",M,M,"Str",`,
  );
}
