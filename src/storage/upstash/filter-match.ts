/**
 * Exact matching of a batch of records with the shared evaluator (haystack/filter/eval.ts), with
 * the records `->` paths reach read from Redis as the evaluator asks for them.
 *
 * The evaluator's FilterContext is synchronous, so a batch is matched in rounds: each round matches
 * the records still open against the records known so far, noting every Ref it could not resolve;
 * a record whose match needed no unknown record is decided. The unknown ones are then read in one
 * MGET and the open records matched again. Each round resolves one more hop (through Ref lists,
 * nested dicts and DateTimes alike, since the evaluator itself walks the paths), so a filter of k
 * hops takes at most k + 1 rounds per batch. A match that met an unknown record is never trusted:
 * `missing a->b` or an `or` could answer true on the missing value.
 */
import type { FilterContext, Matcher } from "../../haystack/filter/index.ts";
import { type HDict, isRef } from "../../haystack/kinds/index.ts";
import type { Upstash } from "./client.ts";
import { type RecordKeys, readRecords } from "./records.ts";

/**
 * Records kept between batches for `->` paths. Past this many the cache is emptied between
 * batches (never within one, so every round still gains), bounding a read's memory.
 */
export const MAX_PATH_RECORDS = 50_000;

/** Records `->` paths reached in one read, by id; undefined: read, and absent. */
export class PathRecords {
  readonly #known = new Map<string, HDict | undefined>();
  /** Records read in this read (for tests and logs). */
  fetched = 0;

  constructor(
    private readonly u: Upstash,
    private readonly keys: RecordKeys,
  ) {}

  /** Whether `id` has been read, and what it is. */
  lookup(id: string): { readonly found: boolean; readonly rec?: HDict } {
    if (!this.#known.has(id)) return { found: false };
    const rec = this.#known.get(id);
    return rec === undefined ? { found: true } : { found: true, rec };
  }

  /** Reads the records of `ids` not read yet. */
  async load(ids: Iterable<string>): Promise<void> {
    const missing = [...ids].filter((id) => !this.#known.has(id));
    if (missing.length === 0) return;
    const recs = await readRecords(this.u, this.keys, missing);
    this.fetched += missing.length;
    missing.forEach((id, i) => {
      this.#known.set(id, recs[i]?.rec);
    });
  }

  /** Called between batches: forgets everything once over MAX_PATH_RECORDS. */
  trim(): void {
    if (this.#known.size > MAX_PATH_RECORDS) this.#known.clear();
  }

  /**
   * Which of `recs` match `m`, in order. `batch` (the records just read, by id) answers `->` hops
   * to records of the batch itself without another read.
   */
  async matchEach(m: Matcher, recs: readonly HDict[]): Promise<boolean[]> {
    const batch = new Map<string, HDict>();
    for (const r of recs) {
      const id = r.get("id");
      if (isRef(id)) batch.set(id.id, r);
    }
    const out = new Array<boolean>(recs.length).fill(false);
    let open = recs.map((_, i) => i);
    while (open.length > 0) {
      const unknown = new Set<string>();
      let missed = false;
      const cx: FilterContext = {
        deref: (ref) => {
          const inBatch = batch.get(ref.id);
          if (inBatch) return inBatch;
          const known = this.lookup(ref.id);
          if (known.found) return known.rec;
          unknown.add(ref.id);
          missed = true;
          return undefined;
        },
      };
      const still: number[] = [];
      for (const i of open) {
        missed = false;
        const ok = m(recs[i] as HDict, cx);
        if (missed) still.push(i);
        else out[i] = ok;
      }
      if (unknown.size === 0) break; // nothing left to learn: `still` is empty too
      await this.load(unknown);
      open = still;
    }
    return out;
  }
}
