/**
 * Requests the server must refuse: an HTTP status before the request grid exists, an HTTP 200
 * error grid after. Every refused write is checked to have left the project exactly as it was.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readJsonGrid } from "../../src/haystack/codec/json/index.ts";
import { writeZincGrid } from "../../src/haystack/codec/zinc/index.ts";
import { type HGrid, HNumber } from "../../src/haystack/kinds/index.ts";
import { authedFetch } from "../support/auth.ts";
import { localFetch } from "../support/clocked.ts";
import { BASE, errorGrid, get, hisLines, idsOf, newProject, ok, post, seed } from "../support/haystack-http.ts";

/** Two his points with one sample on @a, a non-his point @x and a writable point @w at level 16. */
async function project(): Promise<string> {
  const p = newProject();
  await seed(
    p,
    "id,dis,point,his,writable,kind,unit,tz",
    `@a,"A",M,M,,"Number","kW","UTC"`,
    `@b,"B",M,M,,"Number","kW","UTC"`,
    `@x,"not his",M,,,"Number","kW","UTC"`,
    `@w,"W",M,,M,"Number","kW","UTC"`,
  );
  await ok(post(p, "hisWrite", `ver:"3.0" id:@a\nts,val\n2024-01-01T00:00:00Z UTC,1kW\n`));
  await ok(post(p, "pointWrite", `ver:"3.0"\nid,level,val,who\n@w,16,5kW,"bms"\n`));
  return p;
}

/** Everything a write could have touched: every record, both histories and @w's priority array. */
async function snapshot(p: string): Promise<string> {
  const text = (g: HGrid) => writeZincGrid(g);
  const range = "range=2023-01-01,2025-01-01";
  return [
    text(await ok(get(p, "read", "filter=id"))),
    text(await ok(get(p, "hisRead", `id=@a&${range}`))),
    text(await ok(get(p, "hisRead", `id=@b&${range}`))),
    text(await ok(post(p, "pointWrite", `ver:"3.0"\nid\n@w\n`))),
  ].join("\n");
}

/** Runs each refused write and checks the project is unchanged after every one. */
async function refusedWrites(p: string, writes: readonly (() => Promise<unknown>)[]): Promise<void> {
  const before = await snapshot(p);
  expect(before).toContain("5kW");
  for (const [i, w] of writes.entries()) {
    await w();
    expect([i, await snapshot(p)]).toEqual([i, before]);
  }
}

const MIB = 1024 * 1024;

describe("Haystack HTTP: bad requests get a status and an error grid", () => {
  it("malformed Zinc and JSON bodies: 400 with the position", async () => {
    const p = newProject();
    const z = await errorGrid(post(p, "read", 'ver:"3.0"\nid\n@ok,\n'), 400);
    expect(z.get("errCode")).toBe("parse_error");
    expect(z.get("dis")).toMatch(/line 3, column \d+/);
    const j = await errorGrid(
      post(p, "read", '{"_kind":"grid", "cols": [', { "content-type": "application/json" }),
      400,
    );
    expect(j.get("errCode")).toBe("parse_error");
    expect(j.get("dis")).toMatch(/line 1, column \d+/);
    const bytes = new Uint8Array([0x76, 0x65, 0x72, 0xff, 0xfe]);
    const utf8 = await authedFetch(`${BASE}/api/${p}/read`, {
      method: "POST",
      headers: { "content-type": "text/zinc" },
      body: bytes,
    });
    expect((await errorGrid(utf8, 400)).get("dis")).toMatch(/UTF-8/);
  });

  it("unknown op 404, GET on a side-effect op 405 with Allow, PUT 405, bad Accept 406, bad Content-Type 415", async () => {
    const p = newProject();
    expect((await errorGrid(get(p, "frobnicate"), 404)).get("errCode")).toBe("not_found");
    expect((await errorGrid(post(p, "frobnicate", ""), 404)).get("errCode")).toBe("not_found");
    // `/api` itself, with no project, and with no credentials: still the Haystack face's 404 grid.
    for (const path of ["/api", "/api/"]) {
      expect((await errorGrid(SELF.fetch(`${BASE}${path}`), 404)).get("errCode"), path).toBe("not_found");
    }
    for (const op of [
      "commit",
      "hisWrite",
      "pointWrite",
      "watchSub",
      "watchUnsub",
      "watchPoll",
      "invokeAction",
      "close",
    ]) {
      const r = await get(p, op);
      await errorGrid(r, 405);
      expect([op, r.headers.get("allow")]).toEqual([op, "POST"]);
    }
    const put = await authedFetch(`${BASE}/api/${p}/read`, { method: "PUT", body: "x" });
    await errorGrid(put, 405);
    expect(put.headers.get("allow")).toBe("GET, POST");
    const putCommit = await authedFetch(`${BASE}/api/${p}/commit`, { method: "DELETE" });
    await errorGrid(putCommit, 405);
    expect(putCommit.headers.get("allow")).toBe("POST");
    expect((await errorGrid(get(p, "about", "", { accept: "image/png" }), 406)).get("errCode")).toBe("not_acceptable");
    expect((await post(p, "read", 'ver:"3.0"\nfilter\n"site"\n', { accept: "image/png" })).status).toBe(406);
    const plain = await errorGrid(post(p, "read", "filter: site", { "content-type": "text/plain" }), 415);
    expect(plain.get("errCode")).toBe("unsupported_media_type");
    expect((await post(p, "read", "x", { "content-type": "text/csv" })).status).toBe(415);
    expect((await get("bad name!", "about")).status).toBe(404);
  });

  it("a body of 10 MiB is read; 10 MiB + 1 byte is 413, declared or streamed, and writes nothing", async () => {
    const p = await project();
    const head = 'ver:"3.0"\nfilter\n"point"\n';
    const exact = head + " ".repeat(10 * MIB - head.length);
    expect(new TextEncoder().encode(exact).byteLength).toBe(10 * MIB);
    expect(idsOf(await ok(post(p, "read", exact))).sort()).toEqual(["a", "b", "w", "x"]);
    await refusedWrites(p, [
      async () => {
        const body = `ver:"3.0" id:@b\nts,val\n2024-01-02T00:00:00Z UTC,1kW\n`;
        const r = await post(p, "hisWrite", body + " ".repeat(10 * MIB + 1 - body.length));
        expect((await errorGrid(r, 413)).get("errCode")).toBe("payload_too_large");
      },
      async () => {
        // No Content-Length: the limit is enforced while reading the stream.
        const bytes = new TextEncoder().encode(
          `ver:"3.0" id:@b\nts,val\n${"2024-01-02T00:00:00Z UTC,1kW\n".repeat(400_000)}`,
        );
        expect(bytes.byteLength).toBeGreaterThan(10 * MIB);
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            for (let i = 0; i < bytes.byteLength; i += 64 * 1024) c.enqueue(bytes.slice(i, i + 64 * 1024));
            c.close();
          },
        });
        const init: RequestInit & { duplex: "half" } = {
          method: "POST",
          headers: { "content-type": "text/zinc" },
          body,
          duplex: "half",
        };
        // In this isolate (localFetch): through SELF, the body the server stops reading fails the
        // sender's side with an uncaught "Network connection lost".
        await errorGrid(localFetch(`${BASE}/api/${p}/hisWrite`, init), 413);
      },
    ]);
  });

  it("a request grid over MAX_REQUEST_ROWS (5,000 under test) is 400 in every format and writes nothing", async () => {
    const p = await project();
    const at = Date.UTC(2024, 0, 2);
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `@r${i}`);
    expect(await ok(post(p, "read", `ver:"3.0"\nid\n${ids(5000).join("\n")}\n`))).toHaveProperty("rows.length", 5000);
    await refusedWrites(p, [
      async () => {
        const body = `ver:"3.0" id:@b\nts,val\n${hisLines(at, 5001, 1000, (i) => `${i}kW`).join("\n")}\n`;
        const meta = await errorGrid(post(p, "hisWrite", body), 400);
        expect(meta.get("errCode")).toBe("limit_exceeded");
        expect(meta.get("dis")).toMatch(/5000/);
      },
      async () => {
        const rows = Array.from({ length: 5001 }, (_, i) => ({
          id: { _kind: "ref", val: `n${i}` },
          site: { _kind: "marker" },
        }));
        const json = JSON.stringify({
          _kind: "grid",
          meta: { ver: "3.0", commit: "add" },
          cols: [{ name: "id" }, { name: "site" }],
          rows,
        });
        await errorGrid(post(p, "commit", json, { "content-type": "application/json" }), 400);
      },
      async () => {
        const trio = Array.from({ length: 5001 }, (_, i) => `id:@t${i}\nsite`).join("\n---\n");
        await errorGrid(post(p, "commit", trio, { "content-type": "text/trio" }), 400);
      },
      async () => {
        // Rows of a nested grid count too.
        const inner = `<<ver:"3.0"\nv\n${Array.from({ length: 5001 }, (_, i) => String(i)).join("\n")}\n>>`;
        await errorGrid(post(p, "commit", `ver:"3.0" commit:"add"\nid,nested\n@big,${inner}\n`), 400);
      },
      async () => {
        const deep = `${"[".repeat(40)}${"]".repeat(40)}`;
        const meta = await errorGrid(post(p, "commit", `ver:"3.0" commit:"add"\nid,deep\n@deep,${deep}\n`), 400);
        expect(meta.get("errCode")).toBe("limit_exceeded");
      },
      async () => {
        // MAX_REQUEST_COLS defaults to 1,000.
        const cols = Array.from({ length: 1001 }, (_, i) => `c${i}`);
        const body = `ver:"3.0" commit:"add"\nid,${cols.join(",")}\n@wide,${cols.map(() => "1").join(",")}\n`;
        expect((await errorGrid(post(p, "commit", body), 400)).get("errCode")).toBe("limit_exceeded");
      },
    ]);
  });

  it("filters over MAX_FILTER_LENGTH (16 KiB), MAX_FILTER_DEPTH (32) or MAX_FILTER_HOPS (8) are error grids; at the limits they run", async () => {
    const p = await project();
    const read = (filter: string) => post(p, "read", `ver:"3.0"\nfilter\n${JSON.stringify(filter)}\n`);
    const long = `point and ${"x".repeat(16 * 1024 - 10)}`;
    expect(long.length).toBe(16 * 1024);
    expect(idsOf(await ok(read(long)))).toEqual([]);
    expect((await errorGrid(read(`${long}y`))).get("errCode")).toBe("limit_exceeded");
    const nest = (n: number) => `${"(".repeat(n)}point${")".repeat(n)}`;
    expect(idsOf(await ok(read(nest(32)))).length).toBeGreaterThan(0);
    expect((await errorGrid(read(nest(33)))).get("errCode")).toBe("limit_exceeded");
    expect((await errorGrid(post(p, "defs", `ver:"3.0"\nfilter\n${JSON.stringify(nest(33))}\n`))).get("errCode")).toBe(
      "limit_exceeded",
    );
    // MAX_FILTER_HOPS (8): a path of 8 hops runs, 9 (or 1,000) is refused before any storage work.
    const path = (n: number) => `${Array.from({ length: n }, () => "equipRef").join("->")}->dis`;
    expect(idsOf(await ok(read(`${path(8)} == "x"`)))).toEqual([]);
    for (const n of [9, 1000]) {
      const meta = await errorGrid(read(`${path(n)} == "x"`));
      expect([meta.get("errCode"), String(meta.get("dis"))]).toEqual(["limit_exceeded", expect.stringMatching(/8/)]);
    }
  });
});

describe("Haystack HTTP: failures after the request grid are 200 error grids and change nothing", () => {
  it("read by unknown ids answers all-null rows in request order", async () => {
    const p = await project();
    const g = await ok(post(p, "read", `ver:"3.0"\nid\n@ghost1\n@b\n@ghost2\n@a\n`));
    expect(idsOf(g)).toEqual([null, "b", null, "a"]);
    for (const i of [0, 2]) expect(g.rows[i]?.every((c) => c === null)).toBe(true);
    const none = await ok(get(p, "read", "id=@ghost"));
    expect(none.rows).toHaveLength(1);
    expect(none.rows[0]?.every((c) => c === null)).toBe(true);
  });

  it("hisRead of a bad range, an unknown point or a non-his record", async () => {
    const p = await project();
    for (const range of [
      "2024-02-30",
      "tomorrowish",
      "2024-01-02,2024-01-01",
      "2024-01-01,2024-01-02T00:00:00Z UTC",
      "",
    ]) {
      const meta = await errorGrid(get(p, "hisRead", `id=@a&range=${encodeURIComponent(range)}`));
      expect([range, meta.get("errCode")]).toEqual([range, "invalid_range"]);
    }
    const noRange = await errorGrid(post(p, "hisRead", `ver:"3.0"\nid\n@a\n`));
    expect(noRange.get("dis")).toMatch(/range/);
    expect((await errorGrid(get(p, "hisRead", "id=@nope&range=today"))).get("dis")).toMatch(/Unknown point/);
    expect((await errorGrid(get(p, "hisRead", "id=@x&range=today"))).get("dis")).toMatch(/not a his point/);
    const batch = await errorGrid(post(p, "hisRead", `ver:"3.0" range:"today"\nid\n@a\n@nope\n`));
    expect(batch.get("dis")).toMatch(/Unknown point @nope/);
    const many = Array.from({ length: 201 }, () => "@a").join("\n");
    expect((await errorGrid(post(p, "hisRead", `ver:"3.0" range:"today"\nid\n${many}\n`))).get("dis")).toMatch(
      /at most 200 points/,
    );
  });

  it("refused hisWrites: a bad ts in the last row, a non-his target, one unknown id in a batch, a Ref value", async () => {
    const p = await project();
    const row = "2024-01-05T00:00:00Z UTC,5kW";
    await refusedWrites(p, [
      () => errorGrid(post(p, "hisWrite", `ver:"3.0" id:@b\nts,val\n${row}\n${row}\n"yesterday",6kW\n`)),
      () => errorGrid(post(p, "hisWrite", `ver:"3.0" id:@x\nts,val\n${row}\n`)),
      () => errorGrid(post(p, "hisWrite", `ver:"3.0" id:@ghost\nts,val\n${row}\n`)),
      () => errorGrid(post(p, "hisWrite", `ver:"3.0"\nts,v0 id:@b,v1 id:@ghost\n${row},6kW\n`)),
      () => errorGrid(post(p, "hisWrite", `ver:"3.0" id:@b\nts,val\n${row}\n2024-01-05T01:00:00Z UTC,@notAValue\n`)),
      () => errorGrid(post(p, "hisWrite", `ver:"3.0" id:@b\nval\n5kW\n`)),
    ]);
  });

  it("NaN, INF and -INF are history Numbers: hisWrite takes them and hisRead answers them exactly, in Zinc and JSON", async () => {
    const p = await project();
    const day = "2024-01-06";
    // The batch form that was once refused for its NaN: now both points take their samples.
    await ok(
      post(
        p,
        "hisWrite",
        `ver:"3.0"\nts,v0 id:@b,v1 id:@a\n${day}T00:00:00Z UTC,6kW,NaN\n${day}T01:00:00Z UTC,INF,-INF\n${day}T02:00:00Z UTC,-INF,2kW\n`,
      ),
    );
    const json = { accept: "application/json" };
    const zincVals = async (id: string) =>
      (await ok(get(p, "hisRead", `id=@${id}&range=${day}`))).rows.map((r) => r[1]);
    expect(await zincVals("a")).toEqual([Number.NaN, Number.NEGATIVE_INFINITY, new HNumber(2, "kW")]);
    expect(await zincVals("b")).toEqual([new HNumber(6, "kW"), Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    const text = await (await get(p, "hisRead", `id=@a&range=${day}`, json)).text();
    expect(text).toContain('{"_kind":"number","val":"NaN"}');
    expect(text).toContain('{"_kind":"number","val":"-INF"}');
    // JSON carries a unit on NaN and INF too (Zinc's grammar has none for them).
    const body = JSON.stringify({
      _kind: "grid",
      meta: { ver: "3.0", id: { _kind: "ref", val: "b" } },
      cols: [{ name: "ts" }, { name: "val" }],
      rows: ["NaN", "INF", "-INF"].map((val, h) => ({
        ts: { _kind: "dateTime", val: `2024-01-07T0${h}:00:00Z`, tz: "UTC" },
        val: { _kind: "number", val, unit: "kW" },
      })),
    });
    await ok(post(p, "hisWrite", body, { "content-type": "application/json" }));
    const back = readJsonGrid(await (await get(p, "hisRead", "id=@b&range=2024-01-07", json)).text());
    const vals = back.rows.map((r) => r[1]);
    expect(vals).toEqual([
      new HNumber(Number.NaN, "kW"),
      new HNumber(Number.POSITIVE_INFINITY, "kW"),
      new HNumber(Number.NEGATIVE_INFINITY, "kW"),
    ]);
  });

  it("refused commits: stale mod in a multi-row update, an unknown id, a duplicate add, a stale remove", async () => {
    const p = await project();
    const recs = new Map(
      (await ok(get(p, "read", "filter=id"))).dicts().map((d) => [String(d.get("id")).split(" ")[0], d]),
    );
    const mod = (id: string) => String(recs.get(`@${id}`)?.get("mod"));
    const staleA = mod("a");
    await ok(post(p, "commit", `ver:"3.0" commit:"update"\nid,mod,dis\n@a,${staleA},"A2"\n`));
    const freshA = String((await ok(get(p, "read", "id=@a"))).rowDict(0).get("mod"));
    await refusedWrites(p, [
      async () => {
        const meta = await errorGrid(
          post(p, "commit", `ver:"3.0" commit:"update"\nid,mod,dis\n@b,${mod("b")},"B2"\n@a,${staleA},"A3"\n`),
        );
        expect(meta.get("errCode")).toBe("conflict");
      },
      async () => {
        const meta = await errorGrid(
          post(p, "commit", `ver:"3.0" commit:"update"\nid,mod,dis\n@a,${freshA},"A3"\n@ghost,${freshA},"G"\n`),
        );
        expect(meta.get("errCode")).toBe("not_found");
      },
      async () => {
        const meta = await errorGrid(post(p, "commit", `ver:"3.0" commit:"add"\nid,dis\n@new1,"N"\n@b,"dup"\n`));
        expect(meta.get("errCode")).toBe("duplicate");
      },
      async () => {
        const meta = await errorGrid(post(p, "commit", `ver:"3.0" commit:"add"\nid,dis\n@new1,"N"\n@new1,"N"\n`));
        expect(meta.get("dis")).toMatch(/twice/);
      },
      async () => {
        const meta = await errorGrid(
          post(p, "commit", `ver:"3.0" commit:"remove"\nid,mod\n@b,${mod("b")}\n@a,${staleA}\n`),
        );
        expect(meta.get("errCode")).toBe("conflict");
      },
      async () => {
        await errorGrid(post(p, "commit", `ver:"3.0" commit:"update"\nid,dis\n@a,"no mod"\n`));
      },
      async () => {
        expect((await errorGrid(post(p, "commit", `ver:"3.0" commit:"merge"\nid\n@a\n`))).get("dis")).toMatch(/commit/);
      },
    ]);
  });

  it("refused pointWrites: bad level, duration off level 8, non-writable or unknown point, bad value", async () => {
    const p = await project();
    await refusedWrites(p, [
      ...["0", "18", "1.5", '"8"'].map(
        (level) => async () =>
          expect(
            (await errorGrid(post(p, "pointWrite", `ver:"3.0"\nid,level,val\n@w,${level},1kW\n`))).get("errCode"),
          ).toBe("invalid_value"),
      ),
      () => errorGrid(post(p, "pointWrite", `ver:"3.0"\nid,level,val,duration\n@w,9,1kW,1h\n`)),
      () => errorGrid(post(p, "pointWrite", `ver:"3.0"\nid,level,val,duration\n@w,8,1kW,5kW\n`)),
      () => errorGrid(post(p, "pointWrite", `ver:"3.0"\nid,level,val\n@w,8,@ref\n`)),
      () => errorGrid(post(p, "pointWrite", `ver:"3.0"\nid,level,val,who\n@w,8,1kW,""\n`)),
      () => errorGrid(post(p, "pointWrite", `ver:"3.0"\nid,level,val\n@a,8,1kW\n`)),
      () => errorGrid(post(p, "pointWrite", `ver:"3.0"\nid,level,val\n@ghost,8,1kW\n`)),
      () => errorGrid(post(p, "invokeAction", `ver:"3.0" id:@w action:"Override"\nval\n1kW\n`)),
    ]);
  });

  it("watchPoll or watchUnsub without a watchId, watchPoll of an unknown watch; read with a bad filter or limit", async () => {
    const p = newProject();
    expect((await errorGrid(post(p, "watchPoll", `ver:"3.0" watchId:"w-nope"\nempty\n`))).get("errCode")).toBe(
      "not_found",
    );
    expect((await errorGrid(post(p, "watchPoll", `ver:"3.0"\nempty\n`))).get("dis")).toMatch(/watchId/);
    expect((await errorGrid(post(p, "watchUnsub", `ver:"3.0" close\nempty\n`))).get("dis")).toMatch(/watchId/);
    expect((await errorGrid(get(p, "read", `filter=${encodeURIComponent("site and (")}`))).get("errCode")).toBe(
      "parse_error",
    );
    expect((await errorGrid(get(p, "read", "filter=site&limit=-1"))).get("errCode")).toBe("invalid_value");
    expect((await errorGrid(post(p, "read", ""))).get("dis")).toMatch(/filter/);
  });
});
