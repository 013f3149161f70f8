/** The pull from another Hayloft's native feed, against an in-memory peer built from native-wire.ts. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Crash, differences, FakeHayloft, MemTarget, RemoteStore } from "../../test/support/sync-peers.ts";
import type { KeyDecl } from "../series/model.ts";
import type { SourceDef } from "../storage/series-port.ts";
import { SyncError } from "./errors.ts";
import { type PullOptions, type PullResult, pull } from "./pull.ts";

const BASE = "https://peer.example/ts/demo/loads/";
const KEYS: KeyDecl[] = [
  { name: "site", type: "str" },
  { name: "meter", type: "int" },
];
const SERIES = ['["a",1]', '["a",2]', '["b",1]'];

function source(over: Partial<SourceDef> = {}): SourceDef {
  return { name: "peer", url: BASE, protocol: "hayloft", filters: {}, everySeconds: 3600, ...over };
}

function run(server: FakeHayloft, target: MemTarget, over: Partial<PullOptions> = {}): Promise<PullResult> {
  return pull({
    source: source(),
    fetch: server.fetch,
    sleep: async () => undefined,
    now: () => 0,
    target,
    pageSize: 4,
    batch: 2,
    ...over,
  });
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

function seeded(n = 5): RemoteStore {
  const remote = new RemoteStore(KEYS);
  for (const key of SERIES) for (let i = 0; i < n; i++) write(remote, key, 24288 + i, 1);
  return remote;
}

describe("pull from a Hayloft feed", () => {
  it("copies the store page by page, cursor = last seq, and a second pull changes nothing", async () => {
    const remote = seeded();
    const server = new FakeHayloft(remote, BASE);
    const target = new MemTarget(KEYS);
    const first = await run(server, target, { token: "t0k" });
    expect(first).toEqual({ pages: 4, applied: 15, tombstones: 0, skipped: 0, cursor: "15", done: true });
    expect(server.log.map((r) => r.url)).toEqual(
      [0, 4, 8, 12].map((a) => `${BASE}feed/?after=${a}&limit=4&data=inline`),
    );
    expect(server.log.every((r) => r.authorization === "Bearer t0k")).toBe(true);
    expect(differences(target, remote)).toEqual([]);

    const again = await run(server, target);
    expect(again).toEqual({ pages: 1, applied: 0, tombstones: 0, skipped: 0, cursor: "15", done: true });
    expect(server.log.at(-1)?.url).toBe(`${BASE}feed/?after=15&limit=4&data=inline`);
  });

  it("carries updates, tombstones, revivals and a replace", async () => {
    const remote = seeded();
    const server = new FakeHayloft(remote, BASE);
    const target = new MemTarget(KEYS);
    await run(server, target);
    write(remote, SERIES[0] as string, 24290, 2);
    remote.tombstone([0, 1, 2, 3, 4].map((i) => ({ key: SERIES[1] as string, chunkIndex: 24288 + i })));
    write(remote, SERIES[1] as string, 24289, 3);
    const result = await run(server, target);
    expect(result).toMatchObject({ applied: 2, tombstones: 4, done: true });
    expect(differences(target, remote)).toEqual([]);
  });

  it("fetches bytes by reference through pack/ when asked to", async () => {
    const remote = seeded(3);
    const server = new FakeHayloft(remote, BASE);
    const target = new MemTarget(KEYS);
    remote.tombstone([{ key: SERIES[2] as string, chunkIndex: 24288 }]);
    const result = await run(server, target, { data: "ref" });
    expect(result.done).toBe(true);
    expect(differences(target, remote)).toEqual([]);
    const packs = server.log.filter((r) => r.url === `${BASE}pack/`);
    expect(packs.every((r) => r.method === "POST")).toBe(true);
    // Pages of 4: eight live chunks in batches of 2; the tombstone (last, re-sequenced) needs no bytes.
    expect(packs.map((r) => (JSON.parse(r.body ?? "[]") as unknown[]).length)).toEqual([2, 2, 2, 2]);
  });

  it("sends only the source's filters and copies only what they match", async () => {
    const remote = seeded(3);
    const server = new FakeHayloft(remote, BASE);
    const target = new MemTarget(KEYS);
    await run(server, target, { source: source({ filters: { site: "a" } }) });
    expect(server.log[0]?.url).toBe(`${BASE}feed/?after=0&limit=4&data=inline&site=a`);
    expect(differences(target, remote, [{ pos: 0, value: "a" }])).toEqual([]);
  });

  it("resumes after a crash before or after any apply, or a failed request, losing and duplicating nothing", async () => {
    for (const data of ["inline", "ref"] as const) {
      for (const mode of ["before", "after", "request"] as const) {
        let at = 1;
        for (; ; at++) {
          const remote = seeded(4);
          const server = new FakeHayloft(remote, BASE);
          const target = new MemTarget(KEYS);
          const base = target.applies;
          const requests = server.log.length;
          if (mode === "before") target.crashBefore = (n) => n - base === at;
          if (mode === "after") target.crashAfter = (n) => n - base === at;
          if (mode === "request") server.fault = (n) => (n - requests === at ? new TypeError("reset") : undefined);
          let crashed = false;
          try {
            await run(server, target, { data, retries: 0, pageSize: 5, batch: 2 });
          } catch (e) {
            expect(e instanceof Crash || e instanceof SyncError).toBe(true);
            crashed = true;
          }
          target.crashBefore = () => false;
          target.crashAfter = () => false;
          server.fault = () => undefined;
          write(remote, SERIES[2] as string, 24288, 7);
          remote.tombstone([{ key: SERIES[0] as string, chunkIndex: 24289 }]);
          const resumed = await run(server, target, { data, pageSize: 5, batch: 2 });
          expect(resumed.done).toBe(true);
          expect(differences(target, remote)).toEqual([]);
          expect(target.duplicates()).toEqual([]);
          if (!crashed) break;
        }
        expect(at).toBeGreaterThan(mode === "request" ? 3 : 2);
      }
    }
  });

  it("asks for smaller pages when an inline page is over the body limit", async () => {
    const remote = new RemoteStore(KEYS);
    for (let i = 0; i < 5; i++) {
      remote.put({
        key: SERIES[0] as string,
        chunkIndex: 24288 + i,
        startMs: 0,
        dtype: "float64",
        data: new Uint8Array(400).fill(i),
        deleted: false,
      });
    }
    const server = new FakeHayloft(remote, BASE);
    const target = new MemTarget(KEYS);
    const result = await run(server, target, { maxBodyBytes: 1000 });
    expect(result.done).toBe(true);
    expect(differences(target, remote)).toEqual([]);
    expect(server.log.map((r) => new URL(r.url).searchParams.get("limit")).slice(0, 3)).toEqual(["4", "2", "1"]);
    const tooBig = await run(new FakeHayloft(remote, BASE), new MemTarget(KEYS), { maxBodyBytes: 300 }).catch(
      (x: unknown) => x,
    );
    expect(tooBig).toMatchObject({ code: "too_large" });
  });

  it("waits out a 429 and retries a 503", async () => {
    const remote = seeded(3);
    const server = new FakeHayloft(remote, BASE);
    server.fault = (n) =>
      n === 2
        ? new Response("", { status: 429, headers: { "Retry-After": "1" } })
        : n === 3
          ? new Response("", { status: 503 })
          : undefined;
    const slept: number[] = [];
    const target = new MemTarget(KEYS);
    const result = await run(server, target, { sleep: async (ms) => void slept.push(ms) });
    expect(result.done).toBe(true);
    expect(slept).toEqual([1000, 500]);
    expect(differences(target, remote)).toEqual([]);
  });

  it("fails at once, clearly, on 401, 403 and 404", async () => {
    for (const [status, code] of [
      [401, "unauthorized"],
      [403, "forbidden"],
      [404, "not_found"],
    ] as const) {
      const server = new FakeHayloft(seeded(1), BASE);
      server.fault = () => new Response('{"code":"nope"}', { status });
      const e = await run(server, new MemTarget(KEYS)).catch((x: unknown) => x);
      expect(e).toMatchObject({ code, message: expect.stringContaining(`HTTP ${status}`) });
      expect(server.log.length).toBe(1);
    }
  });

  it("stops at maxPages and goes on next time; stops with conflict when the cursor moved", async () => {
    const remote = seeded();
    const server = new FakeHayloft(remote, BASE);
    const target = new MemTarget(KEYS);
    expect(await run(server, target, { maxPages: 2 })).toMatchObject({ pages: 2, done: false, cursor: "8" });
    server.after = () => target.cursors.set("peer", "12");
    expect(await run(server, target).catch((x: unknown) => x)).toMatchObject({ code: "conflict" });
    server.after = () => undefined;
    target.cursors.set("peer", "8");
    expect(await run(server, target)).toMatchObject({ done: true, cursor: "15" });
    expect(differences(target, remote)).toEqual([]);
  });

  it("refuses a feed that does not answer what was asked, and a stored cursor that is not a seq", async () => {
    const server = new FakeHayloft(seeded(1), BASE);
    const lying: typeof fetch = async () => new Response('{"after":3,"last":3,"more":false,"items":[]}');
    expect(await run(server, new MemTarget(KEYS), { fetch: lying }).catch((x: unknown) => x)).toMatchObject({
      code: "protocol",
      message: expect.stringContaining("feed/"),
    });
    const stuck: typeof fetch = async () => new Response('{"after":0,"last":0,"more":true,"items":[]}');
    expect(await run(server, new MemTarget(KEYS), { fetch: stuck }).catch((x: unknown) => x)).toMatchObject({
      code: "protocol",
    });
    const target = new MemTarget(KEYS);
    target.cursors.set("peer", "2026-01-01T00:00:00Z");
    expect(await run(server, target).catch((x: unknown) => x)).toMatchObject({ code: "bad_source" });
  });

  it("refuses sources that could send requests elsewhere", async () => {
    const server = new FakeHayloft(seeded(1), BASE);
    for (const [over, why] of [
      [{ url: "ftp://peer.example/ts/demo/loads/" }, /http and https/],
      [{ url: "https://user:pw@peer.example/ts/demo/loads/" }, /credentials/],
      [{ url: `${BASE}?x=1` }, /query/],
      [{ url: "https://peer.example/ts/demo/loads" }, /ending in \//],
      [{ url: "https://PEER.example/ts/demo/loads/" }, /canonical/],
      [{ url: "not a url" }, /not a URL/],
      [{ filters: { after: "0" } }, /cannot be a filter/],
    ] as const) {
      const e = await run(server, new MemTarget(KEYS), { source: source(over) }).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: "bad_source", message: expect.stringMatching(why) });
    }
    const e = await run(server, new MemTarget(KEYS), { token: "a\r\nX-Evil: 1" }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "bad_source", message: expect.stringContaining("token") });
    expect(server.log.length).toBe(0);
  });

  it("converges whatever the remote does between and during interrupted pulls (property)", async () => {
    const op = fc.oneof(
      fc.record({ t: fc.constant("put" as const), s: fc.nat(2), i: fc.nat(6), v: fc.nat(9) }),
      fc.record({ t: fc.constant("drop" as const), s: fc.nat(2), from: fc.nat(6), n: fc.integer({ min: 1, max: 7 }) }),
      fc.record({
        t: fc.constant("pull" as const),
        crash: fc.nat(3),
        after: fc.boolean(),
        during: fc.nat(4),
        page: fc.integer({ min: 1, max: 6 }),
        batch: fc.integer({ min: 1, max: 3 }),
        ref: fc.boolean(),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 8, maxLength: 30 }), async (ops) => {
        const remote = new RemoteStore(KEYS);
        const server = new FakeHayloft(remote, BASE);
        const target = new MemTarget(KEYS);
        const apply = (o: (typeof ops)[number]) => {
          if (o.t === "put") write(remote, SERIES[o.s] as string, 24288 + o.i, o.v);
          if (o.t === "drop") {
            remote.tombstone(
              Array.from({ length: o.n }, (_, k) => ({ key: SERIES[o.s] as string, chunkIndex: 24288 + o.from + k })),
            );
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
            if (o.during > 0 && k % o.during === 0 && later !== undefined && later.t !== "pull") apply(later);
          };
          await run(server, target, { pageSize: o.page, batch: o.batch, data: o.ref ? "ref" : "inline" }).catch(
            (e: unknown) => {
              if (!(e instanceof Crash)) throw e;
            },
          );
        }
        target.crashBefore = () => false;
        target.crashAfter = () => false;
        server.after = () => undefined;
        expect((await run(server, target)).done).toBe(true);
        expect(differences(target, remote)).toEqual([]);
        expect(target.duplicates()).toEqual([]);
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
