/**
 * The series face over HTTP: the three store kinds, bodies in every
 * format, errors with stable codes that change nothing, the sync endpoints and the OpenAPI
 * document. Pulls between projects are in series-sync-cases.ts.
 */
import { tableFromArrays, tableFromIPC, tableToIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { mintToken } from "./auth.ts";
import { ClockedWorker } from "./clocked.ts";
import { type Columnar, HOUR, hourly, ms, SeriesClient } from "./series-http.ts";

/** The cases, run on the embedded default (test/worker) and on Postgres (test/worker-pg). */
export function seriesHttpCases(): void {
  const LOAD = { kind: "chunked", keys: { version: "int", kind: "str" }, freq: "1h", zone: "Europe/Paris" };
  const SYNC_LOAD = { ...LOAD, sync: true };

  function client(): SeriesClient {
    return new SeriesClient(new ClockedWorker(), `ts-${crypto.randomUUID().slice(0, 8)}`);
  }

  describe("store definitions", () => {
    it("are made once, then frozen: the same again is 200, a change is 409", async () => {
      const c = client();
      await c.define("load", LOAD, 201);
      await c.define("load", LOAD, 200);
      const r = await c.fetch("load", {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...LOAD, freq: "30min" }),
      });
      expect(r.status).toBe(409);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("conflict");
      const got = (await c.json("load")) as { definition: Record<string, unknown> };
      expect(got.definition).toMatchObject({
        kind: "chunked",
        freq: "1h",
        zone: "Europe/Paris",
        chunkAxis: "year,month",
        dtype: "float64",
        sync: false,
        keys: { version: "int", kind: "str" },
      });
    });

    it.each([
      [{ ...LOAD, zone: "Mars/Olympus" }, "zone"],
      [{ ...LOAD, freq: "7min" }, "freq"],
      [{ ...LOAD, keys: { start: "int" } }, "reserved"],
      [{ ...LOAD, keys: { a: "float" } }, "keys"],
      [{ ...LOAD, colour: "red" }, "colour"],
      [{ kind: "series" }, "keys"],
      [{ kind: "series", keys: { a: "str" }, freq: "1h" }, "chunked"],
    ])("refuses a bad definition %#", async (def, word) => {
      const c = client();
      const r = await c.fetch("bad", {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(def),
      });
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect(r.status).toBe(400);
      expect(body.error.code).toBe("invalid");
      expect(body.error.message).toContain(word);
      expect((await c.fetch("bad")).status).toBe(404);
    });

    it("lists the project's stores and drops one with everything in it", async () => {
      const c = client();
      await c.define("a", LOAD);
      await c.define("b", { kind: "versioned" });
      expect(await c.json("")).toEqual({ stores: ["a", "b"] });
      await c.set(
        "a",
        { version: 1, kind: "load" },
        hourly("2024-01-01T00:00:00Z", 3, (i) => i),
      );
      expect((await c.fetch("a", { method: "DELETE" })).status).toBe(204);
      expect((await c.fetch("a/series", {}, { version: 1, kind: "load" })).status).toBe(404);
    });
  });

  describe("chunked stores", () => {
    it("write then read gives back exactly the on-grid values, across DST and chunk ends, in the store's zone", async () => {
      const c = client();
      await c.define("load", LOAD);
      // 2024-10-26 22:00Z .. 2024-11-01 02:00Z: crosses the Paris autumn change and a month end.
      const body = hourly("2024-10-26T22:00:00Z", 125, (i) => (i % 7 === 3 ? null : i * 1.5));
      const w = await c.set("load", { version: 1, kind: "load" }, body);
      expect(w).toMatchObject({ written: 2, removed: 0 });
      const got = (await c.get("load", { version: 1, kind: "load" })) as unknown as Columnar;
      const want = body.index
        .map((t, i) => [Date.parse(t as string), body.values[i]] as const)
        .filter(([, v]) => v !== null);
      // Edge NaNs are trimmed, interior ones kept as null.
      const pairs = ms(got.index).map((t, i) => [t, got.values[i]] as const);
      expect(pairs.filter(([, v]) => v !== null)).toEqual(want);
      expect(got.index[0]).toBe("2024-10-27T00:00:00+02:00");
      expect(got.index).toContain("2024-10-27T02:00:00+01:00");
      expect(got.index).toContain("2024-10-27T02:00:00+02:00");
    });

    it("reads with inclusive bounds in any zone", async () => {
      const c = client();
      await c.define("load", LOAD);
      await c.set(
        "load",
        { version: 1, kind: "load" },
        hourly("2024-03-01T00:00:00Z", 48, (i) => i),
      );
      const got = (await c.get(
        "load",
        { version: 1, kind: "load" },
        { start: "2024-03-01T05:00:00+01:00", end: "2024-03-01T12:00:00Z" },
      )) as unknown as Columnar;
      expect(ms(got.index)).toEqual(Array.from({ length: 9 }, (_, i) => Date.parse("2024-03-01T04:00:00Z") + i * HOUR));
      // Naive bounds are local to the store's zone.
      const naive = (await c.get(
        "load",
        { version: 1, kind: "load" },
        { start: "2024-03-01 05:00", end: "2024-03-01 06:00" },
      )) as unknown as Columnar;
      expect(ms(naive.index)).toEqual([Date.parse("2024-03-01T04:00:00Z"), Date.parse("2024-03-01T05:00:00Z")]);
    });

    it("create refuses off-grid instants and existing chunks, changing nothing", async () => {
      const c = client();
      await c.define("load", LOAD);
      const off = await c.set(
        "load",
        { version: 1, kind: "load" },
        { index: ["2024-01-01T00:30:00Z"], values: [1] },
        {},
        400,
      );
      expect((off as { error: { code: string } }).error.code).toBe("invalid");
      await c.set(
        "load",
        { version: 1, kind: "load" },
        hourly("2024-01-10T00:00:00Z", 2, () => 1),
      );
      const again = await c.set(
        "load",
        { version: 1, kind: "load" },
        hourly("2024-01-20T00:00:00Z", 2, () => 2),
        {},
        409,
      );
      expect((again as { error: { code: string } }).error.code).toBe("conflict");
      const got = (await c.get("load", { version: 1, kind: "load" })) as unknown as Columnar;
      expect(got.values).toEqual([1, 1]);
    });

    it("update: new wins, NaN never erases; replace rewrites and removes the chunks it does not cover", async () => {
      const c = client();
      await c.define("load", LOAD);
      const k = { version: 1, kind: "load" };
      await c.set(
        "load",
        k,
        hourly("2024-01-31T20:00:00Z", 8, (i) => i),
      ); // Jan and Feb chunks
      await c.set(
        "load",
        k,
        { index: ["2024-01-31T21:00:00Z", "2024-01-31T22:00:00Z"], values: [100, null] },
        { mode: "update" },
      );
      let got = (await c.get("load", k)) as unknown as Columnar;
      expect(got.values).toEqual([0, 100, 2, 3, 4, 5, 6, 7]);
      await c.set(
        "load",
        k,
        hourly("2024-02-01T00:00:00Z", 2, () => 9),
        { mode: "replace" },
      );
      got = (await c.get("load", k)) as unknown as Columnar;
      expect(got.values).toEqual([9, 9]);
      expect(ms(got.index)[0]).toBe(Date.parse("2024-02-01T00:00:00Z"));
      const both = await c.set(
        "load",
        k,
        hourly("2024-02-01T00:00:00Z", 1, () => 1),
        { update: true, replace: true },
        400,
      );
      expect((both as { error: { message: string } }).error.message).toContain("update and replace");
    });

    it("a sync store takes update and replace but never create, and deletes leave tombstones in updates/", async () => {
      const c = client();
      await c.define("load", SYNC_LOAD);
      const k = { version: 1, kind: "load" };
      await c.set(
        "load",
        k,
        hourly("2024-01-01T00:00:00Z", 2, () => 1),
        {},
        400,
      );
      await c.set(
        "load",
        k,
        hourly("2024-01-31T22:00:00Z", 4, () => 1),
        { mode: "update" },
      );
      const del = (await c.json("load/series", { method: "DELETE" }, k)) as { removed: number };
      expect(del.removed).toBe(2);
      expect((await c.fetch("load/series", {}, k)).status).toBe(404);
      const upd = (await c.json("load/updates/", {}, { since: "2000-01-01T00:00:00+01:00", limit: 10 })) as {
        count: number;
        results: { is_deleted: boolean; chunk_index: number; attrs: Record<string, unknown> }[];
      };
      expect(upd.count).toBe(2);
      expect(upd.results.map((r) => [r.chunk_index, r.is_deleted])).toEqual([
        [24288, true],
        [24289, true],
      ]);
      expect(upd.results[0]?.attrs).toEqual({ version: 1, kind: "load" });
    });

    it("set_many creates every series or none", async () => {
      const c = client();
      await c.define("load", LOAD);
      await c.set(
        "load",
        { version: 2, kind: "load" },
        hourly("2024-01-01T00:00:00Z", 1, () => 1),
      );
      const many = (items: { keys: Record<string, unknown>; start: string }[]) =>
        c.fetch("load/many", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ series: items.map((it) => ({ keys: it.keys, ...hourly(it.start, 3, (i) => i) })) }),
        });
      const clash = await many([
        { keys: { version: 1, kind: "load" }, start: "2024-01-01T00:00:00Z" },
        { keys: { version: 2, kind: "load" }, start: "2024-01-05T00:00:00Z" },
      ]);
      expect(clash.status).toBe(409);
      expect((await c.fetch("load/series", {}, { version: 1, kind: "load" })).status).toBe(404);
      const ok = await many([
        { keys: { version: 1, kind: "load" }, start: "2024-01-01T00:00:00Z" },
        { keys: { version: 3, kind: "price" }, start: "2024-01-05T00:00:00Z" },
      ]);
      expect(ok.status).toBe(201);
      expect(((await c.get("load", { version: 3, kind: "price" })) as unknown as Columnar).values).toEqual([0, 1, 2]);
    });

    it("yield_many streams every matching series within the window, gaps between chunks included", async () => {
      const c = client();
      await c.define("load", LOAD);
      // version 1: January and March (no February chunk); version 2: March only.
      await c.set(
        "load",
        { version: 1, kind: "load" },
        hourly("2024-01-10T00:00:00Z", 2, () => 1),
      );
      await c.set(
        "load",
        { version: 1, kind: "load" },
        hourly("2024-03-10T00:00:00Z", 2, () => 2),
        { mode: "update" },
      );
      await c.set(
        "load",
        { version: 2, kind: "load" },
        hourly("2024-03-10T00:00:00Z", 2, () => 3),
      );
      await c.set(
        "load",
        { version: 2, kind: "price" },
        hourly("2024-03-10T00:00:00Z", 2, () => 4),
      );
      const all = await c.lines("load/scan", { kind: "load" });
      // Within a chunk missing hours are kept (null); between chunks there is nothing at all.
      const present = (l: Record<string, unknown>) => (l.values as (number | null)[]).filter((v) => v !== null);
      expect(all.map((l) => [l.keys, present(l)])).toEqual([
        [{ version: 1, kind: "load" }, [1, 1, 2, 2]],
        [{ version: 2, kind: "load" }, [3, 3]],
      ]);
      const v1 = all[0] as { index: string[]; values: (number | null)[] };
      expect(v1.index[0]).toBe("2024-01-10T01:00:00+01:00");
      expect(v1.index.at(-1)).toBe("2024-03-10T02:00:00+01:00");
      // Jan 10 01:00 .. Jan 31 23:00 and Mar 1 00:00 .. Mar 10 02:00 local: no February hour in between.
      expect(v1.index).toHaveLength(527 + 219);
      const march = await c.lines("load/scan", { kind: "load", start: "2024-03-01", end: "2024-03-31" });
      expect(march.map(present)).toEqual([
        [2, 2],
        [3, 3],
      ]);
      const last = (await c.json("load/last", {}, { kind: "load" })) as { ms: number };
      expect(last.ms).toBe(Date.parse("2024-03-10T01:00:00Z"));
    });

    it("yield_many pages through more chunks than one storage page, each series whole and once", async () => {
      const c = client();
      // Daily values in month chunks: ten years are 120 chunks a series, 360 in all.
      await c.define("daily", { ...LOAD, freq: "1D" });
      const days = 3653;
      for (const v of [1, 2, 3]) {
        // Local dates: the store reads them as its zone's midnights, whatever DST does.
        const body = {
          index: Array.from({ length: days }, (_, i) => new Date(Date.UTC(2015, 0, 1 + i)).toISOString().slice(0, 10)),
          values: Array.from({ length: days }, (_, i) => v * 10_000 + i),
        };
        await c.set("daily", { version: v, kind: "load" }, body);
      }
      const all = await c.lines("daily/scan", { kind: "load" });
      expect(all.map((l) => (l.keys as { version: number }).version)).toEqual([1, 2, 3]);
      for (const [n, l] of all.entries()) {
        const values = l.values as number[];
        expect(values).toHaveLength(days);
        expect(values[0]).toBe((n + 1) * 10_000);
        expect(values.at(-1)).toBe((n + 1) * 10_000 + days - 1);
      }
    });

    it("reads and writes CSV, NDJSON, Arrow and pairs", async () => {
      const c = client();
      await c.define("load", LOAD);
      const k = { version: 1, kind: "load" };
      const csv =
        "time,value\n2024-05-01T00:00:00+02:00,1.5\n2024-05-01T01:00:00+02:00,\n2024-05-01T02:00:00+02:00,3\n";
      let r = await c.fetch("load/series", { method: "PUT", headers: { "content-type": "text/csv" }, body: csv }, k);
      expect(r.status, await r.text()).toBe(200);
      r = await c.fetch("load/series", { headers: { accept: "text/csv" } }, k);
      expect(r.headers.get("content-type")).toContain("text/csv");
      const text = await r.text();
      expect(text.split("\n")[1]).toBe("2024-05-01T00:00:00+02:00,1.5");
      const arrow = await c.fetch("load/series", { headers: { accept: "application/vnd.apache.arrow.stream" } }, k);
      const table = tableFromIPC(new Uint8Array(await arrow.arrayBuffer()));
      expect(table.numRows).toBe(3);
      expect(
        Array.from(table.getChildAt(1)?.toArray() as Float64Array).map((v) => (Number.isNaN(v) ? null : v)),
      ).toEqual([1.5, null, 3]);
      const ipc = tableToIPC(
        tableFromArrays({ time: [new Date("2024-06-01T00:00:00Z")], value: new Float64Array([7]) }),
        "stream",
      );
      r = await c.fetch(
        "load/series",
        { method: "PUT", headers: { "content-type": "application/vnd.apache.arrow.stream" }, body: ipc },
        { version: 2, kind: "load" },
      );
      expect(r.status, await r.text()).toBe(200);
      const nd = '{"t":"2024-07-01T00:00:00Z","v":5}\n{"t":"2024-07-01T01:00:00Z","v":6}\n';
      r = await c.fetch(
        "load/series",
        { method: "PUT", headers: { "content-type": "application/x-ndjson" }, body: nd },
        { version: 3, kind: "load" },
      );
      expect(r.status, await r.text()).toBe(200);
      const pairs = (await c.get("load", { version: 3, kind: "load" }, { shape: "pairs" })) as unknown;
      expect(pairs).toEqual([
        ["2024-07-01T02:00:00+02:00", 5],
        ["2024-07-01T03:00:00+02:00", 6],
      ]);
    });

    it("bad requests get a problem body with a stable code and change nothing", async () => {
      const c = client();
      await c.define("load", LOAD);
      const k = { version: 1, kind: "load" };
      const cases: [string, RequestInit, Record<string, string | number>, number, string][] = [
        ["nostore/series", {}, k, 404, "not_found"],
        ["load/series", {}, { version: 1 }, 400, "invalid"],
        ["load/series", {}, { version: "one", kind: "load" }, 400, "invalid"],
        [
          "load/series",
          { method: "PUT", headers: { "content-type": "application/xml" }, body: "<a/>" },
          k,
          415,
          "unsupported_media_type",
        ],
        [
          "load/series",
          { method: "PUT", headers: { "content-type": "application/json" }, body: '{"index": [1,2], "values": [1]}' },
          k,
          400,
          "invalid",
        ],
        [
          "load/series",
          { method: "PUT", headers: { "content-type": "application/json" }, body: '{"index": [' },
          k,
          400,
          "invalid",
        ],
        ["load/series", { headers: { accept: "image/png" } }, k, 406, "not_acceptable"],
        ["load/series", {}, { ...k, start: "yesterday" }, 400, "invalid"],
        [
          "load/series",
          {
            method: "PUT",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(hourly("2024-01-01T00:00:00Z", 2, () => 1)),
          },
          { ...k, mode: "merge" },
          400,
          "invalid",
        ],
      ];
      for (const [path, init, q, status, code] of cases) {
        const r = await c.fetch(path, init, q);
        const body = (await r.json()) as { error: { code: string } };
        expect([path, r.status, body.error.code]).toEqual([path, status, code]);
      }
      const big = await c.w.fetch(
        `http://hayloft.test/ts/${c.project}/load/series?version=1&kind=load`,
        { method: "PUT", headers: { "content-type": "application/json" }, body: "x".repeat(64) },
        { MAX_BODY_BYTES: "32" },
      );
      expect(big.status).toBe(413);
      expect((await c.fetch("load/series", {}, k)).status).toBe(404);
    });
  });

  describe("versioned stores", () => {
    it("version without versioning overwrites 0; with it adds max+1; combined get folds newest first", async () => {
      const c = client();
      await c.define("fc", { kind: "versioned" });
      const k = { prm: "p1", client_id: 7 };
      await c.set("fc", k, {
        index: ["2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z", "2024-01-01T02:00:00Z"],
        values: [1, 1, 1],
      });
      const v1 = await c.set(
        "fc",
        k,
        { index: ["2024-01-01T01:00:00Z", "2024-01-01T02:00:00Z", "2024-01-01T03:00:00Z"], values: [2, null, 2] },
        { versioning: true },
      );
      expect(v1.version).toBe(1);
      const combined = (await c.get("fc", k)) as unknown as Columnar & { version: number };
      expect(combined.values).toEqual([1, 2, 1, 2]);
      expect(combined.version).toBe(1);
      const zero = (await c.get("fc", k, { version: 0 })) as unknown as Columnar;
      expect(zero.values).toEqual([1, 1, 1]);
      const all = await c.lines("fc/series", { ...k, version: "all" });
      expect(all.map((l) => l.version)).toEqual([1, 0]);
      // All-NaN input is ignored, as HoLcStore does.
      const none = await c.set("fc", k, { index: ["2024-01-01T00:00:00Z"], values: [null] }, { versioning: true });
      expect(none.written).toBe(0);
      const del = (await c.json("fc/series", { method: "DELETE" }, { ...k, version: 1 })) as { removed: number };
      expect(del.removed).toBe(1);
      expect(((await c.get("fc", k)) as unknown as Columnar).values).toEqual([1, 1, 1]);
    });

    it("get_many reads several prms; holes lists missing runs", async () => {
      const c = client();
      await c.define("fc", { kind: "versioned" });
      await c.set(
        "fc",
        { prm: "a", client_id: 1 },
        hourly("2024-01-01T00:00:00Z", 6, (i) => (i === 2 || i === 3 ? null : i)),
      );
      await c.set(
        "fc",
        { prm: "b", client_id: 1 },
        hourly("2024-01-01T00:00:00Z", 6, (i) => i),
      );
      const many = await c.lines("fc/scan", { prm: "a", client_id: 1 });
      expect(many).toHaveLength(1);
      const r = await c.fetch("fc/scan?prm=a&prm=b&client_id=1", { headers: { accept: "application/x-ndjson" } });
      const lines = (await r.text()).trim().split("\n");
      expect(lines.map((l) => (JSON.parse(l) as { keys: { prm: string } }).keys.prm)).toEqual(["a", "b"]);
      const holes = (await c.json(
        "fc/holes?prm=a&prm=b&client_id=1&start=2024-01-01T00:00:00Z&end=2024-01-01T05:00:00Z&step=1h",
      )) as {
        holes: { keys: { prm: string }; start: string; end: string }[];
      };
      expect(holes.holes.map((h) => [h.keys.prm, Date.parse(h.start), Date.parse(h.end)])).toEqual([
        ["a", Date.parse("2024-01-01T02:00:00Z"), Date.parse("2024-01-01T03:00:00Z")],
      ]);
    });
  });

  describe("series stores", () => {
    it("set refuses an existing series; update merges; replace overwrites; partial keys list, flat demands one", async () => {
      const c = client();
      await c.define("t", { kind: "series", keys: { year: "int", kind: "str" } });
      await c.set(
        "t",
        { year: 2024, kind: "spot" },
        { index: ["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"], values: [1, 2] },
      );
      await c.set("t", { year: 2024, kind: "spot" }, { index: ["2024-01-03T00:00:00Z"], values: [3] }, {}, 409);
      await c.set(
        "t",
        { year: 2024, kind: "spot" },
        { index: ["2024-01-02T00:00:00Z", "2024-01-03T00:00:00Z"], values: [null, 3] },
        { mode: "update" },
      );
      expect(((await c.get("t", { year: 2024, kind: "spot" }, { flat: true })) as unknown as Columnar).values).toEqual([
        1, 2, 3,
      ]);
      await c.set(
        "t",
        { year: 2024, kind: "spot" },
        { index: ["2024-02-01T00:00:00Z"], values: [9] },
        { mode: "replace" },
      );
      expect(((await c.get("t", { year: 2024, kind: "spot" }, { flat: true })) as unknown as Columnar).values).toEqual([
        9,
      ]);
      await c.set("t", { year: 2025, kind: "spot" }, { index: ["2025-01-01T00:00:00Z"], values: [5] });
      const both = await c.lines("t/series", { kind: "spot" });
      expect(both.map((l) => l.keys)).toEqual([
        { year: 2024, kind: "spot" },
        { year: 2025, kind: "spot" },
      ]);
      const flat = (await c.get("t", { kind: "spot" }, { flat: true }, 400)) as { error: { message: string } };
      expect(flat.error.message).toContain("exactly one");
    });
  });

  describe("sync endpoints", () => {
    it("updates/ pages like DRF with absolute next URLs; pack/ answers a POST (the GET with a body is in test/scripts)", async () => {
      const c = client();
      await c.define("load", SYNC_LOAD);
      await c.set(
        "load",
        { version: 1, kind: "load" },
        hourly("2024-01-01T00:00:00Z", 24 * 95, (i) => i % 24),
        { mode: "update" },
      );
      const first = (await c.json("load/updates/", {}, { since: "2000-01-01T00:00:00+01:00", limit: 2 })) as {
        count: number;
        next: string;
        previous: string | null;
        results: Record<string, unknown>[];
      };
      expect(first.count).toBe(4);
      expect(first.previous).toBeNull();
      expect(first.next).toMatch(/^http:\/\/hayloft\.test\/ts\/.+\/load\/updates\/\?/);
      expect(new URL(first.next).searchParams.get("offset")).toBe("2");
      expect(first.results[0]).toMatchObject({
        chunk_index: 24288,
        dtype: "float64",
        start_ts: "2023-12-31T23:00:00Z",
        is_deleted: false,
      });
      expect(first.results[0]?.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      const second = (await c.json(
        new URL(first.next).pathname.split("/").slice(3).join("/") + new URL(first.next).search,
      )) as {
        next: string | null;
        results: unknown[];
      };
      expect(second.next).toBeNull();
      expect(second.results).toHaveLength(2);
      for (const method of ["POST"]) {
        const packed = (await c.json("load/pack/", {
          method,
          headers: { "content-type": "application/json" },
          body: JSON.stringify(first.results),
        })) as { blob: string; attrs: Record<string, unknown>; meta: Record<string, unknown> }[];
        expect(packed.map((p) => p.attrs.chunk_index)).toEqual([24288, 24289]);
        expect(packed[0]?.blob.startsWith("BCJNGG")).toBe(true);
      }
    });

    it("feed/ pages by sequence, exclusive and exactly once, with inline or referenced bytes", async () => {
      const c = client();
      await c.define("load", SYNC_LOAD);
      const k = { version: 1, kind: "load" };
      type Page = { last: number; more: boolean; items: { seq: number; chunk_index: number; blob?: string }[] };
      await c.set(
        "load",
        k,
        hourly("2024-01-31T22:00:00Z", 4, () => 1),
        { mode: "update" },
      ); // Jan, Feb: seq 1, 2
      const p1 = (await c.json("load/feed/", {}, { after: 0, limit: 1 })) as Page;
      expect(p1.items.map((i) => [i.seq, i.chunk_index])).toEqual([[1, 24288]]);
      expect(p1.items[0]?.blob?.startsWith("BCJNGG")).toBe(true);
      expect(p1.more).toBe(true);
      const p2 = (await c.json("load/feed/", {}, { after: p1.last, limit: 1, data: "ref" })) as Page;
      expect(p2.items.map((i) => [i.seq, i.chunk_index])).toEqual([[2, 24289]]);
      expect(p2.items[0]?.blob).toBeUndefined();
      expect(p2.more).toBe(false);
      // A rewrite of February comes after the cursor once, with the next sequence number.
      await c.set(
        "load",
        k,
        hourly("2024-02-01T00:00:00Z", 1, () => 2),
        { mode: "update" },
      );
      const p3 = (await c.json("load/feed/", {}, { after: p2.last })) as Page;
      expect(p3.items.map((i) => [i.seq, i.chunk_index])).toEqual([[3, 24289]]);
      expect(((await c.json("load/feed/", {}, { after: p3.last })) as Page).items).toEqual([]);
    });

    it("a non-sync store has no sync endpoints", async () => {
      const c = client();
      await c.define("load", LOAD);
      const r = (await c.json("load/feed/", {}, {}, 400)) as { error: { message: string } };
      expect(r.error.message).toContain("sync");
    });
  });

  describe("roles", () => {
    it("a viewer reads, an operator writes data, only an admin defines stores and sources; a refusal changes nothing", async () => {
      const c = client();
      await c.define("load", SYNC_LOAD);
      const as = async (role: "viewer" | "operator", path: string, init: RequestInit, query = {}) => {
        const token = await mintToken(c.project, role, undefined, c.w.clock.now());
        const headers = new Headers(init.headers);
        headers.set("authorization", `Bearer ${token}`);
        const r = await c.fetch(path, { ...init, headers }, query);
        await r.arrayBuffer();
        return r.status;
      };
      const k = { version: 1, kind: "load" };
      const body = { method: "PUT", headers: { "content-type": "application/json" } };
      const points = JSON.stringify(hourly("2024-01-01T00:00:00Z", 2, () => 1));
      expect(await as("viewer", "load/series", { ...body, body: points }, { ...k, mode: "update" })).toBe(403);
      expect(await as("viewer", "load/updates/", {}, { since: "2000-01-01T00:00:00Z", limit: 1 })).toBe(200);
      expect(await as("operator", "load/series", { ...body, body: points }, { ...k, mode: "update" })).toBe(200);
      expect(await as("viewer", "load/series", {}, k)).toBe(200);
      expect(await as("operator", "load", { ...body, body: JSON.stringify({ ...SYNC_LOAD, freq: "30min" }) })).toBe(
        403,
      );
      const source = JSON.stringify({ url: "http://x.test/ts/a/b/" });
      expect(await as("operator", "load/sources/s", { ...body, body: source })).toBe(403);
      expect(await as("operator", "load", { method: "DELETE" })).toBe(403);
      expect(((await c.json("load/sources")) as { sources: unknown[] }).sources).toEqual([]);
      expect(((await c.json("load")) as { definition: { freq: string } }).definition.freq).toBe("1h");
    });
  });

  describe("openapi.json", () => {
    it("describes the series routes and the admin routes", async () => {
      const w = new ClockedWorker();
      const r = await w.fetch("http://hayloft.test/openapi.json");
      const doc = (await r.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
      expect(doc.openapi).toBe("3.1.0");
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          "/ts/{project}/{store}",
          "/ts/{project}/{store}/series",
          "/ts/{project}/{store}/updates/",
          "/ts/{project}/{store}/sources/{name}/pull",
          "/admin/{project}/users",
          "/api/{project}/read",
        ]),
      );
      expect(Object.keys(doc.paths["/ts/{project}/{store}/pack/"] ?? {})).toEqual(
        expect.arrayContaining(["get", "post"]),
      );
    });
  });
}
