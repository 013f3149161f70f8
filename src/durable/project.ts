import { DurableObject } from "cloudflare:workers";
import { type Env, loadConfig } from "../config.ts";
import { seedDemo } from "../demo/seed.ts";
import { writeJsonValue } from "../haystack/codec/json/index.ts";
import { jsonToPointVal, type PointValJson, type PriorityArrayJson, priorityToJson } from "../haystack/point/index.ts";
import type { Versions } from "../storage/do/entities.ts";
import { Jobs } from "../storage/do/jobs.ts";
import { localStore } from "../storage/do/local.ts";
import { migrate } from "../storage/do/migrate.ts";
import { DoProject } from "../storage/do/project.ts";
import { DoSql } from "../storage/do/sql.ts";
import { WatchTable } from "../storage/do/watches.ts";
import type { HisPage } from "../storage/his-page.ts";
import { dictsFromJson } from "../storage/json-dicts.ts";
import { openExternal } from "../storage/open.ts";
import type { ChangeFeed, CommitOp, ProjectStore } from "../storage/ports.ts";
import { guard, type Wire } from "../storage/wire.ts";
import { type PollResult, type SubRequest, type SubResult, WatchService } from "../watch/service.ts";

export { SCHEMA_VERSION } from "../storage/do/schema.ts";

/** A point write as it crosses RPC: values in their JSON v4 storage form. */
export interface PointWriteWire {
  readonly level: number;
  readonly val: PointValJson;
  readonly who: string;
  readonly durationMs?: number;
  readonly nowMs: number;
}

/**
 * One object per Haystack project: its watches and alarm jobs always, and (on the embedded
 * default) its records, history and priority arrays. A thin shell: each method unwraps its
 * arguments and calls a plain module; results and typed errors cross RPC through `guard`.
 */
export class ProjectObject extends DurableObject<Env> {
  readonly #sql: DoSql;
  readonly #project: DoProject;
  readonly #jobs: Jobs;
  readonly #watches: WatchService;
  #schemaVersion = 0;
  #projectName: string | undefined;
  #startError: unknown;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = new DoSql(ctx.storage);
    this.#project = new DoProject(this.#sql);
    this.#jobs = new Jobs(this.#sql, ctx.storage);
    // The feed is looked up per call: on Postgres the changes live there, not in this object.
    const feed: ChangeFeed = {
      cursor: () => this.#withStore((s) => s.changes.cursor()),
      changedSince: (since, ids) => this.#withStore((s) => s.changes.changedSince(since, ids)),
    };
    this.#watches = new WatchService(new WatchTable(this.#sql), this.#jobs, feed);
    void ctx.blockConcurrencyWhile(async () => this.#start());
  }

  override async fetch(request: Request): Promise<Response> {
    await this.#ready();
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/schema") {
      return Response.json({ version: this.#schemaVersion });
    }
    return Response.json(
      { error: { code: "not_found", message: `No internal route ${url.pathname}` } },
      { status: 404 },
    );
  }

  // ---- entities: dicts cross as JSON v4 text, which our codec reads and writes fast.

  async readVersions(filter: string, limit: number): Promise<Wire<Versions>> {
    return this.#call(() => this.#project.entities.readVersions(filter, limit));
  }

  async versionsOf(ids: string[]): Promise<Wire<number[]>> {
    return this.#call(() => this.#project.entities.versionsOf(ids));
  }

  async entityTexts(ids: string[]): Promise<Wire<(string | null)[]>> {
    return this.#call(() => this.#project.entities.texts(ids));
  }

  async commit(op: CommitOp, rows: string, force: boolean, nowMs: number): Promise<Wire<string>> {
    return this.#call(() => {
      const out = this.#project.entities.commit({ op, rows: dictsFromJson(rows), force, nowMs });
      return writeJsonValue(out);
    });
  }

  // ---- history

  async hisPage(id: string, start: number, end: number, after: number, size: number): Promise<Wire<HisPage>> {
    return this.#call(() => this.#project.history.page(id, start, end, after, size));
  }

  async hisWrite(writes: { id: string; page: HisPage }[]): Promise<Wire<number>> {
    return this.#call(() => this.#project.history.write(writes));
  }

  // ---- point priority arrays

  async pointRead(id: string): Promise<Wire<PriorityArrayJson>> {
    return this.#call(() => priorityToJson(this.#project.points.read(id)));
  }

  async pointWrite(id: string, req: PointWriteWire): Promise<Wire<{ array: PriorityArrayJson; nextExpiry?: number }>> {
    return this.#call(() => {
      const r = this.#project.points.write(id, { ...req, val: jsonToPointVal(req.val) });
      return { array: priorityToJson(r.array), nextExpiry: r.nextExpiry };
    });
  }

  async pointExpire(nowMs: number): Promise<Wire<{ nextExpiry?: number }>> {
    return this.#call(() => this.#project.points.expire(nowMs));
  }

  // ---- change feed

  async changesCursor(): Promise<Wire<number>> {
    return this.#call(() => this.#project.changes.cursor());
  }

  async changedSince(since: number, ids: string[]): Promise<Wire<{ cursor: number; changed: string[] }>> {
    return this.#call(() => this.#project.changes.changedSince(since, ids));
  }

  // ---- watches and timed jobs (every backend)

  async watchSub(project: string, req: SubRequest): Promise<Wire<SubResult>> {
    return this.#call(() => this.#watches.sub(req), project);
  }

  async watchUnsub(project: string, watchId: string, ids: string[] | "close"): Promise<Wire<null>> {
    return this.#call(async () => {
      await this.#watches.unsub(watchId, ids);
      return null;
    }, project);
  }

  async watchPoll(project: string, watchId: string, refresh: boolean, nowMs: number): Promise<Wire<PollResult>> {
    return this.#call(() => this.#watches.poll(watchId, refresh, nowMs), project);
  }

  /** Arms the alarm to release level-8 overrides at `at` (epoch ms). */
  async schedulePointExpiry(project: string, at: number): Promise<Wire<null>> {
    return this.#call(async () => {
      await this.#jobs.scheduleEarliest("points", "", at);
      return null;
    }, project);
  }

  override async alarm(): Promise<void> {
    await this.#ready();
    const now = Date.now();
    for (const job of this.#jobs.take(now)) {
      if (job.kind === "lease") this.#watches.expire(now);
      else {
        const { nextExpiry } = await this.#withStore((s) => s.points.expire(now));
        if (nextExpiry !== undefined) await this.#jobs.schedule("points", "", nextExpiry);
      }
    }
    await this.#jobs.rearm();
  }

  /**
   * Runs `fn` on the project's stores: this object's own on the embedded default, otherwise the
   * external backend's, connected for this call only.
   */
  async #withStore<T>(fn: (s: ProjectStore) => Promise<T>): Promise<T> {
    const name = this.#name();
    const ext = name === undefined ? undefined : openExternal(loadConfig(this.env), name);
    if (!ext) return fn(localStore(this.#project));
    try {
      return await fn(ext.store);
    } finally {
      await ext.close?.();
    }
  }

  /** The project's name, as the Worker told it (ids made from names do not carry them). */
  #name(): string | undefined {
    this.#projectName ??= this.#sql.first<{ value: string }>(
      "SELECT value FROM hayloft_meta WHERE key = 'project'",
    )?.value;
    return this.#projectName;
  }

  #remember(project: string): void {
    if (this.#name() === project) return;
    this.#sql.run(
      "INSERT INTO hayloft_meta (key, value) VALUES ('project', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      project,
    );
    this.#projectName = project;
  }

  // ---- demo

  /** Seeds (once) and tops up (each call) the demo building and its history up to `nowMs`. */
  async ensureDemo(nowMs: number): Promise<Wire<{ seeded: boolean; samples: number }>> {
    return this.#call(() => seedDemo(localStore(this.#project), nowMs));
  }

  async #call<T>(fn: () => T | Promise<T>, project?: string): Promise<Wire<T>> {
    await this.#ready();
    if (project !== undefined) this.#remember(project);
    return guard(fn);
  }

  // A throw inside blockConcurrencyWhile resets the object and hides the cause from the caller, so
  // start-up records its error instead; the next request retries and, failing again, re-throws it.
  async #start(): Promise<void> {
    try {
      this.#schemaVersion = migrate(this.#sql);
      this.#startError = undefined;
    } catch (err) {
      this.#startError = err;
    }
  }

  async #ready(): Promise<void> {
    if (this.#startError === undefined) return;
    await this.ctx.blockConcurrencyWhile(async () => this.#start());
    if (this.#startError !== undefined) throw this.#startError;
  }
}
