import { describe, expect, it } from "vitest";
import { readJson3Grid, readJsonGrid } from "../../src/haystack/codec/json/index.ts";
import { readTrio } from "../../src/haystack/codec/trio/index.ts";
import { HDateTime, HDict, type HGrid, HNumber, HRef } from "../../src/haystack/kinds/index.ts";
import { authedFetch } from "../support/auth.ts";
import {
  BASE,
  building,
  errorGrid,
  get,
  hisLines,
  idsOf,
  newProject,
  ok,
  post,
  seed,
  zinc,
} from "../support/haystack-http.ts";

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
    const r = await authedFetch(`${BASE}/api/${newProject()}/about`, { method: "POST" });
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

/** The calendar date of `ms` in an IANA zone, computed with Intl rather than our own zone code. */
function _localDate(ms: number, iana: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: iana, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    ms,
  );
}

const _tsMs = (g: HGrid): number[] => g.rows.map((r) => (r[0] as HDateTime).ms);

describe("Haystack HTTP: more negotiation and request forms", () => {
  it("negotiates vnd.haystack+json versions, q-values and wildcards", async () => {
    const p = newProject();
    await building(p);
    const cases: [string, string][] = [
      ["application/vnd.haystack+json;version=4", "application/json"],
      ["application/vnd.haystack+json", "application/json"],
      ["application/vnd.haystack+json; version=3", "application/vnd.haystack+json;version=3"],
      ["text/csv;q=0.5, application/json;q=0.9", "application/json"],
      ["image/png, text/trio;q=0.1", "text/trio"],
      ["*/*", "text/zinc"],
      ["text/*", "text/zinc"],
    ];
    for (const [accept, mime] of cases) {
      const r = await get(p, "read", "filter=point", { accept });
      const body = await r.text();
      expect([accept, r.status, r.headers.get("content-type")?.split(";")[0]]).toEqual([
        accept,
        200,
        mime.split(";")[0],
      ]);
      expect(body.length).toBeGreaterThan(0);
    }
    expect((await get(p, "read", "filter=point", { accept: "text/zinc;q=0, application/json;q=0" })).status).toBe(406);
  });

  it("answers an error grid asked for as CSV in Zinc (CSV has no meta), and as JSON when asked", async () => {
    const p = newProject();
    const csv = await get(p, "hisRead", "id=@nope&range=today", { accept: "text/csv" });
    expect((await errorGrid(csv)).get("dis")).toMatch(/Unknown point/);
    const json = await get(p, "hisRead", "id=@nope&range=today", { accept: "application/json" });
    expect(json.headers.get("content-type")).toMatch(/^application\/json/);
    const g = readJsonGrid(await json.text());
    expect([g.meta.has("err"), g.meta.has("errTrace"), typeof g.meta.get("dis")]).toEqual([true, false, "string"]);
  });

  it("reads request bodies in JSON v3 and in JSON with a charset parameter", async () => {
    const p = newProject();
    await building(p);
    const v3 = JSON.stringify({ meta: { ver: "2.0" }, cols: [{ name: "id" }], rows: [{ id: "r:p3" }, { id: "r:p1" }] });
    const g3 = await ok(post(p, "read", v3, { "content-type": "application/vnd.haystack+json;version=3" }));
    expect(idsOf(g3)).toEqual(["p3", "p1"]);
    const v4 = JSON.stringify({
      _kind: "grid",
      meta: { ver: "3.0" },
      cols: [{ name: "filter" }],
      rows: [{ filter: "equip" }],
    });
    const g4 = await ok(post(p, "read", v4, { "content-type": "application/json; charset=utf-8" }));
    expect(idsOf(g4).sort()).toEqual(["e1", "e2"]);
  });

  it("allows GET on every op without side effects", async () => {
    const p = newProject();
    await building(p);
    const calls: [string, string][] = [
      ["about", ""],
      ["ops", ""],
      ["formats", ""],
      ["defs", ""],
      ["libs", ""],
      ["filetypes", ""],
      ["read", "filter=site"],
      ["nav", ""],
      ["nav", "navId=@e1"],
      ["hisRead", "id=@p1&range=today"],
    ];
    for (const [op, query] of calls) {
      const r = await get(p, op, query);
      const g = await zinc(r);
      expect([op, query, r.status, g.meta.has("err")]).toEqual([op, query, 200, false]);
      expect(g.rows.length + (op === "hisRead" ? 1 : 0)).toBeGreaterThan(0);
    }
  });

  it("decodes GET values as Zinc: quoted and bare filters, numbers, refs, an unquoted dateTime range", async () => {
    const p = newProject();
    await building(p);
    const quoted = await ok(get(p, "read", `filter=${encodeURIComponent('"point and kind==\\"Bool\\""')}`));
    expect(idsOf(quoted)).toEqual(["p2"]);
    const bare = await ok(get(p, "read", `filter=${encodeURIComponent('point and kind=="Str"')}`));
    expect(idsOf(bare)).toEqual(["p3"]);
    const cut = await ok(get(p, "read", "filter=point&limit=2"));
    expect(cut.rows).toHaveLength(2);
    const incomplete = cut.meta.get("incomplete");
    expect(incomplete).toBeDefined();
    expect(incomplete).toBeInstanceOf(HDict);
    expect((incomplete as HDict).get("limit")).toBe(2);
    expect(typeof (incomplete as HDict).get("dis")).toBe("string");
    await ok(
      post(
        p,
        "hisWrite",
        `ver:"3.0" id:@p1\nts,val\n${hisLines(Date.UTC(2024, 0, 1), 48, 3_600_000, String).join("\n")}\n`,
      ),
    );
    const range = encodeURIComponent("2024-01-01T05:00:00Z UTC,2024-01-01T10:00:00Z UTC");
    const his = await ok(get(p, "hisRead", `id=@p1&range=${range}`));
    expect(his.rows.map((r) => r[1])).toEqual([5, 6, 7, 8, 9]);
    expect(String(his.meta.get("hisStart"))).toBe("2024-01-01T00:00:00-05:00 New_York");
    expect(String(his.meta.get("hisEnd"))).toBe("2024-01-01T05:00:00-05:00 New_York");
  });

  it("error grids carry no errTrace by default, before and after the request grid", async () => {
    const p = newProject();
    await errorGrid(post(p, "read", 'ver:"3.0"\nid\n@ok,\n'), 400);
    await errorGrid(get(p, "nope"), 404);
    await errorGrid(get(p, "commit"), 405);
    await errorGrid(post(p, "read", "x", { "content-type": "text/plain" }), 415);
    await errorGrid(get(p, "read", `filter=${encodeURIComponent("a and")}`));
    await errorGrid(post(p, "commit", `ver:"3.0" commit:"update"\nid,mod\n@ghost,2024-01-01T00:00:00Z UTC\n`));
  });
});

describe("Haystack HTTP: commit", () => {
  it("add mints ids, update removes a tag with R and bumps mod, remove leaves an all-null read row", async () => {
    const p = newProject();
    const added = await ok(post(p, "commit", `ver:"3.0" commit:"add"\ndis,site,area\n"Annex",M,1000ft²\n`));
    const id = idsOf(added)[0] as string;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}$/);
    const mod = added.rowDict(0).get("mod") as HDateTime;
    expect(mod).toBeInstanceOf(HDateTime);
    const updated = await ok(
      post(p, "commit", `ver:"3.0" commit:"update"\nid,mod,area,dis\n@${id},${mod},R,"Annex B"\n`),
    );
    expect(updated.rowDict(0).has("area")).toBe(false);
    expect((updated.rowDict(0).get("mod") as HDateTime).ms).toBeGreaterThan(mod.ms);
    const read = (await ok(get(p, "read", `id=@${id}`))).rowDict(0);
    expect([read.get("dis"), read.has("area"), read.has("site")]).toEqual(["Annex B", false, true]);
    await ok(post(p, "commit", `ver:"3.0" commit:"remove"\nid,mod\n@${id},${String(read.get("mod"))}\n`));
    const gone = await ok(get(p, "read", `id=@${id}`));
    expect(gone.rows).toHaveLength(1);
    expect(gone.rows[0]?.every((c) => c === null)).toBe(true);
  });
});
