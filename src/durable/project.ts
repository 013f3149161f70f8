import type { Clock } from "../clock.ts";
import { type SeedProgress, seedDemo } from "../demo/seed.ts";
import type { Env } from "../env.ts";
import { writeJsonValue } from "../haystack/codec/json/index.ts";
import { jsonToPointVal, type PriorityArrayJson, priorityToJson } from "../haystack/point/index.ts";
import type { ProjectObjectRpc } from "../objects.ts";
import type { OpenStore } from "../storage/backend.ts";
import type { Versions } from "../storage/do/entities.ts";
import { localStore } from "../storage/do/local.ts";
import { DoProject } from "../storage/do/project.ts";
import type { PointWriteWire } from "../storage/do/rpc.ts";
import { SCHEMA } from "../storage/do/schema.ts";
import type { HisPage } from "../storage/his-page.ts";
import { randomHex } from "../storage/ids.ts";
import { dictsFromJson } from "../storage/json-dicts.ts";
import type { ChangeFeed, CommitOp, ProjectStore } from "../storage/ports.ts";
import type { PollResult, SubRequest, SubResult } from "../storage/watches.ts";
import { guard, type Wire } from "../storage/wire.ts";
import { LiveHub, type Verdict } from "../watch/live.ts";
import { CLOSE, LIVE_HEADERS, MAX_SOCKETS, PING, PONG, SUBPROTOCOL } from "../watch/live-protocol.ts";
import { LiveTable } from "../watch/live-table.ts";
import { WatchService } from "../watch/service.ts";
import { WatchTable } from "../watch/table.ts";
import { catalogOf } from "./catalog.ts";
import { type Job, Jobs, runDueJobs } from "./jobs.ts";
import { SqlObject } from "./shell.ts";

export { SCHEMA_VERSION } from "../storage/do/schema.ts";

/** What the composition root hands a project object. */
export interface ProjectObjectDeps {
  readonly clock: Clock;
  /** The project's stores as this object uses them: its own SQLite, or the configured backend's. */
  readonly stores: (env: Env, project: string, local: () => ProjectStore) => OpenStore;
  /** Checks a live socket's first-message credential (the composition root wires the auth face's). */
  readonly liveVerify: (env: Env, project: string, token: string, nowMs: number) => Promise<Verdict>;
}

/** Job kinds: a watch lease running out (key: watch id), and level-8 overrides ending (key ""). */
const LEASE = "lease";
const POINTS = "points";
/** Live sockets past their auth deadline or token expiry (key ""). */
const LIVE = "live";

/**
 * One object per Haystack project: its watches and alarm jobs always, and (on the embedded
 * default) its records, history and priority arrays. A thin shell: each method unwraps its
 * arguments and calls a plain module; results and typed errors cross RPC through `guard`.
 */
export class ProjectObject extends SqlObject implements ProjectObjectRpc {
  readonly #deps: ProjectObjectDeps;
  readonly #project: DoProject;
  readonly #jobs: Jobs;
  readonly #watches: WatchService;
  readonly #live: LiveHub;
  #projectName: string | undefined;
  /** The due time last told to the catalog (undefined: none; null: not told yet). */
  #reportedDue: number | undefined | null = null;

  constructor(ctx: DurableObjectState, env: Env, deps: ProjectObjectDeps) {
    super(ctx, env, SCHEMA, deps.clock);
    this.#deps = deps;
    this.#project = new DoProject(this.sql);
    // Leases come and go with every poll and need no outside help; expiries are what the cron
    // makes sure of, so only they are reported to the catalog.
    this.#jobs = new Jobs(this.sql, ctx.storage, [POINTS]);
    this.#jobs.onSoonest = (due) => this.#reportDue(due);
    // The feed is looked up per call: on Postgres the changes live there, not in this object.
    const feed: ChangeFeed = {
      cursor: () => this.#withStore((s) => s.changes.cursor()),
      changedSince: (since, ids) => this.#withStore((s) => s.changes.changedSince(since, ids)),
    };
    const leases = {
      set: (watchId: string, due: number) => this.#jobs.schedule(LEASE, watchId, due),
      clear: (watchId: string) => this.#jobs.cancel(LEASE, watchId),
    };
    this.#watches = new WatchService(new WatchTable(this.sql), leases, feed);
    this.#live = new LiveHub({
      table: new LiveTable(this.sql),
      feed,
      read: (ids) => this.#withStore(async (s) => (await s.entities.readByIds(ids)).map((d) => d && writeJsonValue(d))),
      verify: (token) => {
        const name = this.#name();
        if (name === undefined)
          return Promise.resolve({ ok: false, close: CLOSE.unauthorized, message: "Unknown project" });
        return deps.liveVerify(this.env, name, token, this.clock.now());
      },
      socket: (sock) => ctx.getWebSockets(sock)[0],
      openSockets: () => ctx.getWebSockets().flatMap((ws) => ctx.getTags(ws).slice(0, 1)),
      wakeAt: (at) => this.#jobs.scheduleEarliest(LIVE, "", at),
      failed: (err) =>
        console.error(`project ${this.#name() ?? "?"}: live push failed, retried on the next change: ${String(err)}`),
      now: () => this.clock.now(),
    });
    // Keep-alives are answered by the runtime without waking a hibernating object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  override async fetch(request: Request): Promise<Response> {
    await this.ready();
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/schema") {
      return Response.json({ version: this.schemaVersion });
    }
    if (request.method === "GET" && url.pathname === "/live") return this.#acceptLive(request);
    return Response.json(
      { error: { code: "not_found", message: `No internal route ${url.pathname}` } },
      { status: 404 },
    );
  }

  // ---- live sockets (hibernatable: the runtime keeps them while the object sleeps)

  async #acceptLive(request: Request): Promise<Response> {
    const h = request.headers;
    const project = h.get(LIVE_HEADERS.project);
    if (project === null)
      return Response.json({ error: { code: "bad_request", message: "No project" } }, { status: 400 });
    if (this.ctx.getWebSockets().length >= MAX_SOCKETS) {
      const message = `This project already holds ${MAX_SOCKETS} live sockets`;
      return Response.json(
        { error: { code: "too_many_sockets", message } },
        {
          status: 429,
          headers: { "retry-after": "30" },
        },
      );
    }
    this.#remember(project);
    const user = h.get(LIVE_HEADERS.user);
    const expires = h.get(LIVE_HEADERS.expires);
    const who =
      user === null
        ? undefined
        : { user, role: h.get(LIVE_HEADERS.role) ?? "", expires: expires === null ? null : Number(expires) };
    const { 0: client, 1: server } = new WebSocketPair();
    const sock = randomHex(12);
    this.ctx.acceptWebSocket(server, [sock]);
    await this.#live.opened(sock, who);
    return new Response(null, { status: 101, webSocket: client, headers: { "sec-websocket-protocol": SUBPROTOCOL } });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await this.ready();
    const sock = this.ctx.getTags(ws)[0];
    if (sock !== undefined) await this.#live.message(sock, message);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    const sock = this.ctx.getTags(ws)[0];
    if (sock !== undefined) this.#live.closed(sock);
    try {
      // 1005/1006 say no code was sent; they may not be sent back.
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // Already closed.
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    const sock = this.ctx.getTags(ws)[0];
    if (sock !== undefined) this.#live.closed(sock);
  }

  async liveNotify(project: string): Promise<void> {
    await this.ready();
    this.#remember(project);
    await this.#live.notify();
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

  async schedulePointExpiry(project: string, at: number): Promise<Wire<null>> {
    return this.#call(async () => {
      await this.#jobs.scheduleEarliest(POINTS, "", at);
      return null;
    }, project);
  }

  override async alarm(): Promise<void> {
    await this.runDue();
  }

  async runDue(): Promise<{ ran: number; failed: number }> {
    await this.ready();
    return runDueJobs(this.#jobs, this.clock.now(), this.#handlers, (job, err) => this.#jobFailed(job, err));
  }

  readonly #handlers = {
    [LEASE]: (_job: Job, now: number) => {
      this.#watches.expire(now);
    },
    [POINTS]: async (_job: Job, now: number) => {
      const { nextExpiry } = await this.#withStore((s) => s.points.expire(now));
      if (nextExpiry !== undefined) await this.#jobs.schedule(POINTS, "", nextExpiry);
      // Released overrides changed writeVal: live sockets hear of it without any request.
      await this.#live.notify();
    },
    [LIVE]: async () => {
      await this.#live.expire();
    },
  };

  #jobFailed(job: Job, err: unknown): void {
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    console.error(
      `project ${this.#name() ?? "?"}: job ${job.kind} failed (attempt ${job.attempts + 1}), retrying: ${what}`,
    );
  }

  /** Tells the catalog when this project next has work the cron should make sure of. */
  async #reportDue(due: number | undefined): Promise<void> {
    const name = this.#name();
    if (name === undefined || due === this.#reportedDue) return;
    try {
      await catalogOf(this.env).setDue("project", name, due ?? null);
      this.#reportedDue = due;
    } catch (err) {
      // The alarm still runs the job; the catalog hears of it on the next change.
      console.error(`project ${name}: the catalog could not be told of due work: ${String(err)}`);
    }
  }

  /**
   * Runs `fn` on the project's stores: this object's own on the embedded default, otherwise the
   * external backend's, connected for this call only.
   */
  async #withStore<T>(fn: (s: ProjectStore) => Promise<T>): Promise<T> {
    const name = this.#name();
    const local = () => localStore(this.#project);
    const open: OpenStore = name === undefined ? { store: local() } : this.#deps.stores(this.env, name, local);
    try {
      return await fn(open.store);
    } finally {
      await open.close?.();
    }
  }

  /** The project's name, as the Worker told it (ids made from names do not carry them). */
  #name(): string | undefined {
    this.#projectName ??= this.sql.first<{ value: string }>(
      "SELECT value FROM hayloft_meta WHERE key = 'project'",
    )?.value;
    return this.#projectName;
  }

  #remember(project: string): void {
    if (this.#name() === project) return;
    this.sql.run(
      "INSERT INTO hayloft_meta (key, value) VALUES ('project', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      project,
    );
    this.#projectName = project;
  }

  // ---- demo

  async ensureDemo(project: string, nowMs: number): Promise<Wire<{ seeded: boolean; samples: number }>> {
    const onProgress = (p: SeedProgress) =>
      console.log(
        `seeding ${project}: ${p.phase} ${Math.round((100 * p.done) / Math.max(1, p.total))}% (${p.done} of ${p.total})`,
      );
    return this.#call(() => this.#withStore((s) => seedDemo(s, nowMs, { onProgress })), project);
  }

  async #call<T>(fn: () => T | Promise<T>, project?: string): Promise<Wire<T>> {
    await this.ready();
    if (project !== undefined) this.#remember(project);
    return guard(fn);
  }
}
