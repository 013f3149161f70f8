/**
 * Filter reads on Upstash: the indexes narrow, the shared evaluator decides.
 *
 * 1. The filter becomes a plan of set algebra over the indexes (filter-plan.ts) whose ids are a
 *    superset of its matches; Redis works it out in one read-only script (filter-candidates.ts).
 *    A plan that cannot narrow, or that keeps too many ids to bring back, reads every id instead,
 *    paged in id order.
 * 2. Candidates are read in id order, in batches, and matched exactly by the evaluator, the
 *    records `->` paths reach read as it asks for them (filter-match.ts).
 * 3. Every candidate is examined until `limit + 1` matches are found: nothing is sampled or cut,
 *    so `incomplete` means exactly that more than `limit` records matched.
 * Every request stays within the target's request bound (MGETs and the plan's keys are cut or
 * fall back to the scan); Redis failures surface as StoreError through upstashCall.
 */
import type { Filter } from "../../haystack/filter/index.ts";
import { compileFilter } from "../../haystack/filter/index.ts";
import { HDict, isRef } from "../../haystack/kinds/index.ts";
import type { ReadOptions, ReadResult } from "../ports.ts";
import { refIdsToName } from "../rules/ref-names.ts";
import { inTagOrder } from "../tag-order.ts";
import type { Upstash } from "./client.ts";
import { batchSizes, everyId, MAX_PLAN_IDS, planIds, planRequest, slices } from "./filter-candidates.ts";
import { PathRecords } from "./filter-match.ts";
import { planFilter } from "./filter-plan.ts";
import { type RecordKeys, readRecords } from "./records.ts";

/** Most records read per batch: bounds each MGET's reply. */
export const MAX_BATCH = 1000;

/** Smallest first batch: a small limit still reads enough to skip a few non-matches in one go. */
const MIN_FIRST_BATCH = 64;

/** Knobs tests turn to reach the read's other paths with little data. */
export interface ReadTuning {
  /** Most ids a plan may bring back before the read pages through every id (MAX_PLAN_IDS). */
  readonly maxPlanIds?: number;
}

export async function readFiltered(
  u: Upstash,
  keys: RecordKeys,
  filter: Filter,
  opts: ReadOptions,
  tuning: ReadTuning = {},
): Promise<ReadResult> {
  const { limit } = opts;
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`read limit ${limit}: not a count`);
  // Compiled first: a filter past the evaluator's bounds is refused before any request.
  const match = compileFilter(filter);
  const paths = new PathRecords(u, keys);
  const rows: HDict[] = [];
  let incomplete = false;
  const maxPlanIds = tuning.maxPlanIds ?? MAX_PLAN_IDS;
  read: for await (const ids of await candidates(u, keys, filter, limit, maxPlanIds)) {
    paths.trim();
    const recs: HDict[] = [];
    // A candidate removed since the plan ran is simply gone.
    for (const r of await readRecords(u, keys, ids)) if (r) recs.push(r.rec);
    const ok = await paths.matchEach(match, recs);
    for (let i = 0; i < recs.length; i++) {
      if (!ok[i]) continue;
      if (rows.length === limit) {
        incomplete = true;
        break read;
      }
      rows.push(recs[i] as HDict);
    }
  }
  return { rows, incomplete, refs: await namedBy(rows, paths) };
}

/** The candidate ids of `filter` in id order, in batches sized for a read of `limit` rows. */
async function candidates(
  u: Upstash,
  keys: RecordKeys,
  filter: Filter,
  limit: number,
  maxPlanIds: number,
): Promise<AsyncIterable<readonly string[]>> {
  // Twice the rows wanted, so a first batch with some non-matches usually still ends the read.
  const size = batchSizes(Math.max(MIN_FIRST_BATCH, 2 * (limit + 1)), MAX_BATCH);
  const plan = planFilter(filter, keys);
  if (plan.kind === "none") return slices([], size);
  if (plan.kind !== "all") {
    const req = planRequest(plan, u.target.maxRequestBytes, maxPlanIds);
    const ids = req && (await planIds(u, req));
    if (ids) return slices(ids, size);
  }
  return everyId(u, keys, size);
}

/**
 * The `id` and `dis` of the records the rows' bare Refs name (rules/ref-names.ts), as Postgres
 * gives them: records without a `dis` come back as `{id}`, so the op reads them no second time.
 * Records the read already holds for `->` paths are not read again.
 */
async function namedBy(rows: readonly HDict[], paths: PathRecords): Promise<HDict[]> {
  const wanted = refIdsToName(rows);
  if (wanted.length === 0) return [];
  await paths.load(wanted);
  const out: HDict[] = [];
  for (const id of wanted) {
    const rec = paths.lookup(id).rec;
    const ref = rec?.get("id");
    if (!rec || !isRef(ref)) continue;
    out.push(inTagOrder(HDict.of({ id: ref, dis: rec.get("dis") })));
  }
  return out;
}
