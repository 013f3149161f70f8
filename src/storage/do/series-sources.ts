/** Sync sources of a series store in DO SQLite: their definitions and what their pulls did. */
import { StoreError } from "../errors.ts";
import { checkSource, dueAfterPut } from "../rules/series-plan.ts";
import type { Source, SourceDef } from "../series-port.ts";
import type { DoSql, SqlRow } from "./sql.ts";

interface SourceRow extends SqlRow {
  name: string;
  url: string;
  protocol: string;
  token_secret: string | null;
  filters: string;
  every_s: number;
  page_size: number | null;
  batch: number | null;
  cursor: string | null;
  last_success_ms: number | null;
  last_error_ms: number | null;
  last_error: string | null;
  failures: number;
  next_due_ms: number | null;
}

function sourceOf(r: SourceRow): Source {
  return {
    name: r.name,
    url: r.url,
    protocol: r.protocol as Source["protocol"],
    ...(r.token_secret === null ? {} : { tokenSecret: r.token_secret }),
    filters: JSON.parse(r.filters) as Record<string, string>,
    everySeconds: r.every_s,
    ...(r.page_size === null ? {} : { pageSize: r.page_size }),
    ...(r.batch === null ? {} : { batch: r.batch }),
    state: {
      cursor: r.cursor,
      lastSuccessMs: r.last_success_ms,
      lastErrorMs: r.last_error_ms,
      lastError: r.last_error,
      failures: r.failures,
      nextDueMs: r.next_due_ms,
    },
  };
}

export function listSources(sql: DoSql): Source[] {
  return sql.all<SourceRow>("SELECT * FROM ts_sources ORDER BY name").map(sourceOf);
}

/** Adds or redefines a source, keeping its state; call inside a transaction. */
export function putSource(sql: DoSql, def: SourceDef, nowMs: number): Source {
  checkSource(def);
  const old = sql.first<SourceRow>("SELECT * FROM ts_sources WHERE name = ?", def.name);
  const due = dueAfterPut(def, old?.next_due_ms ?? null, nowMs);
  sql.run(
    "INSERT INTO ts_sources (name, url, protocol, token_secret, filters, every_s, page_size, batch, failures, " +
      "next_due_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT (name) DO UPDATE SET url = excluded.url, " +
      "protocol = excluded.protocol, token_secret = excluded.token_secret, filters = excluded.filters, " +
      "every_s = excluded.every_s, page_size = excluded.page_size, batch = excluded.batch, " +
      "next_due_ms = excluded.next_due_ms",
    def.name,
    def.url,
    def.protocol,
    def.tokenSecret ?? null,
    JSON.stringify(def.filters ?? {}),
    def.everySeconds,
    def.pageSize ?? null,
    def.batch ?? null,
    due,
  );
  const row = sql.first<SourceRow>("SELECT * FROM ts_sources WHERE name = ?", def.name);
  if (!row) throw new Error("a source written is not there");
  return sourceOf(row);
}

export function dropSource(sql: DoSql, name: string): boolean {
  return sql.all("DELETE FROM ts_sources WHERE name = ? RETURNING name", name).length > 0;
}

export interface PullOutcome {
  readonly okMs?: number;
  readonly error?: string;
  readonly atMs: number;
  readonly nextDueMs: number | null;
}

/** A failure counts up and keeps its message; a success resets the count (the last error stays, for the status). */
export function recordPull(sql: DoSql, name: string, o: PullOutcome): void {
  const hit =
    o.error !== undefined
      ? sql.all(
          "UPDATE ts_sources SET last_error_ms = ?, last_error = ?, failures = failures + 1, next_due_ms = ? " +
            "WHERE name = ? RETURNING name",
          o.atMs,
          o.error,
          o.nextDueMs,
          name,
        )
      : sql.all(
          "UPDATE ts_sources SET last_success_ms = ?, failures = 0, next_due_ms = ? WHERE name = ? RETURNING name",
          o.okMs ?? o.atMs,
          o.nextDueMs,
          name,
        );
  if (hit.length === 0) throw new StoreError("not_found", `No source ${name} in this store`);
}
