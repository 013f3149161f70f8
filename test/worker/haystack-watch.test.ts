/**
 * Watches end to end: leases (default, cap, renewal, expiry by the Durable Object alarm), change
 * tracking per watch, unsubscribe and close, and level-8 overrides that end by alarm.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { watchClient } from "../../src/durable/project-client.ts";
import { type HDict, type HGrid, HNumber, type HRef } from "../../src/haystack/kinds/index.ts";
import { remoteStore } from "../../src/storage/do/client.ts";
import { ClockedWorker } from "../support/clocked.ts";
import { errorGrid, get, newProject, ok, post, seed, stubOf, zinc } from "../support/haystack-http.ts";

async function points(project: string): Promise<void> {
  await seed(
    project,
    "id,dis,point,his,writable,kind,unit,tz",
    `@a,"A",M,M,M,"Number","kW","UTC"`,
    `@b,"B",M,M,M,"Number","kW","UTC"`,
    `@c,"C",M,M,M,"Number","kW","UTC"`,
  );
}

async function sub(project: string, ids: string[], meta = `watchDis:"test"`): Promise<HGrid> {
  return ok(post(project, "watchSub", `ver:"3.0" ${meta}\nid\n${ids.map((i) => `@${i}`).join("\n")}\n`));
}

function pollReq(project: string, watchId: string, refresh = false): Promise<Response> {
  return post(project, "watchPoll", `ver:"3.0" watchId:"${watchId}"${refresh ? " refresh" : ""}\nempty\n`);
}

async function poll(project: string, watchId: string, refresh = false): Promise<HGrid> {
  return zinc(pollReq(project, watchId, refresh));
}

/** The ids a poll reported, sorted; fails on an error grid. */
function polledIds(g: HGrid): string[] {
  expect(g.meta.has("err")).toBe(false);
  return g
    .dicts()
    .map((d: HDict) => (d.get("id") as HRef).id)
    .sort();
}

async function modOf(project: string, id: string): Promise<string> {
  return String((await ok(get(project, "read", `id=@${id}`))).rowDict(0).get("mod"));
}

/** Watches stored in the project object, read straight from its SQLite. */
async function watchRows(project: string): Promise<number> {
  return runInDurableObject(stubOf(project), (_obj, state) => {
    const row = state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM watches").one();
    return row.n;
  });
}

const write8 = (id: string, val: string) => `ver:"3.0"\nid,level,val,who\n@${id},8,${val},"op"\n`;

describe("watches", () => {
  it("watchSub answers the records in request order with a 1 min default lease, capped at 1 h", async () => {
    const p = newProject();
    await points(p);
    const g = await sub(p, ["b", "ghost", "a"]);
    expect(g.meta.get("lease")).toEqual(new HNumber(1, "min"));
    expect(String(g.meta.get("watchId"))).toMatch(/^w-/);
    expect(g.rows.map((r) => (r[0] as HRef | null)?.id ?? null)).toEqual(["b", null, "a"]);
    const capped = await sub(p, ["a"], `watchDis:"long" lease:5h`);
    expect(capped.meta.get("lease")).toEqual(new HNumber(1, "h"));
  });

  it("each poll reports exactly the watched records changed since the previous one", async () => {
    const p = newProject();
    await points(p);
    const watchId = String((await sub(p, ["a", "b"])).meta.get("watchId"));
    expect(polledIds(await poll(p, watchId))).toEqual([]);

    await ok(post(p, "commit", `ver:"3.0" commit:"update"\nid,mod,dis\n@a,${await modOf(p, "a")},"A2"\n`));
    await ok(post(p, "commit", `ver:"3.0" commit:"update"\nid,mod,dis\n@c,${await modOf(p, "c")},"C2"\n`));
    const first = await poll(p, watchId);
    expect(polledIds(first)).toEqual(["a"]);
    expect(first.rowDict(0).get("dis")).toBe("A2");
    expect(polledIds(await poll(p, watchId))).toEqual([]);

    await ok(post(p, "pointWrite", `ver:"3.0"\nid,level,val,who\n@b,8,3kW,"op"\n`));
    const second = await poll(p, watchId);
    expect(polledIds(second)).toEqual(["b"]);
    expect(second.rowDict(0).get("writeVal")).toEqual(new HNumber(3, "kW"));

    await ok(post(p, "hisWrite", `ver:"3.0" id:@a\nts,val\n2024-01-01T00:00:00Z UTC,9kW\n`));
    const third = await poll(p, watchId);
    expect(polledIds(third)).toEqual(["a"]);
    expect(third.rowDict(0).get("curVal")).toEqual(new HNumber(9, "kW"));

    // A backfill older than curVal changes no record, so there is nothing to report.
    await ok(post(p, "hisWrite", `ver:"3.0" id:@a\nts,val\n2023-01-01T00:00:00Z UTC,1kW\n`));
    expect(polledIds(await poll(p, watchId))).toEqual([]);

    expect(polledIds(await poll(p, watchId, true))).toEqual(["a", "b"]);
  });

  it("a removed record is reported as removed, and a refresh leaves it out", async () => {
    const p = newProject();
    await points(p);
    const watchId = String((await sub(p, ["a", "b"])).meta.get("watchId"));
    await ok(post(p, "commit", `ver:"3.0" commit:"remove"\nid,mod\n@a,${await modOf(p, "a")}\n`));
    const g = await poll(p, watchId);
    expect(polledIds(g)).toEqual(["a"]);
    expect(g.rowDict(0).has("removed")).toBe(true);
    expect(polledIds(await poll(p, watchId, true))).toEqual(["b"]);
  });

  it("overlapping watches each see each change exactly once", async () => {
    const p = newProject();
    await points(p);
    const w1 = String((await sub(p, ["a", "b"])).meta.get("watchId"));
    const w2 = String((await sub(p, ["b", "c"])).meta.get("watchId"));
    await ok(post(p, "pointWrite", `ver:"3.0"\nid,level,val,who\n@b,8,1kW,"op"\n`));
    await ok(post(p, "pointWrite", `ver:"3.0"\nid,level,val,who\n@c,8,1kW,"op"\n`));
    expect(polledIds(await poll(p, w1))).toEqual(["b"]);
    await ok(post(p, "pointWrite", `ver:"3.0"\nid,level,val,who\n@a,8,1kW,"op"\n`));
    expect(polledIds(await poll(p, w2))).toEqual(["b", "c"]);
    expect(polledIds(await poll(p, w1))).toEqual(["a"]);
    expect(polledIds(await poll(p, w2))).toEqual([]);
  });

  it("adding to a watch, removing ids, and closing it", async () => {
    const p = newProject();
    await points(p);
    const watchId = String((await sub(p, ["a"])).meta.get("watchId"));
    await sub(p, ["c"], `watchId:"${watchId}"`);
    expect(polledIds(await poll(p, watchId, true))).toEqual(["a", "c"]);
    await ok(post(p, "watchUnsub", `ver:"3.0" watchId:"${watchId}"\nid\n@a\n`));
    expect(polledIds(await poll(p, watchId, true))).toEqual(["c"]);
    await ok(post(p, "watchUnsub", `ver:"3.0" watchId:"${watchId}" close\nid\n`));
    expect((await errorGrid(pollReq(p, watchId))).get("errCode")).toBe("not_found");
  });

  it("a lease is renewed by each poll and ended by the alarm once it runs out; a longer lease lives on", async () => {
    const w = new ClockedWorker();
    const p = newProject();
    await points(p);
    const g = await ok(w.post(p, "watchSub", `ver:"3.0" watchDis:"short" lease:1s\nid\n@a\n`));
    const id = String(g.meta.get("watchId"));
    expect(g.meta.get("lease")).toEqual(new HNumber(1, "s"));
    const long = String(
      (await ok(w.post(p, "watchSub", `ver:"3.0" watchDis:"long" lease:1h\nid\n@a\n`))).meta.get("watchId"),
    );
    const clockedPoll = (watchId: string) => zinc(w.post(p, "watchPoll", `ver:"3.0" watchId:"${watchId}"\nempty\n`));
    w.advance(600);
    expect(polledIds(await clockedPoll(id))).toEqual([]);
    w.advance(600);
    // 1.2 s after the start, but 0.6 s after the renewing poll: still alive, even when the alarm runs.
    await runDurableObjectAlarm(stubOf(p));
    expect(await watchRows(p)).toBe(2);
    expect(polledIds(await clockedPoll(id))).toEqual([]);
    w.advance(1000);
    // The lease ran out exactly now: the alarm, not a poll, removes the watch.
    expect(await runDurableObjectAlarm(stubOf(p))).toBe(true);
    expect(await watchRows(p)).toBe(1);
    expect((await errorGrid(w.post(p, "watchPoll", `ver:"3.0" watchId:"${id}"\nempty\n`))).get("errCode")).toBe(
      "not_found",
    );
    await ok(w.post(p, "pointWrite", write8("a", "3kW")));
    expect(polledIds(await clockedPoll(long))).toEqual(["a"]);
  });

  it("a level-8 duration ends by alarm: writeVal falls back and watches hear of it", async () => {
    const w = new ClockedWorker();
    const p = newProject();
    await points(p);
    await ok(w.post(p, "pointWrite", `ver:"3.0"\nid,level,val,who\n@a,16,1kW,"bms"\n`));
    await ok(w.post(p, "pointWrite", `ver:"3.0"\nid,level,val,who,duration\n@a,8,7kW,"op",1s\n`));
    const watchId = String(
      (await ok(w.post(p, "watchSub", `ver:"3.0" watchDis:"x" lease:1h\nid\n@a\n`))).meta.get("watchId"),
    );
    expect((await ok(w.get(p, "read", "id=@a"))).rowDict(0).get("writeLevel")).toBe(8);
    w.advance(999);
    await runDurableObjectAlarm(stubOf(p));
    expect((await ok(w.get(p, "read", "id=@a"))).rowDict(0).get("writeLevel")).toBe(8);
    w.advance(1);
    await runDurableObjectAlarm(stubOf(p));
    const rec = (await ok(w.get(p, "read", "id=@a"))).rowDict(0);
    expect([rec.get("writeVal"), rec.get("writeLevel")]).toEqual([new HNumber(1, "kW"), 16]);
    expect(polledIds(await zinc(w.post(p, "watchPoll", `ver:"3.0" watchId:"${watchId}"\nempty\n`)))).toEqual(["a"]);
    const arr = await ok(w.post(p, "pointWrite", `ver:"3.0"\nid\n@a\n`));
    expect(arr.rowDict(7).has("val")).toBe(false);
  });
});

describe("watches: more lease and change-tracking rules", () => {
  it("a lease below 1 s is raised to 1 s; a bad lease unit is refused; polls answer the watchId", async () => {
    const p = newProject();
    await points(p);
    const short = await sub(p, ["a"], `watchDis:"short" lease:200ms`);
    expect(short.meta.get("lease")).toEqual(new HNumber(1, "s"));
    const exact = await sub(p, ["a"], `watchDis:"exact" lease:1h`);
    expect(exact.meta.get("lease")).toEqual(new HNumber(1, "h"));
    expect((await errorGrid(post(p, "watchSub", `ver:"3.0" watchDis:"x" lease:5kW\nid\n@a\n`))).get("dis")).toMatch(
      /lease/,
    );
    // A unitless lease is refused, as haxall's Number.toDuration refuses it.
    expect((await errorGrid(post(p, "watchSub", `ver:"3.0" watchDis:"x" lease:30\nid\n@a\n`))).get("dis")).toMatch(
      /lease must be a Number with a duration unit/,
    );
    const id = String(exact.meta.get("watchId"));
    expect(String((await poll(p, id)).meta.get("watchId"))).toBe(id);
    expect(String((await poll(p, id, true)).meta.get("watchId"))).toBe(id);
  });

  it("watchSub with a watchId adds ids to that watch, keeps its cursor and renews its lease", async () => {
    const w = new ClockedWorker();
    const p = newProject();
    await points(p);
    const g = await ok(w.post(p, "watchSub", `ver:"3.0" watchDis:"w" lease:1s\nid\n@a\n`));
    const id = String(g.meta.get("watchId"));
    await ok(w.post(p, "pointWrite", write8("a", "1kW")));
    w.advance(700);
    const added = await ok(w.post(p, "watchSub", `ver:"3.0" watchId:"${id}"\nid\n@b\n`));
    expect(String(added.meta.get("watchId"))).toBe(id);
    expect(added.meta.get("lease")).toEqual(new HNumber(1, "s"));
    expect(added.rows.map((r) => (r[0] as HRef).id)).toEqual(["b"]);
    w.advance(700);
    // 1.4 s after the watch opened, 0.7 s after the renewing watchSub; the change to @a is still pending.
    expect(polledIds(await zinc(w.post(p, "watchPoll", `ver:"3.0" watchId:"${id}"\nempty\n`)))).toEqual(["a"]);
    expect((await errorGrid(w.post(p, "watchSub", `ver:"3.0" watchId:"w-nope"\nid\n@a\n`))).get("errCode")).toBe(
      "not_found",
    );
  });

  it("a record unsubscribed from a watch is no longer reported; other watches still see it", async () => {
    const p = newProject();
    await points(p);
    const w1 = String((await sub(p, ["a", "b"])).meta.get("watchId"));
    const w2 = String((await sub(p, ["a"])).meta.get("watchId"));
    await ok(post(p, "watchUnsub", `ver:"3.0" watchId:"${w1}"\nid\n@a\n`));
    await ok(post(p, "pointWrite", write8("a", "2kW")));
    await ok(post(p, "pointWrite", write8("b", "2kW")));
    expect(polledIds(await poll(p, w1))).toEqual(["b"]);
    expect(polledIds(await poll(p, w2))).toEqual(["a"]);
    // Unsubscribing from an unknown watch is ignored, as haxall does.
    await ok(post(p, "watchUnsub", `ver:"3.0" watchId:"w-nope"\nid\n@a\n`));
  });

  it("a watched id with no record yet is reported once a commit adds it, and again when it is removed", async () => {
    const p = newProject();
    await points(p);
    const sub1 = await sub(p, ["later", "a"]);
    const id = String(sub1.meta.get("watchId"));
    expect(sub1.rows.map((r) => (r[0] as HRef | null)?.id ?? null)).toEqual([null, "a"]);
    expect(polledIds(await poll(p, id, true))).toEqual(["a"]);
    await seed(p, "id,dis,point", `@later,"Later",M`);
    const added = await poll(p, id);
    expect(polledIds(added)).toEqual(["later"]);
    expect(added.rowDict(0).get("dis")).toBe("Later");
    await ok(post(p, "commit", `ver:"3.0" commit:"remove"\nid,mod\n@later,${await modOf(p, "later")}\n`));
    const removed = await poll(p, id);
    expect(polledIds(removed)).toEqual(["later"]);
    expect(removed.rowDict(0).has("removed")).toBe(true);
  });

  it("four overlapping watches each see every kind of change to their own records exactly once", async () => {
    const p = newProject();
    await points(p);
    const sets = [["a"], ["a", "b"], ["b", "c"], ["a", "b", "c"]];
    const ids: string[] = [];
    for (const s of sets) ids.push(String((await sub(p, s)).meta.get("watchId")));
    await ok(post(p, "commit", `ver:"3.0" commit:"update"\nid,mod,dis\n@a,${await modOf(p, "a")},"A2"\n`));
    await ok(post(p, "pointWrite", write8("b", "4kW")));
    await ok(post(p, "hisWrite", `ver:"3.0" id:@c\nts,val\n2024-01-01T00:00:00Z UTC,7kW\n`));
    for (const [i, s] of sets.entries()) {
      const g = await poll(p, ids[i] as string);
      expect([i, polledIds(g)]).toEqual([i, s]);
      const byId = new Map(g.dicts().map((d) => [(d.get("id") as HRef).id, d]));
      if (byId.has("a")) expect(byId.get("a")?.get("dis")).toBe("A2");
      if (byId.has("b")) expect(byId.get("b")?.get("writeVal")).toEqual(new HNumber(4, "kW"));
      if (byId.has("c")) expect(byId.get("c")?.get("curVal")).toEqual(new HNumber(7, "kW"));
    }
    for (const [i, id] of ids.entries()) expect([i, polledIds(await poll(p, id))]).toEqual([i, []]);
  });

  it("overlapping timed overrides: the alarm ends the shorter one although the longer one was scheduled last", async () => {
    // Two pointWrite requests that overlap in time: the router's two steps (write the level, then
    // arm the alarm with the write's nextExpiry) interleave as A-write, B-write, B-arm, A-arm.
    const p = newProject();
    await points(p);
    const stub = stubOf(p);
    const w = new ClockedWorker();
    await w.adopt(p);
    const store = remoteStore(stub);
    const watches = watchClient(stub, p);
    const now = w.clock.now();
    const long = await store.points.write("a", {
      level: 8,
      val: new HNumber(1, "kW"),
      who: "A",
      durationMs: 3_600_000,
      nowMs: now,
    });
    const short = await store.points.write("b", {
      level: 8,
      val: new HNumber(2, "kW"),
      who: "B",
      durationMs: 1000,
      nowMs: now,
    });
    expect(short.nextExpiry).toBe(now + 1000);
    await watches.schedulePointExpiry(short.nextExpiry as number);
    await watches.schedulePointExpiry(long.nextExpiry as number);
    w.advance(1000);
    await runDurableObjectAlarm(stub);
    const b = (await ok(w.get(p, "read", "id=@b"))).rowDict(0);
    expect([b.get("writeLevel"), b.get("writeVal")]).toEqual([undefined, undefined]);
    const a = (await ok(w.get(p, "read", "id=@a"))).rowDict(0);
    expect([a.get("writeLevel"), a.get("writeVal")]).toEqual([8, new HNumber(1, "kW")]);
  });
});
