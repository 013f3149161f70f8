/**
 * The TStorage bridge end to end (issue 13): the bench Worker (bench/worker/) talks to the TStorage
 * double, run as a process of its own (scripts/tstorage-double.ts, real mode) as a server would be,
 * over the Worker's TCP sockets; Node drives the Worker over HTTP. Each floor moves the same
 * records between Node and the same double over a raw TCP socket, with no HTTP, JSON or Worker:
 *
 * - tstorage-get-1m: 1M records with 12-byte payloads ("<dI") as NDJSON through the bridge, with
 *   typed payloads, in records/s, against reading the same GET's response bytes raw.
 * - tstorage-put-1m: the same records as NDJSON put through the bridge (PUTA: keys as given), against
 *   writing the same PUTA request bytes raw and reading the reply.
 *
 * Every timed put starts from an empty double (cleared through its control port in both arms);
 * after the timed runs the answers are checked: every line of a bridge get parsed and compared with
 * the records put, and the double's count after each put.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createConnection } from "node:net";
import { fileURLToPath } from "node:url";
import { KEY_MAX, KEY_MIN } from "../src/tstorage/key.ts";
import { encodeGet, encodePutWhole, type PutRecord } from "../src/tstorage/request.ts";
import { GetDecoder, PutResponseDecoder } from "../src/tstorage/response.ts";
import { bench, type Figure, measure, onFinish, settleSockets } from "./harness.ts";
import { benchKey, benchPayload, PAYLOAD_BYTES, RECORDS } from "./tstorage.bench.ts";
import { BenchCheckError, expect, expectEqual } from "./verify.ts";
import { adminFetch, startBenchWorker, TSTORAGE_BENCH } from "./worker/local.ts";

const DOUBLE_SCRIPT = fileURLToPath(new URL("../scripts/tstorage-double.ts", import.meta.url));
const FORMAT = "<dI";
const PROJECT = "bench-tstorage";
const RUNS = { minRuns: 3, minMs: 0 } as const;
const IDENTITY = { "accept-encoding": "identity" };

/** The double in a process of its own, so it does not share a thread with the client. */
async function spawnDouble(): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--max-old-space-size=8192",
      DOUBLE_SCRIPT,
      "--port",
      String(TSTORAGE_BENCH.port),
      "--control-port",
      String(TSTORAGE_BENCH.controlPort),
      "--mode",
      "real",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`tstorage double exited ${code}`)));
    child.stdout?.on("data", (d: Buffer) => {
      if (d.toString().includes("listening")) resolve();
    });
  });
  child.removeAllListeners("exit");
  onFinish(() => child.kill("SIGKILL"));
  return child;
}

let ready: Promise<string> | undefined;
/** The bench Worker's base URL, with the double running. */
function setUp(): Promise<string> {
  ready ??= (async () => {
    await spawnDouble();
    return (await startBenchWorker()).base;
  })();
  return ready;
}

async function control(path: string, method = "POST"): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${TSTORAGE_BENCH.controlPort}${path}`, { method });
  if (!res.ok) throw new BenchCheckError(`double control ${path}: ${res.status}`);
  return res.status === 204 ? undefined : res.json();
}

const storedRecords = async (): Promise<number> => ((await control("/stats", "GET")) as { records: number }).records;

function records(): PutRecord[] {
  const out: PutRecord[] = new Array(RECORDS);
  const bytes = new Uint8Array(RECORDS * PAYLOAD_BYTES);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < RECORDS; i++) {
    benchPayload(i, view, i * PAYLOAD_BYTES);
    out[i] = { key: benchKey(i), payload: bytes.subarray(i * PAYLOAD_BYTES, (i + 1) * PAYLOAD_BYTES) };
  }
  return out;
}

/** Record i as the bridge takes it (and writes it, but for the server's acq). */
function ndjsonLine(i: number): string {
  const k = benchKey(i);
  return `{"cid":${k.cid},"mid":"${k.mid}","moid":${k.moid},"cap":"${k.cap}","acq":"${k.acq}","payload":[${(i % 1000) / 8},${i % 7}]}\n`;
}

/**
 * One request over a fresh socket: writes `request`, reads until `done(bytesSoFar, chunk)` says the
 * response is complete, and answers the byte count. The socket is closed after.
 */
function rawExchange(request: Uint8Array, done: (chunk: Uint8Array) => boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    let got = 0;
    const socket = createConnection({ host: "127.0.0.1", port: TSTORAGE_BENCH.port }, () => {
      socket.write(request);
    });
    socket.on("data", (chunk: Buffer) => {
      got += chunk.length;
      if (done(chunk)) {
        socket.destroy();
        resolve(got);
      }
    });
    socket.once("error", reject);
    socket.once("close", () => reject(new BenchCheckError(`raw exchange: closed after ${got} bytes`)));
  });
}

/**
 * Reads a streamed body to the end, answering its byte count and last chunk, as the floor reads
 * its bytes: every line is parsed and checked once, after the timed runs (checkBridgeGet).
 */
async function drain(res: Response): Promise<{ bytes: number; last: Uint8Array }> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let bytes = 0;
  let last: Uint8Array = new Uint8Array(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { bytes, last };
    bytes += value.length;
    last = value;
  }
}

/** Index of a record from its key: meter (mid) and reading (cap) give it back. */
function indexOf(mid: bigint, cap: bigint): number {
  return Number(mid - 1000n) * 100_000 + Number((cap - benchKey(0).cap) / 900_000_000_000n);
}

/** Parses every line of a full bridge get and checks each record against what was put; answers its length. */
async function checkBridgeGet(base: string): Promise<number> {
  const res = await adminFetch(`${base}/tstorage/${PROJECT}/bench/records?format=${encodeURIComponent(FORMAT)}`, {
    headers: IDENTITY,
  });
  const text = await res.text();
  if (res.status !== 200) throw new BenchCheckError(`bridge get: ${res.status} ${text.slice(0, 300)}`);
  const lines = text.split("\n");
  expectEqual("bridge get: final newline", lines.pop(), "");
  const horizon = JSON.parse(lines.pop() as string) as { acq?: string };
  expect(typeof horizon.acq === "string", "bridge get: no horizon line");
  expectEqual("bridge get: records", lines.length, RECORDS);
  const seen = new Uint8Array(RECORDS);
  for (const line of lines) {
    const r = JSON.parse(line) as {
      cid: number;
      mid: string;
      moid: number;
      cap: string;
      acq: string;
      payload: number[];
    };
    const i = indexOf(BigInt(r.mid), BigInt(r.cap));
    const k = benchKey(i);
    if (seen[i] || r.cid !== k.cid || r.moid !== k.moid || BigInt(r.acq) !== k.acq) {
      throw new BenchCheckError(`bridge get: unexpected record ${line}`);
    }
    if (r.payload[0] !== (i % 1000) / 8 || r.payload[1] !== i % 7) throw new BenchCheckError(`bad payload ${line}`);
    seen[i] = 1;
  }
  return new TextEncoder().encode(text).length;
}

bench("tstorage-get-1m", async (): Promise<Figure> => {
  const base = await setUp();
  await control("/clear");
  const all = records();
  const putReply = new PutResponseDecoder();
  await rawExchange(encodePutWhole(all, true), (c) => {
    putReply.push(c);
    return putReply.done;
  });
  expectEqual("records stored", await storedRecords(), RECORDS);

  const request = encodeGet(KEY_MIN, KEY_MAX);
  const probe = new GetDecoder({ onWindow: () => {} });
  const responseBytes = await rawExchange(request, (c) => {
    probe.push(c);
    return probe.done;
  });
  await settleSockets();

  const url = `${base}/tstorage/${PROJECT}/bench/records?format=${encodeURIComponent(FORMAT)}`;
  const sizes = new Set<number>();
  const ours = await measure(async () => {
    const res = await adminFetch(url, { headers: IDENTITY });
    if (res.status !== 200) throw new BenchCheckError(`bridge get: ${res.status} ${await res.text()}`);
    const { bytes, last } = await drain(res);
    sizes.add(bytes);
    if (!new TextDecoder().decode(last).includes('{"acq"')) throw new BenchCheckError("bridge get: no horizon line");
  }, RUNS);

  const raw = await measure(async () => {
    let got = 0;
    await rawExchange(request, (c) => {
      got += c.length;
      return got === responseBytes;
    });
  }, RUNS);
  // Every timed answer was as long as the one checked line by line (the horizon's digits are as many).
  const checked = await checkBridgeGet(base);
  expect(
    [...sizes].every((n) => n === checked),
    `bridge get: timed answers of ${[...sizes]} bytes, checked ${checked}`,
  );
  return {
    name: "tstorage-get-1m",
    value: RECORDS / (ours / 1000),
    unit: "records/s",
    baseline: "raw GET response bytes over TCP (floor)",
    baselineValue: RECORDS / (raw / 1000),
    higherIsBetter: true,
  };
});

bench("tstorage-put-1m", async (): Promise<Figure> => {
  const base = await setUp();
  const request = encodePutWhole(records(), true);
  const body = Array.from({ length: RECORDS }, (_, i) => ndjsonLine(i)).join("");
  const url = `${base}/tstorage/${PROJECT}/bench/records/puta?format=${encodeURIComponent(FORMAT)}`;
  await settleSockets();

  const ours = await measure(async () => {
    await control("/clear");
    const res = await adminFetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body,
    });
    const text = await res.text();
    if (res.status !== 200) throw new BenchCheckError(`bridge put: ${res.status} ${text.slice(0, 300)}`);
    expectEqual("bridge put: records", (JSON.parse(text) as { records: number }).records, RECORDS);
  }, RUNS);
  expectEqual("stored after a bridge put", await storedRecords(), RECORDS);
  await checkBridgeGet(base);

  const raw = await measure(async () => {
    await control("/clear");
    const reply = new PutResponseDecoder();
    await rawExchange(request, (c) => {
      reply.push(c);
      return reply.done;
    });
  }, RUNS);
  expectEqual("stored after a raw put", await storedRecords(), RECORDS);
  return {
    name: "tstorage-put-1m",
    value: RECORDS / (ours / 1000),
    unit: "records/s",
    baseline: "raw PUTA request bytes over TCP (floor)",
    baselineValue: RECORDS / (raw / 1000),
    higherIsBetter: true,
  };
});
