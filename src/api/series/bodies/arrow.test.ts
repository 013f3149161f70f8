import {
  Bool,
  type Data,
  type DataType,
  DateDay,
  DateMillisecond,
  Float32,
  Float64,
  Int32,
  Int64,
  makeData,
  RecordBatchReader,
  Table,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  tableFromIPC,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import { describe, expect, it } from "vitest";
import { SeriesError } from "../../../series/errors.ts";
import type { KeyDecl, Points } from "../../../series/model.ts";
import { readManySeries, readPoints, writeManySeries, writePoints } from "./index.ts";
import type { ManyItem } from "./types.ts";

const P = "Europe/Paris";
const H = 3_600_000;
const LIMITS = { maxBytes: 1 << 22, maxPoints: 100_000, maxSeries: 10 };
const DECLS: KeyDecl[] = [
  { name: "site", type: "str" },
  { name: "year", type: "int" },
  { name: "day", type: "date" },
  { name: "ok", type: "bool" },
];
const T0 = Date.parse("2024-10-27T00:00:00Z");

/** A column with exactly these raw values (and nulls where `valid` says false). */
function raw(type: DataType, data: ArrayLike<unknown>, valid?: boolean[]): Data {
  const length = data.length;
  if (!valid) return makeData({ type, length, nullCount: 0, data } as never);
  const bitmap = new Uint8Array((length + 7) >> 3);
  valid.forEach((v, i) => {
    if (v) bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7));
  });
  return makeData({ type, length, nullCount: valid.filter((v) => !v).length, nullBitmap: bitmap, data } as never);
}

function ipc(columns: Record<string, Data>, format: "stream" | "file" = "stream"): Uint8Array {
  return tableToIPC(new Table(columns), format);
}

const big = (xs: number[]) => BigInt64Array.from(xs.map((x) => BigInt(x)));

async function bytes(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(s).arrayBuffer());
}

async function* items(...xs: ManyItem[]): AsyncGenerator<ManyItem> {
  yield* xs;
}

function fails(f: () => unknown, code: "invalid" | "too_large", ...parts: string[]): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SeriesError);
  expect((err as SeriesError).code).toBe(code);
  for (const p of parts) expect((err as SeriesError).message).toContain(p);
}

const read = (b: Uint8Array, limits = LIMITS) => readPoints(b, "arrow", P, limits);
const value3 = () => raw(new Float64(), Float64Array.of(1, 2, 3));

describe("Arrow input", () => {
  it("reads zoned timestamps of every unit as UTC instants, stream and file format", () => {
    const want = [T0, T0 + H, T0 + 2 * H];
    const cases: [DataType, BigInt64Array][] = [
      [new TimestampMillisecond("Europe/Paris"), big(want)],
      [new TimestampSecond("UTC"), big(want.map((t) => t / 1000))],
      [new TimestampMicrosecond("America/New_York"), big(want.map((t) => t * 1000 + 999))],
      [new TimestampNanosecond("+01:00"), BigInt64Array.from(want, (t) => BigInt(t) * 1_000_000n + 999_999n)],
    ];
    for (const [type, data] of cases) {
      for (const format of ["stream", "file"] as const) {
        const got = read(ipc({ time: raw(type, data), value: value3() }, format));
        expect(Array.from(got.index), `${type} ${format}`).toEqual(want);
      }
    }
  });

  it("floors sub-millisecond times before 1970 too", () => {
    const ns = BigInt64Array.of(-1n, -1_000_000n, -1_000_001n);
    const got = read(ipc({ time: raw(new TimestampNanosecond("UTC"), ns), value: value3() }));
    expect(Array.from(got.index)).toEqual([-1, -1, -2]);
  });

  it("reads naive timestamps and dates as wall-clock times in the store's zone", () => {
    // 2024-10-27 02:30 occurs twice in Paris: the earlier (CEST) one; 2024-03-31 02:30 does not: forward.
    const local = [
      Date.parse("2024-10-27T02:30:00Z"),
      Date.parse("2024-03-31T02:30:00Z"),
      Date.parse("2024-07-01T00:00:00Z"),
    ];
    const want = [
      Date.parse("2024-10-27T00:30:00Z"),
      Date.parse("2024-03-31T01:30:00Z"),
      Date.parse("2024-06-30T22:00:00Z"),
    ];
    expect(Array.from(read(ipc({ time: raw(new TimestampMillisecond(), big(local)), value: value3() })).index)).toEqual(
      want,
    );
    expect(
      Array.from(
        read(ipc({ time: raw(new TimestampMicrosecond(null), big(local.map((t) => t * 1000))), value: value3() }))
          .index,
      ),
    ).toEqual(want);
    const days = Int32Array.of(19_723, 19_724, 19_725); // 2024-01-01..03
    const midnights = [
      Date.parse("2023-12-31T23:00:00Z"),
      Date.parse("2024-01-01T23:00:00Z"),
      Date.parse("2024-01-02T23:00:00Z"),
    ];
    expect(Array.from(read(ipc({ index: raw(new DateDay(), days), value: value3() })).index)).toEqual(midnights);
    expect(
      Array.from(
        read(ipc({ index: raw(new DateMillisecond(), big([...days].map((d) => d * 86_400_000))), value: value3() }))
          .index,
      ),
    ).toEqual(midnights);
  });

  it("reads int64 epoch ms and ISO strings as times, pandas' index name, and any numeric value type", () => {
    const got = read(
      ipc({
        __index_level_0__: vectorFromArray(
          ["2024-10-27T02:00:00+02:00", "2024-10-27T02:00:00+01:00", "1970-01-01"],
          new Utf8(),
        ).data[0] as Data,
        load: raw(new Float32(), Float32Array.of(0.5, Number.NaN, 2), [true, true, false]),
      }),
    );
    expect(got).toEqual({
      index: Float64Array.of(T0, T0 + H, -H),
      values: Float64Array.of(0.5, Number.NaN, Number.NaN),
    });
    const ints = read(
      ipc({ time: raw(new Int64(), big([0, 1, 2])), value: raw(new Int64(), big([7, -8, 9]), [true, true, false]) }),
    );
    expect(ints).toEqual({ index: Float64Array.of(0, 1, 2), values: Float64Array.of(7, -8, Number.NaN) });
    const named = read(
      ipc({ horodate: raw(new TimestampMillisecond("UTC"), big([5])), value: raw(new Float64(), Float64Array.of(1)) }),
    );
    expect(named).toEqual({ index: Float64Array.of(5), values: Float64Array.of(1) });
    const i32 = read(ipc({ time: raw(new Int32(), Int32Array.of(5)), value: raw(new Int32(), Int32Array.of(-3)) }));
    expect(i32).toEqual({ index: Float64Array.of(5), values: Float64Array.of(-3) });
  });

  it("refuses what it cannot read, saying why", () => {
    const ts = raw(new TimestampMillisecond("UTC"), big([0, 1, 2]));
    fails(
      () => read(new TextEncoder().encode("time,value\n0,1\n")),
      "invalid",
      "not a readable Arrow IPC stream or file",
    );
    fails(() => read(new Uint8Array(0)), "invalid");
    const good = ipc({ time: ts, value: value3() });
    fails(() => read(good.subarray(0, good.length - 40)), "invalid");
    fails(
      () => read(ipc({ when: raw(new Int64(), big([0, 1, 2])), value: value3() })),
      "invalid",
      'no time column: name it "time"',
    );
    const ts2 = raw(new TimestampMillisecond("UTC"), big([0, 1, 2]));
    fails(() => read(ipc({ a: ts, b: ts2, value: value3() })), "invalid", "no time column");
    fails(() => read(ipc({ time: ts, a: value3(), b: value3() })), "invalid", 'no value column: name it "value"');
    fails(() => read(ipc({ time: ts, value: value3(), extra: value3() })), "invalid", 'unexpected column "extra"');
    fails(
      () => read(ipc({ time: raw(new Float64(), Float64Array.of(0, 1, 2)), value: value3() })),
      "invalid",
      'time column "time" is Float64',
    );
    fails(
      () => read(ipc({ time: ts, value: vectorFromArray(["1", "2", "3"], new Utf8()).data[0] as Data })),
      "invalid",
      'value column "value" is Utf8',
    );
    fails(
      () =>
        read(ipc({ time: raw(new TimestampMillisecond("UTC"), big([0, 1, 2]), [true, false, true]), value: value3() })),
      "invalid",
      'row 1: "time" is null',
    );
    fails(
      () => read(ipc({ time: ts, value: raw(new Float64(), Float64Array.of(1, Number.POSITIVE_INFINITY, 3)) })),
      "invalid",
      'row 1: "value" is infinite',
    );
    fails(
      () => read(ipc({ time: raw(new Int64(), big([0, 9e15, 0])), value: value3() })),
      "invalid",
      'row 1: "time" is out of range',
    );
    fails(
      () => read(ipc({ time: vectorFromArray(["x", "y", "z"], new Utf8()).data[0] as Data, value: value3() })),
      "invalid",
      'row 0: invalid timestamp "x"',
    );
  });

  it("refuses bodies over the limits", () => {
    const b = ipc({ time: raw(new Int64(), big([0, 1, 2])), value: value3() });
    expect(read(b, { ...LIMITS, maxPoints: 3 }).index.length).toBe(3);
    fails(() => read(b, { ...LIMITS, maxPoints: 2 }), "too_large", "more than 2 points");
    fails(() => read(b, { ...LIMITS, maxBytes: b.length - 1 }), "too_large");
  });

  it("reads many series in long format with typed key columns", () => {
    const n = 4;
    const body = ipc({
      site: vectorFromArray(["a", "a", "b", "a"], new Utf8()).data[0] as Data,
      year: raw(new Int64(), big([2024, 2024, 2024, 2024])),
      day: raw(new DateDay(), Int32Array.of(19_723, 19_723, 19_723, 19_723)),
      ok: vectorFromArray([true, true, false, true], new Bool()).data[0] as Data,
      version: raw(new Int32(), Int32Array.of(0, 0, 0, 1), [false, false, false, true]),
      time: raw(new Int64(), big([0, 1, 2, 3])),
      value: raw(
        new Float64(),
        Float64Array.from({ length: n }, (_, i) => i * 10),
      ),
    });
    const keys = (site: string, ok: boolean) => ({ site, year: 2024, day: "2024-01-01", ok });
    expect(readManySeries(body, "arrow", P, DECLS, LIMITS)).toEqual([
      { keys: keys("a", true), points: { index: Float64Array.of(0, 1), values: Float64Array.of(0, 10) } },
      { keys: keys("b", false), points: { index: Float64Array.of(2), values: Float64Array.of(20) } },
      { keys: keys("a", true), version: 1, points: { index: Float64Array.of(3), values: Float64Array.of(30) } },
    ]);
  });

  it("checks key columns", () => {
    const base = {
      site: vectorFromArray(["a"], new Utf8()).data[0] as Data,
      year: raw(new Int64(), big([1])),
      day: raw(new DateDay(), Int32Array.of(0)),
      ok: vectorFromArray([true], new Bool()).data[0] as Data,
      time: raw(new Int64(), big([0])),
      value: raw(new Float64(), Float64Array.of(1)),
    };
    const many = (cols: Record<string, Data>) => readManySeries(ipc(cols), "arrow", P, DECLS, LIMITS);
    expect(many(base)[0]?.keys).toEqual({ site: "a", year: 1, day: "1970-01-01", ok: true });
    const { ok: _ok, ...noOk } = base;
    fails(() => many(noOk), "invalid", 'key column "ok" is missing');
    fails(
      () => many({ ...base, year: vectorFromArray(["1"], new Utf8()).data[0] as Data }),
      "invalid",
      'row 0: key "year": expected an int, got "1"',
    );
    fails(
      () => many({ ...base, site: raw(new Int32(), Int32Array.of(1)) }),
      "invalid",
      'key "site": expected a string',
    );
    fails(() => many({ ...base, day: raw(new Int64(), big([0])) }), "invalid", 'key "day"');
    fails(() => many({ ...base, ok: raw(new Int32(), Int32Array.of(1)) }), "invalid", 'key "ok": expected a bool');
    fails(
      () => many({ ...base, version: raw(new Int32(), Int32Array.of(-1)) }),
      "invalid",
      "row 0: invalid version -1",
    );
  });
});

/** Position of field `i` of the FlatBuffers table at `t` in `dv` (0 when absent). */
function fbField(dv: DataView, t: number, i: number): number {
  const vt = t - dv.getInt32(t, true);
  const off = 4 + 2 * i < dv.getUint16(vt, true) ? dv.getUint16(vt + 4 + 2 * i, true) : 0;
  return off === 0 ? 0 : t + off;
}

function fbRef(dv: DataView, p: number): number {
  return p + dv.getUint32(p, true);
}

/**
 * A copy of a one-batch stream with the first message's header (Schema) or the second's
 * (RecordBatch) patched by `patch(view, headerTable)`.
 */
function patched(body: Uint8Array, message: 0 | 1, patch: (dv: DataView, header: number) => void): Uint8Array {
  const out = body.slice();
  const dv = new DataView(out.buffer);
  let at = 0;
  for (let k = 0; k < message; k++) {
    const len = dv.getInt32(at + 4, true);
    const meta = new DataView(out.buffer, at + 8, len);
    const bodyAt = fbField(meta, fbRef(meta, 0), 3);
    const bodyLength = bodyAt === 0 ? 0 : Number(meta.getBigInt64(bodyAt, true));
    at += 8 + len + bodyLength;
  }
  const meta = new DataView(out.buffer, at + 8, dv.getInt32(at + 4, true));
  patch(meta, fbRef(meta, fbField(meta, fbRef(meta, 0), 2)));
  return out;
}

describe("Arrow metadata that lies", () => {
  const body = ipc({ time: raw(new Int64(), big([0, 1, 2])), value: value3() });

  it("is refused before apache-arrow trusts it", () => {
    // A schema claiming two billion fields: apache-arrow would allocate until the isolate dies.
    const fields = patched(body, 0, (dv, schema) => dv.setUint32(fbRef(dv, fbField(dv, schema, 1)), 0x7fff_ffff, true));
    fails(() => read(fields), "invalid", "message metadata points outside itself");
    const rows = patched(body, 1, (dv, batch) => dv.setBigInt64(fbField(dv, batch, 0), 1n << 40n, true));
    fails(() => read(rows), "too_large", "more than 100000 points");
    const nodes = patched(body, 1, (dv, batch) =>
      dv.setBigInt64(fbRef(dv, fbField(dv, batch, 1)) + 4, 1n << 40n, true),
    );
    fails(() => read(nodes), "invalid", "a column of 1099511627776 values");
    const buffers = patched(body, 1, (dv, batch) =>
      dv.setBigInt64(fbRef(dv, fbField(dv, batch, 2)) + 4, 1n << 20n, true),
    );
    fails(() => read(buffers), "invalid", "a buffer outside its message body");
    const file = ipc({ time: raw(new Int64(), big([0, 1, 2])), value: value3() }, "file");
    const footer = file.slice();
    new DataView(footer.buffer).setInt32(footer.length - 10, 1 << 30, true);
    fails(() => read(footer), "invalid", "a file footer longer than the file");
  });
});

describe("Arrow output", () => {
  const OVERLAP: Points = {
    index: Float64Array.from([0, 1, 2], (h) => T0 + h * H),
    values: Float64Array.of(1.5, Number.NaN, 3),
  };

  it("writes Timestamp(ms, zone) and Float64 with nulls for missing, metadata in the schema", async () => {
    const table = tableFromIPC(
      await bytes(writePoints(OVERLAP, "arrow", P, { meta: { keys: { site: "a" }, version: 2 } })),
    );
    expect(table.schema.fields.map((f) => `${f.name}: ${f.type}`)).toEqual([
      "time: Timestamp<MILLISECOND, Europe/Paris>",
      "value: Float64",
    ]);
    expect(Object.fromEntries(table.schema.metadata)).toEqual({ keys: '{"site":"a"}', version: "2" });
    expect(table.getChild("time")?.toArray()).toEqual(BigInt64Array.from([T0, T0 + H, T0 + 2 * H], BigInt));
    expect([...(table.getChild("value") ?? [])]).toEqual([1.5, null, 3]);
  });

  it("writes instants before 1970 and large series in batches of 65,536 rows", async () => {
    const n = 70_000;
    const p = {
      index: Float64Array.from({ length: n }, (_, i) => -1e12 + i * 1000),
      values: Float64Array.from({ length: n }, (_, i) => i),
    };
    const body = await bytes(writePoints(p, "arrow", "UTC"));
    const batches = [...RecordBatchReader.from(body)];
    expect(batches.map((b) => b.numRows)).toEqual([65_536, 4_464]);
    const back = read(body, { ...LIMITS, maxPoints: n });
    // Element by element: deep equality of 70,000-element arrays takes seconds.
    const differ = (a: Float64Array, b: Float64Array) => a.length !== b.length || a.some((x, i) => x !== b[i]);
    expect([differ(back.index, p.index), differ(back.values, p.values)]).toEqual([false, false]);
  });

  it("writes many series as one record batch each, long format with typed keys", async () => {
    const a: ManyItem = { keys: { site: "a", year: 2024, day: "2024-01-01", ok: true }, version: 2, points: OVERLAP };
    const b: ManyItem = {
      keys: { site: "é", year: -5, day: "1969-12-31", ok: false },
      points: { index: Float64Array.of(0), values: Float64Array.of(9) },
    };
    const body = await bytes(writeManySeries(items(a, b), "arrow", P, DECLS, { versions: true }));
    const batches = [...RecordBatchReader.from(body)];
    expect(batches.map((x) => x.numRows)).toEqual([3, 1]);
    const table = tableFromIPC(body);
    expect(table.schema.fields.map((f) => `${f.name}: ${f.type}`)).toEqual([
      "site: Utf8",
      "year: Int64",
      "day: Date32<DAY>",
      "ok: Bool",
      "version: Int64",
      "time: Timestamp<MILLISECOND, Europe/Paris>",
      "value: Float64",
    ]);
    expect([...(table.getChild("version") ?? [])]).toEqual([2n, 2n, 2n, null]);
    expect(readManySeries(body, "arrow", P, DECLS, LIMITS)).toEqual([a, b]);
    const empty = tableFromIPC(await bytes(writeManySeries(items(), "arrow", P, DECLS)));
    expect([empty.numRows, empty.schema.fields.length]).toEqual([0, 6]);
  });
});
