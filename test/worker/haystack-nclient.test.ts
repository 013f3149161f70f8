/**
 * A real Haystack client (haystack-nclient) against the Worker, and haystack-core decoding our
 * replies: the interop that matters to users of J2's libraries.
 */
import { runInDurableObject } from "cloudflare:test";
import * as hc from "haystack-core";
import { Client, HisRange, isGridError, type WatchChangedEvent, type WatchEvent } from "haystack-nclient";
import { describe, expect, it } from "vitest";
import { authedFetch } from "../support/auth.ts";
import { BASE, newProject, seed, stubOf } from "../support/haystack-http.ts";

function clientFor(project: string): Client {
  return new Client({
    base: new URL(BASE),
    project,
    fetch: (resource: RequestInfo, init?: RequestInit) => authedFetch(resource, init),
  });
}

async function building(project: string): Promise<void> {
  await seed(
    project,
    "id,dis,site,equip,siteRef,equipRef,tz,point,his,writable,kind,unit",
    `@s,"HQ",M,,,,"New_York",,,,,`,
    `@e,"AHU",,M,@s,,"New_York",,,,,`,
    `@t,"Temp",,,@s,@e,"New_York",M,M,,"Number","°F"`,
    `@sp,"Setpoint",,,@s,@e,"New_York",M,M,M,"Number","°F"`,
  );
}

/** hisWrite through the client of `[Zinc DateTime, °F value]` samples. */
async function writeF(c: Client, id: string, samples: readonly (readonly [string, number])[]): Promise<void> {
  await c.ops.hisWrite(
    id,
    samples.map(([ts, v]) => hc.HDict.make({ ts: hc.HDateTime.make(ts), val: hc.HNum.make(v, "°F") })),
  );
}

const refId = (v: hc.HVal | undefined | null): string | undefined => (v as hc.HRef | undefined)?.value;

describe("haystack-nclient against Hayloft", () => {
  it("about, ops and formats", async () => {
    const c = clientFor(newProject());
    const about = await c.ops.about();
    expect(about.first?.get<hc.HStr>("haystackVersion")?.value).toBe("4.0");
    const ops = await c.ops.ops();
    expect(ops.getRows().map((r) => r.get<hc.HStr>("name")?.value)).toContain("hisRead");
    expect((await c.ops.formats()).length).toBeGreaterThanOrEqual(4);
  });

  it("read by filter and by ids, and nav down the tree", async () => {
    const p = newProject();
    await building(p);
    const c = clientFor(p);
    const points = await c.ops.read("point and equipRef->siteRef->site");
    expect(
      points
        .getRows()
        .map((r) => refId(r.get("id")))
        .sort(),
    ).toEqual(["sp", "t"]);
    const byIds = await c.ops.read(["t", "s"]);
    expect(byIds.getRows().map((r) => refId(r.get("id")))).toEqual(["t", "s"]);
    const sites = await c.ops.nav();
    const navId = sites.first?.get("navId");
    expect(refId(navId)).toBe("s");
    const equips = await c.ops.nav(navId as hc.HRef);
    expect(refId(equips.first?.get("id"))).toBe("e");
  });

  it("hisWrite then hisRead with a date range in the point's zone", async () => {
    const p = newProject();
    await building(p);
    const c = clientFor(p);
    await writeF(c, "t", [
      ["2024-06-01T10:00:00-04:00 New_York", 70],
      ["2024-06-01T09:00:00-04:00 New_York", 68],
      ["2024-06-02T00:30:00-04:00 New_York", 60],
    ]);
    const his = await c.ops.hisRead("t", "2024-06-01");
    expect(his.getRows().map((r) => r.get<hc.HNum>("val")?.value)).toEqual([68, 70]);
    expect(his.meta.get<hc.HDateTime>("hisStart")?.toZinc()).toBe("2024-06-01T00:00:00-04:00 New_York");
    expect(his.first?.get<hc.HDateTime>("ts")?.timezone).toBe("New_York");
  });

  it("pointWrite and the priority array read form", async () => {
    const p = newProject();
    await building(p);
    const c = clientFor(p);
    await c.ops.pointWrite({
      id: "sp",
      level: 8,
      val: hc.HNum.make(72, "°F"),
      who: "nclient",
      duration: hc.HNum.make(1, "h"),
    });
    const arr = await c.ops.pointRead("sp");
    expect(arr.length).toBe(17);
    const l8 = arr.getRows()[7];
    expect(l8?.get<hc.HStr>("levelDis")?.value).toBe("8 (manual)");
    expect(l8?.get<hc.HNum>("val")?.value).toBe(72);
    expect(l8?.get<hc.HStr>("who")?.value).toBe("nclient");
    const rec = (await c.ops.read(["sp"])).first;
    expect(rec?.get<hc.HNum>("writeLevel")?.value).toBe(8);
  });

  it("a watch sees a point write on its next poll", async () => {
    const p = newProject();
    await building(p);
    const c = clientFor(p);
    // client.ops.watch speaks the standard watch ops (client.watch is SkySpark's REST service).
    const watch = await c.ops.watch.make("nclient test", ["sp", "t"]);
    try {
      expect(watch.grid.length).toBe(2);
      await c.ops.pointWrite({ id: "sp", level: 10, val: hc.HNum.make(65, "°F"), who: "nclient" });
      await c.ops.watch.poll();
      const sp = watch.grid.getRows().find((r) => refId(r.get("id")) === "sp");
      expect(sp?.get<hc.HNum>("writeVal")?.value).toBe(65);
    } finally {
      await watch.close();
    }
  });

  it("invokeAction runs a defined action and an undefined one fails", async () => {
    const p = newProject();
    await seed(
      p,
      "id,point,writable,kind,actions",
      `@w,M,M,"Number",<<ver:"3.0"\ndis,expr\n"Override","pointOverride($self, $val, $duration)"\n>>`,
    );
    const c = clientFor(p);
    await c.ops.invokeAction("w", "Override", hc.HDict.make({ val: hc.HNum.make(3), duration: hc.HNum.make(1, "h") }));
    expect((await c.ops.read(["w"])).first?.get<hc.HNum>("writeVal")?.value).toBe(3);
    await expect(c.ops.invokeAction("w", "Explode")).rejects.toThrow(/defines no action/);
  });

  it("haystack-core decodes our Zinc and JSON read and hisRead replies", async () => {
    const p = newProject();
    await building(p);
    await authedFetch(`${BASE}/api/${p}/hisWrite`, {
      method: "POST",
      headers: { "content-type": "text/zinc" },
      body: `ver:"3.0" id:@t\nts,val\n2024-01-01T00:00:00-05:00 New_York,1.5°F\n2024-01-01T00:15:00-05:00 New_York,2°F\n`,
    });
    for (const accept of ["text/zinc", "application/json"]) {
      const read = await authedFetch(`${BASE}/api/${p}/read?filter=point`, { headers: { accept } });
      const text = await read.text();
      const g = (accept === "text/zinc" ? hc.ZincReader.readValue(text) : hc.makeValue(JSON.parse(text))) as hc.HGrid;
      expect(
        g
          .getRows()
          .map((r) => refId(r.get("id")))
          .sort(),
      ).toEqual(["sp", "t"]);
      const his = await authedFetch(`${BASE}/api/${p}/hisRead?id=@t&range=2024-01-01`, { headers: { accept } });
      const ht = await his.text();
      const hg = (accept === "text/zinc" ? hc.ZincReader.readValue(ht) : hc.makeValue(JSON.parse(ht))) as hc.HGrid;
      expect(hg.getRows().map((r) => r.get<hc.HNum>("val")?.value)).toEqual([1.5, 2]);
    }
  });
});

/** The calendar date of `ms` in an IANA zone, by Intl (independent of our zone code). */
function localDate(ms: number, iana: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: iana, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    ms,
  );
}

const tsOf = (g: hc.HGrid): number[] => g.getRows().map((r) => r.get<hc.HDateTime>("ts")?.date.getTime() ?? Number.NaN);

/** Hourly samples of @t over the last 72 hours, written through the client; answers their instants. */
async function lastThreeDays(c: Client): Promise<number[]> {
  const h0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 71 * 3_600_000;
  const instants = Array.from({ length: 72 }, (_, i) => h0 + i * 3_600_000);
  await c.ops.hisWrite(
    "t",
    instants.map((ms, i) => hc.HDict.make({ ts: hc.HDateTime.make(new Date(ms)), val: hc.HNum.make(i, "°F") })),
  );
  return instants;
}

/** Watches and watched ids held by the project object, read from its SQLite. */
async function watchState(project: string): Promise<{ watches: number; ids: number }> {
  return runInDurableObject(stubOf(project), (_obj, state) => {
    const count = (table: string) =>
      state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n;
    return { watches: count("watches"), ids: count("watch_ids") };
  });
}

describe("haystack-nclient against Hayloft: more of the standard ops", () => {
  it("about names the server and ops marks the side-effect-free ops; formats lists what it reads and writes", async () => {
    const c = clientFor(newProject());
    const about = (await c.ops.about()).first;
    expect(about?.get<hc.HStr>("productName")?.value).toBe("Hayloft");
    expect(about?.get<hc.HStr>("serverName")?.value).toBe("hayloft.test");
    expect(about?.get("serverTime")).toBeInstanceOf(hc.HDateTime);
    const ops = (await c.ops.ops()).getRows();
    const read = ops.find((r) => r.get<hc.HStr>("name")?.value === "read");
    const hisWrite = ops.find((r) => r.get<hc.HStr>("name")?.value === "hisWrite");
    expect([read?.has("noSideEffects"), hisWrite?.has("noSideEffects")]).toEqual([true, false]);
    const mimes = (await c.ops.formats()).getRows().map((r) => r.get<hc.HStr>("mime")?.value);
    expect(mimes).toEqual(expect.arrayContaining(["text/zinc", "application/json", "text/csv", "text/trio"]));
  });

  it("read by filter with a limit, and by ids with an unknown one", async () => {
    const p = newProject();
    await building(p);
    const c = clientFor(p);
    const cut = await c.ops.read("point", 1);
    expect(cut.length).toBe(1);
    expect(cut.meta.has("incomplete")).toBe(true);
    const byIds = await c.ops.read(["sp", "ghost", "e"]);
    expect(byIds.length).toBe(3);
    expect(byIds.getRows().map((r) => refId(r.get("id")) ?? null)).toEqual(["sp", null, "e"]);
    expect(byIds.getRows()[0]?.get<hc.HRef>("equipRef")?.dis).toBe("AHU");
  });

  it("nav descends site -> equip -> point by each row's navId; points are leaves", async () => {
    const p = newProject();
    await building(p);
    const c = clientFor(p);
    const site = (await c.ops.nav()).first;
    const equip = (await c.ops.nav(site?.get<hc.HRef>("navId") as hc.HRef)).first;
    expect(refId(equip?.get("id"))).toBe("e");
    const points = await c.ops.nav(equip?.get<hc.HRef>("navId") as hc.HRef);
    expect(
      points
        .getRows()
        .map((r) => refId(r.get("id")))
        .sort(),
    ).toEqual(["sp", "t"]);
    expect(points.getRows().every((r) => r.get("navId") === undefined || r.get("navId") === null)).toBe(true);
  });

  it("hisRead yesterday and today are days in the point's zone (New_York), with hisStart and hisEnd", async () => {
    const p = newProject();
    await building(p);
    const c = clientFor(p);
    const written = await lastThreeDays(c);
    const now = Date.now();
    const today = localDate(now, "America/New_York");
    const yesterday = localDate(now - 86_400_000, "America/New_York");
    const y = await c.ops.hisRead("t", HisRange.Yesterday);
    const start = y.meta.get<hc.HDateTime>("hisStart");
    const end = y.meta.get<hc.HDateTime>("hisEnd");
    expect([start?.timezone, end?.timezone]).toEqual(["New_York", "New_York"]);
    expect(start?.toZinc()).toMatch(new RegExp(`^${yesterday}T00:00:00-0[45]:00 New_York$`));
    expect(end?.toZinc()).toMatch(new RegExp(`^${today}T00:00:00-0[45]:00 New_York$`));
    expect(refId(y.meta.get("id"))).toBe("t");
    const expected = written.filter((ms) => localDate(ms, "America/New_York") === yesterday);
    expect([23, 24, 25]).toContain(expected.length);
    expect(tsOf(y)).toEqual(expected);
    expect(y.getRows().every((r) => r.get<hc.HDateTime>("ts")?.timezone === "New_York")).toBe(true);
    const t = await c.ops.hisRead("t", HisRange.Today);
    expect(tsOf(t)).toEqual(written.filter((ms) => localDate(ms, "America/New_York") === today));
  });

  it("hisRead with a date pair, a dateTime pair and a lone dateTime (until now)", async () => {
    const p = newProject();
    await building(p);
    const c = clientFor(p);
    await writeF(c, "t", [
      ["2024-06-01T23:30:00-04:00 New_York", 1],
      ["2024-06-02T12:00:00-04:00 New_York", 2],
      ["2024-06-03T00:00:00-04:00 New_York", 3],
    ]);
    const vals = (g: hc.HGrid) => g.getRows().map((r) => r.get<hc.HNum>("val")?.value);
    expect(vals(await c.ops.hisRead("t", [hc.HDate.make("2024-06-01"), hc.HDate.make("2024-06-02")]))).toEqual([1, 2]);
    const span = await c.ops.hisRead("t", [
      hc.HDateTime.make("2024-06-02T00:00:00-04:00 New_York"),
      hc.HDateTime.make("2024-06-03T00:00:00-04:00 New_York"),
    ]);
    expect(vals(span)).toEqual([2]);
    const since = await c.ops.hisRead("t", hc.HDateTime.make("2024-06-02T12:00:00-04:00 New_York"));
    expect(vals(since)).toEqual([2, 3]);
    expect(since.meta.get<hc.HDateTime>("hisEnd")?.date.getTime()).toBeGreaterThan(Date.UTC(2024, 5, 3));
  });

  it("pointWrite: the effective value is the highest-priority level; releasing a level falls back", async () => {
    const p = newProject();
    await building(p);
    const c = clientFor(p);
    const rec = async () => (await c.ops.read(["sp"])).first;
    await c.ops.pointWrite({ id: "sp", level: 17, val: hc.HNum.make(70, "°F"), who: "default" });
    await c.ops.pointWrite({ id: "sp", level: 10, val: hc.HNum.make(68, "°F"), who: "sched" });
    expect([(await rec())?.get<hc.HNum>("writeVal")?.value, (await rec())?.get<hc.HNum>("writeLevel")?.value]).toEqual([
      68, 10,
    ]);
    const arr = await c.ops.pointWrite({
      id: "sp",
      level: 8,
      val: hc.HNum.make(75, "°F"),
      who: "op",
      duration: hc.HNum.make(30, "min"),
    });
    expect(arr.getRows().map((r) => r.get<hc.HStr>("levelDis")?.value)).toEqual([
      "1 (emergency)",
      ...Array.from({ length: 6 }, (_, i) => String(i + 2)),
      "8 (manual)",
      ...Array.from({ length: 8 }, (_, i) => String(i + 9)),
      "def",
    ]);
    const expires = arr.getRows()[7]?.get<hc.HNum>("expires");
    expect(expires?.toZinc()).toMatch(/^(30|29\.\d+)min$/);
    expect((await rec())?.get<hc.HNum>("writeLevel")?.value).toBe(8);
    // No val: the client's way of releasing a level ("auto").
    await c.ops.pointWrite({ id: "sp", level: 8 });
    await c.ops.pointWrite({ id: "sp", level: 10 });
    const after = await rec();
    expect([after?.get<hc.HNum>("writeVal")?.value, after?.get<hc.HNum>("writeLevel")?.value]).toEqual([70, 17]);
    const read = await c.ops.pointRead("sp");
    expect(read.getRows().map((r) => r.get<hc.HNum>("val")?.value ?? null)).toEqual([
      ...Array.from({ length: 16 }, () => null),
      70,
    ]);
  });

  it("a watch hears of a commit, a pointWrite and a hisWrite through its changed callback; close unsubscribes", async () => {
    const p = newProject();
    await building(p);
    const c = clientFor(p);
    const watch = await c.ops.watch.make("events", ["t", "sp"]);
    const events: WatchChangedEvent[] = [];
    watch.changed({ callback: (e: WatchEvent) => events.push(e as WatchChangedEvent) });
    try {
      expect(await watchState(p)).toEqual({ watches: 1, ids: 2 });
      const mod = (await c.ops.read(["t"])).first?.get<hc.HDateTime>("mod");
      const update = hc.HGrid.make({
        meta: hc.HDict.make({ commit: "update" }),
        rows: [hc.HDict.make({ id: hc.HRef.make("t"), mod: mod as hc.HDateTime, dis: "Temp 2" })],
      });
      await c.ops.invokeOp("commit", update);
      await c.ops.pointWrite({ id: "sp", level: 8, val: hc.HNum.make(71, "°F"), who: "op" });
      await c.ops.hisWrite("t", [hc.HDict.make({ ts: hc.HDateTime.make(new Date()), val: hc.HNum.make(66, "°F") })]);
      await c.ops.watch.poll();
      const changed = new Map<string, string[]>();
      for (const e of events) {
        for (const [id, ch] of Object.entries(e.ids)) {
          const names = [...(ch.changed ?? []), ...(ch.added ?? [])].map((x) => x.name);
          changed.set(id, [...(changed.get(id) ?? []), ...names]);
        }
      }
      expect(changed.get("t")).toEqual(expect.arrayContaining(["dis", "curVal"]));
      expect(changed.get("sp")).toEqual(expect.arrayContaining(["writeVal", "writeLevel"]));
      const t = watch.grid.getRows().find((r) => refId(r.get("id")) === "t");
      expect([t?.get<hc.HStr>("dis")?.value, t?.get<hc.HNum>("curVal")?.value]).toEqual(["Temp 2", 66]);
      // A second poll with nothing new fires nothing.
      const seen = events.length;
      await c.ops.watch.poll();
      expect(events.length).toBe(seen);
    } finally {
      await watch.close();
    }
    expect(watch.isClosed()).toBe(true);
    // The client unsubscribes the ids at once and closes the emptied server watch after a 10 s linger.
    expect((await watchState(p)).ids).toBe(0);
  });

  it("a server error grid reaches the caller as a GridError carrying our errCode", async () => {
    const p = newProject();
    await building(p);
    const c = clientFor(p);
    const err: unknown = await c.ops.hisRead("t", "not a range").catch((e: unknown) => e);
    expect(isGridError(err)).toBe(true);
    if (isGridError(err)) {
      expect(err.grid.meta.get<hc.HStr>("errCode")?.value).toBe("invalid_range");
      expect(err.message).toMatch(/Invalid history range/);
    }
    await expect(c.ops.pointWrite({ id: "t", level: 8, val: hc.HNum.make(1) })).rejects.toThrow(/not a writable point/);
  });
});
