/**
 * The frames face over HTTP, the same cases on every backend (test/worker/frames-http.test.ts on
 * DO SQLite, test/worker-pg/frames-http-pg.test.ts on Postgres): formats in and out read back by
 * apache-arrow and hyparquet, PyStore's flows, problem bodies with stable codes, and the
 * all-or-nothing cases compared before and after.
 */
import { tableFromIPC } from "apache-arrow";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { describe, expect, it } from "vitest";
import { frameToArrow } from "../../src/frames/arrow.ts";
import type { Frame } from "../../src/frames/model.ts";
import { frameToParquet } from "../../src/frames/parquet.ts";
import { authedFetch, mintToken } from "./auth.ts";
import { BASE } from "./haystack-http.ts";

type Q = Record<string, string | number | boolean>;

function url(project: string, path: string, query: Q = {}): string {
  const q = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)] as [string, string])).toString();
  return `${BASE}/frames/${project}${path}${q ? `?${q}` : ""}`;
}

async function call(
  project: string,
  method: string,
  path: string,
  init: { body?: BodyInit; type?: string; accept?: string; query?: Q } = {},
) {
  const headers: Record<string, string> = {};
  if (init.type) headers["content-type"] = init.type;
  if (init.accept) headers.accept = init.accept;
  return authedFetch(url(project, path, init.query), {
    method,
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
  });
}

async function json(r: Response, status: number): Promise<Record<string, unknown>> {
  const text = await r.text();
  expect(r.status, text).toBe(status);
  return text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
}

async function problem(r: Response, status: number, code: string): Promise<string> {
  const body = (await json(r, status)) as { error: { code: string; message: string } };
  expect(body.error.code, body.error.message).toBe(code);
  return body.error.message;
}

const RECORDS = [
  { date: "2024-01-01T00:00:00Z", price: 10.5, vol: 100, sym: "A" },
  { date: "2024-01-02T00:00:00Z", price: 11, vol: 200, sym: "B" },
  { date: "2024-01-03T00:00:00Z", price: 12.25, vol: null, sym: "A" },
];

const JSON_T = "application/json";

async function newCollection(body?: unknown): Promise<{ p: string; c: string }> {
  const p = `fr-${crypto.randomUUID().slice(0, 8)}`;
  const c = "prices";
  const r = await call(p, "PUT", `/${c}`, body === undefined ? {} : { body: JSON.stringify(body), type: JSON_T });
  await json(r, 201);
  return { p, c };
}

/** Every dtype, nulls and a zone: what a format must carry. */
function allTypes(): Frame {
  const d = (n: number) => 1_704_067_200_000_000_000n + BigInt(n) * 86_400_000_000_000n;
  return {
    index: { kind: "timestamp", name: "date", zone: "Europe/Paris", values: BigInt64Array.from([d(0), d(1), d(2)]) },
    columns: [
      { name: "f64", dtype: "float64", values: Float64Array.from([1.5, -0, 3]), valid: Uint8Array.from([1, 1, 0]) },
      { name: "f32", dtype: "float32", values: Float32Array.from([0.5, 2, 3]) },
      { name: "i64", dtype: "int64", values: BigInt64Array.from([2n ** 60n, -7n, 0n]) },
      { name: "i32", dtype: "int32", values: Int32Array.from([1, 2, 3]), valid: Uint8Array.from([0, 1, 1]) },
      { name: "b", dtype: "bool", values: Uint8Array.from([1, 0, 1]) },
      { name: "s", dtype: "string", values: ["x", "", "z\u00fc"] },
      { name: "t", dtype: "timestamp", values: BigInt64Array.from([d(5), d(6), d(7)]) },
      { name: "cat", dtype: "category", values: { codes: Int32Array.from([0, 1, 0]), dictionary: ["lo", "hi"] } },
    ],
  };
}

export function framesHttpCases(): void {
  describe("frames over HTTP: collections", () => {
    it("create, get, list, conflict, patch, delete", async () => {
      const { p, c } = await newCollection({ metadata: { owner: "desk" } });
      expect(await json(await call(p, "GET", `/${c}`), 200)).toMatchObject({ name: c, metadata: { owner: "desk" } });
      expect(await json(await call(p, "GET", ""), 200)).toEqual({ collections: [c], next: null });
      await problem(await call(p, "PUT", `/${c}`), 409, "conflict");
      const patched = await json(
        await call(p, "PATCH", `/${c}`, {
          body: JSON.stringify({ rules: [{ id: "u", kind: "unique_index" }] }),
          type: JSON_T,
        }),
        200,
      );
      expect(patched.rules).toEqual([{ id: "u", kind: "unique_index" }]);
      expect((await call(p, "DELETE", `/${c}`)).status).toBe(204);
      await problem(await call(p, "GET", `/${c}`), 404, "not_found");
      expect(await json(await call(p, "GET", ""), 200)).toEqual({ collections: [], next: null });
    });
  });

  describe("frames over HTTP: write, append, read", () => {
    it("JSON records in; JSON, CSV and NDJSON out; PyStore's append with on_dup", async () => {
      const { p, c } = await newCollection();
      const w = await json(
        await call(p, "PUT", `/${c}/items/AAPL`, {
          body: JSON.stringify(RECORDS),
          type: JSON_T,
          query: { index_col: "date", metadata: '{"source":"yahoo"}' },
        }),
        201,
      );
      expect(w).toMatchObject({ item: "AAPL", version: 0, rows: 3 });
      const back = await json(await call(p, "GET", `/${c}/items/AAPL`), 200);
      expect(back).toEqual(RECORDS as unknown);
      const csv = await (
        await call(p, "GET", `/${c}/items/AAPL`, { accept: "text/csv", query: { columns: "price,sym" } })
      ).text();
      expect(csv).toBe(
        "date,price,sym\r\n2024-01-01T00:00:00Z,10.5,A\r\n2024-01-02T00:00:00Z,11.0,B\r\n2024-01-03T00:00:00Z,12.25,A\r\n",
      );
      // A streamed NDJSON append: overlapping day 3 replaced (keep_last), a new day 4.
      const nd = `${JSON.stringify({ date: "2024-01-03T00:00:00Z", price: 13, vol: 5, sym: "C" })}\n${JSON.stringify({ date: "2024-01-04T00:00:00Z", price: 14, vol: 6, sym: "A" })}\n`;
      const a = await json(
        await call(p, "POST", `/${c}/items/AAPL/append`, { body: nd, type: "application/x-ndjson" }),
        200,
      );
      expect(a).toMatchObject({ version: 1, rows: 4 });
      const lines = (
        await (await call(p, "GET", `/${c}/items/AAPL`, { query: { format: "ndjson", start: "2024-01-03" } })).text()
      )
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines).toEqual([
        { date: "2024-01-03T00:00:00Z", price: 13, vol: 5, sym: "C" },
        { date: "2024-01-04T00:00:00Z", price: 14, vol: 6, sym: "A" },
      ]);
      // CSV append typed by the item's schema ("15" is a float price); on_dup=error refuses.
      const csvBody = "date,price,vol,sym\n2024-01-04T00:00:00Z,15,1,Z\n";
      await problem(
        await call(p, "POST", `/${c}/items/AAPL/append`, {
          body: csvBody,
          type: "text/csv",
          query: { on_dup: "error" },
        }),
        409,
        "duplicate_index",
      );
      const kept = await json(
        await call(p, "POST", `/${c}/items/AAPL/append`, {
          body: csvBody,
          type: "text/csv",
          query: { on_dup: "keep_first" },
        }),
        200,
      );
      expect(kept).toMatchObject({ version: 2, rows: 4 });
      // Filters, head/tail, as_of, columnar JSON.
      const f = await json(
        await call(p, "GET", `/${c}/items/AAPL`, {
          query: {
            filters: JSON.stringify([
              ["sym", "in", ["A"]],
              ["price", ">", 11],
            ]),
            shape: "columnar",
          },
        }),
        200,
      );
      expect(f).toEqual({ index: ["2024-01-04T00:00:00Z"], columns: { price: [14], vol: [6], sym: ["A"] } });
      const v0 = await json(await call(p, "GET", `/${c}/items/AAPL`, { query: { as_of: 0, tail: 1 } }), 200);
      expect(v0).toEqual([RECORDS[2]] as unknown);
      const info = await json(await call(p, "GET", `/${c}/items/AAPL/info`), 200);
      expect(info).toMatchObject({ version: 2, rows: 4, metadata: { source: "yahoo" } });
    });

    it("Arrow IPC in and out, read back by apache-arrow with every dtype, nulls and the zone", async () => {
      const { p, c } = await newCollection();
      const body = frameToArrow(allTypes());
      await json(await call(p, "PUT", `/${c}/items/x`, { body, type: "application/vnd.apache.arrow.stream" }), 201);
      const r = await call(p, "GET", `/${c}/items/x`, { accept: "application/vnd.apache.arrow.stream" });
      expect(r.headers.get("content-type")).toBe("application/vnd.apache.arrow.stream");
      const t = tableFromIPC(new Uint8Array(await r.arrayBuffer()));
      expect(t.numRows).toBe(3);
      expect(t.getChild("f64")?.toArray()[0]).toBe(1.5);
      expect(t.getChild("f64")?.get(2)).toBeNull();
      expect(t.getChild("i64")?.get(0)).toBe(2n ** 60n);
      expect(t.getChild("i32")?.get(0)).toBeNull();
      expect(t.getChild("s")?.get(2)).toBe("z\u00fc");
      expect(t.getChild("cat")?.get(1)).toBe("hi");
      expect(t.getChild("b")?.get(1)).toBe(false);
      const idx = t.schema.fields.find((f) => f.name === "date");
      expect((idx?.type as { timezone?: string } | undefined)?.timezone).toBe("Europe/Paris");
      expect(JSON.parse(t.schema.metadata.get("pandas") ?? "{}").index_columns).toEqual(["date"]);
    });

    it("Parquet in and out, read back by hyparquet; pandas' read_parquet URL form works", async () => {
      const { p, c } = await newCollection();
      await json(
        await call(p, "PUT", `/${c}/items/x`, {
          body: frameToParquet(allTypes()),
          type: "application/vnd.apache.parquet",
        }),
        201,
      );
      const r = await call(p, "GET", `/${c}/items/x`, { query: { format: "parquet" } });
      expect(r.headers.get("content-type")).toBe("application/vnd.apache.parquet");
      const buf = await r.arrayBuffer();
      expect(parquetMetadata(buf).num_rows).toBe(3n);
      const rows = await parquetReadObjects({ file: buf });
      expect(rows.map((x) => x.i64)).toEqual([2n ** 60n, -7n, 0n]);
      expect(rows.map((x) => x.s)).toEqual(["x", "", "z\u00fc"]);
      expect(rows.map((x) => x.f64)).toEqual([1.5, -0, null]);
    });

    it("a large read streams as Arrow record batches, one per segment", async () => {
      const { p, c } = await newCollection();
      const n = 150_000;
      // A whole-body write is bounded by MAX_REQUEST_ROWS (5000 here); a streamed append is not.
      await json(await call(p, "PUT", `/${c}/items/big`, { body: "i,v\n0,0.0\n", type: "text/csv" }), 201);
      const records = Array.from({ length: n - 1 }, (_, i) => `${i + 1},${(i + 1) * 0.5}`).join("\n");
      await json(await call(p, "POST", `/${c}/items/big/append`, { body: `i,v\n${records}\n`, type: "text/csv" }), 200);
      const r = await call(p, "GET", `/${c}/items/big`, { accept: "application/vnd.apache.arrow.stream" });
      const t = tableFromIPC(new Uint8Array(await r.arrayBuffer()));
      expect(t.numRows).toBe(n);
      expect(t.batches.length).toBeGreaterThan(1);
      expect(t.getChild("v")?.get(n - 1)).toBe((n - 1) * 0.5);
      // Parquet streams too, a row group at a time: past MAX_READ_ROWS (100,000 here).
      const pq = await call(p, "GET", `/${c}/items/big`, { query: { format: "parquet", columns: "v" } });
      const buf = await pq.arrayBuffer();
      expect(parquetMetadata(buf).num_rows).toBe(BigInt(n));
      expect(parquetMetadata(buf).row_groups.length).toBe(2);
    });
  });

  describe("frames over HTTP: versions, snapshots, batch, transactions", () => {
    it("snapshots and as_of survive overwrite and deletion; versions and prune", async () => {
      const { p, c } = await newCollection();
      await json(
        await call(p, "PUT", `/${c}/items/a`, {
          body: JSON.stringify(RECORDS),
          type: JSON_T,
          query: { index_col: "date" },
        }),
        201,
      );
      const s = await json(await call(p, "PUT", `/${c}/snapshots/eod`, { body: "{}", type: JSON_T }), 201);
      expect(s).toMatchObject({ name: "eod", versions: { a: 0 } });
      await json(
        await call(p, "PUT", `/${c}/items/a`, {
          body: JSON.stringify(RECORDS.slice(0, 1)),
          type: JSON_T,
          query: { index_col: "date", overwrite: true },
        }),
        201,
      );
      expect((await call(p, "DELETE", `/${c}/items/a`)).status).toBe(204);
      await problem(await call(p, "GET", `/${c}/items/a`), 404, "not_found");
      expect(await json(await call(p, "GET", `/${c}/items/a`, { query: { snapshot: "eod" } }), 200)).toEqual(
        RECORDS as unknown,
      );
      expect(await json(await call(p, "GET", `/${c}/items/a`, { query: { as_of: "eod" } }), 200)).toEqual(
        RECORDS as unknown,
      );
      const listed = await json(await call(p, "GET", `/${c}/snapshots`), 200);
      expect((listed.snapshots as { name: string }[]).map((x) => x.name)).toEqual(["eod"]);
      // A fresh item: versions and prune.
      for (let k = 0; k < 3; k++) {
        await json(
          await call(p, "PUT", `/${c}/items/b`, {
            body: JSON.stringify(RECORDS),
            type: JSON_T,
            query: { index_col: "date", overwrite: true },
          }),
          201,
        );
      }
      const vs = await json(await call(p, "GET", `/${c}/items/b/versions`), 200);
      expect((vs.versions as { version: number }[]).map((v) => v.version)).toEqual([2, 1, 0]);
      const pr = await json(
        await call(p, "POST", `/${c}/items/b/versions/prune`, { body: JSON.stringify({ keep: 1 }), type: JSON_T }),
        200,
      );
      expect(pr).toMatchObject({ pruned: [1, 0] });
      await problem(await call(p, "GET", `/${c}/items/b`, { query: { version: 0 } }), 404, "not_found");
      expect((await call(p, "DELETE", `/${c}/snapshots/eod`)).status).toBe(204);
    });

    it("items are listed by metadata", async () => {
      const { p, c } = await newCollection();
      for (const [item, src] of [
        ["a", "yahoo"],
        ["b", "quandl"],
        ["c", "yahoo"],
      ]) {
        await json(
          await call(p, "PUT", `/${c}/items/${item}`, {
            body: JSON.stringify(RECORDS),
            type: JSON_T,
            query: { index_col: "date", metadata: JSON.stringify({ source: src }) },
          }),
          201,
        );
      }
      const r = await json(await call(p, "GET", `/${c}/items`, { query: { where: '{"source":"yahoo"}' } }), 200);
      expect((r.items as { name: string }[]).map((i) => i.name)).toEqual(["a", "c"]);
      await json(await call(p, "PUT", `/${c}/items/b/metadata`, { body: '{"source":"yahoo"}', type: JSON_T }), 200);
      const r2 = await json(await call(p, "GET", `/${c}/items`, { query: { where: '{"source":"yahoo"}' } }), 200);
      expect((r2.items as { name: string }[]).map((i) => i.name)).toEqual(["a", "b", "c"]);
      expect(await json(await call(p, "GET", `/${c}/items/b/metadata`), 200)).toEqual({ source: "yahoo" });
    });

    it("batch reports per item; a transaction commits all or nothing", async () => {
      const { p, c } = await newCollection();
      const b = await json(
        await call(p, "POST", `/${c}/batch`, {
          type: JSON_T,
          body: JSON.stringify({
            ops: [
              { op: "write", item: "a", data: RECORDS, index_col: "date" },
              { op: "append", item: "nope", data: RECORDS, index_col: "date" },
              { op: "write", item: "b", data: { nonsense: true } },
              { op: "write", item: "c", data: RECORDS, index_col: "date" },
            ],
          }),
        }),
        200,
      );
      expect(
        (b.results as Record<string, unknown>[]).map((x) => ("ok" in x ? "ok" : (x.error as { code: string }).code)),
      ).toEqual(["ok", "not_found", "invalid", "ok"]);
      const read = await json(
        await call(p, "POST", `/${c}/batch/read`, {
          type: JSON_T,
          body: JSON.stringify({ items: [{ item: "a", columns: ["price"], head: 1 }, { item: "zz" }] }),
        }),
        200,
      );
      expect(read.results).toEqual([
        { item: "a", version: 0, data: { index: ["2024-01-01T00:00:00Z"], columns: { price: [10.5] } } },
        { item: "zz", error: { code: "not_found", message: 'no item "zz"' } },
      ]);
      const before = await json(await call(p, "GET", `/${c}/items`), 200);
      const t = await call(p, "POST", `/${c}/transaction`, {
        type: JSON_T,
        body: JSON.stringify({
          ops: [
            { op: "write", item: "a", data: RECORDS.slice(0, 1), index_col: "date", overwrite: true },
            { op: "write", item: "new", data: RECORDS, index_col: "date" },
            { op: "delete", item: "c" },
            { op: "append", item: "new", data: RECORDS.slice(0, 1), index_col: "date", on_dup: "error" },
          ],
        }),
      });
      await problem(t, 409, "duplicate_index");
      expect(await json(await call(p, "GET", `/${c}/items`), 200)).toEqual(before);
      expect(await json(await call(p, "GET", `/${c}/items/a`), 200)).toEqual(RECORDS as unknown);
      const ok = await json(
        await call(p, "POST", `/${c}/transaction`, {
          type: JSON_T,
          body: JSON.stringify({
            ops: [
              { op: "delete", item: "c" },
              { op: "write", item: "new", data: RECORDS, index_col: "date" },
            ],
          }),
        }),
        200,
      );
      expect(ok.results).toEqual([
        { item: "c", version: null },
        { item: "new", version: 0, rows: 3, segmentsWritten: 1 },
      ]);
    });
  });

  describe("frames over HTTP: the OpenAPI document", () => {
    it("lists every frames route with its parameters", async () => {
      const doc = (await (await authedFetch(`${BASE}/openapi.json`)).json()) as { paths: Record<string, object> };
      const paths = Object.keys(doc.paths).filter((p) => p.startsWith("/frames"));
      expect(paths).toEqual(
        expect.arrayContaining([
          "/frames/{project}",
          "/frames/{project}/{collection}",
          "/frames/{project}/{collection}/items",
          "/frames/{project}/{collection}/items/{item}",
          "/frames/{project}/{collection}/items/{item}/append",
          "/frames/{project}/{collection}/items/{item}/versions/prune",
          "/frames/{project}/{collection}/snapshots/{snapshot}",
          "/frames/{project}/{collection}/transaction",
          "/frames/{project}/{collection}/batch/read",
        ]),
      );
      expect(paths).toHaveLength(17);
      const read = (
        doc.paths["/frames/{project}/{collection}/items/{item}"] as { get: { parameters: { name: string }[] } }
      ).get;
      expect(read.parameters.map((p) => p.name)).toEqual(
        expect.arrayContaining(["columns", "filters", "start", "end", "head", "tail", "as_of", "format"]),
      );
    });
  });

  describe("frames over HTTP: bad input changes nothing", () => {
    it("gets problem bodies with stable codes", async () => {
      const { p, c } = await newCollection({ rules: [{ id: "pos", kind: "range", column: "price", min: 0 }] });
      await problem(await call(p, "GET", "/nope/items/x"), 404, "not_found");
      // Malformed JSON is the app-wide 400 bad_request; JSON of the wrong shape is the face's invalid.
      await problem(await call(p, "PUT", "/other", { body: "{nope", type: JSON_T }), 400, "bad_request");
      await problem(await call(p, "PUT", "/other", { body: '{"rules": 5}', type: JSON_T }), 400, "invalid");
      await problem(
        await call(p, "PUT", `/${c}/snapshots/s`, { body: '{"items": "all"}', type: JSON_T }),
        400,
        "invalid",
      );
      await problem(await call(p, "GET", `/${c}/items/x`), 404, "not_found");
      await json(
        await call(p, "PUT", `/${c}/items/x`, {
          body: JSON.stringify(RECORDS),
          type: JSON_T,
          query: { index_col: "date" },
        }),
        201,
      );
      const before = await (await call(p, "GET", `/${c}/items/x`, { accept: "text/csv" })).text();
      await problem(
        await call(p, "PUT", `/${c}/items/y`, { body: "date,a,a\n2024-01-01T00:00:00Z,1,2\n", type: "text/csv" }),
        400,
        "duplicate_column",
      );
      await problem(
        await call(p, "GET", `/${c}/items/x`, { query: { filters: '[["nope","==",1]]' } }),
        400,
        "unknown_column",
      );
      await problem(await call(p, "GET", `/${c}/items/x`, { query: { filters: "[[" } }), 400, "invalid");
      await problem(
        await call(p, "PUT", `/${c}/items/y`, {
          body: new Uint8Array([0xff, 0xff, 0xff, 0xff, 9, 9, 9, 9, 1, 2]),
          type: "application/vnd.apache.arrow.stream",
        }),
        400,
        "invalid",
      );
      await problem(
        await call(p, "PUT", `/${c}/items/y`, {
          body: new Uint8Array([80, 65, 82, 49, 0, 0, 0, 0, 80, 65, 82, 49]),
          type: "application/vnd.apache.parquet",
        }),
        400,
        "invalid",
      );
      await problem(
        await call(p, "PUT", `/${c}/items/y`, {
          body: 'date,price\n2024-01-01T00:00:00Z,"unterminated\n',
          type: "text/csv",
        }),
        400,
        "invalid",
      );
      await problem(
        await call(p, "PUT", `/${c}/items/y`, { body: "x", type: "text/plain" }),
        415,
        "unsupported_media_type",
      );
      await problem(await call(p, "GET", `/${c}/items/x`, { accept: "image/png" }), 406, "not_acceptable");
      const bad = [{ date: "2024-02-01T00:00:00Z", price: -1, vol: 1, sym: "A" }];
      const msg = await problem(
        await call(p, "POST", `/${c}/items/x/append`, { body: JSON.stringify(bad), type: JSON_T }),
        422,
        "rule_failed",
      );
      expect(msg).toContain("pos");
      await problem(
        await call(p, "POST", `/${c}/items/x/append`, {
          body: JSON.stringify([{ date: "2024-02-01T00:00:00Z", price: "high" }]),
          type: JSON_T,
        }),
        400,
        "dtype_mismatch",
      );
      // A column the item lacks under the strict strategy.
      await problem(
        await call(p, "POST", `/${c}/items/x/append`, {
          body: JSON.stringify([{ date: "2024-02-01T00:00:00Z", price: 1, vol: 1, sym: "A", extra: true }]),
          type: JSON_T,
        }),
        409,
        "schema_changed",
      );
      // Over the body limit (MAX_BODY_BYTES is 10 MiB in tests): refused before it is read.
      const huge = new Uint8Array(11 * 1024 * 1024);
      await problem(
        await call(p, "PUT", `/${c}/items/y`, { body: huge, type: "application/vnd.apache.parquet" }),
        413,
        "payload_too_large",
      );
      // Over the row limit of a whole-body write (MAX_REQUEST_ROWS is 5000 in tests).
      const many = Array.from({ length: 5001 }, (_, i) => `${i},1`).join("\n");
      await problem(
        await call(p, "PUT", `/${c}/items/y`, { body: `i,v\n${many}\n`, type: "text/csv" }),
        413,
        "too_large",
      );
      // An append in a format read whole keeps the whole-body bounds, not the streamed ones.
      const rowsJson = JSON.stringify(
        Array.from({ length: 5001 }, (_, i) => ({
          date: new Date(Date.UTC(2030, 0, 1) + i * 60_000).toISOString(),
          price: 1,
        })),
      );
      await problem(await call(p, "POST", `/${c}/items/x/append`, { body: rowsJson, type: JSON_T }), 413, "too_large");
      expect(await (await call(p, "GET", `/${c}/items/x`, { accept: "text/csv" })).text()).toBe(before);
      expect(((await json(await call(p, "GET", `/${c}/items`), 200)).items as unknown[]).length).toBe(1);
    });

    it("a viewer reads but cannot write", async () => {
      const { p, c } = await newCollection();
      const viewer = `Bearer ${await mintToken(p, "viewer")}`;
      const put = await authedFetch(url(p, `/${c}/items/x`), {
        method: "PUT",
        headers: { authorization: viewer, "content-type": JSON_T },
        body: JSON.stringify(RECORDS),
      });
      await problem(put, 403, "forbidden");
      const list = await authedFetch(url(p, `/${c}/items`), { headers: { authorization: viewer } });
      expect(await json(list, 200)).toEqual({ items: [], next: null });
    });
  });
}
