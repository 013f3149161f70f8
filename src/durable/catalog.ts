/**
 * The catalog: one object that knows every project, series store and frames collection, and when
 * each next has work due, so the cron has something to iterate. Entries
 * are added by the Worker when it first sees a name and their due times are kept by their owners.
 */
import type { Clock } from "../clock.ts";
import type { Env } from "../env.ts";
import type { CatalogEntry, CatalogKind, CatalogRpc } from "../objects.ts";
import { type Schema, SqlObject } from "./shell.ts";

export const CATALOG_SCHEMA: Schema = [
  ["CREATE TABLE hayloft_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT"],
  [
    "CREATE TABLE entries (kind TEXT NOT NULL, name TEXT NOT NULL, created INTEGER NOT NULL, due INTEGER, " +
      "PRIMARY KEY (kind, name)) STRICT",
    "CREATE INDEX entries_due ON entries (due) WHERE due IS NOT NULL",
  ],
];

/** Most entries one call hands out. */
export const MAX_CATALOG_PAGE = 1000;

type Row = { kind: string; name: string; due: number | null };

function entryOf(r: Row): CatalogEntry {
  return { kind: r.kind as CatalogKind, name: r.name, ...(r.due === null ? {} : { due: r.due }) };
}

function pageSize(limit: number): number {
  return Math.max(1, Math.min(MAX_CATALOG_PAGE, Math.floor(limit)));
}

export class CatalogObject extends SqlObject implements CatalogRpc {
  constructor(ctx: DurableObjectState, env: Env, clock: Clock) {
    super(ctx, env, CATALOG_SCHEMA, clock);
  }

  async register(kind: CatalogKind, name: string, nowMs: number): Promise<void> {
    await this.ready();
    this.sql.run("INSERT OR IGNORE INTO entries (kind, name, created) VALUES (?, ?, ?)", kind, name, nowMs);
  }

  async setDue(kind: CatalogKind, name: string, due: number | null): Promise<void> {
    await this.ready();
    // An owner may report before the Worker's registration lands: the entry is made either way.
    this.sql.run(
      "INSERT INTO entries (kind, name, created, due) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (kind, name) DO UPDATE SET due = excluded.due",
      kind,
      name,
      this.clock.now(),
      due,
    );
  }

  async dueBy(nowMs: number, limit: number): Promise<CatalogEntry[]> {
    await this.ready();
    return this.sql
      .all<Row>(
        "SELECT kind, name, due FROM entries WHERE due IS NOT NULL AND due <= ? ORDER BY due, kind, name LIMIT ?",
        nowMs,
        pageSize(limit),
      )
      .map(entryOf);
  }

  async unregister(kind: CatalogKind, name: string): Promise<void> {
    await this.ready();
    this.sql.run("DELETE FROM entries WHERE kind = ? AND name = ?", kind, name);
  }

  async list(kind: CatalogKind, after: string, limit: number): Promise<CatalogEntry[]> {
    await this.ready();
    return this.sql
      .all<Row>(
        "SELECT kind, name, due FROM entries WHERE kind = ? AND name > ? ORDER BY name LIMIT ?",
        kind,
        after,
        pageSize(limit),
      )
      .map(entryOf);
  }
}

/** The one catalog object. */
export function catalogOf(env: Env): DurableObjectStub<CatalogRpc> {
  return env.CATALOG.getByName("catalog");
}

/** Names this isolate has already registered, so each costs one call per isolate at most. */
const registered = new Set<string>();
const MAX_REMEMBERED = 10_000;

/**
 * Adds a project to the catalog the first time this isolate sees it. The promise is for
 * `waitUntil`: a request never waits on the catalog, and a failure is retried by a later request.
 */
export async function registerProject(env: Env, project: string, nowMs: number): Promise<void> {
  if (registered.has(project)) return;
  if (registered.size >= MAX_REMEMBERED) registered.clear();
  registered.add(project);
  try {
    await catalogOf(env).register("project", project, nowMs);
  } catch (err) {
    registered.delete(project);
    console.error(`catalog: could not register project ${project}: ${String(err)}`);
  }
}
