/**
 * Pulls between two projects of one running Worker (the peer is another instance of our own
 * server), over the native feed and over the HoLcStore-compatible endpoints: tombstones and
 * replace carried over, an interrupted pull resumed with nothing lost or duplicated, a second pull
 * that changes nothing, and the cron pulling a registered source when it is due.
 */
import { describe, expect, it } from "vitest";
import { mintToken } from "./auth.ts";
import { ClockedWorker } from "./clocked.ts";
import { type Columnar, hourly, SeriesClient } from "./series-http.ts";

/** The cases, run on the embedded default (test/worker) and on Postgres (test/worker-pg). */
export function seriesSyncCases(): void {
  const DEF = { kind: "chunked", keys: { version: "int", kind: "str" }, freq: "1h", sync: true };
  const KEYS = [
    { version: 1, kind: "load" },
    { version: 2, kind: "load" },
    { version: 1, kind: "price" },
  ] as const;

  interface Pair {
    readonly w: ClockedWorker;
    readonly src: SeriesClient;
    readonly dst: SeriesClient;
  }

  async function pair(): Promise<Pair> {
    const w = new ClockedWorker();
    const id = crypto.randomUUID().slice(0, 8);
    const src = new SeriesClient(w, `src-${id}`);
    const dst = new SeriesClient(w, `dst-${id}`);
    await src.define("load", DEF);
    await dst.define("load", DEF);
    w.over = { PEER_TOKEN: await mintToken(src.project, "viewer", undefined, w.clock.now()) } as never;
    return { w, src, dst };
  }

  /** Two years of hourly data per series: 24 month chunks each, 72 in all (more than a feed page). */
  async function fill(src: SeriesClient): Promise<void> {
    for (const [n, k] of KEYS.entries()) {
      await src.set(
        "load",
        k,
        hourly("2023-01-01T00:00:00Z", 2 * 8760, (i) => (i % 97) + n),
        { mode: "update" },
      );
    }
  }

  async function source(p: Pair, protocol: "hayloft" | "holcstore", extra: Record<string, unknown> = {}) {
    return p.dst.json(`load/sources/${protocol}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        url: `http://hayloft.test/ts/${p.src.project}/load/`,
        protocol,
        tokenSecret: "PEER_TOKEN",
        // Small pages and packs, so the 72 chunks take several of each.
        pageSize: 20,
        batch: 10,
        ...extra,
      }),
    });
  }

  async function pullNow(p: Pair, name: string, status = 200) {
    return (await p.dst.json(`load/sources/${name}/pull`, { method: "POST" }, {}, status)) as {
      ok: boolean;
      error?: string;
      result?: { applied: number; tombstones: number; pages: number };
      source: {
        state: {
          cursor: string | null;
          lastError: string | null;
          failures: number;
          nextDueMs: number | null;
          lastSuccessMs: number | null;
        };
      };
    };
  }

  /** The destination holds exactly what the source does, series by series. */
  async function expectSame(p: Pair): Promise<void> {
    for (const k of KEYS) {
      const a = await p.src.fetch("load/series", { headers: { accept: "application/json" } }, k);
      const b = await p.dst.fetch("load/series", { headers: { accept: "application/json" } }, k);
      expect(b.status).toBe(a.status);
      if (a.status === 200) expect((await b.json()) as Columnar).toEqual((await a.json()) as Columnar);
      else await Promise.all([a.arrayBuffer(), b.arrayBuffer()]);
    }
  }

  async function lastSeq(c: SeriesClient): Promise<number> {
    let after = 0;
    for (;;) {
      const page = (await c.json("load/feed/", {}, { after, limit: 1000, data: "ref" })) as {
        last: number;
        more: boolean;
      };
      after = page.last;
      if (!page.more) return after;
    }
  }

  describe.each(["hayloft", "holcstore"] as const)("pulling over the %s protocol", (protocol) => {
    it("copies everything, carries tombstones and replace, and a second pull changes nothing", async () => {
      const p = await pair();
      await fill(p.src);
      await source(p, protocol);
      const first = await pullNow(p, protocol);
      expect(first.ok, first.error).toBe(true);
      expect(first.result?.applied).toBe(72);
      await expectSame(p);

      // Deletions and a replace at the source: tombstones travel, so the copy follows.
      await p.src.json("load/series", { method: "DELETE" }, KEYS[1]);
      await p.src.set(
        "load",
        KEYS[2],
        hourly("2024-06-01T00:00:00Z", 48, () => 5),
        { mode: "replace" },
      );
      p.w.advance(1000);
      const second = await pullNow(p, protocol);
      expect(second.ok, second.error).toBe(true);
      await expectSame(p);
      expect((await p.dst.fetch("load/series", {}, KEYS[1])).status).toBe(404);

      const seq = await lastSeq(p.dst);
      p.w.advance(1000);
      const third = await pullNow(p, protocol);
      expect(third.ok).toBe(true);
      expect(third.result?.applied).toBe(0);
      expect(await lastSeq(p.dst)).toBe(seq);
    });

    it("resumes an interrupted pull without losing or duplicating a chunk", async () => {
      const p = await pair();
      await fill(p.src);
      await source(p, protocol);
      let calls = 0;
      // From the third request on, the peer cannot be reached (retries included): the pages before
      // are applied, the rest is not.
      p.w.outboundFault = () => ++calls >= 3;
      const broken = await pullNow(p, protocol, 502);
      expect(broken.ok).toBe(false);
      expect(broken.source.state.lastError).toContain("network connection lost");
      expect(broken.source.state.failures).toBe(1);
      const partial = await lastSeq(p.dst);
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(72);
      p.w.outboundFault = undefined;
      const resumed = await pullNow(p, protocol);
      expect(resumed.ok, resumed.error).toBe(true);
      expect(resumed.source.state.failures).toBe(0);
      await expectSame(p);
      // Every chunk applied once: 72 chunk writes in all.
      expect(await lastSeq(p.dst)).toBe(72);
    });
  });

  describe("scheduled pulls", () => {
    it("the cron pulls a source when it is due, and not before", async () => {
      const p = await pair();
      await p.src.set(
        "load",
        KEYS[0],
        hourly("2024-01-01T00:00:00Z", 24, () => 1),
        { mode: "update" },
      );
      await source(p, "hayloft", { everySeconds: 3600 });
      await p.w.settle();
      await p.w.cron();
      await p.w.settle();
      await expectSame(p);
      const status = (await p.dst.json("load/sources/hayloft")) as {
        source: { state: { lastSuccessMs: number; nextDueMs: number } };
      };
      expect(status.source.state.lastSuccessMs).toBe(p.w.clock.now());
      expect(status.source.state.nextDueMs).toBe(p.w.clock.now() + 3_600_000);

      await p.src.set(
        "load",
        KEYS[0],
        hourly("2024-01-02T00:00:00Z", 24, () => 2),
        { mode: "update" },
      );
      p.w.advance(1_800_000);
      await p.w.cron();
      const early = await p.dst.fetch("load/series", { headers: { accept: "application/json" } }, KEYS[0]);
      expect(((await early.json()) as Columnar).values).toHaveLength(24);
      p.w.advance(1_800_000);
      // The peer's token is renewed as a deployment's would be (test tokens last an hour).
      p.w.over = { PEER_TOKEN: await mintToken(p.src.project, "viewer", undefined, p.w.clock.now()) } as never;
      await p.w.cron();
      await expectSame(p);
    });

    it("a failing source records its error and backs off", async () => {
      const p = await pair();
      await p.dst.json("load/sources/gone", {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          url: `http://hayloft.test/ts/${p.src.project}/nosuchstore/`,
          tokenSecret: "PEER_TOKEN",
          everySeconds: 60,
        }),
      });
      await p.w.cron();
      const s = (await p.dst.json("load/sources/gone")) as {
        source: { state: { lastError: string; failures: number; nextDueMs: number } };
      };
      expect(s.source.state.lastError).toContain("404");
      expect(s.source.state.failures).toBe(1);
      expect(s.source.state.nextDueMs).toBe(p.w.clock.now() + 60_000);
    });

    it("registers only http(s) base URLs and secret names, never a token", async () => {
      const p = await pair();
      for (const body of [
        { url: "ftp://x/ts/a/b/" },
        { url: "http://user:pw@x/ts/a/b/" },
        { url: "http://x/ts/a/b" },
        { url: "http://x/ts/a/b/", token: "abc" },
        { url: "http://x/ts/a/b/", tokenSecret: "not a name" },
        { url: "http://x/ts/a/b/", filters: { colour: "red" } },
      ]) {
        const r = await p.dst.fetch("load/sources/x", {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        expect([JSON.stringify(body), r.status]).toEqual([JSON.stringify(body), 400]);
        await r.arrayBuffer();
      }
    });
  });
}
