/**
 * A level-8 expiry that falls due while Postgres is down is not lost: the alarm's job stays,
 * is retried with backoff, and ends the override once the database is back.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { ClockedWorker } from "../support/clocked.ts";
import { newProject, ok, stubOf } from "../support/haystack-http.ts";

const control = (action: "cut" | "down" | "up") => fetch(`${inject("pg").control}/${action}`, { method: "POST" });

afterEach(async () => {
  await control("up");
});

function jobRows(project: string) {
  return runInDurableObject(stubOf(project), (_o, state) =>
    state.storage.sql
      .exec<{ kind: string; due: number; attempts: number }>("SELECT kind, due, attempts FROM jobs")
      .toArray(),
  );
}

describe("level-8 expiry during a Postgres outage", () => {
  it("keeps the job through the outage, retries with backoff, and expires the override once the database is back", async () => {
    const w = new ClockedWorker();
    const p = newProject();
    const level = async () => (await ok(w.get(p, "read", "id=@w"))).rowDict(0).get("writeLevel");
    await ok(w.post(p, "commit", `ver:"3.0" commit:"add"\nid,point,writable,kind\n@w,M,M,"Number"\n`));
    await ok(w.post(p, "pointWrite", `ver:"3.0"\nid,level,val,who\n@w,16,1,"bms"\n`));
    await ok(w.post(p, "pointWrite", `ver:"3.0"\nid,level,val,who,duration\n@w,8,5,"op",1min\n`));
    const due = w.clock.now() + 60_000;
    expect(await jobRows(p)).toEqual([{ kind: "points", due, attempts: 0 }]);

    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    await control("down");
    await control("cut");
    w.advance(60_000);
    await runDurableObjectAlarm(stubOf(p));
    expect(await jobRows(p)).toEqual([{ kind: "points", due: due + 1000, attempts: 1 }]);
    w.advance(1000);
    await runDurableObjectAlarm(stubOf(p));
    expect(await jobRows(p)).toEqual([{ kind: "points", due: due + 3000, attempts: 2 }]);
    expect(logged.mock.calls.map((c) => String(c[0])).join("\n")).toMatch(/job points failed \(attempt 2\), retrying/);
    logged.mockRestore();

    await control("up");
    expect(await level()).toBe(8);
    w.advance(2000);
    await runDurableObjectAlarm(stubOf(p));
    expect(await jobRows(p)).toEqual([]);
    expect(await level()).toBe(16);
  });
});
