import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type HDict, type HGrid, HNumber, type HRef } from "../../src/haystack/kinds/index.ts";
import { get, newProject, ok, post, seed, zinc } from "../support/haystack-http.ts";

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

async function poll(project: string, watchId: string, refresh = false): Promise<HGrid> {
  return zinc(post(project, "watchPoll", `ver:"3.0" watchId:"${watchId}"${refresh ? " refresh" : ""}\nempty\n`));
}

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function stubOf(project: string) {
  return env.PROJECT.get(env.PROJECT.idFromName(project));
}

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
    expect((await poll(p, watchId)).meta.get("errCode")).toBe("not_found");
  });

  it("a lease is renewed by each poll and ended by the alarm once it runs out", async () => {
    const p = newProject();
    await points(p);
    const g = await sub(p, ["a"], `watchDis:"short" lease:1s`);
    const id = String(g.meta.get("watchId"));
    expect(g.meta.get("lease")).toEqual(new HNumber(1, "s"));
    await sleep(600);
    expect(polledIds(await poll(p, id))).toEqual([]);
    await sleep(600);
    // 1.2 s after the start, but 0.6 s after the renewing poll: still alive.
    expect(polledIds(await poll(p, id))).toEqual([]);
    expect(await watchRows(p)).toBe(1);
    await sleep(1100);
    // The alarm may already have fired on its own; either way it, not a poll, removes the watch.
    await runDurableObjectAlarm(stubOf(p));
    expect(await watchRows(p)).toBe(0);
    expect((await poll(p, id)).meta.get("errCode")).toBe("not_found");
  });

  it("a level-8 duration ends by alarm: writeVal falls back and watches hear of it", async () => {
    const p = newProject();
    await points(p);
    await ok(post(p, "pointWrite", `ver:"3.0"\nid,level,val,who\n@a,16,1kW,"bms"\n`));
    await ok(post(p, "pointWrite", `ver:"3.0"\nid,level,val,who,duration\n@a,8,7kW,"op",1s\n`));
    const watchId = String((await sub(p, ["a"], `watchDis:"x" lease:1h`)).meta.get("watchId"));
    expect((await ok(get(p, "read", "id=@a"))).rowDict(0).get("writeLevel")).toBe(8);
    await sleep(1100);
    await runDurableObjectAlarm(stubOf(p));
    const rec = (await ok(get(p, "read", "id=@a"))).rowDict(0);
    expect([rec.get("writeVal"), rec.get("writeLevel")]).toEqual([new HNumber(1, "kW"), 16]);
    expect(polledIds(await poll(p, watchId))).toEqual(["a"]);
    const arr = await ok(post(p, "pointWrite", `ver:"3.0"\nid\n@a\n`));
    expect(arr.rowDict(7).has("val")).toBe(false);
  });
});
