/**
 * Haystack cases every external backend runs over HTTP (test/worker-pg, test/worker-upstash):
 * filter reads with paths, Ref names and limit; a hisRead longer than a storage page; a watch
 * and a live socket hearing of point writes and curVals through the backend's change feed.
 */
import { expect, it } from "vitest";
import type { HDict, HRef } from "../../src/haystack/kinds/index.ts";
import { localFetch } from "./clocked.ts";
import { BASE, building, get, hisLines, hisWriteAll, idsOf, newProject, ok, post, seed } from "./haystack-http.ts";
import { dictsOf, openLive } from "./live.ts";

/** `feed` names the backend's change feed in a case's title. */
export function storeHttpCases(feed: string): void {
  it("reads by filter with -> paths and limit, in id order", async () => {
    const p = newProject();
    await building(p);
    const g = await ok(get(p, "read", `filter=${encodeURIComponent('point and equipRef->dis == "AHU-1"')}`));
    expect(idsOf(g)).toEqual(["p1", "p2"]);
    // Refs carry the named records' dis, whether the record is in the result or not.
    const refDis = (tag: string) => g.dicts().map((d) => (d.get(tag) as HRef).dis);
    expect([refDis("equipRef"), refDis("siteRef")]).toEqual([
      ["AHU-1", "AHU-1"],
      ["HQ", "HQ"],
    ]);
    const cut = await ok(get(p, "read", "filter=point&limit=2"));
    expect(idsOf(cut)).toEqual(["p1", "p2"]);
    expect(cut.meta.has("incomplete")).toBe(true);
  });

  it("streams a hisRead longer than a storage page, every row once and in order", async () => {
    const p = newProject();
    await building(p);
    const start = Date.UTC(2024, 0, 1);
    await hisWriteAll(
      p,
      "p1",
      hisLines(start, 30_000, 60_000, (i) => `${i}°F`),
    );
    const text = await (await post(p, "hisRead", `ver:"3.0"\nid,range\n@p1,"2023-12-31,2024-02-01"\n`)).text();
    const rows = text.trimEnd().split("\n").slice(2);
    // 30,000 samples: more than one 25,000-row page of either backend.
    expect(rows).toHaveLength(30_000);
    expect(rows[0]).toMatch(/,0°F$/);
    expect(rows[29_999]).toMatch(/,29999°F$/);
  });

  it(`a watch hears of a point write and a curVal through ${feed}`, async () => {
    const p = newProject();
    await seed(p, "id,point,writable,his,kind,tz", `@w,M,M,M,"Number","UTC"`);
    const sub = await ok(post(p, "watchSub", 'ver:"3.0" watchDis:"t" lease:1min\nid\n@w\n'));
    const watchId = sub.meta.get("watchId") as string;
    const poll = () => ok(post(p, "watchPoll", `ver:"3.0" watchId:"${watchId}"\nempty\n`));
    expect(idsOf(await poll())).toEqual([]);
    await ok(post(p, "pointWrite", 'ver:"3.0"\nid,level,val\n@w,10,42\n'));
    const after = await poll();
    expect(idsOf(after)).toEqual(["w"]);
    expect(after.rowDict(0).get("writeVal")).toBe(42);
    expect(idsOf(await poll())).toEqual([]);
    await hisWriteAll(
      p,
      "w",
      hisLines(Date.now() - 60_000, 1, 1, () => "7"),
    );
    expect(idsOf(await poll())).toEqual(["w"]);
  });

  it(`a live socket is pushed a point write and a curVal through ${feed}`, async () => {
    const p = newProject();
    await seed(p, "id,point,writable,his,kind,tz", `@w,M,M,M,"Number","UTC"`, `@quiet,M,M,M,"Number","UTC"`);
    const c = await openLive(p);
    c.send({ op: "sub", ids: ["w"] });
    expect((await c.nth("subbed", 0)).rows).toHaveLength(1);
    // The write lands in the backend, not in the project's object: the Worker's poke brings it.
    await ok(post(p, "pointWrite", 'ver:"3.0"\nid,level,val\n@w,10,42\n'));
    expect((dictsOf(await c.nth("changes", 0))[0] as HDict).get("writeVal")).toBe(42);
    await ok(post(p, "pointWrite", 'ver:"3.0"\nid,level,val\n@quiet,10,1\n'));
    await hisWriteAll(
      p,
      "w",
      hisLines(Date.now() - 60_000, 1, 1, () => "7"),
    );
    const second = await c.nth("changes", 1);
    expect(dictsOf(second).map((d) => [(d.get("id") as HRef).id, d.get("curVal")])).toEqual([["w", 7]]);
    c.close();
  });
}

/** How a fault case takes the backend away mid-request, and brings it back. */
export interface BackendFaults {
  readonly lose: () => Promise<void>;
  readonly restore: () => Promise<void>;
}

/** Fault cases every external backend runs over HTTP, with its own way of failing. */
export function storeFaultHttpCases(what: string, faults: BackendFaults): void {
  it(`${what} lost during a long hisRead fails the stream instead of ending the grid short`, async () => {
    const p = newProject();
    await building(p);
    // Three storage pages (25,000 samples each): the loss lands while the first is being sent.
    const rows = 60_000;
    const range = `ver:"3.0"\nid,range\n@p1,"2023-12-31,2024-02-01"\n`;
    await hisWriteAll(
      p,
      "p1",
      hisLines(Date.UTC(2024, 0, 1), rows, 1000, (i) => `${i}°F`),
    );
    // In this isolate (localFetch): through SELF, workerd reports the body failing as an uncaught exception.
    const res = await localFetch(`${BASE}/api/${p}/hisRead`, {
      method: "POST",
      headers: { "content-type": "text/zinc" },
      body: range,
    });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let bytes = (await reader.read()).value?.byteLength ?? 0;
    let failed = false;
    try {
      await faults.lose();
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        bytes += r.value.byteLength;
      }
    } catch {
      failed = true;
    } finally {
      await faults.restore();
    }
    expect(failed, `the stream ended cleanly after ${bytes} bytes`).toBe(true);
    // Once the backend is back the same read is whole.
    const again = (await (await post(p, "hisRead", range)).text()).trimEnd().split("\n");
    expect(again).toHaveLength(rows + 2);
  });
}
