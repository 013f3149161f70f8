/**
 * The scheduled handler's work: ask the catalog what is due and make sure each owner runs it.
 * Alarms normally get there first; this is the safety net for an alarm whose job failed or was
 * lost, and the place sync pulls will be started from.
 */
import type { Env } from "../env.ts";
import type { CatalogEntry, CatalogKind } from "../objects.ts";
import { catalogOf, MAX_CATALOG_PAGE } from "./catalog.ts";

export interface CronRun {
  /** Entries that had work due. */
  readonly visited: number;
  /** Jobs that ran, and that failed (to be retried), across them. */
  readonly ran: number;
  readonly failed: number;
  /** Entries that could not be reached. */
  readonly unreachable: number;
}

/** How each kind of entry runs its due work. */
const RUNNERS: Readonly<Record<CatalogKind, (env: Env, name: string) => Promise<{ ran: number; failed: number }>>> = {
  project: (env, name) => env.PROJECT.getByName(name).runDue(),
};

/** Entries visited at once. */
const PARALLEL = 8;

export async function runCron(env: Env, nowMs: number): Promise<CronRun> {
  const due = await catalogOf(env).dueBy(nowMs, MAX_CATALOG_PAGE);
  let ran = 0;
  let failed = 0;
  let unreachable = 0;
  const visit = async (e: CatalogEntry) => {
    try {
      const r = await RUNNERS[e.kind](env, e.name);
      ran += r.ran;
      failed += r.failed;
    } catch (err) {
      unreachable++;
      console.error(`cron: ${e.kind} ${e.name} could not run its due work: ${String(err)}`);
    }
  };
  for (let i = 0; i < due.length; i += PARALLEL) await Promise.all(due.slice(i, i + PARALLEL).map(visit));
  return { visited: due.length, ran, failed, unreachable };
}
