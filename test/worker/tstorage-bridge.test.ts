/**
 * The TStorage bridge end to end: the Worker's real client over Workers sockets to the run's two
 * doubles (mock and real mode, test/global-setup.ts). Each test writes under mids of its own, so
 * tests never see each other's records.
 */

import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import worker from "../../src/index.ts";
import { fromIsoString } from "../../src/tstorage/time.ts";
import { authedFetch } from "../support/auth.ts";
import { BASE } from "../support/haystack-http.ts";
import {
  bridgeUrl,
  control,
  getLines,
  type Mode,
  problemOf,
  putRecords,
  type Rec,
  textOf,
} from "../support/tstorage-http.ts";

const P = `ts-${crypto.randomUUID().slice(0, 8)}`;
const MODES: readonly Mode[] = ["mock", "real"];
let midSeq = BigInt(Date.now()) * 1000n;
/** A mid range no other test writes to. */
const freshMids = (n = 1) => {
  const first = midSeq;
  midSeq += BigInt(n) + 10n;
  return first;
};
const box = (mid: bigint, count = 1) => ({ midMin: String(mid), midMax: String(mid + BigInt(count)) });
const rec = (mid: bigint, i: number, payload: unknown, extra: Partial<Rec> = {}): Rec => ({
  cid: 3,
  mid: String(mid),
  moid: i,
  cap: String(1000 + i),
  payload,
  ...extra,
});

describe("targets", () => {
  it("lists the target names bound to the project, never addresses or other projects' targets", async () => {
    const r = await authedFetch(`${BASE}/tstorage/${P}`);
    expect(await r.json()).toEqual({ targets: ["down", "mock", "real"] });
    const other = await authedFetch(`${BASE}/tstorage/someone-else`);
    expect(await other.json()).toEqual({ targets: ["down", "mock", "other", "real"] });
  });

  it.each([
    ["an unknown target", "nope"],
    ["a target bound to another project", "other"],
    ["a host:port", "127.0.0.1:2025"],
    ["an address-like name", "localhost"],
  ])("%s is the same 404", async (_why, target) => {
    for (const path of ["records", "acq"]) {
      const r = await authedFetch(bridgeUrl(P, encodeURIComponent(target), path));
      expect(r.status).toBe(404);
      expect(await problemOf(r)).toEqual({ code: "not_found", message: "no such TStorage target for this project" });
    }
    const put = await putRecords(P, encodeURIComponent(target), [rec(1n, 0, 1)], { format: "<d" });
    expect(put.status).toBe(404);
  });

  it("an unreachable target is 503 unreachable with Retry-After", async () => {
    for (const r of [
      await authedFetch(bridgeUrl(P, "down", "records")),
      await authedFetch(bridgeUrl(P, "down", "acq")),
      await putRecords(P, "down", [rec(1n, 0, 1)], { format: "<d" }),
    ]) {
      expect(r.status).toBe(503);
      expect(r.headers.get("retry-after")).toBe("1");
      // The address stays in the log: callers name targets and never learn where they are.
      expect(await problemOf(r)).toEqual({ code: "unreachable", message: 'TStorage target "down" is unreachable' });
    }
  });
});

describe.each(MODES)("round trips (%s)", (mode) => {
  it("PUT typed NDJSON: the server stamps acq; GET gives the records, typed, then the horizon", async () => {
    const mid = freshMids();
    const records = [0, 1, 2].map((i) => rec(mid, i, [i + 0.5, i % 2 === 0]));
    const put = await putRecords(P, mode, records, { format: "<d?" });
    expect(put.status).toBe(200);
    const answer = (await put.json()) as { acqMin: string; acqMax: string; records: number };
    expect(answer.records).toBe(3);
    expect(BigInt(answer.acqMin) <= BigInt(answer.acqMax) || mode === "mock").toBe(true);
    const { status, lines } = await getLines(P, mode, { ...box(mid), format: "<d?" });
    expect(status).toBe(200);
    const horizon = lines.pop() as { acq: string };
    expect(Object.keys(horizon)).toEqual(["acq"]);
    expect(lines.map(({ acq: _acq, ...r }) => r).sort((a, b) => Number(a.moid) - Number(b.moid))).toEqual(
      records.map((r) => ({ ...r, cap: r.cap })),
    );
    for (const l of lines) expect(BigInt(l.acq as string) < BigInt(horizon.acq)).toBe(true);
  });

  it("PUTA JSON array with base64 payloads: keys stored exactly, ISO times in and out", async () => {
    const mid = freshMids();
    const records: Rec[] = [
      rec(mid, 0, "AAEC", { cap: "2026-03-01T12:00:00.123456789Z", acq: "5" }),
      rec(mid, 1, "", { acq: "6" }),
    ];
    const put = await putRecords(P, mode, records, { puta: true, json: true });
    expect(put.status).toBe(200);
    expect(((await put.json()) as { records: number }).records).toBe(2);
    const { lines } = await getLines(P, mode, { ...box(mid), times: "iso" });
    const horizon = lines.pop();
    expect(typeof horizon?.acq).toBe("string");
    const byMoid = lines.sort((a, b) => Number(a.moid) - Number(b.moid));
    expect(byMoid).toEqual([
      {
        cid: 3,
        mid: String(mid),
        moid: 0,
        cap: "2026-03-01T12:00:00.123456789Z",
        acq: "2001-01-01T00:00:00.000000005Z",
        payload: "AAEC",
      },
      {
        cid: 3,
        mid: String(mid),
        moid: 1,
        cap: "2001-01-01T00:00:00.000001001Z",
        acq: "2001-01-01T00:00:00.000000006Z",
        payload: "",
      },
    ]);
    // Decimal ns in the query select the same as ISO.
    const cap = fromIsoString("2026-03-01T12:00:00.123456789Z");
    const exact = await getLines(P, mode, {
      ...box(mid),
      capMin: String(cap),
      capMax: "2026-03-01T12:00:00.12345679Z",
    });
    expect(exact.lines.length).toBe(2);
  });

  it("a box selects per dimension, not lexicographically", async () => {
    const mid = freshMids(4);
    // (mid, moid, cap): lexicographic order between (mid,0,0) and (mid+1,4,11) would take all four.
    const keys = [
      [0n, 0, 5],
      [0n, 5, 5],
      [1n, 1, 10],
      [1n, 1, 20],
    ] as const;
    const records = keys.map(([dm, moid, cap]) => ({
      cid: 3,
      mid: String(mid + dm),
      moid,
      cap: String(cap),
      acq: "1",
      payload: 7,
    }));
    expect((await putRecords(P, mode, records, { puta: true, format: "<i" })).status).toBe(200);
    const { lines } = await getLines(P, mode, {
      midMin: String(mid),
      midMax: String(mid + 2n),
      moidMin: "0",
      moidMax: "4",
      capMin: "0",
      capMax: "11",
      format: "<i",
    });
    expect(
      lines
        .slice(0, -1)
        .map((l) => [l.mid, l.moid, l.cap, l.payload])
        .sort(),
    ).toEqual([
      [String(mid), 0, "5", 7],
      [String(mid + 1n), 1, "10", 7],
    ]);
  });

  it("CSV by Accept: a header, typed columns, the horizon as a comment line", async () => {
    const mid = freshMids();
    await putRecords(P, mode, [rec(mid, 0, [1.25, true], { acq: "9" })], { puta: true, format: "<d?" });
    const r = await authedFetch(bridgeUrl(P, mode, "records", { ...box(mid), format: "<d?" }), {
      headers: { accept: "text/csv" },
    });
    expect(r.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = (await textOf(r)).trimEnd().split("\n");
    expect(lines.slice(0, 2)).toEqual(["cid,mid,moid,cap,acq,v0,v1", `3,${mid},0,1000,9,1.25,true`]);
    expect(lines[2]).toMatch(/^# acq=\d+$/);
    expect(lines).toHaveLength(3);
  });

  it("GETACQ: the horizon, clamped to acqMax, also as ISO", async () => {
    const r = await authedFetch(bridgeUrl(P, mode, "acq", { acqMax: "15" }));
    expect(await r.json()).toEqual({ acq: "15" });
    const iso = await authedFetch(bridgeUrl(P, mode, "acq", { acqMax: "15", times: "iso" }));
    expect(await iso.json()).toEqual({ acq: "2001-01-01T00:00:00.000000015Z" });
    const whole = (await (await authedFetch(bridgeUrl(P, mode, "acq"))).json()) as { acq: string };
    expect(BigInt(whole.acq) > 15n).toBe(true);
  });

  it("bad queries are 400 INVARG before the server is asked", async () => {
    const bad: Record<string, string>[] = [
      { midMin: "x" },
      { cidMin: "-1" },
      { capMin: "2026-13-01T00:00:00Z" },
      { midMin: "5", midMax: "5" },
      { cidMax: "2147483648" },
      { midmin: "5" },
      { times: "unix" },
    ];
    for (const q of bad) {
      const r = await authedFetch(bridgeUrl(P, mode, "records", q));
      expect([JSON.stringify(q), r.status]).toEqual([JSON.stringify(q), 400]);
      expect((await problemOf(r)).code).toBe("INVARG");
    }
    const f = await authedFetch(bridgeUrl(P, mode, "records", { format: "<q!" }));
    expect(f.status).toBe(400);
  });

  it("keys that may not be stored are 400 INVALID_KEY with the line, and nothing is stored", async () => {
    const mid = freshMids();
    const r = await putRecords(
      P,
      mode,
      [rec(mid, 0, 1, { acq: "1" }), rec(mid, 1, 1, { acq: "9223372036854775807" })],
      {
        puta: true,
        format: "<d",
      },
    );
    expect(r.status).toBe(400);
    expect(await problemOf(r)).toMatchObject({ code: "INVALID_KEY", line: 2 });
    expect((await getLines(P, mode, box(mid))).lines).toHaveLength(1);
  });

  it("a record larger than TSTORAGE_GET_MAX_RECORD_BYTES is 413 NO_MEMORY", async () => {
    const mid = freshMids();
    const big = btoa(String.fromCharCode(...new Uint8Array(5000)));
    expect((await putRecords(P, mode, [rec(mid, 0, big, { acq: "1" })], { puta: true })).status).toBe(200);
    const r = await authedFetch(bridgeUrl(P, mode, "records", box(mid)));
    expect(r.status).toBe(413);
    expect((await problemOf(r)).code).toBe("NO_MEMORY");
  });
});

describe("mode differences", () => {
  it("GETACQ on an empty range: the real server answers, the mock refuses (502 ERROR)", async () => {
    const q = { midMin: "5", midMax: "5" };
    const real = await authedFetch(bridgeUrl(P, "real", "acq", q));
    expect(real.status).toBe(200);
    const mock = await authedFetch(bridgeUrl(P, "mock", "acq", q));
    expect(mock.status).toBe(502);
    expect((await problemOf(mock)).code).toBe("ERROR");
  });

  it.each(MODES)("%s: acqMin above the horizon is refused by the server, for GET and GETACQ", async (mode) => {
    const q = { acqMin: "9000000000000000000" };
    for (const path of ["records", "acq"]) {
      const r = await authedFetch(bridgeUrl(P, mode, path, q));
      const p = await problemOf(r);
      expect([path, r.status, p.code]).toEqual([path, 502, "ERROR"]);
    }
  });
});

describe("limits and streamed puts", () => {
  it("a streamed NDJSON put of many records goes through in windows", async () => {
    const n = 25_000;
    const mid = freshMids();
    const enc = new TextEncoder();
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (i >= n) return c.close();
        let text = "";
        for (let k = 0; k < 1000 && i < n; k++, i++) text += `${JSON.stringify(rec(mid, i, i))}\n`;
        c.enqueue(enc.encode(text));
      },
    });
    const r = await authedFetch(bridgeUrl(P, "real", "records", { format: "<i" }), {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body,
    });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { records: number }).records).toBe(n);
    const { lines } = await getLines(P, "real", { ...box(mid), format: "<i" });
    expect(lines).toHaveLength(n + 1);
    expect(new Set(lines.slice(0, -1).map((l) => l.payload)).size).toBe(n);
  });

  it("a bad record in the first window: 400 with its line, nothing stored", async () => {
    const mid = freshMids();
    const lines = Array.from({ length: 500 }, (_, i) => rec(mid, i, i));
    (lines[321] as Rec).payload = "not a number";
    const r = await putRecords(P, "mock", lines, { format: "<i" });
    expect(r.status).toBe(400);
    expect(await problemOf(r)).toMatchObject({ code: "INVARG", line: 322 });
    expect((await getLines(P, "mock", box(mid))).lines).toHaveLength(1);
  });

  it("a bad record in a later window: 400, cut off without the terminator, nothing of its window stored", async () => {
    const mid = freshMids();
    // 100-byte payloads, so the first windows fill the client's 1 MiB batches and go out.
    const payload = btoa(String.fromCharCode(...new Uint8Array(100).fill(7)));
    const lines = Array.from({ length: 25_000 }, (_, i) => rec(mid, i, payload));
    (lines[24_344] as Rec).cap = "yesterday";
    const r = await putRecords(P, "mock", lines);
    expect(r.status).toBe(400);
    const p = await problemOf(r);
    expect(p).toMatchObject({ code: "INVARG", line: 24_345 });
    expect(p.message).toMatch(
      /cut off without its terminator; up to 20000 records before line 24345 may have been stored/,
    );
    // TStorage has no transactions and the mock keeps what arrived whole: some of the first two
    // windows (moid < 20000) are stored, nothing of the window holding the bad line.
    const got = (await getLines(P, "mock", box(mid))).lines.slice(0, -1);
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThanOrEqual(20_000);
    expect(got.every((l) => Number(l.moid) < 20_000)).toBe(true);
  });

  it("over the record limit: 413, nothing stored", async () => {
    const mid = freshMids();
    const records = Array.from({ length: 30_001 }, (_, i) => rec(mid, i, 1));
    const r = await putRecords(P, "real", records, { format: "<b", json: true });
    expect(r.status).toBe(413);
    expect((await problemOf(r)).code).toBe("payload_too_large");
    expect((await getLines(P, "real", box(mid))).lines).toHaveLength(1);
  });

  it("a streamed body (no Content-Length) over the record limit: 413, cut off, nothing of its window stored", async () => {
    const mid = freshMids();
    const enc = new TextEncoder();
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (i >= 30_001) return c.close();
        let text = "";
        for (let k = 0; k < 1000 && i < 30_001; k++, i++) text += `${JSON.stringify(rec(mid, i, 1))}\n`;
        c.enqueue(enc.encode(text));
      },
    });
    const r = await authedFetch(bridgeUrl(P, "real", "records", { format: "<b" }), {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body,
    });
    expect(r.status).toBe(413);
    expect(await problemOf(r)).toMatchObject({
      code: "payload_too_large",
      line: 30_001,
      message: expect.stringMatching(
        /exceeds 30000 records; .*up to 30000 records before line 30001 may have been stored/,
      ),
    });
    const got = (await getLines(P, "real", box(mid))).lines.slice(0, -1);
    expect(got.every((l) => Number(l.moid) < 30_000)).toBe(true);
  });

  it("a body other than JSON or NDJSON is 415", async () => {
    const r = await putRecords(P, "real", [rec(1n, 0, 1)], { format: "<b", headers: { "content-type": "text/csv" } });
    expect(r.status).toBe(415);
    expect((await problemOf(r)).code).toBe("unsupported_media_type");
  });

  it("over the byte limit: 413 from Content-Length, nothing stored", async () => {
    const mid = freshMids();
    const payload = btoa(String.fromCharCode(...new Uint8Array(3000)));
    const records = Array.from({ length: 2_100 }, (_, i) => rec(mid, i, payload));
    const r = await putRecords(P, "real", records);
    expect(r.status).toBe(413);
    expect((await getLines(P, "real", box(mid))).lines).toHaveLength(1);
  });
});

describe("faults", () => {
  it("a connection lost mid-get ends the stream with an error line and no horizon", async () => {
    const mid = freshMids();
    const records = Array.from({ length: 300 }, (_, i) => rec(mid, i, i, { acq: "1" }));
    expect((await putRecords(P, "mock", records, { puta: true, format: "<i" })).status).toBe(200);
    expect((await control("mock", "cut-after", "written=9000")).status).toBeLessThan(300);
    const r = await authedFetch(bridgeUrl(P, "mock", "records", { ...box(mid), format: "<i" }));
    expect(r.status).toBe(200);
    const lines = (await textOf(r))
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const last = lines.pop() as { error?: { code: string } };
    expect(last.error?.code).toBe("DISCONNECTED");
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThan(300);
    expect(lines.every((l) => l.cid === 3)).toBe(true);
  });
});

describe("faults on put", () => {
  it("a connection lost mid-put is 502 DISCONNECTED, never an acknowledgement; what was stored is a prefix", async () => {
    const mid = freshMids();
    const records = Array.from({ length: 300 }, (_, i) => rec(mid, i, i, { acq: "1" }));
    // 12-byte header, 8-byte batch header, then 4 + 28 + 4 bytes a record: cut inside record 139.
    expect((await control("mock", "cut-after", "read=5000")).status).toBeLessThan(300);
    const r = await putRecords(P, "mock", records, { puta: true, format: "<i" });
    expect(r.status).toBe(502);
    expect(await problemOf(r)).toMatchObject({ code: "DISCONNECTED" });
    const { lines } = await getLines(P, "mock", { ...box(mid), format: "<i" });
    const stored = lines
      .slice(0, -1)
      .map((l) => Number(l.payload))
      .sort((a, b) => a - b);
    expect(stored.length).toBeLessThan(300);
    expect(stored).toEqual(Array.from({ length: stored.length }, (_, i) => i));
    // The next put opens a new connection and succeeds.
    expect((await putRecords(P, "mock", records.slice(0, 5), { puta: true, format: "<i" })).status).toBe(200);
  });
});

describe("closing", () => {
  const connections = async () =>
    ((await (await fetch(`${inject("tstorage").mock.control}/stats`)).json()) as { connections: number }).connections;
  const settled = async (want: number) => {
    for (let i = 0; i < 100 && (await connections()) !== want; i++) await new Promise((r) => setTimeout(r, 20));
    return connections();
  };

  it("every request lets go of its connection; a caller that stops reading a get closes it", async () => {
    const mid = freshMids();
    // About 7 MB of answer: more than the bridge encodes ahead and the runtime buffers, so the get
    // is still running when the caller stops reading.
    const payload = btoa(String.fromCharCode(...new Uint8Array(3000).map((_, i) => i % 251)));
    const records = Array.from({ length: 1800 }, (_, i) => rec(mid, i, payload, { acq: "1" }));
    expect((await putRecords(P, "mock", records, { puta: true })).status).toBe(200);
    await (await authedFetch(bridgeUrl(P, "mock", "acq"))).arrayBuffer();
    expect(await settled(0)).toBe(0);
    const r = await authedFetch(bridgeUrl(P, "mock", "records", box(mid)));
    const reader = r.body?.getReader();
    expect((await reader?.read())?.done).toBe(false);
    expect(await connections()).toBe(1);
    await reader?.cancel();
    expect(await settled(0)).toBe(0);
  });
});

describe("openapi and config", () => {
  it("/openapi.json lists the bridge's routes", async () => {
    const doc = (await (await authedFetch(`${BASE}/openapi.json`)).json()) as { paths: Record<string, object> };
    expect(
      Object.keys(doc.paths)
        .filter((p) => p.startsWith("/tstorage"))
        .sort(),
    ).toEqual([
      "/tstorage/{project}",
      "/tstorage/{project}/{target}/acq",
      "/tstorage/{project}/{target}/records",
      "/tstorage/{project}/{target}/records/puta",
    ]);
    const get = (doc.paths["/tstorage/{project}/{target}/records"] as { get: { parameters: { name: string }[] } }).get;
    expect(get.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(["capMin", "acqMax", "format", "times"]));
  });

  it("a malformed TSTORAGE_TARGETS refuses every request with a 500 naming it", async () => {
    const res = await worker.fetch(
      new Request(`${BASE}/tstorage/${P}`),
      { ...env, TSTORAGE_TARGETS: '{"main": "10.0.0.5"}' },
      createExecutionContext(),
    );
    expect(res.status).toBe(500);
    expect(await problemOf(res)).toMatchObject({
      code: "bad_config",
      message: expect.stringMatching(/TSTORAGE_TARGETS/),
    });
  });
});
