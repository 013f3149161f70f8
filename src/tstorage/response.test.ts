import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Frame, key } from "../../test/support/tstorage-frames.ts";
import { INT64_MAX, type Key } from "./key.ts";
import {
  AcqResponseDecoder,
  GetDecoder,
  type GetDecoderOptions,
  type GetRecord,
  PutResponseDecoder,
} from "./response.ts";
import { TStorageError } from "./status.ts";

/** A GET response frame: initial (0, 0), records, 0, final (0, 8) and acq. */
function getResponse(records: readonly { key: Key; payload: ArrayLike<number> }[], acq = 99n): Uint8Array {
  const f = new Frame().header(0, 0);
  for (const r of records)
    f.i32(32 + r.payload.length)
      .key(r.key)
      .raw(r.payload);
  return f.i32(0).header(0, 8).i64(acq).bytes();
}

/** The 356-byte example: 8 records with 4-byte payloads. */
const EIGHT = Array.from({ length: 8 }, (_, i) => ({ key: key(1, i, i, i, i), payload: [i, i, i, i] }));
const R356 = getResponse(EIGHT);

type Outcome = { records: GetRecord[]; acq: bigint | undefined; error?: string; windows?: number[] };

/** Decodes `chunks`; with `windows` collects callback sizes. Checks the buffering bound after each push. */
function decode(chunks: Uint8Array[], options: GetDecoderOptions & { windows?: boolean } = {}): Outcome {
  const windows: number[] = [];
  const seen: GetRecord[] = [];
  const d = new GetDecoder({
    ...(options.memoryLimit !== undefined ? { memoryLimit: options.memoryLimit } : {}),
    ...(options.windows
      ? {
          onWindow: (rs: GetRecord[]) => {
            windows.push(rs.length);
            seen.push(...rs);
          },
        }
      : {}),
  });
  try {
    for (const c of chunks) {
      d.push(c);
      if (options.memoryLimit !== undefined) expect(d.bufferedBytes).toBeLessThanOrEqual(options.memoryLimit);
    }
    d.end();
  } catch (e) {
    if (!(e instanceof TStorageError)) throw e;
    return { records: options.windows ? seen : d.records, acq: d.acq, error: e.code, windows };
  }
  return { records: options.windows ? seen : d.records, acq: d.acq, windows };
}

const plain = (rs: readonly GetRecord[]) => rs.map((r) => ({ key: r.key, payload: Array.from(r.payload) }));

function splits(bytes: Uint8Array): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  for (let i = 0; i <= bytes.length; i++) out.push([bytes.subarray(0, i), bytes.subarray(i)]);
  out.push(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)));
  return out;
}

describe("GET response", () => {
  it("decodes the frame: initial (0,0), records (recSize = 32 + payload, full key, payload), 0, final (0,8), acq", () => {
    const got = decode([R356]);
    expect(R356).toHaveLength(12 + 8 * 40 + 4 + 20);
    expect(got.error).toBeUndefined();
    expect(plain(got.records)).toEqual(EIGHT);
    expect(got.acq).toBe(99n);
  });

  it("gives the same records and acq for every split into two chunks and byte at a time", () => {
    for (const chunks of splits(R356)) {
      const got = decode(chunks);
      expect(got.error).toBeUndefined();
      expect(plain(got.records)).toEqual(EIGHT);
      expect(got.acq).toBe(99n);
    }
  });

  it("skips `size` bytes after the initial and final headers", () => {
    const f = new Frame()
      .header(0, 5)
      .raw([1, 2, 3, 4, 5])
      .i32(36)
      .key(key(2, 1, 1, 1, 1))
      .raw([7, 7, 7, 7]);
    const bytes = f.i32(0).header(0, 11).i64(-5n).raw([9, 9, 9]).bytes();
    for (const chunks of splits(bytes)) {
      const got = decode(chunks);
      expect(got.error).toBeUndefined();
      expect(got.acq).toBe(-5n);
      expect(plain(got.records)).toEqual([{ key: key(2, 1, 1, 1, 1), payload: [7, 7, 7, 7] }]);
    }
  });

  it("an empty result is initial header, 0, final header", () => {
    const got = decode([new Frame().header(0, 0).i32(0).header(0, 8).i64(INT64_MAX).bytes()]);
    expect(got).toMatchObject({ records: [], acq: INT64_MAX });
    expect(got.error).toBeUndefined();
  });

  it("reports the mock's invalid-range frames (initial (0,0), end 0, final (-1,0)) as ERROR", () => {
    for (const chunks of splits(new Frame().header(0, 0).i32(0).header(-1, 0).bytes())) {
      expect(decode(chunks).error).toBe("ERROR");
    }
  });

  it("reports an error in the initial header, as a real server may send, with its code", () => {
    expect(decode([new Frame().header(-2, 0).bytes()]).error).toBe("INVARG");
    expect(decode([new Frame().header(-3, 4).raw([1, 2, 3, 4]).bytes()]).error).toBe("RETRY");
    expect(decode([new Frame().header(-130, 0).bytes()]).error).toBe("INTERNAL");
  });

  it("a record with cid -1, a recSize under 32 or over 32 MiB + 32 is UNPARSEABLE; records before stay", () => {
    const neg = getResponse([EIGHT[0] as (typeof EIGHT)[0], { key: key(-1, 0, 0, 0, 0), payload: [] }]);
    const got = decode([neg]);
    expect(got.error).toBe("UNPARSEABLE");
    expect(got.records).toHaveLength(1);
    expect(decode([new Frame().header(0, 0).i32(31).bytes()]).error).toBe("UNPARSEABLE");
    expect(decode([new Frame().header(0, 0).i32(-7).bytes()]).error).toBe("UNPARSEABLE");
    expect(
      decode([
        new Frame()
          .header(0, 0)
          .i32(32 + 32 * 1024 * 1024 + 1)
          .bytes(),
      ]).error,
    ).toBe("UNPARSEABLE");
  });

  it("a short response is DISCONNECTED with the records so far; bytes after the end are UNPARSEABLE", () => {
    const cut = decode([R356.subarray(0, 100)]);
    expect(cut.error).toBe("DISCONNECTED");
    expect(cut.records).toHaveLength(2);
    expect(decode([R356, Uint8Array.of(0)]).error).toBe("UNPARSEABLE");
    expect(decode([new Frame().header(0, 0).i32(0).header(0, 4).i32(0).bytes()]).error).toBe("UNPARSEABLE");
  });

  it("stays failed after an error", () => {
    const d = new GetDecoder();
    expect(() => d.push(new Frame().header(-1, 0).bytes())).toThrow(TStorageError);
    expect(() => d.push(R356)).toThrow(/status -1/);
  });
});

describe("memory limit (the 356-byte example)", () => {
  it("passes at 356 and 360, fails with NO_MEMORY at 355 and 80, for every chunking", () => {
    for (const chunks of splits(R356)) {
      for (const limit of [356, 360]) {
        const ok = decode(chunks, { memoryLimit: limit });
        expect(ok.error).toBeUndefined();
        expect(ok.records).toHaveLength(8);
      }
      const over = decode(chunks, { memoryLimit: 355 });
      expect(over.error).toBe("NO_MEMORY");
      // Partial data: every record wholly inside the first 355 bytes.
      expect(over.records).toHaveLength(8);
      expect(over.acq).toBeUndefined();
      const small = decode(chunks, { memoryLimit: 80 });
      expect(small.error).toBe("NO_MEMORY");
      expect(small.records).toHaveLength(1);
    }
  });

  it("refuses a record larger than the limit as soon as its size is read", () => {
    const d = new GetDecoder({ memoryLimit: 1000 });
    const head = new Frame()
      .header(0, 0)
      .i32(32 + 5000)
      .bytes();
    expect(() => d.push(head)).toThrow(/memory limit/);
    expect(d.bufferedBytes).toBe(0);
  });

  it("maxRecordBytes bounds one record without fixing the window: a larger one is NO_MEMORY before it is held", () => {
    const windows: number[] = [];
    const d = new GetDecoder({ maxRecordBytes: 4 + 32 + 8, onWindow: (r) => windows.push(r.length) });
    const small = new Frame().header(0, 0);
    for (let i = 0; i < 3; i++)
      small
        .i32(32 + 8)
        .key(key(1, i, 0, i, i))
        .raw(new Uint8Array(8));
    d.push(small.bytes());
    expect(windows).toEqual([3]);
    const big = new Frame()
      .i32(32 + 9)
      .key(key(1, 9, 0, 9, 9))
      .bytes();
    expect(() => d.push(big)).toThrow(/maxRecordBytes 44/);
    expect(d.bufferedBytes).toBe(0);
    expect(() => new GetDecoder({ maxRecordBytes: 35 })).toThrow(TStorageError);
  });

  it("rejects a limit that is not a positive integer", () => {
    expect(() => new GetDecoder({ memoryLimit: 0 })).toThrow(TStorageError);
    expect(() => new GetDecoder({ memoryLimit: 1.5 })).toThrow(TStorageError);
  });
});

describe("streaming windows", () => {
  it("90 -> 4 callbacks, 120 -> 3, 4 -> NO_MEMORY, whatever the chunking", () => {
    for (const chunks of splits(R356)) {
      const w90 = decode(chunks, { memoryLimit: 90, windows: true });
      expect(w90.error).toBeUndefined();
      expect(w90.windows).toEqual([1, 3, 2, 2]);
      expect(plain(w90.records)).toEqual(EIGHT);
      expect(w90.acq).toBe(99n);
      const w120 = decode(chunks, { memoryLimit: 120, windows: true });
      expect(w120.windows).toEqual([2, 3, 3]);
      expect(w120.error).toBeUndefined();
      const w4 = decode(chunks, { memoryLimit: 4, windows: true });
      expect(w4.error).toBe("NO_MEMORY");
      expect(w4.windows).toEqual([]);
    }
  });

  it("a window that completes no record is NO_MEMORY, after the earlier windows were delivered", () => {
    // 60-byte windows: [0,60) completes record 1 (ends at 52); [60,120) completes record 2 (92); ... all fine.
    expect(decode([R356], { memoryLimit: 60, windows: true }).windows).toEqual([1, 1, 2, 1, 2, 1]);
    // 41-byte windows: [0,41) completes nothing (record 1 ends at 52).
    expect(decode([R356], { memoryLimit: 41, windows: true })).toMatchObject({ error: "NO_MEMORY", windows: [] });
  });

  it("a callback's own error comes out unchanged and leaves the decoder failed", () => {
    const boom = new Error("consumer failed");
    const d = new GetDecoder({
      memoryLimit: 90,
      onWindow: () => {
        throw boom;
      },
    });
    expect(() => d.push(R356)).toThrow(boom);
    expect(() => d.push(R356)).toThrow(boom);
  });

  it("without a limit, delivers what each push completed", () => {
    const got = decode([R356.subarray(0, 100), R356.subarray(100, 101), R356.subarray(101)], { windows: true });
    expect(got.windows).toEqual([2, 6]);
  });

  it("delivers the window's records before reporting an unparseable record or a disconnect", () => {
    const bad = decode([getResponse([EIGHT[0] as (typeof EIGHT)[0], { key: key(-1, 0, 0, 0, 0), payload: [] }])], {
      memoryLimit: 1000,
      windows: true,
    });
    expect(bad).toMatchObject({ error: "UNPARSEABLE", windows: [1] });
    expect(decode([R356.subarray(0, 100)], { memoryLimit: 1000, windows: true })).toMatchObject({
      error: "DISCONNECTED",
      windows: [2],
    });
  });
});

describe("PUT and GETACQ responses", () => {
  it("PUT: (0,16) acqMin acqMax, extra size skipped, every split", () => {
    const ok = new Frame().header(0, 16).i64(10n).i64(20n).bytes();
    const extra = new Frame().header(0, 20).i64(-1n).i64(INT64_MAX).raw([1, 2, 3, 4]).bytes();
    for (const [bytes, min, max] of [
      [ok, 10n, 20n],
      [extra, -1n, INT64_MAX],
    ] as const) {
      for (const chunks of splits(bytes)) {
        const d = new PutResponseDecoder();
        for (const c of chunks) d.push(c);
        d.end();
        expect([d.done, d.acqMin, d.acqMax]).toEqual([true, min, max]);
      }
    }
  });

  it("PUT: the mock's (-1,0) is ERROR at once; short or oversize answers are errors", () => {
    const d = new PutResponseDecoder();
    expect(() => d.push(new Frame().header(-1, 0).bytes())).toThrow(expect.objectContaining({ code: "ERROR" }));
    const short = new PutResponseDecoder();
    short.push(new Frame().header(0, 16).i64(1n).bytes());
    expect(short.acqMin).toBeUndefined();
    expect(() => short.end()).toThrow(expect.objectContaining({ code: "DISCONNECTED" }));
    expect(() => new PutResponseDecoder().push(new Frame().header(0, 8).i64(1n).bytes())).toThrow(
      expect.objectContaining({ code: "UNPARSEABLE" }),
    );
    const after = new PutResponseDecoder();
    expect(() => after.push(new Frame().header(0, 16).i64(1n).i64(2n).raw([0]).bytes())).toThrow(
      expect.objectContaining({ code: "UNPARSEABLE" }),
    );
  });

  it("GETACQ: (0,8) acq; (-1,0) is ERROR", () => {
    for (const chunks of splits(new Frame().header(0, 8).i64(15n).bytes())) {
      const d = new AcqResponseDecoder();
      for (const c of chunks) d.push(c);
      expect(d.acq).toBe(15n);
    }
    expect(() => new AcqResponseDecoder().push(new Frame().header(-1, 0).bytes())).toThrow(
      expect.objectContaining({ code: "ERROR", status: -1 }),
    );
  });
});

describe("volume and hostile bytes", () => {
  it("decodes 100k records in arbitrary chunks", () => {
    const n = 100_000;
    const bytes = new Uint8Array(12 + n * 48 + 4 + 20);
    const v = new DataView(bytes.buffer);
    let at = 12;
    for (let i = 0; i < n; i++) {
      v.setInt32(at, 44, true);
      v.setInt32(at + 4, i % 7, true);
      v.setBigInt64(at + 8, BigInt(i), true);
      v.setUint32(at + 36, i, true);
      v.setUint32(at + 40, i * 3, true);
      at += 48;
    }
    v.setInt32(at + 4, 0, true);
    v.setBigUint64(at + 8, 8n, true);
    v.setBigInt64(at + 16, 1234n, true);
    const chunks: Uint8Array[] = [];
    for (let p = 0, s = 1; p < bytes.length; p += s, s = (s * 7 + 13) % 9001) chunks.push(bytes.subarray(p, p + s));
    const got = decode(chunks, { memoryLimit: bytes.length });
    expect(got.error).toBeUndefined();
    expect(got.records).toHaveLength(n);
    expect(got.acq).toBe(1234n);
    const last = got.records[n - 1] as GetRecord;
    expect(last.key.mid).toBe(BigInt(n - 1));
    expect(new DataView(last.payload.buffer, last.payload.byteOffset).getUint32(4, true)).toBe((n - 1) * 3);
  });

  it("random and mutated bytes, random chunking and limits: only TStorageError, never past the limit", () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const samples: Uint8Array[] = [];
    for (let i = 0; i < 300; i++) samples.push(Uint8Array.from({ length: rnd(200) }, () => rnd(256)));
    for (let i = 0; i < 1500; i++) {
      const m = Uint8Array.from(R356);
      for (let k = rnd(4) + 1; k > 0; k--) m[rnd(m.length)] = rnd(256);
      samples.push(rnd(5) === 0 ? m.subarray(0, rnd(m.length)) : m);
    }
    for (const bytes of samples) {
      const chunks: Uint8Array[] = [];
      for (let p = 0; p < bytes.length; ) {
        const s = rnd(60) + 1;
        chunks.push(bytes.subarray(p, p + s));
        p += s;
      }
      for (const limit of [undefined, 1 + rnd(400)]) {
        for (const windows of [false, true]) {
          const d = new GetDecoder({
            ...(limit !== undefined ? { memoryLimit: limit } : {}),
            ...(windows ? { onWindow: () => {} } : {}),
          });
          try {
            for (const c of chunks) {
              d.push(c);
              if (limit !== undefined) {
                expect(d.bufferedBytes).toBeLessThanOrEqual(limit);
                if (!windows) expect(d.bytesReceived).toBeLessThanOrEqual(limit);
              }
            }
            d.end();
          } catch (e) {
            if (!(e instanceof TStorageError)) throw e;
          }
        }
      }
      for (const D of [PutResponseDecoder, AcqResponseDecoder]) {
        const d = new D();
        try {
          for (const c of chunks) d.push(c);
          d.end();
        } catch (e) {
          if (!(e instanceof TStorageError)) throw e;
        }
      }
    }
  });
});

describe("large payloads and properties", () => {
  it("payloads from 4 B to 32 MiB straddling 64 KiB chunks, under a limit of the response size", () => {
    const sizes = [4, 32 * 1024, 1024 * 1024, 32 * 1024 * 1024];
    const parts: Uint8Array[] = [new Frame().header(0, 0).bytes()];
    sizes.forEach((n, i) => {
      parts.push(
        new Frame()
          .i32(32 + n)
          .key(key(1, i, 0, 0, 0))
          .bytes(),
        new Uint8Array(n).fill(i + 1),
      );
    });
    parts.push(new Frame().i32(0).header(0, 8).i64(5n).bytes());
    const bytes = Buffer.concat(parts);
    const d = new GetDecoder({ memoryLimit: bytes.length });
    let peak = 0;
    for (let at = 0; at < bytes.length; at += 65536) {
      d.push(bytes.subarray(at, at + 65536));
      peak = Math.max(peak, d.bufferedBytes);
    }
    d.end();
    expect(d.records.map((r) => r.payload.length)).toEqual(sizes);
    expect(d.records.every((r, i) => r.payload[0] === i + 1 && r.payload[r.payload.length - 1] === i + 1)).toBe(true);
    expect(peak).toBeLessThanOrEqual(32 + 32 * 1024 * 1024);
    const tight = new GetDecoder({ memoryLimit: 32 * 1024 * 1024 });
    expect(() => tight.push(bytes.subarray(0, 1_200_000))).toThrow(expect.objectContaining({ code: "NO_MEMORY" }));
    // Refused when the 32 MiB record's size is read, before any of its bytes are held.
    expect(tight.records.map((r) => r.payload.length)).toEqual([4, 32 * 1024, 1024 * 1024]);
    expect(tight.bufferedBytes).toBe(0);
  });

  it("windows, joined, are the collected records, for random records, limits and chunkings", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 5 }),
            fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
            fc.uint8Array({ maxLength: 60 }),
          ),
          {
            maxLength: 30,
          },
        ),
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 20 }),
        (rows, limit, cuts) => {
          const bytes = getResponse(
            rows.map(([cid, mid, payload]) => ({ key: { ...key(cid, 0, 1, 2, 3), mid }, payload })),
          );
          const chunks: Uint8Array[] = [];
          for (let at = 0, i = 0; at < bytes.length; at += cuts[i++ % cuts.length] as number) {
            chunks.push(bytes.subarray(at, at + (cuts[i % cuts.length] as number)));
          }
          const all = decode(chunks);
          expect(all.error).toBeUndefined();
          expect(all.records).toHaveLength(rows.length);
          const windowed = decode(chunks, { memoryLimit: limit, windows: true });
          if (windowed.error === undefined) {
            expect(plain(windowed.records)).toEqual(plain(all.records));
            expect(windowed.windows?.every((n) => n > 0)).toBe(true);
          } else {
            expect(windowed.error).toBe("NO_MEMORY");
            expect(plain(all.records.slice(0, windowed.records.length))).toEqual(plain(windowed.records));
          }
          const collected = decode(chunks, { memoryLimit: limit });
          expect(collected.error).toBe(bytes.length <= limit ? undefined : "NO_MEMORY");
        },
      ),
      { numRuns: 300 },
    );
  });
});
