/**
 * PyStore's scenarios (write / append / read / metadata / snapshots / list by metadata), a
 * regression case per PyStore defect in PYSTORE.md, and ArcticDB's versioning, run through the
 * frames service on a real backend. Segments are 4 rows here so segment-level behaviour (what an
 * append touches, what a read prunes) shows with small frames.
 */
import { expect } from "vitest";
import type { WriteResult } from "../../../src/dataframes/api.ts";
import type { Frame } from "../../../src/frames/model.ts";
import {
  type CountingPort,
  codeOf,
  col,
  DAY_NS,
  days,
  prices,
  range,
  readAll,
  type ServiceCase,
  sameState,
  stateOf,
  T0,
} from "./support.ts";

export const SEGMENT_ROWS_IN_CASES = 4;

const day = (d: number) => T0 + BigInt(d) * DAY_NS;

export function collectionCases(test: ServiceCase): void {
  test("a collection is created once; exists -> conflict unless overwrite, which empties it", async (svc) => {
    expect(await codeOf(svc.info())).toBe("not_found");
    expect(await codeOf(svc.items())).toBe("not_found");
    const info = await svc.create({ metadata: { owner: "q" } });
    expect(info.metadata).toEqual({ owner: "q" });
    expect(await codeOf(svc.create())).toBe("conflict");
    await svc.apply({ op: "write", item: "AAPL", frame: prices([0, 1], (d) => d) });
    await svc.create({ overwrite: true });
    expect(await svc.items()).toEqual([]);
    await svc.drop();
    expect(await codeOf(svc.info())).toBe("not_found");
    expect(await codeOf(svc.drop())).toBe("not_found");
  });

  test("rules are checked when set: an unknown rule kind is refused", async (svc) => {
    await svc.create();
    expect(await codeOf(svc.configure({ rules: [{ id: "r", kind: "nonsense" }] }))).toBe("invalid");
    const info = await svc.configure({ rules: [{ id: "pos", kind: "range", column: "price", min: 0 }] });
    expect(info.rules).toHaveLength(1);
  });
}

export function writeReadCases(test: ServiceCase): void {
  test("write then read gives the frame back sorted, with every dtype and nulls", async (svc) => {
    await svc.create();
    const f: Frame = {
      index: {
        kind: "timestamp",
        name: "date",
        zone: "America/New_York",
        values: BigInt64Array.from([day(2), day(0), day(1)]),
      },
      columns: [
        { name: "f64", dtype: "float64", values: Float64Array.from([2.5, Number.NaN, 1]) },
        { name: "f32", dtype: "float32", values: Float32Array.from([1.5, 2, 3]) },
        {
          name: "i64",
          dtype: "int64",
          values: BigInt64Array.from([2n ** 62n, -1n, 0n]),
          valid: Uint8Array.from([1, 0, 1]),
        },
        { name: "i32", dtype: "int32", values: Int32Array.from([7, 8, 9]) },
        { name: "b", dtype: "bool", values: Uint8Array.from([1, 0, 1]) },
        { name: "s", dtype: "string", values: ["c", "a", "b\u00e9"], valid: Uint8Array.from([1, 1, 0]) },
        { name: "t", dtype: "timestamp", values: BigInt64Array.from([day(9), day(8), day(7)]) },
        { name: "cat", dtype: "category", values: { codes: Int32Array.from([1, 0, 1]), dictionary: ["lo", "hi"] } },
      ],
    };
    const w = await svc.apply({ op: "write", item: "x", frame: f, options: { metadata: { src: "test" } } });
    expect(w).toMatchObject({ item: "x", version: 0, rows: 3 });
    const r = await svc.read("x");
    expect(r.zone).toBe("America/New_York");
    expect(r.metadata).toEqual({ src: "test" });
    const back = await readAll(svc, "x");
    expect(days(back)).toEqual([0, 1, 2]);
    expect(col(back, "f64")).toEqual([Number.NaN, 1, 2.5]);
    expect(col(back, "i64")).toEqual([null, 0n, 2n ** 62n]);
    expect(col(back, "s")).toEqual(["a", null, "c"]);
    expect(col(back, "cat")).toEqual(["lo", "hi", "hi"]);
    expect(col(back, "b")).toEqual([0, 1, 1]);
    expect(back?.columns.map((c) => c.dtype)).toEqual([
      "float64",
      "float32",
      "int64",
      "int32",
      "bool",
      "string",
      "timestamp",
      "category",
    ]);
  });

  test("write over an existing item needs overwrite; without it nothing changes", async (svc) => {
    await svc.create();
    await svc.apply({ op: "write", item: "x", frame: prices([0, 1], (d) => d) });
    const before = await stateOf(svc);
    expect(await codeOf(svc.apply({ op: "write", item: "x", frame: prices([5], () => 1) }))).toBe("conflict");
    sameState(before, await stateOf(svc));
    const w = await svc.apply({ op: "write", item: "x", frame: prices([5], () => 1), options: { overwrite: true } });
    expect(w.version).toBe(1);
    expect(days(await readAll(svc, "x"))).toEqual([5]);
  });

  test("duplicate column names are refused and nothing is written", async (svc) => {
    await svc.create();
    const f = prices([0], () => 1, [{ name: "price", dtype: "float64", values: Float64Array.from([2]) }]);
    expect(await codeOf(svc.apply({ op: "write", item: "x", frame: f }))).toBe("duplicate_column");
    expect(await svc.items()).toEqual([]);
  });

  test("an unknown item or collection is not_found", async (svc) => {
    expect(await codeOf(svc.read("x"))).toBe("not_found");
    await svc.create();
    expect(await codeOf(svc.read("x"))).toBe("not_found");
    expect(await codeOf(svc.apply({ op: "append", item: "x", frame: prices([0], () => 1) }))).toBe("not_found");
    expect(await codeOf(svc.apply({ op: "delete", item: "x" }))).toBe("not_found");
  });

  test("columns, start/end, head and tail select what PyStore's read does", async (svc) => {
    await svc.create();
    const f = prices(range(0, 20), (d) => d * 10, [
      { name: "vol", dtype: "int64", values: BigInt64Array.from(range(0, 20), (d) => BigInt(d)) },
    ]);
    await svc.apply({ op: "write", item: "x", frame: f });
    const cols = await readAll(svc, "x", { columns: ["vol"] });
    expect(cols?.columns.map((c) => c.name)).toEqual(["vol"]);
    expect(days(await readAll(svc, "x", { start: day(5), end: day(7) }))).toEqual([5, 6, 7]);
    expect(days(await readAll(svc, "x", { start: "2024-01-06T00:00:00Z", end: "2024-01-06" }))).toEqual([5]);
    expect(days(await readAll(svc, "x", { head: 6 }))).toEqual(range(0, 6));
    expect(days(await readAll(svc, "x", { tail: 6 }))).toEqual(range(14, 20));
    expect(days(await readAll(svc, "x", { tail: 0 }))).toEqual([]);
    expect(days(await readAll(svc, "x", { head: 3, filters: [["vol", ">", 10]] }))).toEqual([11, 12, 13]);
    expect(await codeOf(svc.read("x", { columns: ["nope"] }))).toBe("unknown_column");
    expect(await codeOf(svc.read("x", { filters: [["nope", "==", 1]] }))).toBe("unknown_column");
    expect(await codeOf(svc.read("x", { head: 1, tail: 1 }))).toBe("invalid");
    expect(await codeOf(svc.read("x", { start: "yesterday" }))).toBe("invalid");
  });

  test("filters in DNF; segments and columns that cannot match are not read", async (svc, port: CountingPort) => {
    await svc.create();
    const n = 40; // 10 segments of 4 rows
    const f = prices(range(0, n), (d) => 100 + d, [
      { name: "sym", dtype: "string", values: range(0, n).map((d) => (d % 2 === 0 ? "A" : "B")) },
      { name: "a", dtype: "float64", values: new Float64Array(n) },
      { name: "b", dtype: "float64", values: new Float64Array(n) },
    ]);
    await svc.apply({ op: "write", item: "x", frame: f });
    port.counts.blobs = 0;
    const r = await svc.read("x", {
      filters: [
        ["price", ">=", 136],
        ["sym", "in", ["A"]],
      ],
      columns: ["price"],
    });
    const got: Frame[] = [];
    for await (const part of r.frames) got.push(part);
    expect(got.flatMap((g) => days(g))).toEqual([36, 38]);
    // Only the last segment (days 36..39) can hold price >= 136: its index, price and sym blobs.
    expect(r.stats).toEqual({ segments: 10, segmentsRead: 1, blobsRead: 3 });
    expect(port.counts.blobs).toBe(3);
    const or = await readAll(svc, "x", { filters: [[["price", "<", 101]], [["price", ">", 138]]] });
    expect(days(or)).toEqual([0, 39]);
  });
}

export function appendCases(test: ServiceCase): void {
  test("append resolves overlaps by on_dup and keeps the result sorted", async (svc) => {
    await svc.create();
    const base = prices([0, 2, 4], (d) => d);
    const inc = prices([5, 4, 1], (d) => 100 + d);
    const cases: [string, number[], number[]][] = [
      ["keep_last", [0, 1, 2, 4, 5], [0, 101, 2, 104, 105]],
      ["keep_first", [0, 1, 2, 4, 5], [0, 101, 2, 4, 105]],
      ["keep_all", [0, 1, 2, 4, 4, 5], [0, 101, 2, 4, 104, 105]],
    ];
    for (const [onDup, ds, ps] of cases) {
      await svc.apply({ op: "write", item: onDup, frame: base });
      await svc.apply({ op: "append", item: onDup, frame: inc, onDup: onDup as "keep_last" });
      const back = await readAll(svc, onDup);
      expect([onDup, days(back), col(back, "price")]).toEqual([onDup, ds, ps]);
    }
    await svc.apply({ op: "write", item: "err", frame: base });
    const before = await stateOf(svc);
    expect(await codeOf(svc.apply({ op: "append", item: "err", frame: inc, onDup: "error" }))).toBe("duplicate_index");
    sameState(before, await stateOf(svc));
  });

  test("rows with equal values at different timestamps are all kept (PyStore drops them)", async (svc) => {
    await svc.create();
    await svc.apply({ op: "write", item: "x", frame: prices([0, 1], () => 5) });
    await svc.apply({ op: "append", item: "x", frame: prices([2, 3], () => 5) });
    const back = await readAll(svc, "x");
    expect(days(back)).toEqual([0, 1, 2, 3]);
    expect(col(back, "price")).toEqual([5, 5, 5, 5]);
  });

  test("append writes only the segments it touches and shares the rest (no rewrite)", async (svc, port) => {
    await svc.create();
    await svc.apply({ op: "write", item: "x", frame: prices(range(0, 20), (d) => d) }); // 5 segments
    const v0 = (await svc.item("x")).segments;
    port.counts.blobs = 0;
    port.counts.putSegments = 0;
    const w = (await svc.apply({ op: "append", item: "x", frame: prices([20, 21], (d) => d) })) as WriteResult;
    // After the last segment: nothing read, one new segment, the 5 old ones shared.
    expect(port.counts.blobs).toBe(0);
    expect(w.segmentsWritten).toBe(1);
    expect(port.counts.putSegments).toBe(1);
    expect((await svc.item("x")).segments).toBe(v0 + 1);
    // Into the middle: only the segment holding day 9 (days 8..11) is read and rewritten.
    port.counts.blobs = 0;
    const w2 = (await svc.apply({ op: "append", item: "x", frame: prices([9], () => -1) })) as WriteResult;
    expect(w2.segmentsWritten).toBe(1);
    expect(port.counts.blobs).toBe(2); // that segment's index and price
    const back = await readAll(svc, "x");
    expect(days(back)).toEqual(range(0, 22));
    expect(col(back, "price")[9]).toBe(-1);
    // Older versions still read as they were (copy on write).
    expect(days(await readAll(svc, "x", { asOf: { version: 0 } }))).toEqual(range(0, 20));
  });

  test("a streamed append is all or nothing: a failing batch leaves the item as it was", async (svc) => {
    await svc.create();
    await svc.apply({ op: "write", item: "x", frame: prices([0], () => 0) });
    const before = await stateOf(svc);
    async function* steps() {
      yield { op: "append" as const, item: "x", frame: prices([1, 2], (d) => d) };
      yield { op: "append" as const, item: "x", frame: prices([3], (d) => d) };
      yield { op: "append" as const, item: "x", frame: prices([2], (d) => d), onDup: "error" as const };
    }
    expect(await codeOf(svc.stream(steps()))).toBe("duplicate_index");
    sameState(before, await stateOf(svc));
    async function* good() {
      for (let b = 0; b < 5; b++)
        yield { op: "append" as const, item: "x", frame: prices([1 + 2 * b, 2 + 2 * b], (d) => d) };
    }
    const r = await svc.stream(good());
    expect(r?.version).toBe(5);
    expect(days(await readAll(svc, "x"))).toEqual(range(0, 11));
  });
}

export function updateDeleteCases(test: ServiceCase): void {
  test("update replaces the rows in the new data's index range, reading only the edge segments", async (svc, port) => {
    await svc.create();
    await svc.apply({ op: "write", item: "x", frame: prices(range(0, 20), (d) => d) });
    port.counts.blobs = 0;
    await svc.apply({ op: "update", item: "x", frame: prices([5, 7, 13], () => -1) });
    // Segments [4..7] and [12..15] are edges (read), [8..11] lies inside the range (dropped unread).
    expect(port.counts.blobs).toBe(4);
    const back = await readAll(svc, "x");
    expect(days(back)).toEqual([0, 1, 2, 3, 4, 5, 7, 13, 14, 15, 16, 17, 18, 19]);
    expect(col(back, "price").slice(5, 8)).toEqual([-1, -1, -1]);
  });

  test("delete_range removes rows in [start, end] and keeps the rest", async (svc) => {
    await svc.create();
    await svc.apply({ op: "write", item: "x", frame: prices(range(0, 12), (d) => d) });
    await svc.apply({ op: "delete_range", item: "x", start: day(2), end: "2024-01-10T00:00:00Z" });
    expect(days(await readAll(svc, "x"))).toEqual([0, 1, 10, 11]);
    expect(await codeOf(svc.apply({ op: "delete_range", item: "x", start: day(5), end: day(1) }))).toBe("invalid");
  });

  test("delete an item: gone from listings and reads; deleting again is not_found", async (svc) => {
    await svc.create();
    await svc.apply({ op: "write", item: "x", frame: prices([0], () => 1) });
    await svc.apply({ op: "delete", item: "x" });
    expect(await svc.items()).toEqual([]);
    expect(await codeOf(svc.read("x"))).toBe("not_found");
    expect(await codeOf(svc.apply({ op: "delete", item: "x" }))).toBe("not_found");
    // A later write starts a new version, never reusing a number.
    const w = await svc.apply({ op: "write", item: "x", frame: prices([1], () => 2) });
    expect(w.version).toBe(1);
  });
}

export function versionCases(test: ServiceCase): void {
  test("every change is a version; reads as_of a version, a snapshot or a time", async (svc) => {
    await svc.create();
    await svc.apply({ op: "write", item: "x", frame: prices([0], () => 1) });
    await svc.apply({ op: "append", item: "x", frame: prices([1], () => 2) });
    await svc.apply({ op: "metadata", item: "x", metadata: { k: 1 } });
    await svc.apply({ op: "delete_range", item: "x", start: day(0), end: day(0) });
    const vs = await svc.versions("x");
    expect(vs.map((v) => [v.version, v.op])).toEqual([
      [3, "delete_range"],
      [2, "metadata"],
      [1, "append"],
      [0, "write"],
    ]);
    expect(days(await readAll(svc, "x", { asOf: { version: 1 } }))).toEqual([0, 1]);
    expect(days(await readAll(svc, "x"))).toEqual([1]);
    expect((await svc.item("x", { version: 2 })).metadata).toEqual({ k: 1 });
    const at = vs[0]?.createdMs as number;
    expect((await svc.item("x", { atMs: at })).version).toBe(3);
    expect(await codeOf(svc.read("x", { asOf: { atMs: 0 } }))).toBe("not_found");
    expect(await codeOf(svc.read("x", { asOf: { version: 9 } }))).toBe("not_found");
  });

  test("prune keeps the newest n; a snapshot keeps what it names readable", async (svc) => {
    await svc.create();
    for (let v = 0; v < 5; v++) {
      await svc.apply({ op: "write", item: "x", frame: prices([v], () => v), options: { overwrite: true } });
      if (v === 1) await svc.createSnapshot("s1");
    }
    const r = await svc.prune("x", { keep: 2 });
    expect(r.pruned.sort()).toEqual([0, 1, 2]);
    expect(r.freedSegments).toBe(2); // versions 0 and 2: version 1 stays for its snapshot
    expect((await svc.versions("x")).map((v) => v.version)).toEqual([4, 3]);
    expect(days(await readAll(svc, "x", { asOf: { snapshot: "s1" } }))).toEqual([1]);
    expect(await codeOf(svc.read("x", { asOf: { version: 0 } }))).toBe("not_found");
    expect(await codeOf(svc.prune("x", { keep: 0 }))).toBe("invalid");
  });
}

export function snapshotCases(test: ServiceCase): void {
  test("a snapshot copies nothing and survives the item's overwrite and deletion (PyStore needs it live)", async (svc, port) => {
    await svc.create();
    await svc.apply({ op: "write", item: "a", frame: prices(range(0, 8), (d) => d) });
    await svc.apply({ op: "write", item: "b", frame: prices([0], () => 9) });
    port.counts.putSegments = 0;
    port.counts.blobs = 0;
    const s = await svc.createSnapshot("eod", { metadata: { note: "close" } });
    expect(s.versions).toEqual({ a: 0, b: 0 });
    expect(port.counts).toMatchObject({ putSegments: 0, blobs: 0 });
    await svc.apply({ op: "write", item: "a", frame: prices([99], () => 0), options: { overwrite: true } });
    await svc.apply({ op: "delete", item: "b" });
    expect(days(await readAll(svc, "a", { asOf: { snapshot: "eod" } }))).toEqual(range(0, 8));
    expect(col(await readAll(svc, "b", { asOf: { snapshot: "eod" } }), "price")).toEqual([9]);
    expect((await svc.snapshots()).map((x) => [x.name, x.items])).toEqual([["eod", 2]]);
    expect(await codeOf(svc.createSnapshot("eod"))).toBe("conflict");
    // Deleting the snapshot frees what only it held.
    await svc.dropSnapshot("eod");
    expect(await codeOf(svc.read("b", { asOf: { snapshot: "eod" } }))).toBe("not_found");
    expect(await codeOf(svc.dropSnapshot("eod"))).toBe("not_found");
  });

  test("a snapshot of chosen items names only those", async (svc) => {
    await svc.create();
    await svc.apply({ op: "write", item: "a", frame: prices([0], () => 1) });
    await svc.apply({ op: "write", item: "b", frame: prices([0], () => 1) });
    expect((await svc.createSnapshot("s", { items: ["b"] })).versions).toEqual({ b: 0 });
    expect(await codeOf(svc.read("a", { asOf: { snapshot: "s" } }))).toBe("not_found");
    expect(await codeOf(svc.createSnapshot("t", { items: ["zz"] }))).toBe("not_found");
  });
}

export function metadataCases(test: ServiceCase): void {
  test("items are listed by metadata equalities, and a metadata change shows at once", async (svc) => {
    await svc.create();
    const w = (item: string, metadata: Record<string, unknown>) =>
      svc.apply({ op: "write", item, frame: prices([0], () => 1), options: { metadata: metadata as never } });
    await w("AAPL", { source: "yahoo", sector: "tech", n: 1 });
    await w("MSFT", { source: "yahoo", sector: "tech", n: 2 });
    await w("XOM", { source: "quandl", sector: "energy", n: 1 });
    const names = async (where: Record<string, unknown>) =>
      (await svc.items({ where: where as never })).map((i) => i.name);
    expect(await names({ source: "yahoo" })).toEqual(["AAPL", "MSFT"]);
    expect(await names({ source: "yahoo", n: 1 })).toEqual(["AAPL"]);
    expect(await names({ n: 1.0 })).toEqual(["AAPL", "XOM"]);
    expect(await names({ source: "none" })).toEqual([]);
    await svc.apply({ op: "metadata", item: "XOM", metadata: { source: "yahoo" } });
    expect(await names({ source: "yahoo" })).toEqual(["AAPL", "MSFT", "XOM"]);
    expect((await svc.item("XOM")).metadata).toEqual({ source: "yahoo" });
    expect(await codeOf(w("Z", { _private: 1 }))).toBe("invalid");
    const page = await svc.items({ limit: 2 });
    expect(page.map((i) => i.name)).toEqual(["AAPL", "MSFT"]);
    expect((await svc.items({ after: "MSFT" })).map((i) => i.name)).toEqual(["XOM"]);
  });
}

export function rulesCases(test: ServiceCase): void {
  test("each validation rule refuses a breaking write or append, names the rule, changes nothing", async (svc) => {
    await svc.create({
      rules: [
        { id: "has-price", kind: "column_exists", column: "price" },
        { id: "price-f64", kind: "dtype", column: "price", dtype: "float64" },
        { id: "price-pos", kind: "range", column: "price", min: 0 },
        { id: "price-set", kind: "not_null", column: "price" },
        { id: "uniq", kind: "unique_index" },
      ],
    });
    await svc.apply({ op: "write", item: "x", frame: prices([0, 1], (d) => d) });
    const before = await stateOf(svc);
    const bad: [string, Frame][] = [
      ["has-price", { index: prices([5], () => 1).index, columns: [] }],
      ["price-pos", prices([5], () => -1)],
      [
        "price-set",
        {
          ...prices([5], () => 1),
          columns: [{ name: "price", dtype: "float64", values: Float64Array.from([1]), valid: Uint8Array.from([0]) }],
        },
      ],
    ];
    for (const [rule, frame] of bad) {
      const err = await svc.apply({ op: "write", item: "y", frame }).catch((e) => e);
      expect([rule, err.code, err.subject]).toEqual([rule, "rule_failed", rule]);
    }
    const dup = await svc
      .apply({ op: "append", item: "x", frame: prices([1], () => 5), onDup: "keep_all" })
      .catch((e) => e);
    expect([dup.code, dup.subject]).toEqual(["rule_failed", "uniq"]);
    sameState(before, await stateOf(svc));
  });

  test("schema strategies: strict refuses, add_only fills nulls (not 0), compatible widens", async (svc) => {
    await svc.create();
    const vol = (d: number[]) => ({ name: "vol", dtype: "int32" as const, values: Int32Array.from(d) });
    await svc.apply({ op: "write", item: "s", frame: prices([0], () => 1) });
    expect(await codeOf(svc.apply({ op: "append", item: "s", frame: prices([1], () => 1, [vol([5])]) }))).toBe(
      "schema_changed",
    );
    await svc.apply({ op: "write", item: "a", frame: prices([0], () => 1), options: { strategy: "add_only" } });
    await svc.apply({ op: "append", item: "a", frame: prices([1], () => 2, [vol([5])]) });
    expect(col(await readAll(svc, "a"), "vol")).toEqual([null, 5]);
    await svc.apply({
      op: "write",
      item: "c",
      frame: prices([0], () => 1, [vol([3])]),
      options: { strategy: "compatible" },
    });
    const wide = prices([1], () => 2, [{ name: "vol", dtype: "float64", values: Float64Array.from([2.5]) }]);
    await svc.apply({ op: "append", item: "c", frame: wide });
    const c = await readAll(svc, "c");
    expect(c?.columns.find((x) => x.name === "vol")?.dtype).toBe("float64");
    expect(col(c, "vol")).toEqual([3, 2.5]);
    // The strategy is persisted with the item.
    expect((await svc.item("a")).strategy).toBe("add_only");
    await svc.setStrategy("a", "strict");
    expect(await codeOf(svc.apply({ op: "append", item: "a", frame: prices([2], () => 1) }))).toBe("schema_changed");
  });
}

export function transactionCases(test: ServiceCase): void {
  test("a transaction commits every step together", async (svc) => {
    await svc.create();
    await svc.apply({ op: "write", item: "old", frame: prices([0], () => 1) });
    const r = await svc.transact([
      { op: "write", item: "new", frame: prices([0, 1], (d) => d) },
      { op: "append", item: "new", frame: prices([2], (d) => d) },
      { op: "delete", item: "old" },
    ]);
    expect(r.map((x) => x.version)).toEqual([0, 1, null]);
    expect(days(await readAll(svc, "new"))).toEqual([0, 1, 2]);
    expect((await svc.items()).map((i) => i.name)).toEqual(["new"]);
  });

  test("a failing step rolls back overwrites, new items and deletes (PyStore keeps them)", async (svc) => {
    await svc.create();
    await svc.apply({ op: "write", item: "a", frame: prices([0], () => 1) });
    await svc.apply({ op: "write", item: "b", frame: prices([0], () => 1) });
    const before = await stateOf(svc);
    const failing = svc.transact([
      { op: "write", item: "a", frame: prices([7], () => 7), options: { overwrite: true } },
      { op: "write", item: "c", frame: prices([0], () => 1) },
      { op: "delete", item: "b" },
      { op: "append", item: "a", frame: prices([7], () => 8), onDup: "error" },
    ]);
    expect(await codeOf(failing)).toBe("duplicate_index");
    sameState(before, await stateOf(svc));
  });

  test("batch reports errors per item and commits the others", async (svc) => {
    await svc.create();
    const r = await svc.batch([
      { op: "write", item: "a", frame: prices([0], () => 1) },
      { op: "append", item: "missing", frame: prices([0], () => 1) },
      { op: "write", item: "b", frame: prices([0], () => 1) },
    ]);
    expect(r.map((x) => ("ok" in x ? "ok" : x.error.code))).toEqual(["ok", "not_found", "ok"]);
    expect((await svc.items()).map((i) => i.name)).toEqual(["a", "b"]);
  });
}
