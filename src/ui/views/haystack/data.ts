/** The Haystack reads the views make, with Zinc-encoded arguments and JSON v4 replies. */
import { type HGridJson, haystack } from "../../app/api.ts";
import type { HDictJson } from "./hval.ts";

/** A Str argument in Zinc (GET parameters are Zinc values); JSON escapes are Zinc escapes too. */
export function zincStr(s: string): string {
  return JSON.stringify(s);
}

export interface ReadResult {
  readonly rows: readonly HDictJson[];
  /** Set when the server cut the result (its `incomplete` meta). */
  readonly incomplete?: string;
}

function resultOf(g: HGridJson): ReadResult {
  const inc = g.meta.incomplete as { dis?: unknown } | undefined;
  return {
    rows: g.rows as readonly HDictJson[],
    ...(inc ? { incomplete: typeof inc.dis === "string" ? inc.dis : "Result incomplete" } : {}),
  };
}

export async function readFilter(project: string, filter: string, limit?: number): Promise<ReadResult> {
  return resultOf(await haystack(project, "read", { filter: zincStr(filter), limit }));
}

/** Records by id, in order; missing ones are absent. */
export async function readIds(project: string, ids: readonly string[]): Promise<HDictJson[]> {
  if (ids.length === 0) return [];
  const g = await haystack(project, "read", {
    _kind: "grid",
    meta: { ver: "3.0" },
    cols: [{ name: "id" }],
    rows: ids.map((id) => ({ id: { _kind: "ref", val: id } })),
  });
  // A read by ids answers a row of nulls (no id) for an unknown id.
  return (g.rows as HDictJson[]).filter((r) => r.id !== undefined && r.id !== null);
}

export async function navChildren(project: string, navId?: string): Promise<readonly HDictJson[]> {
  const g = await haystack(project, "nav", navId ? { navId: `@${navId}` } : {});
  return g.rows as readonly HDictJson[];
}
