import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { HDict, HGrid } from "../../src/haystack/kinds/index.ts";
import { BASE, get, newProject, ok, post, seed, zinc } from "../support/haystack-http.ts";

async function twoPoints(project: string): Promise<void> {
  await seed(
    project,
    "id,dis,point,his,kind,unit,tz",
    `@a,"A",M,M,"Number","kW","UTC"`,
    `@b,"B",M,M,"Number","kW","UTC"`,
    `@x,"not his",M,,"Number","kW","UTC"`,
  );
  await ok(post(project, "hisWrite", `ver:"3.0" id:@a\nts,val\n2024-01-01T00:00:00Z UTC,1kW\n`));
}

/** Everything a write could have touched: records and both histories. */
async function snapshot(project: string): Promise<string> {
  const recs = await ok(get(project, "read", "filter=point"));
  const range = "range=2023-01-01,2025-01-01";
  const a = await ok(get(project, "hisRead", `id=@a&${range}`));
  const b = await ok(get(project, "hisRead", `id=@b&${range}`));
  const text = (g: HGrid) => JSON.stringify(g.dicts().map((d) => d.toObject()));
  return [text(recs), text(a), text(b)].join("\n");
}

async function errorGrid(res: Response | Promise<Response>, status = 200): Promise<HDict> {
  const r = await res;
  expect(r.status).toBe(status);
  const g = await zinc(r);
  expect(g.meta.has("err")).toBe(true);
  expect(typeof g.meta.get("dis")).toBe("string");
  expect(g.meta.has("errTrace")).toBe(false);
  expect(g.rows).toHaveLength(0);
  return g.meta;
}

describe("Haystack HTTP: bad requests get a status and an error grid", () => {
  it("malformed Zinc and JSON bodies: 400 with the position", async () => {
    const p = newProject();
    const z = await errorGrid(post(p, "read", 'ver:"3.0"\nid\n@ok,\n'), 400);
    expect(z.get("errCode")).toBe("parse_error");
    expect(z.get("dis")).toMatch(/line 3/);
    const j = await errorGrid(
      post(p, "read", '{"_kind":"grid", "cols": [', { "content-type": "application/json" }),
      400,
    );
    expect(j.get("errCode")).toBe("parse_error");
  });

  it("unknown op 404, GET on a side-effect op 405 with Allow, PUT 405, bad Accept 406, bad Content-Type 415", async () => {
    const p = newProject();
    expect((await errorGrid(get(p, "frobnicate"), 404)).get("errCode")).toBe("not_found");
    for (const op of ["commit", "hisWrite", "pointWrite", "watchSub", "watchPoll", "invokeAction"]) {
      const r = await get(p, op);
      expect(r.status).toBe(405);
      expect(r.headers.get("allow")).toBe("POST");
    }
    expect((await SELF.fetch(`${BASE}/api/${p}/read`, { method: "PUT", body: "x" })).status).toBe(405);
    expect((await get(p, "about", "", { accept: "image/png" })).status).toBe(406);
    expect((await post(p, "read", "filter: site", { "content-type": "text/plain" })).status).toBe(415);
    expect((await get("bad name!", "about")).status).toBe(404);
  });

  it("a body over MAX_BODY_BYTES (10 MiB) is 413 and writes nothing", async () => {
    const p = newProject();
    await twoPoints(p);
    const before = await snapshot(p);
    const head = `ver:"3.0" id:@b\nts,val\n`;
    const row = "2024-01-01T00:00:00Z UTC,1kW\n";
    const body = head + row.repeat(Math.ceil((10 * 1024 * 1024) / row.length));
    const r = await post(p, "hisWrite", body);
    expect(r.status).toBe(413);
    await r.text();
    expect(await snapshot(p)).toBe(before);
  });

  it("a request grid over MAX_REQUEST_ROWS is 400 and writes nothing", async () => {
    const p = newProject();
    await twoPoints(p);
    const before = await snapshot(p);
    const rows: string[] = [];
    const t0 = Date.UTC(2024, 0, 2);
    for (let i = 0; i < 60_001; i++) rows.push(`${new Date(t0 + i * 1000).toISOString()} UTC,${i}kW`);
    const meta = await errorGrid(post(p, "hisWrite", `ver:"3.0" id:@b\nts,val\n${rows.join("\n")}\n`), 400);
    expect(meta.get("errCode")).toBe("limit_exceeded");
    expect(await snapshot(p)).toBe(before);
  });
});

describe("Haystack HTTP: failures after the request grid are 200 error grids and change nothing", () => {
  it("hisRead of a bad range, an unknown point or a non-his record", async () => {
    const p = newProject();
    await twoPoints(p);
    expect((await errorGrid(get(p, "hisRead", "id=@a&range=2024-02-30"))).get("errCode")).toBe("invalid_range");
    expect((await errorGrid(get(p, "hisRead", "id=@a&range=tomorrowish"))).get("errCode")).toBe("invalid_range");
    expect((await errorGrid(get(p, "hisRead", "id=@a&range=2024-01-02,2024-01-01"))).get("errCode")).toBe(
      "invalid_range",
    );
    expect((await errorGrid(get(p, "hisRead", "id=@nope&range=today"))).get("dis")).toMatch(/Unknown point/);
    expect((await errorGrid(get(p, "hisRead", "id=@x&range=today"))).get("dis")).toMatch(/not a his point/);
    const many = Array.from({ length: 201 }, () => "@a").join("\n");
    const batch = await errorGrid(post(p, "hisRead", `ver:"3.0" range:"today"\nid\n${many}\n`));
    expect(batch.get("dis")).toMatch(/at most 200 points/);
  });

  it("hisWrite with a bad ts in its last row, to a non-his record, or with one unknown id in a batch", async () => {
    const p = newProject();
    await twoPoints(p);
    const before = await snapshot(p);
    await errorGrid(post(p, "hisWrite", `ver:"3.0" id:@b\nts,val\n2024-01-05T00:00:00Z UTC,5kW\n"yesterday",6kW\n`));
    await errorGrid(post(p, "hisWrite", `ver:"3.0" id:@x\nts,val\n2024-01-05T00:00:00Z UTC,5kW\n`));
    await errorGrid(post(p, "hisWrite", `ver:"3.0"\nts,v0 id:@b,v1 id:@ghost\n2024-01-05T00:00:00Z UTC,5kW,6kW\n`));
    await errorGrid(post(p, "hisWrite", `ver:"3.0" id:@b\nts,val\n2024-01-05T00:00:00Z UTC,@notAValue\n`));
    expect(await snapshot(p)).toBe(before);
  });

  it("a multi-row update with one stale mod is a conflict and applies no row", async () => {
    const p = newProject();
    await twoPoints(p);
    const recs = await ok(get(p, "read", "filter=point"));
    const modOf = (id: string) =>
      String(
        recs
          .dicts()
          .find((d) => String(d.get("id")) === `@${id}`)
          ?.get("mod"),
      );
    await ok(post(p, "commit", `ver:"3.0" commit:"update"\nid,mod,dis\n@a,${modOf("a")},"A2"\n`));
    const before = await snapshot(p);
    const meta = await errorGrid(
      post(p, "commit", `ver:"3.0" commit:"update"\nid,mod,dis\n@b,${modOf("b")},"B2"\n@a,${modOf("a")},"A3"\n`),
    );
    expect(meta.get("errCode")).toBe("conflict");
    expect(await snapshot(p)).toBe(before);
  });

  it("commit without a valid mode, pointWrite on a non-writable point, watchPoll of an unknown watch", async () => {
    const p = newProject();
    await twoPoints(p);
    expect((await errorGrid(post(p, "commit", `ver:"3.0" commit:"merge"\nid\n@a\n`))).get("dis")).toMatch(/commit/);
    expect((await errorGrid(post(p, "pointWrite", `ver:"3.0"\nid,level,val\n@a,8,1kW\n`))).get("errCode")).toBe(
      "invalid",
    );
    expect((await errorGrid(post(p, "watchPoll", `ver:"3.0" watchId:"w-nope"\nempty\n`))).get("errCode")).toBe(
      "not_found",
    );
  });

  it("read with a malformed filter or a negative limit", async () => {
    const p = newProject();
    expect((await errorGrid(get(p, "read", `filter=${encodeURIComponent("site and (")}`))).get("errCode")).toBe(
      "parse_error",
    );
    expect((await errorGrid(get(p, "read", "filter=site&limit=-1"))).get("errCode")).toBe("invalid_value");
  });
});
