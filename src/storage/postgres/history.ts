/**
 * History in Postgres: one row per (point, ts) with a typed value. Reads are keyset pages, each
 * one row from the `his_page` function (his-wire.ts), so a span of any size streams; writes are
 * one UNNEST insert per point and chunk, upserting (last wins), inside one transaction for the
 * whole batch.
 */
import { HNumber } from "../../haystack/kinds/index.ts";
import { checkHisItems, type HisPage, HisPageBuilder, type HisValue } from "../his-page.ts";
import type { HisItem, HisSpan, HistoryStore, HisWrite, HisWriteResult } from "../ports.ts";
import { type Fold, foldPages, type RollupRequest } from "../rollup.ts";
import { curValTags } from "../rules/live.ts";
import { checkPoints } from "../rules/point-checks.ts";
import { setLive } from "./entities.ts";
import { type HisWireRow, readWirePage } from "./his-wire.ts";
import { KIND_BOOL, KIND_NUMBER, KIND_STR, KIND_STR_JSON } from "./schema.ts";
import { mapPgError, type Querier, run, runArrays } from "./sql.ts";

export const PAGE_ROWS = 25_000;
/** Samples per INSERT: each column travels as one array parameter. */
const CHUNK = 50_000;

/** Samples sorted by ts with duplicates collapsed to the last one given. */
function lastWins(items: readonly HisItem[]): readonly HisItem[] {
  let sorted = true;
  for (let i = 1; i < items.length && sorted; i++) sorted = (items[i] as HisItem).ts > (items[i - 1] as HisItem).ts;
  if (sorted) return items;
  const byTs = new Map<number, HisItem>();
  for (const it of items) byTs.set(it.ts, it);
  return [...byTs.values()].sort((a, b) => a.ts - b.ts);
}

type RollupRow = {
  t: string;
  n: number;
  nums?: number;
  v?: number | null;
  unit?: string | null;
  /** kind, num, unit, bool, str; a num that JSON cannot hold (NaN, INF) comes as its text. */
  pick?: [number, number | string | null, string | null, boolean | null, string | null];
};

/**
 * The samples the numeric folds take (rollup.ts): Numbers other than NaN. Postgres orders NaN
 * equal to itself and above every other float8, so `<> 'NaN'` keeps exactly the rest, INF included.
 */
const FOLDED = "kind = 0 AND num <> 'NaN'::float8";
const NUMS = `count(*) FILTER (WHERE ${FOLDED})::int AS nums, (array_agg(unit ORDER BY ts) FILTER (WHERE ${FOLDED}))[1] AS unit`;
const PICK = "json_build_array(kind, num, unit, bool, str)";

/** The aggregate columns each fold needs (see rollup.ts for the rules). */
const FOLD_SQL: Readonly<Record<Fold, string>> = {
  avg: `${NUMS}, avg(num) FILTER (WHERE ${FOLDED}) AS v`,
  sum: `${NUMS}, sum(num) FILTER (WHERE ${FOLDED}) AS v`,
  min: `${NUMS}, min(num) FILTER (WHERE ${FOLDED}) AS v`,
  max: `${NUMS}, max(num) FILTER (WHERE ${FOLDED}) AS v`,
  count: "1 AS v",
  first: `(array_agg(${PICK} ORDER BY ts))[1] AS pick`,
  last: `(array_agg(${PICK} ORDER BY ts DESC))[1] AS pick`,
};

/** Postgres's SQLSTATE for a float8 result out of range (sum and avg overflowing to INF). */
const OUT_OF_RANGE = "22003";

/** A rollup query's rows, or "overflow" when Postgres refused a sum past the largest double. */
async function rollupRows(q: Querier, text: string, values: unknown[]): Promise<RollupRow[] | "overflow"> {
  try {
    return (await q.query<RollupRow>(text, values)).rows;
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code === OUT_OF_RANGE) return "overflow";
    throw mapPgError(err);
  }
}

/** A timestamptz from an epoch-ms parameter. */
function msSql(param: string): string {
  return `'epoch'::timestamptz + ${param} * interval '1 millisecond'`;
}

function rollupValue(r: RollupRow, fold: Fold): HisValue | undefined {
  if (fold === "count") return r.n;
  if (fold === "first" || fold === "last") {
    const [kind, num, unit, bool, str] = r.pick ?? [KIND_BOOL, null, null, false, null];
    if (kind === KIND_NUMBER) {
      const n = Number(num ?? Number.NaN);
      return unit ? new HNumber(n, unit) : n;
    }
    if (kind === KIND_STR) return str ?? "";
    if (kind === KIND_STR_JSON) return JSON.parse(str ?? '""') as string;
    return bool === true;
  }
  if (!r.nums || r.v === null || r.v === undefined) return undefined;
  const v = Number(r.v);
  return r.unit ? new HNumber(v, r.unit) : v;
}

export class PgHistory implements HistoryStore {
  #timescale: Promise<boolean> | undefined;

  constructor(
    private readonly db: Querier,
    private readonly tx: <T>(fn: (q: Querier) => Promise<T>) => Promise<T>,
    private readonly project: string,
  ) {}

  /**
   * Keyset pages from `his_page`, the next one asked for as soon as one arrives so the database
   * works on it while the caller encodes this one.
   */
  async *read(id: string, span: HisSpan, pageRows = PAGE_ROWS): AsyncGenerator<HisPage, void, undefined> {
    const p = await this.#readable(id);
    if (!p) return;
    // Stored times are whole milliseconds, so a span's ends round up to whole ones unchanged.
    const end = Math.ceil(span.end);
    const fetchPage = (from: number): Promise<HisPage> => {
      const page = runArrays(this.db, "SELECT * FROM his_page($1, $2, $3, $4)", [p.pid, from, end, pageRows]).then(
        ([row]) => readWirePage(row as HisWireRow),
      );
      // A page in flight may fail while the caller encodes the last one, or after it stopped
      // reading: the failure is seen where the page is awaited, never as an unhandled rejection.
      page.catch(() => {});
      return page;
    };
    let next: Promise<HisPage> | undefined = fetchPage(Math.ceil(span.start));
    while (next) {
      const page: HisPage = await next;
      // The next page starts 1 ms after this one's last sample.
      next = page.count === pageRows ? fetchPage((page.ts[page.count - 1] as number) + 1) : undefined;
      if (page.count > 0) yield page;
    }
  }

  /**
   * Buckets in SQL: `time_bucket` where TimescaleDB is installed, `date_bin` otherwise, both with
   * the span's start as origin. Each query covers PAGE_ROWS buckets of the span, so pages stream.
   */
  async *rollup(id: string, span: HisSpan, req: RollupRequest): AsyncGenerator<HisPage, void, undefined> {
    const p = await this.#readable(id);
    if (!p) return;
    this.#timescale ??= run<{ on: boolean }>(
      this.db,
      "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') AS on",
    ).then((r) => r[0]?.on === true);
    const bucketFn = (await this.#timescale) ? "time_bucket" : "date_bin";
    const step = req.intervalMs * PAGE_ROWS;
    for (let from = span.start; from < span.end; from += step) {
      const to = Math.min(span.end, from + step);
      const rows = await rollupRows(
        this.db,
        `SELECT (extract(epoch FROM b) * 1000)::bigint AS t, count(*)::int AS n, ${FOLD_SQL[req.fold]} ` +
          `FROM (SELECT ${bucketFn}($2 * interval '1 millisecond', ts, ${msSql("$3")}) AS b, ts, kind, num, unit, bool, str ` +
          `FROM history WHERE pid = $1 AND ts >= ${msSql("$4")} AND ts < ${msSql("$5")}) AS h GROUP BY b ORDER BY b`,
        [p.pid, req.intervalMs, span.start, from, to],
      );
      if (rows === "overflow") {
        // A float8 sum past the largest double is an error in Postgres where rollup.ts (IEEE)
        // answers INF: these buckets fold here instead, from the same samples.
        yield* foldPages(this.read(id, { start: from, end: to }), span, req);
        continue;
      }
      const b = new HisPageBuilder(rows.length);
      for (const r of rows) {
        const v = rollupValue(r, req.fold);
        if (v !== undefined) b.value(Number(r.t), v);
      }
      const page = b.build();
      if (page.count > 0) yield page;
    }
  }

  async write(writes: readonly HisWrite[]): Promise<HisWriteResult> {
    for (const w of writes) checkHisItems(w.id, w.items);
    const project = this.project;
    return this.tx(async (q) => {
      // Locked in id order: a point cannot be removed meanwhile, and writers to one point queue
      // instead of deadlocking on the curVal update.
      await this.#checkPoints(
        q,
        writes.map((w) => w.id),
        true,
      );
      let count = 0;
      for (const w of writes) {
        const items = lastWins(w.items);
        if (items.length === 0) continue;
        const [p] = await run<{ pid: number }>(
          q,
          "INSERT INTO his_points (project, id) VALUES ($1, $2) " +
            "ON CONFLICT (project, id) DO UPDATE SET id = excluded.id RETURNING pid",
          [project, w.id],
        );
        const pid = p?.pid;
        const [before] = await run<{ t: string | null }>(
          q,
          "SELECT (extract(epoch FROM max(ts)) * 1000)::bigint AS t FROM history WHERE pid = $1",
          [pid],
        );
        const stored = before?.t === null || before?.t === undefined ? undefined : Number(before.t);
        const append = stored === undefined || (items[0] as HisItem).ts > stored;
        for (let i = 0; i < items.length; i += CHUNK) {
          await insertChunk(q, pid as number, items.slice(i, i + CHUNK), append);
        }
        count += items.length;
        const live = curValTags(items[items.length - 1] as HisItem, stored);
        if (live) await setLive(q, project, w.id, live);
      }
      return { count };
    });
  }

  /** The history key of a his point about to be read; undefined when it has no samples yet. */
  async #readable(id: string): Promise<{ pid: number } | undefined> {
    await this.#checkPoints(this.db, [id], false);
    const [p] = await run<{ pid: number }>(this.db, "SELECT pid FROM his_points WHERE project = $1 AND id = $2", [
      this.project,
      id,
    ]);
    return p;
  }

  /** Every id must be a `his` record of this project (rules/point-checks.ts). */
  async #checkPoints(q: Querier, ids: readonly string[], lock: boolean): Promise<void> {
    const rows = await run<{ id: string; his: boolean }>(
      q,
      "SELECT id, tags ? 'his' AS his FROM entities WHERE project = $1 AND id = ANY($2::text[]) ORDER BY id" +
        (lock ? " FOR UPDATE" : ""),
      [this.project, ids],
    );
    const his = new Map(rows.map((r) => [r.id, r.his]));
    checkPoints(ids, "his", (id) => his.get(id));
  }
}

/** A Postgres array literal element for text: always quoted, so no value reads as NULL or splits. */
function textElement(s: string): string {
  return `"${s.replace(/["\\]/g, "\\$&")}"`;
}

/**
 * One INSERT of samples, each column one array parameter sent as its literal text (joined here
 * natively rather than element by element in the driver). `append`: every sample is newer than
 * the point's stored ones (its row is locked), so no conflict can arise and the upsert's cost is
 * saved.
 */
async function insertChunk(q: Querier, pid: number, items: readonly HisItem[], append: boolean): Promise<void> {
  const n = items.length;
  const ts = new Array<number>(n);
  const kind = new Array<number>(n);
  const num = new Array<number | string>(n);
  const unit = new Array<string>(n);
  const bool = new Array<string>(n);
  const str = new Array<string>(n);
  // Units repeat row after row: quote each once.
  const quoted = new Map<string, string>();
  let numbersOnly = true;
  for (let i = 0; i < n; i++) {
    const { ts: t, val } = items[i] as HisItem;
    ts[i] = t;
    num[i] = "NULL";
    unit[i] = "NULL";
    bool[i] = "NULL";
    str[i] = "NULL";
    // A number's array element is its JS text: float8 reads NaN, Infinity and -Infinity as they are.
    if (typeof val === "number") {
      kind[i] = KIND_NUMBER;
      num[i] = val;
    } else if (val instanceof HNumber) {
      kind[i] = KIND_NUMBER;
      num[i] = val.val;
      if (val.unit) {
        let u = quoted.get(val.unit);
        if (u === undefined) {
          u = textElement(val.unit);
          quoted.set(val.unit, u);
        }
        unit[i] = u;
      }
    } else {
      numbersOnly = false;
      if (typeof val === "boolean") {
        kind[i] = KIND_BOOL;
        bool[i] = val ? "t" : "f";
      } else if (val.includes("\u0000")) {
        kind[i] = KIND_STR_JSON;
        str[i] = textElement(JSON.stringify(val));
      } else {
        kind[i] = KIND_STR;
        str[i] = textElement(val);
      }
    }
  }
  const lit = (xs: readonly (string | number)[]) => `{${xs.join(",")}}`;
  const conflict = append
    ? ""
    : " ON CONFLICT (pid, ts) DO UPDATE SET kind = excluded.kind, num = excluded.num, unit = excluded.unit, " +
      "bool = excluded.bool, str = excluded.str";
  const at = "'epoch'::timestamptz + t * interval '1 millisecond'";
  if (numbersOnly) {
    await run(
      q,
      `INSERT INTO history (pid, ts, kind, num, unit) SELECT $1, ${at}, ${KIND_NUMBER}, n, u ` +
        `FROM unnest($2::bigint[], $3::float8[], $4::text[]) AS x(t, n, u)${conflict}`,
      [pid, lit(ts), lit(num), lit(unit)],
    );
    return;
  }
  await run(
    q,
    `INSERT INTO history (pid, ts, kind, num, unit, bool, str) SELECT $1, ${at}, k, n, u, b, s ` +
      `FROM unnest($2::bigint[], $3::smallint[], $4::float8[], $5::text[], $6::bool[], $7::text[]) AS x(t, k, n, u, b, s)${conflict}`,
    [pid, lit(ts), lit(kind), lit(num), lit(unit), lit(bool), lit(str)],
  );
}
