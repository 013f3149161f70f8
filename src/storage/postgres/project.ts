/**
 * One Haystack project's stores over a Postgres pool. Every project shares the database; each
 * table is keyed by project first.
 */
import type { Pool } from "@neondatabase/serverless";
import type { ProjectStore } from "../ports.ts";
import { pgChanges } from "./changes.ts";
import { PgEntities } from "./entities.ts";
import { PgHistory } from "./history.ts";
import { PgPoints } from "./points.ts";
import { inTx, type Querier } from "./sql.ts";

export function pgStore(pool: Pool, project: string): ProjectStore {
  const db = pool as unknown as Querier;
  const tx = <T>(fn: (q: Querier) => Promise<T>) => inTx(pool, (c) => fn(c as unknown as Querier));
  return {
    entities: new PgEntities(db, tx, project),
    history: new PgHistory(db, tx, project),
    points: new PgPoints(db, tx, project),
    changes: pgChanges(db, project),
  };
}
