/**
 * The cron: the catalog lists every project the Worker has served, and a scheduled run reaches
 * every project with due work (level-8 overrides to end) and runs it, without alarms firing.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { HNumber } from "../../src/haystack/kinds/index.ts";
import { ClockedWorker } from "../support/clocked.ts";
import { newProject, ok } from "../support/haystack-http.ts";

const catalog = () => env.CATALOG.getByName("catalog");

async function writablePoint(w: ClockedWorker, p: string): Promise<void> {
  await ok(w.post(p, "commit", `ver:"3.0" commit:"add"\nid,dis,point,writable,kind,unit\n@w,"W",M,M,"Number","kW"\n`));
}

async function levelOf(w: ClockedWorker, p: string): Promise<number | undefined> {
  const v = (await ok(w.get(p, "read", "id=@w"))).rowDict(0).get("writeLevel");
  return v === undefined ? undefined : Number(v);
}

describe("scheduled", () => {
  it("the catalog lists every project the Worker has served", async () => {
    const w = new ClockedWorker();
    const names = [newProject(), newProject(), newProject()];
    for (const p of names) await ok(w.get(p, "about"));
    await w.settle();
    const listed = (await catalog().list("project", "", 1000)).map((e) => e.name);
    for (const p of names) expect(listed).toContain(p);
  });

  it("a scheduled run reaches every project with due work, and only those", async () => {
    const w = new ClockedWorker();
    const due = [newProject(), newProject(), newProject()];
    const idle = newProject();
    for (const p of [...due, idle]) {
      await writablePoint(w, p);
      await ok(w.post(p, "pointWrite", `ver:"3.0"\nid,level,val,who\n@w,16,1kW,"bms"\n`));
    }
    for (const p of due)
      await ok(w.post(p, "pointWrite", `ver:"3.0"\nid,level,val,who,duration\n@w,8,5kW,"op",1min\n`));
    // The idle project's override ends long after this run.
    await ok(w.post(idle, "pointWrite", `ver:"3.0"\nid,level,val,who,duration\n@w,8,5kW,"op",1h\n`));
    await w.settle();
    const start = w.clock.now();
    expect((await catalog().dueBy(start + 60_000, 1000)).map((e) => e.name).sort()).toEqual(
      expect.arrayContaining([...due].sort()),
    );

    w.advance(60_000);
    // No alarm fires here (they are armed a day ahead of real time): only the cron can end them.
    await w.cron();
    for (const p of due) expect([p, await levelOf(w, p)]).toEqual([p, 16]);
    expect(await levelOf(w, idle)).toBe(8);
    const stillDue = (await catalog().dueBy(w.clock.now(), 1000)).map((e) => e.name);
    for (const p of [...due, idle]) expect(stillDue).not.toContain(p);
    const idleEntry = (await catalog().list("project", "", 1000)).find((e) => e.name === idle);
    expect(idleEntry?.due).toBe(start + 3_600_000);
    const rec = (await ok(w.get(due[0] as string, "read", "id=@w"))).rowDict(0);
    expect(rec.get("writeVal")).toEqual(new HNumber(1, "kW"));
  });

  it("a tick with nothing due runs nothing and does not throw", async () => {
    const w = new ClockedWorker(Date.UTC(2001, 0, 1));
    await expect(w.cron()).resolves.toBeUndefined();
  });
});
