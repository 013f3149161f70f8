/** The change feed in Postgres: one sequence per project, and each record's latest change. */
import type { ChangeFeed, ChangeSet } from "../ports.ts";
import { type Querier, run } from "./sql.ts";

/** Records one change to each of `ids` (inside the writing transaction). */
export async function bump(q: Querier, project: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const [row] = await run<{ seq: string }>(
    q,
    "INSERT INTO projects (project, seq) VALUES ($1, 1) " +
      "ON CONFLICT (project) DO UPDATE SET seq = projects.seq + 1 RETURNING seq",
    [project],
  );
  await run(
    q,
    "INSERT INTO changes (project, id, seq) SELECT $1, unnest($2::text[]), $3 " +
      "ON CONFLICT (project, id) DO UPDATE SET seq = excluded.seq",
    [project, ids, row?.seq],
  );
}

export function pgChanges(q: Querier, project: string): ChangeFeed {
  return {
    async cursor() {
      const [row] = await run<{ seq: string }>(q, "SELECT seq FROM projects WHERE project = $1", [project]);
      return row ? Number(row.seq) : 0;
    },
    // One statement, so the cursor and the changes come from the same snapshot: a change is
    // reported once, never again nor missed.
    async changedSince(since, ids): Promise<ChangeSet> {
      const [row] = await run<{ cursor: string | null; changed: string[] }>(
        q,
        "WITH c AS (SELECT coalesce((SELECT seq FROM projects WHERE project = $1), 0) AS seq) " +
          "SELECT c.seq AS cursor, ARRAY(SELECT id FROM changes WHERE project = $1 AND id = ANY($2::text[]) " +
          "AND seq > $3 AND seq <= c.seq) AS changed FROM c",
        [project, ids, since],
      );
      const hit = new Set(row?.changed ?? []);
      return { cursor: Number(row?.cursor ?? 0), changed: ids.filter((id) => hit.has(id)) };
    },
  };
}
