/**
 * The client in Node against the test double, in both modes: the vendor tests' behaviour checks
 * (TSTORAGE.md "Behaviour checks worth porting") plus connections cut mid-put and mid-get.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DoubleServer, startDouble } from "../../scripts/tstorage/double.ts";
import { nodeConnect } from "../../scripts/tstorage/transport-node.ts";
import { TStorageClient } from "../../src/tstorage/client.ts";
import { INT32_MAX, INT64_MAX, KEY_MAX, KEY_MIN, type Key } from "../../src/tstorage/key.ts";
import type { PutRecord } from "../../src/tstorage/request.ts";
import { TStorageError } from "../../src/tstorage/status.ts";
import { key } from "../support/tstorage-frames.ts";

const rec = (k: Key, ...payload: number[]): PutRecord => ({ key: k, payload: Uint8Array.from(payload) });

/** TSTORAGE.md's box example: a lexicographic range would take all four, the box takes two. */
const BOX_DATA = [
  rec(key(0, 1, 1, 1, 1), 1),
  rec(key(0, 2, 2, 2, 2), 2),
  rec(key(0, 1, 5, 1, 1), 3),
  rec(key(0, 40, 0, 0, 0), 4),
];

/** The 356-byte response: 8 records with 4-byte payloads. */
const EIGHT = Array.from({ length: 8 }, (_, i) => rec(key(1, i, i, i, i), i, i, i, i));

const asSet = (records: readonly { key: Key; payload: Uint8Array }[]) =>
  new Set(
    records.map(
      (r) =>
        `${r.key.cid}/${r.key.mid}/${r.key.moid}/${r.key.cap}/${r.key.acq}:${Buffer.from(r.payload).toString("hex")}`,
    ),
  );

async function rejection(p: Promise<unknown>): Promise<TStorageError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof TStorageError)) throw new Error(`expected a TStorageError, got ${String(e)}`);
  return e;
}

/** Deterministic bytes without a per-byte loop: a counter pattern offset by `seed`. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < Math.min(n, 251); i++) out[i] = (i * 31 + seed) & 0xff;
  for (let at = 251; at < n; at *= 2) out.copyWithin(at, 0, Math.min(at, n - at));
  return out;
}

async function waitFor(check: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const mode of ["mock", "real"] as const) {
  describe(`client against the double (${mode})`, () => {
    let double: DoubleServer;
    let client: TStorageClient;
    const open = () => new TStorageClient(nodeConnect, { hostname: "127.0.0.1", port: double.port });

    beforeAll(async () => {
      double = await startDouble({ mode });
    });
    afterAll(() => double.close());
    beforeEach(() => {
      double.clear();
      client = open();
    });
    afterEach(() => client.close());

    it("empty PUT and PUTA are OK and store nothing", async () => {
      await client.put([]);
      await client.puta([]);
      expect(double.size()).toBe(0);
      expect(double.connections()).toBe(1);
    });

    it("PUT with 3 cids: the server stamps acq within the answered range", async () => {
      const before = BigInt(Date.now() - 978_307_200_000) * 1_000_000n;
      const { acqMin, acqMax } = await client.put([
        rec(key(0, 12, 0, 10, 0), 1),
        rec(key(1, 12, 1, 10, 0), 2),
        rec(key(2, 12, 1, 10, 0), 3),
      ]);
      expect(acqMin).toBeGreaterThanOrEqual(before);
      expect(acqMax).toBeGreaterThanOrEqual(acqMin);
      const { records } = await client.get(KEY_MIN, KEY_MAX);
      expect(records.map((r) => r.key.cid).sort()).toEqual([0, 1, 2]);
      for (const r of records) expect(r.key.acq).toBeGreaterThanOrEqual(acqMin);
    });

    it("PUTA then GET by box: 2 of 4", async () => {
      await client.puta(BOX_DATA);
      const { records } = await client.get(key(0, 0, 0, 0, 0), key(1, 35, 4, 11, 15));
      expect(records.map((r) => r.payload[0]).sort()).toEqual([1, 2]);
    });

    it("variable-length payloads, 0 B to 70 KB, come back exactly", async () => {
      const sizes = [0, 1, 2, 3, 5, 8, 13, 100, 4095, 4096, 65_535, 65_536, 70_000];
      const records = sizes.map((n, i) => ({ key: key(2, i, 0, 0, i), payload: bytes(n, i) }));
      await client.puta(records);
      expect(asSet((await client.get(KEY_MIN, KEY_MAX)).records)).toEqual(asSet(records));
    });

    it("100k records, streamed in from an async source", async () => {
      const n = 100_000;
      async function* source(): AsyncGenerator<PutRecord> {
        for (let i = 0; i < n; i++) yield { key: key(i % 7, i, i % 13, i, i), payload: Uint8Array.of(i & 0xff) };
      }
      await client.puta(source());
      expect(double.size()).toBe(n);
      let count = 0;
      let sum = 0n;
      const acq = await client.getStream(
        KEY_MIN,
        KEY_MAX,
        (w) => {
          count += w.length;
          for (const r of w) sum += r.key.mid;
        },
        { memoryLimit: 1 << 20 },
      );
      expect([count, sum]).toEqual([n, BigInt((n * (n - 1)) / 2)]);
      expect(acq).toBeGreaterThan(0n);
    });

    it("payloads from 32 KiB to 32 MiB", async () => {
      const records: PutRecord[] = [];
      for (let n = 32 * 1024, i = 0; n <= 32 * 1024 * 1024; n *= 2, i++) {
        records.push({ key: key(3, i, 0, 0, i), payload: bytes(n, i) });
      }
      await client.puta(records);
      const { records: got } = await client.get(KEY_MIN, KEY_MAX);
      expect(got.map((r) => r.payload.length).sort((a, b) => a - b)).toEqual(records.map((r) => r.payload.length));
      expect(asSet(got)).toEqual(asSet(records));
    });

    it("memory limits on the 356-byte answer: 356 and 360 pass, 355 and 80 are NO_MEMORY with the partial data", async () => {
      await client.puta(EIGHT);
      for (const limit of [356, 360]) {
        expect((await client.get(KEY_MIN, KEY_MAX, { memoryLimit: limit })).records).toHaveLength(8);
      }
      for (const [limit, partial] of [
        [355, 8],
        [80, 1],
      ] as const) {
        const e = await rejection(client.get(KEY_MIN, KEY_MAX, { memoryLimit: limit }));
        expect(e.code).toBe("NO_MEMORY");
        expect(e.partial).toHaveLength(partial);
      }
      // The session reconnected after each failure and still works.
      expect((await client.get(KEY_MIN, KEY_MAX)).records).toHaveLength(8);
    });

    it("streaming callback counts: 90 -> 4, 120 -> 3, 4 -> NO_MEMORY", async () => {
      await client.puta(EIGHT);
      for (const [limit, calls] of [
        [90, 4],
        [120, 3],
      ] as const) {
        let n = 0;
        await client.getStream(KEY_MIN, KEY_MAX, () => void n++, { memoryLimit: limit });
        expect(n).toBe(calls);
      }
      expect((await rejection(client.getStream(KEY_MIN, KEY_MAX, () => {}, { memoryLimit: 4 }))).code).toBe(
        "NO_MEMORY",
      );
    });

    it("getIter yields the same records, and breaking out early leaves the session usable", async () => {
      await client.puta(EIGHT);
      const seen: number[] = [];
      for await (const w of client.getIter(KEY_MIN, KEY_MAX, { memoryLimit: 90 })) seen.push(w.length);
      expect(seen.reduce((a, b) => a + b, 0)).toBe(8);
      for await (const _ of client.getIter(KEY_MIN, KEY_MAX, { memoryLimit: 90 })) break;
      expect((await client.get(KEY_MIN, KEY_MAX)).records).toHaveLength(8);
    });

    it("GETACQ clamps to keyMax.acq: 15, then 100 (the mock keeps its lowered horizon: 15)", async () => {
      await client.puta(BOX_DATA);
      expect(await client.getAcq(key(0, 0, 0, 0, 0), key(2, 13, 4, 11, 15))).toBe(15n);
      const second = await client.getAcq(key(0, 12, 2, 10, 10), key(1, 13, 3, 11, 100));
      expect(second).toBe(mode === "mock" ? 15n : 100n);
    });

    it("reversed keys are an error and the connection closes; the next call reconnects", async () => {
      await client.puta(BOX_DATA);
      expect(double.connections()).toBe(1);
      const e = await rejection(client.get({ ...KEY_MAX, acq: 0n }, KEY_MIN));
      expect([e.code, e.status]).toEqual(["ERROR", -1]);
      await waitFor(() => double.connections() === 0);
      const g = await rejection(client.getAcq(key(-1, 12, 2, 10, 10), key(1, 13, 3, 11, 100)));
      expect(g.status).toBe(-1);
      expect((await client.get(KEY_MIN, KEY_MAX)).records).toHaveLength(4);
    });

    it("1000 random payloads of 4 B..1 MiB round-trip as sets", async () => {
      let seed = 11;
      const rnd = () => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        return seed / 2 ** 32;
      };
      // Sizes log-uniform over 4 B..1 MiB (both ends included), so small and large are both common
      // and the whole set stays near 100 MiB rather than 500.
      const records = Array.from({ length: 1000 }, (_, i) => {
        const n = i === 0 ? 4 : i === 1 ? 1 << 20 : Math.floor(4 * 2 ** (rnd() * 18));
        return { key: key(Math.floor(rnd() * 5), i, i % 100, i * 1000, i), payload: bytes(n, i) };
      });
      await client.puta(records);
      expect(asSet((await client.get(KEY_MIN, KEY_MAX)).records)).toEqual(asSet(records));
    });

    it("max-valued fields are refused before sending; acq at max is allowed under PUT; skipInvalid skips", async () => {
      const fields = { cid: INT32_MAX, mid: INT64_MAX, moid: INT32_MAX, cap: INT64_MAX, acq: INT64_MAX } as const;
      for (const [field, max] of Object.entries(fields)) {
        const bad = rec({ ...key(1, 1, 1, 1, 1), [field]: max }, 1);
        expect((await rejection(client.puta([rec(key(1, 0, 0, 0, 0), 0), bad]))).code).toBe("INVALID_KEY");
        expect(double.size()).toBe(0);
        if (field === "acq") await client.put([bad]);
        else expect((await rejection(client.put([bad]))).code).toBe("INVALID_KEY");
      }
      expect(double.size()).toBe(1);
      await client.puta([rec({ ...KEY_MAX }, 9), ...BOX_DATA], { skipInvalid: true });
      expect(double.size()).toBe(5);
    });

    it("a connection cut mid-put: the put fails, and nothing is acknowledged that was not stored", async () => {
      const records = Array.from({ length: 200 }, (_, i) => ({ key: key(1, i, 0, 0, i), payload: bytes(10_000, i) }));
      double.cutAfter({ readBytes: 1_000_000 });
      const e = await rejection(client.puta(records));
      expect(e.code).toBe("DISCONNECTED");
      expect(double.size()).toBeLessThan(records.length);
      // The retry on a new connection stores everything it acknowledges.
      double.clear();
      await client.puta(records);
      expect(double.size()).toBe(records.length);
    });

    it("a connection cut mid-get is an error, never a short result, in all three read styles", async () => {
      const records = Array.from({ length: 500 }, (_, i) => ({ key: key(1, i, 0, 0, i), payload: bytes(1000, i) }));
      await client.puta(records);
      double.cutAfter({ writtenBytes: 200_000 });
      await client.close();
      expect((await rejection(client.get(KEY_MIN, KEY_MAX))).code).toBe("DISCONNECTED");
      double.cutAfter({ writtenBytes: 200_000 });
      let streamed = 0;
      const s = await rejection(
        client.getStream(KEY_MIN, KEY_MAX, (w) => {
          streamed += w.length;
        }),
      );
      expect(s.code).toBe("DISCONNECTED");
      expect(streamed).toBeLessThan(records.length);
      double.cutAfter({ writtenBytes: 200_000 });
      const iterated = (async () => {
        for await (const _ of client.getIter(KEY_MIN, KEY_MAX)) {
          // consume
        }
      })();
      expect((await rejection(iterated)).code).toBe("DISCONNECTED");
      expect((await client.get(KEY_MIN, KEY_MAX)).records).toHaveLength(records.length);
    });

    it("a server that is gone is DISCONNECTED; the session recovers when connections work again", async () => {
      await client.puta(BOX_DATA);
      double.cutAll();
      await waitFor(() => double.connections() === 0);
      // The session does not know yet; its next call fails on the dead socket or reconnects, never hangs.
      const first = await client.get(KEY_MIN, KEY_MAX).then(
        (r) => r.records.length,
        (e: unknown) => (e instanceof TStorageError ? e.code : String(e)),
      );
      expect([4, "DISCONNECTED"]).toContain(first);
      expect((await client.get(KEY_MIN, KEY_MAX)).records).toHaveLength(4);
    });
  });
}
