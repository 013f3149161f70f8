import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readJson3Grid, readJsonGrid } from "../../src/haystack/codec/json/index.ts";
import { readTrio } from "../../src/haystack/codec/trio/index.ts";
import { HDateTime, HNumber, HRef } from "../../src/haystack/kinds/index.ts";
import { BASE, get, newProject, ok, post, seed, zinc } from "../support/haystack-http.ts";

const SITE = `@s,"HQ",M,,,,"New_York",,,,`;
const HEADER = "id,dis,site,equip,siteRef,equipRef,tz,point,his,kind,unit";

async function building(project: string): Promise<void> {
  await seed(
    project,
    HEADER,
    SITE,
    `@e1,"AHU-1",,M,@s,,"New_York",,,,`,
    `@e2,"AHU-2",,M,@s,,"New_York",,,,`,
    `@p1,"Temp",,,@s,@e1,"New_York",M,M,"Number","°F"`,
    `@p2,"Fan",,,@s,@e1,"New_York",M,M,"Bool",`,
    `@p3,"Mode",,,@s,@e2,"Tokyo",M,M,"Str",`,
  );
}

describe("Haystack HTTP: ops that describe the server", () => {
  it("about answers haystackVersion 4.0, the zone and both server times", async () => {
    const g = await ok(get(newProject(), "about"));
    const row = g.rowDict(0);
    expect(row.get("haystackVersion")).toBe("4.0");
    expect(row.get("productName")).toBe("Hayloft");
    expect(row.get("serverTime")).toBeInstanceOf(HDateTime);
    expect(row.get("serverBootTime")).toBeInstanceOf(HDateTime);
    expect(row.get("tz")).toBe("UTC");
  });

  it("POST about with an empty body works too (haystack-py answers 405)", async () => {
    const r = await SELF.fetch(`${BASE}/api/${newProject()}/about`, { method: "POST" });
    expect(r.status).toBe(200);
  });

  it("ops lists every op, marking the side-effect-free ones", async () => {
    const g = await ok(get(newProject(), "ops"));
    const names = g.dicts().map((d) => d.get("name"));
    for (const op of ["about", "read", "nav", "commit", "hisRead", "hisWrite", "pointWrite", "watchSub", "watchPoll"]) {
      expect(names).toContain(op);
    }
    const read = g.dicts().find((d) => d.get("name") === "read");
    const commit = g.dicts().find((d) => d.get("name") === "commit");
    expect(read?.has("noSideEffects")).toBe(true);
    expect(commit?.has("noSideEffects")).toBe(false);
  });

  it("formats, defs, libs and filetypes answer grids, defs honours filter and limit", async () => {
    const p = newProject();
    const formats = await ok(get(p, "formats"));
    expect(formats.dicts().map((d) => d.get("mime"))).toContain("text/zinc");
    const csv = formats.dicts().find((d) => d.get("mime") === "text/csv");
    expect([csv?.has("send"), csv?.has("receive")]).toEqual([true, false]);
    const defs = await ok(get(p, "defs", `filter=${encodeURIComponent("noSideEffects")}`));
    expect(defs.rows.length).toBeGreaterThan(3);
    expect(defs.dicts().every((d) => d.has("noSideEffects"))).toBe(true);
    const cut = await ok(get(p, "defs", "limit=2"));
    expect(cut.rows).toHaveLength(2);
    expect(cut.meta.has("incomplete")).toBe(true);
    expect((await ok(get(p, "libs"))).rows.length).toBeGreaterThan(0);
    expect((await ok(get(p, "filetypes"))).rows.length).toBe(5);
  });
});

describe("Haystack HTTP: negotiation and request forms", () => {
  it("answers Zinc by default and JSON v4, JSON v3, CSV or Trio by Accept", async () => {
    const p = newProject();
    await building(p);
    const q = `filter=${encodeURIComponent("point")}`;
    const z = await get(p, "read", q);
    expect(z.headers.get("content-type")).toMatch(/^text\/zinc/);
    const j4 = await get(p, "read", q, { accept: "application/json" });
    expect(readJsonGrid(await j4.text()).rows).toHaveLength(3);
    const j3 = await get(p, "read", q, { accept: "application/vnd.haystack+json;version=3" });
    const g3 = readJson3Grid(await j3.text());
    expect(g3.rows).toHaveLength(3);
    expect(
      g3
        .dicts()
        .find((d) => (d.get("id") as HRef).id === "p1")
        ?.get("unit"),
    ).toBe("°F");
    const csv = await get(p, "read", q, { accept: "text/csv" });
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect((await csv.text()).trim().split("\r\n")).toHaveLength(4);
    const trio = await get(p, "read", q, { accept: "text/trio" });
    expect(readTrio(await trio.text())).toHaveLength(3);
    expect((await get(p, "read", q, { accept: "image/png" })).status).toBe(406);
  });

  it("reads request grids in JSON v4 and Trio as well as Zinc", async () => {
    const p = newProject();
    const json = JSON.stringify({
      _kind: "grid",
      meta: { ver: "3.0", commit: "add" },
      cols: [{ name: "id" }, { name: "site" }],
      rows: [{ id: { _kind: "ref", val: "j" }, site: { _kind: "marker" } }],
    });
    await ok(post(p, "commit", json, { "content-type": "application/json" }));
    await ok(post(p, "read", "id:@j\n", { "content-type": "text/trio" }));
    const g = await ok(get(p, "read", "id=@j"));
    expect(g.rowDict(0).has("site")).toBe(true);
  });

  it("decodes each GET parameter as Zinc, a bare word as a Str, and marks a cut read incomplete", async () => {
    const p = newProject();
    await building(p);
    const byId = await ok(get(p, "read", "id=@p2"));
    expect(byId.rowDict(0).get("dis")).toBe("Fan");
    const cut = await ok(get(p, "read", `filter=point&limit=2`));
    expect(cut.rows).toHaveLength(2);
    expect(cut.meta.get("incomplete")).toBeDefined();
    const all = await ok(get(p, "read", `filter=point&limit=3`));
    expect(all.meta.has("incomplete")).toBe(false);
  });

  it("refs in read results carry the display name of the record they name, as haxall's do", async () => {
    const p = newProject();
    await building(p);
    await seed(p, "id,dis,point,equipRef", `@orphan,"Orphan",M,@missing`);
    const g = await ok(get(p, "read", `filter=${encodeURIComponent("point")}`));
    const byId = new Map(g.dicts().map((d) => [(d.get("id") as HRef).id, d]));
    const disOf = (id: string, tag: string) => (byId.get(id)?.get(tag) as HRef | undefined)?.dis;
    expect(disOf("p1", "id")).toBe("Temp");
    expect(disOf("p1", "equipRef")).toBe("AHU-1");
    expect(disOf("p3", "siteRef")).toBe("HQ");
    expect(byId.get("orphan")?.get("equipRef")).toEqual(new HRef("missing"));
    const nav = await ok(post(p, "nav", `ver:"3.0"\nnavId\n@e1\n`));
    expect(nav.dicts().every((d) => (d.get("equipRef") as HRef).dis === "AHU-1")).toBe(true);
  });

  it("read by ids keeps request order with all-null rows for unknown ids", async () => {
    const p = newProject();
    await building(p);
    const g = await ok(post(p, "read", 'ver:"3.0"\nid\n@p3\n@nope\n@p1\n'));
    expect(g.rows).toHaveLength(3);
    expect(g.rows.map((r) => (r[g.colIdx("id")] as HRef | null)?.id ?? null)).toEqual(["p3", null, "p1"]);
    expect(g.rows[1]?.every((c) => c === null)).toBe(true);
  });

  it("nav walks site -> equip -> point with navId", async () => {
    const p = newProject();
    await building(p);
    const sites = await ok(get(p, "nav"));
    expect(sites.rows).toHaveLength(1);
    const navId = sites.rowDict(0).get("navId");
    expect(navId).toBeInstanceOf(HRef);
    const equips = await ok(post(p, "nav", `ver:"3.0"\nnavId\n@s\n`));
    expect(
      equips
        .dicts()
        .map((d) => (d.get("id") as HRef).id)
        .sort(),
    ).toEqual(["e1", "e2"]);
    const points = await ok(post(p, "nav", `ver:"3.0"\nnavId\n@e1\n`));
    expect(
      points
        .dicts()
        .map((d) => (d.get("id") as HRef).id)
        .sort(),
    ).toEqual(["p1", "p2"]);
    expect(points.has("navId")).toBe(true);
    expect(points.dicts().every((d) => !d.has("navId"))).toBe(true);
  });
});

describe("Haystack HTTP: history", () => {
  it("hisRead evaluates a date range in the point's zone and reports hisStart/hisEnd", async () => {
    const p = newProject();
    await building(p);
    await ok(
      post(
        p,
        "hisWrite",
        `ver:"3.0" id:@p1\nts,val\n` +
          `2024-03-10T23:59:00-04:00 New_York,1°F\n2024-03-09T23:59:00-05:00 New_York,0°F\n` +
          `2024-03-10T00:00:00-05:00 New_York,2°F\n2024-03-11T00:00:00-04:00 New_York,3°F\n`,
      ),
    );
    const g = await ok(get(p, "hisRead", "id=@p1&range=2024-03-10"));
    expect((g.meta.get("hisStart") as HDateTime).toString()).toBe("2024-03-10T00:00:00-05:00 New_York");
    expect((g.meta.get("hisEnd") as HDateTime).toString()).toBe("2024-03-11T00:00:00-04:00 New_York");
    expect((g.meta.get("id") as HRef).dis).toBe("Temp");
    expect(g.rows.map((r) => (r[1] as HNumber).val)).toEqual([2, 1]);
    expect(String(g.rows[1]?.[0])).toBe("2024-03-10T23:59:00-04:00 New_York");
  });

  it("batch hisWrite and batch hisRead join points on timestamp, columns tagged with id", async () => {
    const p = newProject();
    await building(p);
    await ok(
      post(
        p,
        "hisWrite",
        `ver:"3.0"\nts,v0 id:@p2,v1 id:@p3\n` +
          `2024-01-01T00:00:00Z UTC,T,"a"\n2024-01-01T00:15:00Z UTC,F,\n2024-01-01T00:30:00Z UTC,,"b"\n`,
      ),
    );
    const g = await ok(
      post(p, "hisRead", `ver:"3.0" range:"2024-01-01T00:00:00Z UTC,2024-01-02T00:00:00Z UTC"\nid\n@p2\n@p3\n`),
    );
    expect(g.cols.map((c) => c.name)).toEqual(["ts", "v0", "v1"]);
    expect(String(g.cols[1]?.meta.get("id"))).toBe("@p2");
    expect(String(g.cols[2]?.meta.get("id"))).toBe("@p3");
    expect(g.rows.map((r) => [r[1], r[2]])).toEqual([
      [true, "a"],
      [false, null],
      [null, "b"],
    ]);
  });

  it("streams a 50,000-row hisRead", async () => {
    const p = newProject();
    await building(p);
    const lines: string[] = [];
    const t0 = Date.UTC(2024, 0, 1);
    for (let i = 0; i < 50_000; i++) lines.push(`${new Date(t0 + i * 60_000).toISOString()} UTC,${i}°F`);
    await ok(post(p, "hisWrite", `ver:"3.0" id:@p1\nts,val\n${lines.join("\n")}\n`));
    const r = await get(p, "hisRead", "id=@p1&range=2023-12-31,2024-03-01");
    const g = await zinc(r);
    expect(g.rows).toHaveLength(50_000);
    expect(g.rows[49_999]?.[1]).toEqual(new HNumber(49_999, "°F"));
  });
});

describe("Haystack HTTP: points and actions", () => {
  it("pointWrite read form: 17 rows with levelDis; write form sets writeVal; level 8 takes a duration", async () => {
    const p = newProject();
    await seed(p, "id,point,writable,kind,unit", `@w,M,M,"Number","%"`);
    const empty = await ok(post(p, "pointWrite", `ver:"3.0"\nid\n@w\n`));
    expect(empty.rows).toHaveLength(17);
    expect(empty.dicts().map((d) => d.get("levelDis"))[7]).toBe("8 (manual)");
    await ok(post(p, "pointWrite", `ver:"3.0"\nid,level,val,who\n@w,17,10%,"default"\n`));
    const arr = await ok(post(p, "pointWrite", `ver:"3.0"\nid,level,val,who,duration\n@w,8,55%,"me",30min\n`));
    const l8 = arr.dicts()[7];
    expect(l8?.get("val")).toEqual(new HNumber(55, "%"));
    expect(l8?.get("who")).toBe("me");
    expect(l8?.get("expires")).toEqual(new HNumber(30, "min"));
    const rec = (await ok(get(p, "read", "id=@w"))).rowDict(0);
    expect([rec.get("writeVal"), rec.get("writeLevel")]).toEqual([new HNumber(55, "%"), 8]);
    const bad = await zinc(post(p, "pointWrite", `ver:"3.0"\nid,level,val,duration\n@w,9,1%,1h\n`));
    expect(bad.meta.get("errCode")).toBe("invalid_value");
  });

  it("invokeAction runs a point action the record defines and refuses anything else", async () => {
    const p = newProject();
    await seed(
      p,
      "id,point,writable,kind,actions",
      `@w,M,M,"Number",<<ver:"3.0"\ndis,expr\n"Override","pointOverride($self, $val, $duration)"\n"Auto","pointAuto($self)"\n"Reboot","reboot($self)"\n>>`,
    );
    await ok(post(p, "invokeAction", `ver:"3.0" id:@w action:"Override"\nval,duration\n42,1h\n`));
    let rec = (await ok(get(p, "read", "id=@w"))).rowDict(0);
    expect([rec.get("writeVal"), rec.get("writeLevel")]).toEqual([42, 8]);
    await ok(post(p, "invokeAction", `ver:"3.0" id:@w action:"Auto"\nempty\n`));
    rec = (await ok(get(p, "read", "id=@w"))).rowDict(0);
    expect(rec.has("writeVal")).toBe(false);
    const undefinedAction = await zinc(post(p, "invokeAction", `ver:"3.0" id:@w action:"Explode"\nempty\n`));
    expect(undefinedAction.meta.get("dis")).toMatch(/defines no action/);
    const unsupported = await zinc(post(p, "invokeAction", `ver:"3.0" id:@w action:"Reboot"\nempty\n`));
    expect(unsupported.meta.get("dis")).toMatch(/cannot evaluate/);
  });
});
