/**
 * A real Haystack client (haystack-nclient) against the Worker, and haystack-core decoding our
 * replies: the interop that matters to users of J2's libraries.
 */
import { SELF } from "cloudflare:test";
import * as hc from "haystack-core";
import { Client } from "haystack-nclient";
import { describe, expect, it } from "vitest";
import { BASE, newProject, seed } from "../support/haystack-http.ts";

function clientFor(project: string): Client {
  return new Client({
    base: new URL(BASE),
    project,
    fetch: (resource: RequestInfo, init?: RequestInit) => SELF.fetch(resource, init),
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
    const at = (iso: string) => hc.HDateTime.make(iso);
    await c.ops.hisWrite("t", [
      hc.HDict.make({ ts: at("2024-06-01T10:00:00-04:00 New_York"), val: hc.HNum.make(70, "°F") }),
      hc.HDict.make({ ts: at("2024-06-01T09:00:00-04:00 New_York"), val: hc.HNum.make(68, "°F") }),
      hc.HDict.make({ ts: at("2024-06-02T00:30:00-04:00 New_York"), val: hc.HNum.make(60, "°F") }),
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
    await SELF.fetch(`${BASE}/api/${p}/hisWrite`, {
      method: "POST",
      headers: { "content-type": "text/zinc" },
      body: `ver:"3.0" id:@t\nts,val\n2024-01-01T00:00:00-05:00 New_York,1.5°F\n2024-01-01T00:15:00-05:00 New_York,2°F\n`,
    });
    for (const accept of ["text/zinc", "application/json"]) {
      const read = await SELF.fetch(`${BASE}/api/${p}/read?filter=point`, { headers: { accept } });
      const text = await read.text();
      const g = (accept === "text/zinc" ? hc.ZincReader.readValue(text) : hc.makeValue(JSON.parse(text))) as hc.HGrid;
      expect(
        g
          .getRows()
          .map((r) => refId(r.get("id")))
          .sort(),
      ).toEqual(["sp", "t"]);
      const his = await SELF.fetch(`${BASE}/api/${p}/hisRead?id=@t&range=2024-01-01`, { headers: { accept } });
      const ht = await his.text();
      const hg = (accept === "text/zinc" ? hc.ZincReader.readValue(ht) : hc.makeValue(JSON.parse(ht))) as hc.HGrid;
      expect(hg.getRows().map((r) => r.get<hc.HNum>("val")?.value)).toEqual([1.5, 2]);
    }
  });
});
