/**
 * The scheduled handler's work: ask the catalog what is due and make sure each owner runs it.
 * Alarms normally get there first; this is the safety net for an alarm whose job failed or was
 * lost, and where scheduled sync pulls start.
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

/** How an entry runs its due work: how many jobs (or pulls) ran, and failed. */
export type Runner = (env: Env, name: string) => Promise<{ ran: number; failed: number }>;

/** Each kind's runner; the composition root adds those that need its choices (the series backend). */
export type Runners = Readonly<Record<CatalogKind, Runner>>;

/** A project's due jobs run in its object. */
export const runProjectJobs: Runner = (env, name) => env.PROJECT.getByName(name).runDue();

/** Frames collections are listed for their project's listing only: they never have due work. */
export const nothingDue: Runner = async () => ({ ran: 0, failed: 0 });

/** Entries visited at once. */
const PARALLEL = 8;

export async function runCron(env: Env, nowMs: number, runners: Runners): Promise<CronRun> {
  const due = await catalogOf(env).dueBy(nowMs, MAX_CATALOG_PAGE);
  let ran = 0;
  let failed = 0;
  let unreachable = 0;
  const visit = async (e: CatalogEntry) => {
    try {
      const r = await runners[e.kind](env, e.name);
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
