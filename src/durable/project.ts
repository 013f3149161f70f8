import { DurableObject } from "cloudflare:workers";
import type { Env } from "../config.ts";
import { seedDemo } from "../demo/seed.ts";
import { writeJsonValue } from "../haystack/codec/json/index.ts";
import { jsonToPointVal, type PointValJson, type PriorityArrayJson, priorityToJson } from "../haystack/point/index.ts";
import type { Versions } from "../storage/do/entities.ts";
import { Jobs } from "../storage/do/jobs.ts";
import { dictsFromJson } from "../storage/do/json-dicts.ts";
import { localStore } from "../storage/do/local.ts";
import { migrate } from "../storage/do/migrate.ts";
import { DoProject } from "../storage/do/project.ts";
import { DoSql } from "../storage/do/sql.ts";
import { WatchTable } from "../storage/do/watches.ts";
import type { HisPage } from "../storage/his-page.ts";
import type { CommitOp } from "../storage/ports.ts";
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
  #startError: unknown;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = new DoSql(ctx.storage);
    this.#project = new DoProject(this.#sql);
    this.#jobs = new Jobs(this.#sql, ctx.storage);
    this.#watches = new WatchService(new WatchTable(this.#sql), this.#jobs, localStore(this.#project).changes);
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

  async watchSub(req: SubRequest): Promise<Wire<SubResult>> {
    return this.#call(() => this.#watches.sub(req));
  }

  async watchUnsub(watchId: string, ids: string[] | "close"): Promise<Wire<null>> {
    return this.#call(async () => {
      await this.#watches.unsub(watchId, ids);
      return null;
    });
  }

  async watchPoll(watchId: string, refresh: boolean, nowMs: number): Promise<Wire<PollResult>> {
    return this.#call(() => this.#watches.poll(watchId, refresh, nowMs));
  }

  /** Arms the alarm to release level-8 overrides at `at` (epoch ms). */
  async schedulePointExpiry(at: number): Promise<Wire<null>> {
    return this.#call(async () => {
      await this.#jobs.scheduleEarliest("points", "", at);
      return null;
    });
  }

  override async alarm(): Promise<void> {
    await this.#ready();
    const now = Date.now();
    for (const job of this.#jobs.take(now)) {
      if (job.kind === "lease") this.#watches.expire(now);
      else {
        const { nextExpiry } = this.#project.points.expire(now);
        if (nextExpiry !== undefined) await this.#jobs.schedule("points", "", nextExpiry);
      }
    }
    await this.#jobs.rearm();
  }

  // ---- demo

  /** Seeds (once) and tops up (each call) the demo building and its history up to `nowMs`. */
  async ensureDemo(nowMs: number): Promise<Wire<{ seeded: boolean; samples: number }>> {
    return this.#call(() => seedDemo(localStore(this.#project), nowMs));
  }

  async #call<T>(fn: () => T | Promise<T>): Promise<Wire<T>> {
    await this.#ready();
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
