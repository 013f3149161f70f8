/**
 * Test doubles for the sync client's tests (used by *.test.ts only): an in-memory local store
 * (`MemTarget`) and in-memory remotes that serve a store through this folder's own wire
 * formatters, as HoLcStore 0.5.12 (`updates/` + `pack/`, POST refused like the real one) and as
 * another Hayloft (`feed/` + `pack/`). Faults are injected per request and per apply.
 */
import { SeriesError } from "../../src/series/errors.ts";
import { type KeyDecl, type KeyMatch, keyMatches, keyOfText } from "../../src/series/model.ts";
import { StoreError } from "../../src/storage/errors.ts";
import type { ChunkWrite, StoredChunk } from "../../src/storage/series-port.ts";
import type { SyncTarget } from "../../src/sync/context.ts";
import { pageLinks } from "../../src/sync/drf.ts";
import {
  type ChunkRef,
  packResponse,
  parsePackRequest,
  parseUpdatesQuery,
  updatesEnvelope,
} from "../../src/sync/holcstore-wire.ts";
import { EMPTY_LZ4_FRAME } from "../../src/sync/lz4-empty.ts";
import { feedPage, parseFeedQuery } from "../../src/sync/native-wire.ts";

const id = (key: string, chunkIndex: number): string => `${chunkIndex} ${key}`;

interface Row extends StoredChunk {
  /** Creation order, HoLcStore's pk (the tie-break of its `updated_at` order). */
  readonly pk: number;
}

/** A remote store: chunks with HoLcStore's `updated_at` (µs) and our change sequence. */
export class RemoteStore {
  readonly rows = new Map<string, Row>();
  private pk = 0;
  seq = 0;
  /** The remote's clock, in µs; every write moves it on unless given a stamp. */
  clockUs = Date.UTC(2026, 10, 22, 13, 21, 41) * 1000;

  constructor(readonly keys: readonly KeyDecl[]) {}

  tick(): number {
    this.clockUs += 1873;
    return this.clockUs;
  }

  /** Writes a live chunk (a new stamp and seq), or restores one exactly as given (replays). */
  put(c: Omit<StoredChunk, "seq" | "updatedUs"> & { readonly updatedUs?: number }): void {
    const old = this.rows.get(id(c.key, c.chunkIndex));
    const updatedUs = c.updatedUs ?? this.tick();
    this.clockUs = Math.max(this.clockUs, updatedUs);
    this.rows.set(id(c.key, c.chunkIndex), { ...c, updatedUs, seq: ++this.seq, pk: old?.pk ?? ++this.pk });
  }

  /** Tombstones chunks with one shared stamp, as one HoLcStore delete or replace does. */
  tombstone(refs: readonly ChunkRef[], updatedUs = this.tick()): void {
    for (const r of refs) {
      const old = this.rows.get(id(r.key, r.chunkIndex));
      if (old === undefined) continue;
      this.rows.set(id(r.key, r.chunkIndex), {
        ...old,
        data: EMPTY_LZ4_FRAME,
        deleted: true,
        updatedUs,
        seq: ++this.seq,
      });
    }
  }

  get(key: string, chunkIndex: number): Row | undefined {
    return this.rows.get(id(key, chunkIndex));
  }

  matching(match: KeyMatch): Row[] {
    return [...this.rows.values()].filter((r) => keyMatches(keyOfText(r.key), match));
  }
}

/** A fault to answer with instead of serving a request: a Response, or an error to throw (network). */
export type Fault = Response | Error | undefined;

export interface ServeLog {
  readonly method: string;
  readonly url: string;
  readonly body: string | undefined;
  readonly authorization: string | null;
}

abstract class FakeServer {
  readonly log: ServeLog[] = [];
  /** Called before each request is served; returns a fault to inject, if any. */
  fault: (n: number, req: ServeLog) => Fault = () => undefined;
  /** Called after each request is served (e.g. to change the store between pages). */
  after: (n: number, req: ServeLog) => void = () => undefined;

  constructor(
    readonly store: RemoteStore,
    readonly base: string,
  ) {}

  readonly fetch: typeof fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const headers = new Headers(init?.headers);
    const req: ServeLog = {
      method: init?.method ?? "GET",
      url,
      body: typeof init?.body === "string" ? init.body : undefined,
      authorization: headers.get("Authorization"),
    };
    this.log.push(req);
    const n = this.log.length;
    const f = this.fault(n, req);
    if (f instanceof Error) throw f;
    if (f !== undefined) return f;
    if (!url.startsWith(this.base)) return new Response("not here", { status: 404 });
    const res = this.route(req, url.slice(this.base.length));
    this.after(n, req);
    return res;
  };

  protected abstract route(req: ServeLog, rest: string): Response;

  protected json(body: string): Response {
    return new Response(body, { status: 200, headers: { "Content-Type": "application/json" } });
  }

  protected fail(e: unknown): Response {
    if (e instanceof SeriesError) return new Response(JSON.stringify({ code: e.code }), { status: 400 });
    throw e;
  }

  protected pack(req: ServeLog): Response {
    const refs = parsePackRequest(JSON.parse(req.body ?? "null"), this.store.keys);
    const chunks: StoredChunk[] = [];
    for (const r of refs) {
      const row = this.store.get(r.key, r.chunkIndex);
      // HoLcStore: objects.get raises DoesNotExist, Django answers 500 in HTML.
      if (row === undefined) return new Response("<h1>Server Error (500)</h1>", { status: 500 });
      chunks.push(row);
    }
    return this.json(packResponse(chunks, this.store.keys));
  }
}

/** HoLcStore 0.5.12's sync views over a RemoteStore. */
export class FakeHolcstore extends FakeServer {
  /** The real server allows only GET (with a body) on pack/. */
  postPack = false;
  /** DRF max_limit, if the server caps `limit`. */
  maxLimit: number | undefined = undefined;

  protected route(req: ServeLog, rest: string): Response {
    const [path, query = ""] = rest.split("?", 2) as [string, string?];
    try {
      if (path === "updates/" && req.method === "GET") return this.updates(req.url, new URLSearchParams(query));
      if (path === "pack/") {
        if (req.method === "POST" && !this.postPack) {
          return new Response('{"detail":"Method \\"POST\\" not allowed."}', {
            status: 405,
            headers: { Allow: "GET, HEAD, OPTIONS" },
          });
        }
        return this.pack(req);
      }
    } catch (e) {
      return this.fail(e);
    }
    return new Response("no route", { status: 404 });
  }

  private updates(url: string, params: URLSearchParams): Response {
    const q = parseUpdatesQuery(
      params,
      this.store.keys,
      this.maxLimit === undefined ? {} : { maxLimit: this.maxLimit },
    );
    const all = this.store
      .matching(q.match)
      .filter((r) => r.updatedUs >= q.sinceUs)
      .sort((a, b) => a.updatedUs - b.updatedUs || a.pk - b.pk);
    const rows = all.slice(q.offset, q.offset + q.limit);
    const links = pageLinks(url, q.limit, q.offset, all.length);
    return this.json(
      updatesEnvelope({
        count: all.length,
        rows,
        keys: this.store.keys,
        nextUrl: links.next,
        previousUrl: links.previous,
      }),
    );
  }
}

/** Another Hayloft's native feed over a RemoteStore. */
export class FakeHayloft extends FakeServer {
  protected route(req: ServeLog, rest: string): Response {
    const [path, query = ""] = rest.split("?", 2) as [string, string?];
    try {
      if (path === "feed/" && req.method === "GET") return this.feed(new URLSearchParams(query));
      if (path === "pack/" && req.method === "POST") return this.pack(req);
    } catch (e) {
      return this.fail(e);
    }
    return new Response("no route", { status: 404 });
  }

  private feed(params: URLSearchParams): Response {
    const q = parseFeedQuery(params, this.store.keys);
    const rows = this.store
      .matching(q.match)
      .filter((r) => r.seq > q.after)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, q.limit + 1);
    const items = rows.slice(0, q.limit);
    return this.json(
      feedPage({ after: q.after, items, more: rows.length > q.limit, keys: this.store.keys, data: q.data }),
    );
  }
}

/** Thrown by MemTarget to stand for the process dying at that point. */
export class Crash extends Error {
  override name = "Crash";
}

/** The local store: chunks, cursors, and a log of every version written (to catch duplicates). */
export class MemTarget implements SyncTarget {
  readonly chunks = new Map<string, ChunkWrite & { readonly updatedUs: number }>();
  readonly cursors = new Map<string, string>();
  /** `${key} ${chunkIndex} ${updatedUs}` of every chunk write, in order. */
  readonly written: string[] = [];
  applies = 0;
  /** Before the apply numbered n (1-based) commits: true to crash instead (nothing applied). */
  crashBefore: (n: number) => boolean = () => false;
  /** After the apply numbered n commits: true to crash (applied, but the caller never hears). */
  crashAfter: (n: number) => boolean = () => false;

  constructor(readonly keys: readonly KeyDecl[]) {}

  async cursor(source: string): Promise<string | null> {
    return this.cursors.get(source) ?? null;
  }

  async localUpdatedUs(refs: readonly ChunkRef[]): Promise<(number | null)[]> {
    return refs.map((r) => this.chunks.get(id(r.key, r.chunkIndex))?.updatedUs ?? null);
  }

  async applyPage(source: string, expect: string | null, next: string, chunks: readonly ChunkWrite[]): Promise<void> {
    const n = ++this.applies;
    if (this.crashBefore(n)) throw new Crash(`before apply ${n}`);
    if ((this.cursors.get(source) ?? null) !== expect) throw new StoreError("conflict", "cursor moved");
    for (const c of chunks) {
      if (c.updatedUs === undefined) throw new Error("a pulled chunk must keep its updated_at");
      this.chunks.set(id(c.key, c.chunkIndex), { ...c, updatedUs: c.updatedUs });
      this.written.push(`${c.key} ${c.chunkIndex} ${c.updatedUs}`);
    }
    this.cursors.set(source, next);
    if (this.crashAfter(n)) throw new Crash(`after apply ${n}`);
  }

  /** Versions written more than once. */
  duplicates(): string[] {
    const seen = new Set<string>();
    return this.written.filter((w) => seen.has(w) || !seen.add(w));
  }
}

/** Differences between the local store and the remote's rows matching `match` (empty when equal). */
export function differences(local: MemTarget, remote: RemoteStore, match: KeyMatch = []): string[] {
  const out: string[] = [];
  const want = remote.matching(match);
  for (const r of want) {
    const l = local.chunks.get(id(r.key, r.chunkIndex));
    const what = `${r.key} #${r.chunkIndex}`;
    if (l === undefined) out.push(`${what}: missing`);
    else if (l.updatedUs !== r.updatedUs) out.push(`${what}: updated ${l.updatedUs} != ${r.updatedUs}`);
    else if (l.deleted !== r.deleted) out.push(`${what}: deleted ${l.deleted} != ${r.deleted}`);
    else if (l.startMs !== r.startMs || l.dtype !== r.dtype) out.push(`${what}: meta differs`);
    else if (!sameBytes(l.data, r.data)) out.push(`${what}: bytes differ`);
  }
  const wanted = new Set(want.map((r) => id(r.key, r.chunkIndex)));
  for (const k of local.chunks.keys()) if (!wanted.has(k)) out.push(`${k}: not on the remote`);
  return out;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
