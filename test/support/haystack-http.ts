/** Talking to the Worker's Haystack face from workers-pool tests. */
import { SELF } from "cloudflare:test";
import { readZincGrid, writeZincGrid } from "../../src/haystack/codec/zinc/index.ts";
import type { HDict, HGrid } from "../../src/haystack/kinds/index.ts";

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
  return SELF.fetch(`${BASE}/api/${project}/${op}`, {
    method: "POST",
    headers: { "content-type": "text/zinc", ...headers },
    body: typeof body === "string" ? body : writeZincGrid(body),
  });
}

export async function get(project: string, op: string, query = "", headers: Record<string, string> = {}) {
  return SELF.fetch(`${BASE}/api/${project}/${op}${query ? `?${query}` : ""}`, { headers });
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

export function dicts(g: HGrid): HDict[] {
  return g.dicts();
}
