/**
 * The pull from a HoLcStore server: a strict replay of a captured exchange, the captured
 * scenarios replayed on an in-memory HoLcStore, and the hazards (a set that changes between
 * pages, many chunks sharing one updated_at, crashes anywhere, 429, refused POST).
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Crash, differences, FakeHolcstore, MemTarget, RemoteStore } from "../../test/support/sync-peers.ts";
import { fromBase64 } from "../auth/base64.ts";
import type { KeyDecl } from "../series/model.ts";
import type { SourceDef } from "../storage/series-port.ts";
import { attrsToKey } from "./attrs.ts";
import { formatSinceParam, parseSince } from "./datetime.ts";
import { SyncError } from "./errors.ts";
import type { ChunkRef } from "./holcstore-wire.ts";
import { type PullOptions, type PullResult, pull } from "./pull.ts";

const DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../test/fixtures/series/holcstore-wire");
const BASE = "http://127.0.0.1:8901/api/ts/";
const KEYS: KeyDecl[] = [
  { name: "kind", type: "str" },
  { name: "version", type: "int" },
];

type Json = Record<string, unknown>;
interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly query_string: string;
  readonly request_body: string;
  readonly response_body: string;
}

function load(name: string): Exchange[] {
  return readFileSync(resolve(DIR, `${name}.server.jsonl`), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Exchange);
}

function source(over: Partial<SourceDef> = {}): SourceDef {
  return { name: "up", url: BASE, protocol: "holcstore", filters: {}, everySeconds: 0, ...over };
}

function run(server: FakeHolcstore, target: MemTarget, over: Partial<PullOptions> = {}): Promise<PullResult> {
  return pull({
    source: source(),
    fetch: server.fetch,
    packFetch: server.fetch,
    sleep: async () => undefined,
    now: () => 0,
    target,
    pageSize: 8,
    batch: 5,
    ...over,
  });
}

/** The chunks a captured pack reply carries, written to `remote` as they were on the server. */
function restore(remote: RemoteStore, x: Exchange): void {
  for (const item of JSON.parse(x.response_body) as Json[]) {
    const attrs = { ...(item.attrs as Json) };
    const chunkIndex = attrs.chunk_index as number;
    delete attrs.chunk_index;
    const meta = item.meta as Json;
    remote.put({
      key: attrsToKey(attrs, KEYS),
      chunkIndex,
      startMs: parseSince(meta.start_ts as string) / 1000,
      dtype: "float64",
      data: fromBase64(item.blob as string) as Uint8Array,
      deleted: false,
      updatedUs: parseSince(meta.updated_at as string),
    });
  }
}

/** The tombstones a captured updates page lists, applied to `remote` with their stamps. */
function tombstonesOf(remote: RemoteStore, x: Exchange): void {
  for (const r of (JSON.parse(x.response_body) as { results: Json[] }).results) {
    if (r.is_deleted !== true) continue;
    const ref = { key: attrsToKey(r.attrs, KEYS), chunkIndex: r.chunk_index as number };
    if (!remote.get(ref.key, ref.chunkIndex)?.deleted) remote.tombstone([ref], parseSince(r.updated_at as string));
  }
}

describe("pull from HoLcStore: the captures", () => {
  it("replays 00_full_sync_defaults request for request (POST refused, then GET with a body)", async () => {
    const [updates, pack] = load("00_full_sync_defaults") as [Exchange, Exchange];
    const seen: string[] = [];
    const replay: typeof fetch = async (input, init) => {
      const url = String(input);
      const method = init?.method ?? "GET";
      seen.push(`${method} ${url}`);
      if (url === `http://127.0.0.1:8901${updates.path}?${updates.query_string}` && method === "GET") {
        return new Response(updates.response_body);
      }
      if (url === `http://127.0.0.1:8901${pack.path}`) {
        if (method === "POST") return new Response("", { status: 405, headers: { Allow: "GET, HEAD, OPTIONS" } });
        expect(JSON.parse(String(init?.body))).toEqual(JSON.parse(pack.request_body));
        return new Response(pack.response_body);
      }
      return new Response("", { status: 404 });
    };
    const target = new MemTarget(KEYS);
    const result = await pull({
      source: source(),
      fetch: replay,
      packFetch: replay,
      sleep: async () => undefined,
      now: () => 0,
      target,
    });
    expect(seen).toEqual([
      `GET ${BASE}updates/?since=2000-01-01T00%3A00%3A00%2B01%3A00&limit=200`,
      `POST ${BASE}pack/`,
      `GET ${BASE}pack/`,
    ]);
    expect(result).toEqual({
      pages: 1,
      applied: 30,
      tombstones: 0,
      skipped: 0,
      cursor: "2026-11-22T13:21:42.002755Z",
      done: true,
    });
    const remote = new RemoteStore(KEYS);
    restore(remote, pack);
    expect(differences(target, remote)).toEqual([]);
  });

  it("replays 01 (full sync), 03 (soft delete), 04 (replace) and 05 (no-op) on an in-memory HoLcStore", async () => {
    const remote = new RemoteStore(KEYS);
    for (const x of load("01_full_sync").filter((e) => e.path.endsWith("/pack/"))) restore(remote, x);
    const server = new FakeHolcstore(remote, BASE);
    const target = new MemTarget(KEYS);

    const full = await run(server, target);
    expect(server.log[0]?.url).toBe(`${BASE}updates/?${load("01_full_sync")[0]?.query_string}`);
    // Each page after the first starts at the last one's updated_at: that one row is listed again, not fetched.
    expect(full).toMatchObject({ pages: 5, applied: 30, tombstones: 0, skipped: 4, done: true });
    expect(differences(target, remote)).toEqual([]);

    // 03: a new March chunk of (load, 1) (written by scenario 02), then (load, 2) deleted with one stamp.
    const soft = load("03_soft_delete");
    restore(remote, soft[1] as Exchange);
    tombstonesOf(remote, soft[0] as Exchange);
    const deleted = await run(server, target);
    expect(deleted).toMatchObject({ applied: 1, tombstones: 2, done: true });
    expect(differences(target, remote)).toEqual([]);

    // 04: (price, 1) replaced by Jan..Feb 2025: two chunks rewritten, twelve tombstoned with one stamp.
    const replace = load("04_replace");
    restore(remote, replace[1] as Exchange);
    for (const x of replace.filter((e) => e.path.endsWith("/updates/"))) tombstonesOf(remote, x);
    const replaced = await run(server, target);
    // The two (load, 2) tombstones at the old cursor come again (since is inclusive): skipped.
    // Then a page of eight of the twelve (four known), all at one stamp: read again whole (twelve, eight known).
    expect(replaced).toMatchObject({ pages: 3, applied: 2, tombstones: 12, skipped: 2 + 4 + 8, done: true });
    expect(differences(target, remote)).toEqual([]);

    // 05: nothing changed; the twelve tombstones at the cursor come again and are all skipped.
    const noop = await run(server, target);
    expect(noop).toMatchObject({ applied: 0, tombstones: 0, done: true });
    expect(noop.skipped).toBeGreaterThanOrEqual(12);
    expect(target.duplicates()).toEqual([]);
  });
});

/** Three series of `n` monthly chunks each, every write with its own stamp. */
function seeded(n = 6): RemoteStore {
  const remote = new RemoteStore(KEYS);
  for (const key of ['["load",1]', '["price",1]', '["load",2]']) {
    for (let i = 0; i < n; i++) write(remote, key, 24288 + i, 1);
  }
  return remote;
}

function write(remote: RemoteStore, key: string, chunkIndex: number, version: number): void {
  remote.put({
    key,
    chunkIndex,
    startMs: Date.UTC(2024, chunkIndex - 24288, 1) - 3_600_000,
    dtype: "float64",
    data: Uint8Array.of(chunkIndex & 255, version, ...new TextEncoder().encode(key)),
    deleted: false,
  });
}

describe("pull from HoLcStore: hazards", () => {
  it("loses nothing when a chunk changes between pages (where following next would skip one)", async () => {
    const remote = seeded();
    const server = new FakeHolcstore(remote, BASE);
    const target = new MemTarget(KEYS);
    let nextOfFirst: string | null = null;
    server.after = (n, req) => {
      if (n !== 1) return;
      // After the first page is served, an early chunk is rewritten: it moves to the end.
      write(remote, '["load",1]', 24289, 2);
      nextOfFirst = req.url;
    };
    const result = await run(server, target, { pageSize: 5, batch: 2 });
    expect(result.done).toBe(true);
    expect(differences(target, remote)).toEqual([]);
    expect(target.duplicates()).toEqual([]);

    // The hazard is real here: HoLcStore's client, following `next` (offset 5), now misses the
    // sixth chunk of the original order, which moved up to offset 4.
    const first = await (await server.fetch(String(nextOfFirst))).json();
    const sixth = (first as { results: Json[] }).results[4];
    const followed = await (await server.fetch(String((first as { next: string }).next))).json();
    const listed = (followed as { results: Json[] }).results.map((r) => r.chunk_index);
    expect(sixth).toBeDefined();
    expect(listed).not.toContain((sixth as Json).chunk_index);
  });

  it.each([
    ["reads a group of one stamp larger than a page in one bigger page", {}, {}],
    ["pages through it by offset when the group is over maxGroup", { maxGroup: 5 }, {}],
    ["pages through it by offset when the server caps limit", {}, { maxLimit: 5 }],
  ])("%s", async (_, opts, serverOpts) => {
    const remote = seeded(6);
    const server = new FakeHolcstore(remote, BASE);
    Object.assign(server, serverOpts);
    const target = new MemTarget(KEYS);
    await run(server, target, { pageSize: 5, ...opts });
    // One replace tombstones twelve chunks with one stamp.
    const refs: ChunkRef[] = [];
    for (const key of ['["load",1]', '["price",1]'])
      for (let i = 0; i < 6; i++) refs.push({ key, chunkIndex: 24288 + i });
    remote.tombstone(refs);
    const result = await run(server, target, { pageSize: 5, ...opts });
    expect(result).toMatchObject({ tombstones: 12, done: true });
    expect(differences(target, remote)).toEqual([]);
    expect(target.duplicates()).toEqual([]);
    expect(result.pages).toBeLessThan(10);
  });

  it("resumes after a crash before or after any apply, or a failed request, losing and duplicating nothing", async () => {
    for (const mode of ["before", "after", "request"] as const) {
      let at = 1;
      for (; ; at++) {
        const remote = seeded(5);
        const server = new FakeHolcstore(remote, BASE);
        const target = new MemTarget(KEYS);
        await run(server, target, { pageSize: 5, batch: 2 });
        // Changes the pull below must carry: rewrites, a shared-stamp tombstone group, a revival.
        for (let i = 0; i < 5; i++) write(remote, '["price",1]', 24288 + i, 2);
        remote.tombstone([0, 1, 2, 3, 4].map((i) => ({ key: '["load",2]', chunkIndex: 24288 + i })));
        write(remote, '["load",2]', 24290, 3);
        write(remote, '["load",1]', 24300, 1);
        const requests = server.log.length;
        let crashed = false;
        const applied0 = target.applies;
        if (mode === "before") target.crashBefore = (n) => n - applied0 === at;
        if (mode === "after") target.crashAfter = (n) => n - applied0 === at;
        if (mode === "request")
          server.fault = (n) => (n - requests === at ? new TypeError("connection reset") : undefined);
        try {
          await run(server, target, { pageSize: 5, batch: 2, retries: 0 });
        } catch (e) {
          expect(e instanceof Crash || e instanceof SyncError).toBe(true);
          crashed = true;
        }
        target.crashBefore = () => false;
        target.crashAfter = () => false;
        server.fault = () => undefined;
        // Between the crash and the restart the remote moves on again.
        write(remote, '["price",1]', 24291, 4);
        const resumed = await run(server, target, { pageSize: 5, batch: 2 });
        expect(resumed.done).toBe(true);
        expect(differences(target, remote)).toEqual([]);
        expect(target.duplicates()).toEqual([]);
        if (!crashed) break;
      }
      // Every apply / request of the pull was a crash point once.
      expect(at).toBeGreaterThan(mode === "request" ? 9 : 5);
    }
  });

  it("asks pack/ again in halves when a batch is over the body limit", async () => {
    const remote = new RemoteStore(KEYS);
    for (let i = 0; i < 6; i++) {
      remote.put({
        key: '["load",1]',
        chunkIndex: 24288 + i,
        startMs: 0,
        dtype: "float64",
        data: new Uint8Array(400).fill(i),
        deleted: false,
      });
    }
    const server = new FakeHolcstore(remote, BASE);
    server.postPack = true;
    const target = new MemTarget(KEYS);
    const result = await run(server, target, { maxBodyBytes: 2000 });
    expect(result.done).toBe(true);
    expect(differences(target, remote)).toEqual([]);
    const sizes = server.log
      .filter((r) => r.url.endsWith("pack/"))
      .map((r) => (JSON.parse(r.body ?? "[]") as unknown[]).length);
    expect(sizes.slice(0, 3)).toEqual([5, 3, 2]);
  });

  it("waits out a 429 in the middle of a pull", async () => {
    const remote = seeded();
    const server = new FakeHolcstore(remote, BASE);
    server.fault = (n) => (n === 2 ? new Response("", { status: 429, headers: { "Retry-After": "2" } }) : undefined);
    const slept: number[] = [];
    const target = new MemTarget(KEYS);
    const result = await run(server, target, { sleep: async (ms) => void slept.push(ms) });
    expect(result.done).toBe(true);
    expect(slept).toEqual([2000]);
    expect(differences(target, remote)).toEqual([]);
  });

  it("posts to pack/ when the server takes POST (a Hayloft), and says what is missing when it does not", async () => {
    const remote = seeded(2);
    const server = new FakeHolcstore(remote, BASE);
    server.postPack = true;
    const target = new MemTarget(KEYS);
    await run(server, target, { packFetch: undefined });
    expect(server.log.filter((r) => r.url.endsWith("pack/")).every((r) => r.method === "POST")).toBe(true);
    expect(differences(target, remote)).toEqual([]);

    const strict = new FakeHolcstore(seeded(2), BASE);
    const e = await run(strict, new MemTarget(KEYS), { packFetch: undefined }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "unsupported", message: expect.stringContaining("GET with a body") });
  });

  it("sends the token DRF's way and only the source's filters", async () => {
    const remote = seeded(3);
    const server = new FakeHolcstore(remote, BASE);
    const target = new MemTarget(KEYS);
    await run(server, target, { token: "k3y", source: source({ filters: { kind: "load" } }) });
    expect(server.log.every((r) => r.authorization === "Token k3y")).toBe(true);
    expect(server.log[0]?.url).toBe(`${BASE}updates/?since=2000-01-01T00%3A00%3A00%2B01%3A00&limit=8&kind=load`);
    expect(differences(target, remote, [{ pos: 0, value: "load" }])).toEqual([]);
  });

  it("stops at maxPages or the deadline, and the next pull goes on from there", async () => {
    const remote = seeded(6);
    const server = new FakeHolcstore(remote, BASE);
    const target = new MemTarget(KEYS);
    const first = await run(server, target, { pageSize: 4, maxPages: 2 });
    expect(first).toMatchObject({ pages: 2, done: false });
    expect(first.cursor).not.toBeNull();
    let clock = 0;
    const late = await run(server, target, { pageSize: 4, now: () => clock++, deadlineMs: 1 });
    expect(late).toMatchObject({ pages: 1, done: false });
    const rest = await run(server, target, { pageSize: 4 });
    expect(rest.done).toBe(true);
    expect(differences(target, remote)).toEqual([]);
    expect(target.duplicates()).toEqual([]);
  });

  it("stops with conflict when another pull moved the cursor, applying nothing", async () => {
    const remote = seeded(6);
    const server = new FakeHolcstore(remote, BASE);
    const target = new MemTarget(KEYS);
    server.after = (n) => {
      if (n === 1) target.cursors.set("up", "2030-01-01T00:00:00Z");
    };
    const e = await run(server, target).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "conflict" });
    expect(target.chunks.size).toBe(0);
  });

  it("refuses a remote whose keys do not fit, or whose pages go back in time", async () => {
    const other = new RemoteStore([...KEYS, { name: "site", type: "str" }]);
    other.put({
      key: '["load",1,"x"]',
      chunkIndex: 1,
      startMs: 0,
      dtype: "float64",
      data: new Uint8Array(),
      deleted: false,
    });
    const e = await run(new FakeHolcstore(other, BASE), new MemTarget(KEYS)).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "protocol", message: expect.stringContaining("site") });

    const remote = seeded(2);
    const server = new FakeHolcstore(remote, BASE);
    const target = new MemTarget(KEYS);
    target.cursors.set("up", "2030-01-01T00:00:00Z");
    const cursorIgnored: typeof fetch = (input, init) =>
      server.fetch(String(input).replace(/since=[^&]*/, `since=${encodeURIComponent(formatSinceParam(0))}`), init);
    const back = await run(server, target, { fetch: cursorIgnored }).catch((x: unknown) => x);
    expect(back).toMatchObject({ code: "protocol", message: expect.stringContaining("updated_at order") });
  });

  it("refuses a stored cursor that is not an instant", async () => {
    const target = new MemTarget(KEYS);
    target.cursors.set("up", "17");
    const e = await run(new FakeHolcstore(seeded(1), BASE), target).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "bad_source" });
  });

  it("converges whatever the remote does between and during interrupted pulls (property)", async () => {
    const keys = ['["load",1]', '["price",1]', '["load",2]'];
    const op = fc.oneof(
      fc.record({ t: fc.constant("put" as const), s: fc.nat(2), i: fc.nat(7), v: fc.nat(9) }),
      fc.record({ t: fc.constant("drop" as const), s: fc.nat(2), from: fc.nat(7), n: fc.integer({ min: 1, max: 8 }) }),
      fc.record({
        t: fc.constant("pull" as const),
        crash: fc.nat(3),
        after: fc.boolean(),
        during: fc.nat(6),
        page: fc.integer({ min: 1, max: 6 }),
        batch: fc.integer({ min: 1, max: 3 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 8, maxLength: 30 }), async (ops) => {
        const remote = new RemoteStore(KEYS);
        const server = new FakeHolcstore(remote, BASE);
        const target = new MemTarget(KEYS);
        const apply = (o: (typeof ops)[number]) => {
          if (o.t === "put") write(remote, keys[o.s] as string, 24288 + o.i, o.v);
          if (o.t === "drop") {
            const refs = Array.from({ length: o.n }, (_, k) => ({
              key: keys[o.s] as string,
              chunkIndex: 24288 + o.from + k,
            }));
            remote.tombstone(refs);
          }
        };
        for (const [n, o] of ops.entries()) {
          if (o.t !== "pull") {
            apply(o);
            continue;
          }
          const base = target.applies;
          target.crashBefore = (k) => !o.after && o.crash > 0 && k - base === o.crash;
          target.crashAfter = (k) => o.after && o.crash > 0 && k - base === o.crash;
          const later = ops[(n + 1) % ops.length];
          server.after = (k) => {
            if (
              o.during > 0 &&
              k === server.log.length &&
              k % o.during === 0 &&
              later !== undefined &&
              later.t !== "pull"
            ) {
              apply(later);
            }
          };
          await run(server, target, { pageSize: o.page, batch: o.batch, maxGroup: o.page + 1 }).catch((e: unknown) => {
            if (!(e instanceof Crash)) throw e;
          });
        }
        target.crashBefore = () => false;
        target.crashAfter = () => false;
        server.after = () => undefined;
        const last = await run(server, target, { pageSize: 3, batch: 2 });
        expect(last.done).toBe(true);
        expect(differences(target, remote)).toEqual([]);
        expect(target.duplicates()).toEqual([]);
      }),
      { numRuns: 200, seed: 12 },
    );
  });
});
