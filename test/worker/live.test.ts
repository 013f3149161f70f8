/**
 * Live watch push end to end: the upgrade through the Worker (auth by subprotocol or first
 * message), the project's object holding hibernatable sockets, pushes after commits, history
 * writes and point writes, coalescing under backpressure, and 100 sockets on one project.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.ts";
import { USE_CLOCK } from "../../src/durable/shell.ts";
import type { HDict, HNumber, HRef } from "../../src/haystack/kinds/index.ts";
import { AUTH_DEADLINE_MS, CLOSE, MAX_IDS_PER_SOCKET, SUBPROTOCOL, WINDOW } from "../../src/watch/live-protocol.ts";
import { mintToken } from "../support/auth.ts";
import { newProject, ok, post, seed, stubOf } from "../support/haystack-http.ts";
import { dictsOf, type LiveClient, liveRequest, openLive } from "../support/live.ts";

async function points(project: string, n = 3): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `p${String(i).padStart(3, "0")}`);
  await seed(
    project,
    "id,dis,point,his,writable,kind,unit,tz,curVal",
    ...ids.map((id) => `@${id},"${id}",M,M,M,"Number","kW","UTC",0kW`),
  );
  return ids;
}

/** Sets curVal of `id` through commit (the record's current state must go with it). */
async function setCurVal(project: string, id: string, v: number): Promise<void> {
  const read = await ok(post(project, "read", `ver:"3.0"\nid\n@${id}\n`));
  const mod = String(read.rowDict(0).get("mod"));
  await ok(post(project, "commit", `ver:"3.0" commit:"update"\nid,mod,curVal\n@${id},${mod},${v}kW\n`));
}

function curVals(msgRows: HDict[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of msgRows) out[(d.get("id") as HRef).id] = (d.get("curVal") as HNumber).val;
  return out;
}

async function sub(c: LiveClient, ids: string[]): Promise<void> {
  const before = c.of("subbed").length;
  c.send({ op: "sub", ids });
  await c.nth("subbed", before);
}

describe("live watch: connecting", () => {
  it("takes the token as a subprotocol, answers with ours, and reports ready", async () => {
    const p = newProject();
    await points(p);
    const c = await openLive(p);
    expect(c.protocol).toBe(SUBPROTOCOL);
    const ready = await c.nth("ready", 0);
    expect(ready).toMatchObject({ user: "admin", role: "admin", window: WINDOW });
    c.close();
  });

  it("takes the token as the first message instead", async () => {
    const p = newProject();
    await points(p);
    const c = await openLive(p, { via: "message" });
    await c.nth("ready", 0);
    await sub(c, ["p000"]);
    expect(dictsOf(c.of("subbed")[0] as never).length).toBe(1);
    c.close();
  });

  it("lets a viewer watch, and closes on a forged token (4401) or another project's (4403)", async () => {
    const p = newProject();
    await points(p);
    const viewer = await openLive(p, { token: await mintToken(p, "viewer", "ann") });
    expect(await viewer.nth("ready", 0)).toMatchObject({ user: "ann", role: "viewer" });
    viewer.close();

    const forged = await openLive(p, { via: "message", token: "eyJhIjoxfQ.bm90LWEtc2ln" });
    expect((await forged.closedWith()).code).toBe(CLOSE.unauthorized);

    // A token for another project is refused as it is over HTTP: forbidden, not to be retried.
    const other = await openLive(p, { via: "message", token: await mintToken(newProject()) });
    expect((await other.closedWith()).code).toBe(CLOSE.forbidden);
  });

  it("refuses a bad subprotocol token before upgrading, and anything but auth as a first message", async () => {
    const p = newProject();
    const r = await liveRequest(p, [SUBPROTOCOL, "bearer.not-a-token"]);
    expect(r.status).toBe(401);
    expect(r.webSocket).toBeFalsy();

    const c = await openLive(p, { via: "none" });
    c.send({ op: "sub", ids: ["p000"] });
    expect((await c.closedWith()).code).toBe(CLOSE.unauthorized);
  });

  it("answers a plain GET 426, an upgrade without our subprotocol 400, and no credential at all 401", async () => {
    const p = newProject();
    const token = await mintToken(p);
    const plain = await post(p, "watch/live", "");
    expect([401, 404, 405, 426]).toContain(plain.status);
    const get = await liveRequest(p, [], { authorization: `Bearer ${token}`, upgrade: "" });
    expect(get.status).toBe(426);
    const noProto = await liveRequest(p, [`bearer.${token}`]);
    expect(noProto.status).toBe(400);
    const none = await liveRequest(p, []);
    expect(none.status).toBe(401);
  });

  it("closes a socket that sends no credentials in time (the object's alarm)", async () => {
    const p = newProject();
    const c = await openLive(p, { via: "none" });
    // Let the object record the socket, then move its clock past the deadline and run its alarm.
    await c.until(() => true, "nothing");
    const stub = stubOf(p);
    await runInDurableObject(stub, (obj) => {
      (obj as unknown as { [USE_CLOCK](c: ManualClock): void })[USE_CLOCK](
        new ManualClock(Date.now() + AUTH_DEADLINE_MS + 1_000),
      );
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await c.closedWith()).code).toBe(CLOSE.unauthorized);
  });

  it("closes the socket when its token expires", async () => {
    const p = newProject();
    await points(p);
    // Issued so that it ends a second from now (tokens live an hour in these tests).
    const token = await mintToken(p, "admin", "admin", Date.now() - 3_600_000 + 1_000);
    const c = await openLive(p, { token });
    await c.nth("ready", 0);
    await new Promise((r) => setTimeout(r, 1_200));
    c.send({ op: "sub", ids: ["p000"] });
    expect((await c.closedWith()).code).toBe(CLOSE.unauthorized);
  });
});

describe("live watch: pushes", () => {
  it("answers a sub with current records and missing ids, then pushes each change as it commits", async () => {
    const p = newProject();
    await points(p);
    const c = await openLive(p);
    c.send({ op: "sub", ids: ["@p000", "p001", "nope"] });
    const subbed = await c.nth("subbed", 0);
    expect(Object.keys(curVals(dictsOf(subbed))).sort()).toEqual(["p000", "p001"]);
    expect(subbed.missing).toEqual(["nope"]);

    await setCurVal(p, "p001", 7);
    const first = await c.nth("changes", 0);
    expect(first.seq).toBe(1);
    expect(curVals(dictsOf(first))).toEqual({ p001: 7 });

    // A record nobody watches changes: nothing is sent.
    await setCurVal(p, "p002", 9);
    await setCurVal(p, "p000", 3);
    const second = await c.nth("changes", 1);
    expect(curVals(dictsOf(second))).toEqual({ p000: 3 });
    expect(c.of("changes")).toHaveLength(2);
    c.close();
  });

  it("pushes writeVal after pointWrite and curVal after hisWrite", async () => {
    const p = newProject();
    await points(p);
    const c = await openLive(p);
    await sub(c, ["p000"]);
    await ok(post(p, "pointWrite", `ver:"3.0"\nid,level,val,who\n@p000,8,42kW,"op"\n`));
    const w = dictsOf(await c.nth("changes", 0))[0] as HDict;
    expect((w.get("writeVal") as HNumber).val).toBe(42);

    const ts = new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, "Z");
    await ok(post(p, "hisWrite", `ver:"3.0" id:@p000\nts,val\n${ts} UTC,55kW\n`));
    await c.until(
      (x) => x.of("changes").some((m) => dictsOf(m).some((d) => (d.get("curVal") as HNumber)?.val === 55)),
      "curVal 55",
    );
    c.close();
  });

  it("reports a removed record, and stops pushing ids after unsub", async () => {
    const p = newProject();
    await points(p);
    const c = await openLive(p);
    await sub(c, ["p000", "p001"]);
    c.send({ op: "unsub", ids: ["p001"] });
    const read = await ok(post(p, "read", `ver:"3.0"\nid\n@p000\n`));
    const mod = String(read.rowDict(0).get("mod"));
    await ok(post(p, "commit", `ver:"3.0" commit:"remove"\nid,mod\n@p000,${mod}\n`));
    const m = await c.nth("changes", 0);
    expect(m.removed).toEqual(["p000"]);
    await setCurVal(p, "p001", 5);
    // Another watched change proves the socket is live and the unsubscribed one was not sent.
    c.send({ op: "sub", ids: ["p002"] });
    await c.nth("subbed", 1);
    await setCurVal(p, "p002", 6);
    const next = await c.nth("changes", 1);
    expect(curVals(dictsOf(next))).toEqual({ p002: 6 });
    c.close();
  });

  it("answers bad messages with an error and stays open; refuses more ids than a socket may watch", async () => {
    const p = newProject();
    await points(p);
    const c = await openLive(p);
    await c.nth("ready", 0);
    c.send("not json");
    expect(await c.nth("error", 0)).toMatchObject({ code: "bad_message" });
    c.send({ op: "sub", ids: "p000" });
    expect(await c.nth("error", 1)).toMatchObject({ code: "bad_message" });
    const many = Array.from({ length: 1_000 }, (_, i) => `x${i}`);
    for (let i = 0; i < MAX_IDS_PER_SOCKET / 1_000; i++)
      await sub(
        c,
        many.map((id) => `${id}-${i}`),
      );
    c.send({ op: "sub", ids: ["one-more"] });
    expect(await c.nth("error", 2)).toMatchObject({ code: "too_many_ids" });
    c.send({ op: "ping" });
    await c.nth("pong", 0);
    expect(c.closed).toBeUndefined();
    c.close();
  });
});

describe("live watch: backpressure", () => {
  it("sends at most a window of unacknowledged changes, then the latest state once acknowledged", async () => {
    const p = newProject();
    await points(p, 2);
    const c = await openLive(p, { autoAck: false });
    await sub(c, ["p000", "p001"]);
    for (let v = 1; v <= WINDOW; v++) {
      await setCurVal(p, "p000", v);
      await c.nth("changes", v - 1);
    }
    // The window is full: these wait, coalesced.
    for (let v = WINDOW + 1; v <= WINDOW + 20; v++) await setCurVal(p, "p000", v);
    await setCurVal(p, "p001", 99);
    // A watched change on a fresh socket shows the object has done its pushes meanwhile.
    const probe = await openLive(p);
    await sub(probe, ["p001"]);
    await setCurVal(p, "p001", 100);
    await probe.nth("changes", 0);
    expect(c.of("changes")).toHaveLength(WINDOW);

    c.send({ op: "ack", seq: WINDOW });
    const caught = await c.nth("changes", WINDOW);
    expect(caught.seq).toBe(WINDOW + 1);
    expect(curVals(dictsOf(caught))).toEqual({ p000: WINDOW + 20, p001: 100 });
    c.close();
    probe.close();
  });
});

describe("live watch: 100 sockets", () => {
  it("each receives exactly the changes of the records it watches, in order", async () => {
    const p = newProject();
    const ids = await points(p, 50);
    // Socket i watches records i % 50 and (i * 7) % 50.
    const watched = Array.from({ length: 100 }, (_, i) => [...new Set([ids[i % 50], ids[(i * 7) % 50]])] as string[]);
    const sockets = await Promise.all(watched.map(() => openLive(p)));
    await Promise.all(sockets.map((c, i) => sub(c, watched[i] as string[])));
    const rounds = 5;
    for (let r = 1; r <= rounds; r++) {
      // Each round changes ten records, one commit each, then waits for every socket watching them.
      const changed = ids.filter((_, k) => (k + r) % 5 === 0);
      for (const id of changed) await setCurVal(p, id, r);
      await Promise.all(
        sockets.map((c, i) =>
          c.until(
            (x) => {
              const seen = x.of("changes").flatMap((m) => Object.entries(curVals(dictsOf(m))));
              return (watched[i] as string[])
                .filter((id) => changed.includes(id))
                .every((id) => seen.some(([k, v]) => k === id && v === r));
            },
            `socket ${i} round ${r}`,
            10_000,
          ),
        ),
      );
    }
    for (const [i, c] of sockets.entries()) {
      const mine = watched[i] as string[];
      const updates = c.of("changes").flatMap((m) => Object.entries(curVals(dictsOf(m))));
      // Only its own records, each value once and in order.
      expect(updates.every(([id]) => mine.includes(id))).toBe(true);
      for (const id of mine) {
        const expected = Array.from({ length: rounds }, (_, k) => k + 1).filter((r) => (ids.indexOf(id) + r) % 5 === 0);
        expect(updates.filter(([k]) => k === id).map(([, v]) => v)).toEqual(expected);
      }
      expect(c.of("changes").map((m) => m.seq)).toEqual(c.of("changes").map((_, k) => k + 1));
      c.close();
    }
  }, 60_000);
});
