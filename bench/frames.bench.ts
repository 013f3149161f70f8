/**
 * The frames face through the bench Worker (embedded default, DO SQLite), driven over HTTP:
 *
 * - frames-append-cost: the 100th append of 1,000 rows to an item against the 1st (PyStore rewrites
 *   the item on every append, so its ratio grows with the item; ours must stay <= 1.2).
 * - frames-read-1m: 1M rows x 5 columns read as Arrow, rows/s, against hyparquet decoding the
 *   same rows from one in-memory Parquet file in this process (>= 0.5x).
 * - frames-read-columns / frames-read-filter: 1 of the 5 columns, and a filter matching 1% of the
 *   rows, against the full read of the same item (>= 4x and >= 8x faster, PyStore's claims).
 *
 * Each read's answer is checked after the timed runs: rows, columns and values.
 */
import { tableFromIPC } from "apache-arrow";
import { parquetRead } from "hyparquet";
import { frameToArrow } from "../src/frames/arrow.ts";
import type { Frame } from "../src/frames/model.ts";
import { frameToParquet } from "../src/frames/parquet.ts";
import { bench, type Figure, measure, settleSockets } from "./harness.ts";
import { BenchCheckError, expect, expectEqual } from "./verify.ts";
import { adminFetch, startBenchWorker } from "./worker/local.ts";

const PROJECT = "bench-frames";
const ROWS = 1_000_000;
const APPEND_ROWS = 1_000;
const APPENDS = 100;
const MINUTE_NS = 60_000_000_000n;
const T0 = 1_704_067_200_000_000_000n;
const ARROW = "application/vnd.apache.arrow.stream";
/** Reads are timed over several runs: this machine's timings of one read vary by 2x. */
const READ_RUNS = { minRuns: 7, minMs: 3000 } as const;

/** Rows [from, from + n) of the bench item: index by the minute, five columns. */
function rows(from: number, n: number): Frame {
  const index = new BigInt64Array(n);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const c = new BigInt64Array(n);
  const d = new Float64Array(n);
  const e = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = from + k;
    index[k] = T0 + BigInt(i) * MINUTE_NS;
    a[k] = Math.round(1000 * Math.sin(i / 500)) / 100;
    b[k] = ((i * 2654435761) % 1000) / 7;
    c[k] = BigInt(i);
    // A price that trends up: its top 1% are the last 1% of rows, as recent highs are.
    d[k] = Math.round(100 * (100 + i / 1000 + Math.sin(i))) / 100;
    e[k] = i % 97;
  }
  return {
    index: { kind: "timestamp", name: "time", values: index },
    columns: [
      { name: "a", dtype: "float64", values: a },
      { name: "b", dtype: "float64", values: b },
      { name: "c", dtype: "int64", values: c },
      { name: "d", dtype: "float64", values: d },
      { name: "e", dtype: "int32", values: e },
    ],
  };
}

async function ok(what: string, res: Response, status = 200): Promise<string> {
  const text = await res.text();
  if (res.status !== status) throw new BenchCheckError(`${what}: ${res.status} ${text.slice(0, 300)}`);
  return text;
}

async function arrowBytes(what: string, res: Response): Promise<Uint8Array> {
  if (res.status !== 200) throw new BenchCheckError(`${what}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  return new Uint8Array(await res.arrayBuffer());
}

let ready: Promise<string> | undefined;
/** The bench Worker with a `bench` collection holding the 1M-row item `big`. */
function setUp(): Promise<string> {
  ready ??= (async () => {
    const { base } = await startBenchWorker();
    await ok("create", await adminFetch(`${base}/frames/${PROJECT}/bench`, { method: "PUT" }), 201);
    const url = `${base}/frames/${PROJECT}/bench/items/big`;
    await ok(
      "write",
      await adminFetch(url, { method: "PUT", headers: { "content-type": ARROW }, body: frameToArrow(rows(0, 1)) }),
      201,
    );
    // The rest as one streamed Arrow append, in record batches of 100k rows.
    const parts: Uint8Array[] = [];
    for (let from = 1; from < ROWS; from += 100_000)
      parts.push(frameToArrow(rows(from, Math.min(100_000, ROWS - from))));
    const body = new ReadableStream<Uint8Array>({
      start(ctl) {
        parts.forEach((p, i) => {
          ctl.enqueue(i === 0 ? p.subarray(0, p.length - 8) : cutSchema(p));
        });
        ctl.enqueue(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
        ctl.close();
      },
    });
    const appended = JSON.parse(
      await ok(
        "append 1m",
        await adminFetch(`${url}/append`, {
          method: "POST",
          headers: { "content-type": ARROW },
          body,
          duplex: "half",
        } as RequestInit),
      ),
    ) as { rows: number };
    expectEqual("rows after the append", appended.rows, ROWS);
    await settleSockets();
    return base;
  })();
  return ready;
}

/** A one-batch stream without its schema message and end marker: its batch's messages. */
function cutSchema(stream: Uint8Array): Uint8Array {
  const schema = 8 + new DataView(stream.buffer, stream.byteOffset, 8).getInt32(4, true);
  return stream.subarray(schema, stream.length - 8);
}

/** Appends `body` to `item`, answering the milliseconds it took. */
async function timedAppend(item: string, body: Uint8Array, what: string): Promise<number> {
  const t0 = performance.now();
  await ok(what, await adminFetch(`${item}/append`, { method: "POST", headers: { "content-type": ARROW }, body }));
  return performance.now() - t0;
}

const median = (xs: readonly number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;

bench("frames-append-cost", async (): Promise<Figure> => {
  const base = (await startBenchWorker()).base;
  const coll = `${base}/frames/${PROJECT}/appends`;
  await ok("create", await adminFetch(coll, { method: "PUT" }), 201);
  const write = async (name: string) => {
    const url = `${coll}/items/${name}`;
    const body = frameToArrow(rows(0, APPEND_ROWS));
    await ok("write", await adminFetch(url, { method: "PUT", headers: { "content-type": ARROW }, body }), 201);
    return url;
  };
  const bodies = Array.from({ length: APPENDS }, (_, k) => frameToArrow(rows((k + 1) * APPEND_ROWS, APPEND_ROWS)));
  // Warm the path first, so neither side pays for the JIT or a cold object.
  const warm = await write("warm");
  for (let k = 0; k < 20; k++) await timedAppend(warm, bodies[k] as Uint8Array, `warm-up ${k}`);
  await settleSockets();
  // The 1st append, to each of five fresh items of 1,000 rows...
  const firsts: number[] = [];
  for (let n = 0; n < 5; n++)
    firsts.push(await timedAppend(await write(`first-${n}`), bodies[0] as Uint8Array, "1st append"));
  // ...against the 96th to 100th to one item that grows by 1,000 rows each time.
  const grow = await write("grow");
  const times: number[] = [];
  for (let k = 0; k < APPENDS; k++) times.push(await timedAppend(grow, bodies[k] as Uint8Array, `append ${k + 1}`));
  const info = JSON.parse(await ok("info", await adminFetch(`${grow}/info`))) as { rows: number; version: number };
  expectEqual("rows after the appends", info.rows, (APPENDS + 1) * APPEND_ROWS);
  expectEqual("versions", info.version, APPENDS);
  return {
    name: "frames-append-cost",
    value: median(times.slice(-5)),
    unit: "ms (appends 96-100 of 1,000 rows)",
    baseline: "the 1st append of 1,000 rows to an item",
    baselineValue: median(firsts),
    higherIsBetter: false,
  };
});

function checkTable(what: string, bytes: Uint8Array, want: { rows: number; columns: string[] }) {
  const t = tableFromIPC(bytes);
  expectEqual(`${what}: rows`, t.numRows, want.rows);
  expectEqual(`${what}: columns`, t.schema.fields.map((f) => f.name).join(","), [...want.columns, "time"].join(","));
  return t;
}

bench("frames-read-1m", async (): Promise<Figure> => {
  const base = await setUp();
  const url = `${base}/frames/${PROJECT}/bench/items/big`;
  const ours = await measure(async () => {
    const b = await arrowBytes("read", await adminFetch(url, { headers: { accept: ARROW } }));
    if (b.length < ROWS * 8) throw new BenchCheckError("read: short answer");
  }, READ_RUNS);
  const t = checkTable("read", await arrowBytes("read", await adminFetch(url, { headers: { accept: ARROW } })), {
    rows: ROWS,
    columns: ["a", "b", "c", "d", "e"],
  });
  const want = rows(ROWS - 1, 1).columns[3]?.values as Float64Array;
  expectEqual("last d", t.getChild("d")?.get(ROWS - 1), want[0]);

  const file = frameToParquet(rows(0, ROWS));
  const buffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  let decoded = 0;
  const theirs = await measure(async () => {
    await parquetRead({
      file: buffer,
      onComplete: (data: unknown[][]) => {
        decoded = data.length;
      },
    });
  }, READ_RUNS);
  expectEqual("hyparquet rows", decoded, ROWS);
  return {
    name: "frames-read-1m",
    value: ROWS / (ours / 1000),
    unit: "rows/s",
    baseline: "hyparquet decoding the same rows from one in-memory Parquet file",
    baselineValue: ROWS / (theirs / 1000),
    higherIsBetter: true,
  };
});

async function fullRead(base: string): Promise<number> {
  const url = `${base}/frames/${PROJECT}/bench/items/big`;
  return measure(async () => {
    await arrowBytes("full read", await adminFetch(url, { headers: { accept: ARROW } }));
  }, READ_RUNS);
}

bench("frames-read-columns", async (): Promise<Figure> => {
  const base = await setUp();
  const url = `${base}/frames/${PROJECT}/bench/items/big?columns=d`;
  const ours = await measure(async () => {
    await arrowBytes("one column", await adminFetch(url, { headers: { accept: ARROW } }));
  }, READ_RUNS);
  checkTable("one column", await arrowBytes("one column", await adminFetch(url, { headers: { accept: ARROW } })), {
    rows: ROWS,
    columns: ["d"],
  });
  const full = await fullRead(base);
  return {
    name: "frames-read-columns",
    value: ours,
    unit: "ms (1 of 5 columns)",
    baseline: "the full read (5 columns)",
    baselineValue: full,
    higherIsBetter: false,
  };
});

bench("frames-read-filter", async (): Promise<Figure> => {
  const base = await setUp();
  // d's top 1%: d > 100 + 0.99 * ROWS / 1000 + 1 holds only for (about) the last 1% of rows.
  const limit = 100 + (0.99 * ROWS) / 1000 + 1;
  const filters = encodeURIComponent(JSON.stringify([["d", ">", limit]]));
  const url = `${base}/frames/${PROJECT}/bench/items/big?filters=${filters}`;
  const ours = await measure(async () => {
    await arrowBytes("filter", await adminFetch(url, { headers: { accept: ARROW } }));
  }, READ_RUNS);
  const t = tableFromIPC(await arrowBytes("filter", await adminFetch(url, { headers: { accept: ARROW } })));
  const all = rows(0, ROWS).columns[3]?.values as Float64Array;
  const want = all.filter((v) => v > limit).length;
  expectEqual("filter: rows", t.numRows, want);
  expect(want > ROWS * 0.005 && want < ROWS * 0.015, `filter matches ${want} rows, not about 1%`);
  const full = await fullRead(base);
  return {
    name: "frames-read-filter",
    value: ours,
    unit: "ms (filter matching 1%)",
    baseline: "the full read",
    baselineValue: full,
    higherIsBetter: false,
  };
});
