/** Sync sources of a series store in Postgres: their definitions and what their pulls did. */
import { StoreError } from "../errors.ts";
import { checkSource, dueAfterPut } from "../rules/series-plan.ts";
import type { Source, SourceDef } from "../series-port.ts";
import { type Querier, run } from "./sql.ts";

interface SourceRow {
  name: string;
  url: string;
  protocol: string;
  token_secret: string | null;
  filters: Record<string, string>;
  every_s: number;
  page_size: number | null;
  batch: number | null;
  cursor: string | null;
  last_success_ms: string | null;
  last_error_ms: string | null;
  last_error: string | null;
  failures: number;
  next_due_ms: string | null;
  [col: string]: unknown;
}

const COLS =
  "name, url, protocol, token_secret, filters, every_s, page_size, batch, cursor, last_success_ms, last_error_ms, last_error, " +
  "failures, next_due_ms";

const num = (v: string | null): number | null => (v === null ? null : Number(v));

function sourceOf(r: SourceRow): Source {
  return {
    name: r.name,
    url: r.url,
    protocol: r.protocol as Source["protocol"],
    ...(r.token_secret === null ? {} : { tokenSecret: r.token_secret }),
    filters: r.filters,
    everySeconds: r.every_s,
    ...(r.page_size === null ? {} : { pageSize: r.page_size }),
    ...(r.batch === null ? {} : { batch: r.batch }),
    state: {
      cursor: r.cursor,
      lastSuccessMs: num(r.last_success_ms),
      lastErrorMs: num(r.last_error_ms),
      lastError: r.last_error,
      failures: r.failures,
      nextDueMs: num(r.next_due_ms),
    },
  };
}

export async function listSources(q: Querier, project: string, store: string): Promise<Source[]> {
  const rows = await run<SourceRow>(
    q,
    `SELECT ${COLS} FROM ts_sources WHERE project = $1 AND store = $2 ORDER BY name COLLATE "C"`,
    [project, store],
  );
  return rows.map(sourceOf);
}

/** Adds or redefines a source, keeping its state; run in a transaction holding the store's row. */
export async function putSource(
  q: Querier,
  project: string,
  store: string,
  def: SourceDef,
  nowMs: number,
): Promise<Source> {
  checkSource(def);
  const [old] = await run<{ next_due_ms: string | null }>(
    q,
    "SELECT next_due_ms FROM ts_sources WHERE project = $1 AND store = $2 AND name = $3",
    [project, store, def.name],
  );
  const due = dueAfterPut(def, old ? num(old.next_due_ms) : null, nowMs);
  const [row] = await run<SourceRow>(
    q,
    "INSERT INTO ts_sources (project, store, name, url, protocol, token_secret, filters, every_s, page_size, batch, " +
      "failures, next_due_ms) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, 0, $11) " +
      "ON CONFLICT (project, store, name) DO UPDATE SET url = excluded.url, protocol = excluded.protocol, " +
      "token_secret = excluded.token_secret, filters = excluded.filters, every_s = excluded.every_s, " +
      `page_size = excluded.page_size, batch = excluded.batch, next_due_ms = excluded.next_due_ms RETURNING ${COLS}`,
    [
      project,
      store,
      def.name,
      def.url,
      def.protocol,
      def.tokenSecret ?? null,
      JSON.stringify(def.filters ?? {}),
      def.everySeconds,
      def.pageSize ?? null,
      def.batch ?? null,
      due,
    ],
  );
  if (!row) throw new Error("a source written is not there");
  return sourceOf(row);
}

export async function dropSource(q: Querier, project: string, store: string, name: string): Promise<boolean> {
  const rows = await run(q, "DELETE FROM ts_sources WHERE project = $1 AND store = $2 AND name = $3 RETURNING name", [
    project,
    store,
    name,
  ]);
  return rows.length > 0;
}

export interface PullOutcome {
  readonly okMs?: number;
  readonly error?: string;
  readonly atMs: number;
  readonly nextDueMs: number | null;
}

/** A failure counts up and keeps its message; a success resets the count (the last error stays, for the status). */
export async function recordPull(
  q: Querier,
  project: string,
  store: string,
  name: string,
  o: PullOutcome,
): Promise<void> {
  const hit =
    o.error !== undefined
      ? await run(
          q,
          "UPDATE ts_sources SET last_error_ms = $4, last_error = $5, failures = failures + 1, next_due_ms = $6 " +
            "WHERE project = $1 AND store = $2 AND name = $3 RETURNING name",
          [project, store, name, o.atMs, o.error, o.nextDueMs],
        )
      : await run(
          q,
          "UPDATE ts_sources SET last_success_ms = $4, failures = 0, next_due_ms = $5 " +
            "WHERE project = $1 AND store = $2 AND name = $3 RETURNING name",
          [project, store, name, o.okMs ?? o.atMs, o.nextDueMs],
        );
  if (hit.length === 0) throw new StoreError("not_found", `No source ${name} in this store`);
}
