import { describe, expect, it } from "vitest";
import { Frame, key } from "../../test/support/tstorage-frames.ts";
import { TStorageClient } from "./client.ts";
import { INT32_MAX, INT64_MAX, KEY_MAX, KEY_MIN, type Key } from "./key.ts";
import type { PutRecord } from "./request.ts";
import type { GetRecord } from "./response.ts";
import { TStorageError } from "./status.ts";
import type { Connect, SessionOptions, Transport } from "./transport.ts";

/** One scripted connection: the test plays the server, byte for byte. */
class FakeConn implements Transport {
  readonly writes: Uint8Array[] = [];
  closed = false;
  /** Reads that returned a chunk. */
  reads = 0;
  /** Called after each write the client made, with everything received so far. */
  onWrite: (received: Uint8Array) => void = () => {};
  /** While set, writes wait on it (a server that is not reading). */
  gate: Promise<void> | undefined;
  /** When set, writes fail as on a socket the peer has shut (EPIPE) while its data is still readable. */
  refuseWrites = false;
  failedWrites = 0;
  private readonly inbox: (Uint8Array | undefined | Error)[] = [];
  private waiting: (() => void) | undefined;

  received(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.writes));
  }

  /** Queues chunks for the client to read. */
  send(...chunks: Uint8Array[]): void {
    this.inbox.push(...chunks);
    this.wake();
  }

  /** Queues the chunks of `bytes` cut every `step` bytes. */
  sendSplit(bytes: Uint8Array, step: number): void {
    for (let at = 0; at < bytes.length; at += step) this.send(bytes.slice(at, at + step));
  }

  end(): void {
    this.inbox.push(undefined);
    this.wake();
  }

  breakWith(e: Error): void {
    this.inbox.push(e);
    this.wake();
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.closed) throw new Error("write after close");
    if (this.gate !== undefined) await this.gate;
    if (this.closed) throw new Error("connection reset");
    if (this.refuseWrites) {
      this.failedWrites++;
      throw new Error("EPIPE");
    }
    this.writes.push(bytes.slice());
    this.onWrite(this.received());
  }

  async read(): Promise<Uint8Array | undefined> {
    for (;;) {
      if (this.inbox.length > 0) {
        const next = this.inbox.shift();
        if (next instanceof Error) throw next;
        if (next !== undefined) this.reads++;
        return next;
      }
      if (this.closed) return undefined;
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }
}

/** A client whose every connection is scripted by `serve` (called with the connection and its index). */
function scripted(serve: (conn: FakeConn, n: number) => void, options?: SessionOptions) {
  const conns: FakeConn[] = [];
  const connect: Connect = async () => {
    const conn = new FakeConn();
    serve(conn, conns.length);
    conns.push(conn);
    return conn;
  };
  const client = new TStorageClient(connect, { hostname: "tstorage.test", port: 2025 }, options);
  return { client, conns };
}

const getRequest = (command: number, min: Key, max: Key) => new Frame().header(command, 64).key(min).key(max).bytes();

const EIGHT: GetRecord[] = Array.from({ length: 8 }, (_, i) => ({
  key: key(1, i, i, i, i),
  payload: Uint8Array.of(i, i, i, i),
}));

function getResponse(records: readonly GetRecord[], acq: bigint): Uint8Array {
  const f = new Frame().header(0, 0);
  for (const r of records)
    f.i32(32 + r.payload.length)
      .key(r.key)
      .raw(r.payload);
  return f.i32(0).header(0, 8).i64(acq).bytes();
}

/** 12 + 8 * 40 + 4 + 20 = 356 bytes (TSTORAGE.md "Client-side limits"). */
const R356 = getResponse(EIGHT, 99n);

const plain = (records: readonly GetRecord[]) => records.map((r) => ({ key: r.key, payload: [...r.payload] }));

/** Answers every GET (76 bytes received per request) with `response` cut every `step` bytes. */
function answerGets(response: Uint8Array, step = response.length) {
  return (conn: FakeConn) => {
    let answered = 0;
    conn.onWrite = (received) => {
      while (received.length >= (answered + 1) * 76) {
        answered++;
        conn.sendSplit(response, step);
      }
    };
  };
}

async function rejection(p: Promise<unknown>): Promise<TStorageError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof TStorageError)) throw new Error(`expected a TStorageError, got ${String(e)}`);
  return e;
}

describe("get", () => {
  it("sends (1, 64) keyMin keyMax and decodes records and acq, for every chunking", async () => {
    for (const step of [1, 7, 40, 356]) {
      const { client, conns } = scripted(answerGets(R356, step));
      const got = await client.get(KEY_MIN, KEY_MAX);
      expect(plain(got.records)).toEqual(plain(EIGHT));
      expect(got.acq).toBe(99n);
      expect(conns[0]?.received()).toEqual(getRequest(1, KEY_MIN, KEY_MAX));
    }
  });

  it("keeps one connection across calls and opens it on demand", async () => {
    const { client, conns } = scripted(answerGets(R356));
    expect(conns).toHaveLength(0);
    await client.get(KEY_MIN, KEY_MAX);
    await client.get(KEY_MIN, KEY_MAX);
    expect(conns).toHaveLength(1);
    expect(conns[0]?.closed).toBe(false);
  });

  it("memory limit: 356 and 360 pass; 355 and 80 are NO_MEMORY with the partial records, then close", async () => {
    for (const limit of [356, 360]) {
      const { client } = scripted(answerGets(R356, 50));
      expect((await client.get(KEY_MIN, KEY_MAX, { memoryLimit: limit })).records).toHaveLength(8);
    }
    for (const [limit, partial] of [
      [355, 8],
      [80, 1],
    ] as const) {
      const { client, conns } = scripted(answerGets(R356, 50));
      const e = await rejection(client.get(KEY_MIN, KEY_MAX, { memoryLimit: limit }));
      expect(e.code).toBe("NO_MEMORY");
      expect(plain(e.partial ?? [])).toEqual(plain(EIGHT.slice(0, partial)));
      expect(conns[0]?.closed).toBe(true);
      // The next call reconnects.
      expect((await client.get(KEY_MIN, KEY_MAX)).records).toHaveLength(8);
      expect(conns).toHaveLength(2);
    }
  });

  it("the mock's invalid-range frames (initial (0,0), end 0, final (-1,0)) are ERROR and close", async () => {
    const { client, conns } = scripted(answerGets(new Frame().header(0, 0).i32(0).header(-1, 0).bytes()));
    const e = await rejection(client.get(key(0, 5, 0, 0, 0), key(1, 4, 1, 1, 1)));
    expect([e.code, e.status]).toEqual(["ERROR", -1]);
    expect(conns[0]?.closed).toBe(true);
  });

  it("an error in the initial header (as a real server may send) keeps the server's status", async () => {
    const { client } = scripted(answerGets(new Frame().header(-2, 0).bytes()));
    const e = await rejection(client.get(KEY_MIN, KEY_MAX));
    expect([e.code, e.status]).toEqual(["INVARG", -2]);
  });

  it("a connection lost mid-response is DISCONNECTED, never a short result", async () => {
    const { client, conns } = scripted((conn) => {
      conn.onWrite = () => {
        conn.send(R356.slice(0, 200));
        conn.end();
      };
    });
    expect((await rejection(client.get(KEY_MIN, KEY_MAX))).code).toBe("DISCONNECTED");
    expect(conns[0]?.closed).toBe(true);
  });

  it("a transport error is DISCONNECTED with the transport's error as cause", async () => {
    const reset = new Error("ECONNRESET");
    const { client } = scripted((conn) => {
      conn.onWrite = () => conn.breakWith(reset);
    });
    const e = await rejection(client.get(KEY_MIN, KEY_MAX));
    expect(e.code).toBe("DISCONNECTED");
    expect(e.cause).toBe(reset);
  });

  it("an unencodable key or a bad memory limit is INVARG before any I/O", async () => {
    const { client, conns } = scripted(answerGets(R356));
    const bad = { ...KEY_MAX, mid: INT64_MAX + 1n };
    expect((await rejection(client.get(KEY_MIN, bad))).code).toBe("INVARG");
    expect((await rejection(client.get(KEY_MIN, KEY_MAX, { memoryLimit: 0 }))).code).toBe("INVARG");
    expect(conns).toHaveLength(0);
  });
});

describe("getStream and getIter", () => {
  it("getStream: 90 -> 4 callbacks, 120 -> 3, 4 -> NO_MEMORY and close", async () => {
    for (const [limit, windows] of [
      [90, [1, 3, 2, 2]],
      [120, [2, 3, 3]],
    ] as const) {
      const { client } = scripted(answerGets(R356, 33));
      const seen: number[] = [];
      const acq = await client.getStream(KEY_MIN, KEY_MAX, (w) => void seen.push(w.length), { memoryLimit: limit });
      expect([seen, acq]).toEqual([windows, 99n]);
    }
    const { client, conns } = scripted(answerGets(R356, 33));
    const e = await rejection(client.getStream(KEY_MIN, KEY_MAX, () => {}, { memoryLimit: 4 }));
    expect(e.code).toBe("NO_MEMORY");
    expect(conns[0]?.closed).toBe(true);
  });

  it("getStream awaits an async callback before reading on", async () => {
    const { client, conns } = scripted(answerGets(R356, 40));
    const readsAtCallback: number[] = [];
    await client.getStream(
      KEY_MIN,
      KEY_MAX,
      async () => {
        readsAtCallback.push(conns[0]?.reads ?? -1);
        await new Promise((r) => setTimeout(r, 5));
      },
      { memoryLimit: 90 },
    );
    // Windows close at bytes 90, 180, 270 and at the end mark: no read ran ahead of a callback.
    expect(readsAtCallback).toEqual([3, 5, 7, 9]);
  });

  it("getStream: a callback's error comes out as it is and closes the connection", async () => {
    const { client, conns } = scripted(answerGets(R356));
    const boom = new Error("consumer failed");
    await expect(
      client.getStream(KEY_MIN, KEY_MAX, () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(conns[0]?.closed).toBe(true);
  });

  it("getIter reads only as the consumer pulls, and returns the acq horizon", async () => {
    const { client, conns } = scripted(answerGets(R356, 40));
    const it = client.getIter(KEY_MIN, KEY_MAX, { memoryLimit: 90 });
    expect(conns).toHaveLength(0);
    expect((await it.next()).value).toHaveLength(1);
    expect(conns[0]?.reads).toBe(3);
    await new Promise((r) => setTimeout(r, 10));
    expect(conns[0]?.reads).toBe(3);
    const rest: number[] = [];
    for (;;) {
      const step = await it.next();
      if (step.done) {
        expect(step.value).toBe(99n);
        break;
      }
      rest.push(step.value.length);
    }
    expect(rest).toEqual([3, 2, 2]);
    expect(conns[0]?.closed).toBe(false);
  });

  it("breaking out of getIter early closes the connection; the next call reconnects", async () => {
    const { client, conns } = scripted(answerGets(R356, 40));
    for await (const window of client.getIter(KEY_MIN, KEY_MAX, { memoryLimit: 90 })) {
      expect(window).toHaveLength(1);
      break;
    }
    expect(conns[0]?.closed).toBe(true);
    expect((await client.get(KEY_MIN, KEY_MAX)).records).toHaveLength(8);
    expect(conns).toHaveLength(2);
  });
});

describe("getAcq", () => {
  it("sends (7, 64) keyMin keyMax and returns acq; extra size is skipped", async () => {
    const { client, conns } = scripted((conn) => {
      conn.onWrite = () => conn.sendSplit(new Frame().header(0, 12).i64(15n).raw([9, 9, 9, 9]).bytes(), 5);
    });
    expect(await client.getAcq(KEY_MIN, key(1, 1, 1, 1, 15))).toBe(15n);
    expect(conns[0]?.received()).toEqual(getRequest(7, KEY_MIN, key(1, 1, 1, 1, 15)));
  });

  it("the mock's (-1, 0) is ERROR and closes", async () => {
    const { client, conns } = scripted((conn) => {
      conn.onWrite = () => conn.send(new Frame().header(-1, 0).bytes());
    });
    const e = await rejection(client.getAcq(key(0, 5, 0, 0, 0), key(1, 4, 1, 1, 1)));
    expect([e.code, e.status]).toEqual(["ERROR", -1]);
    expect(conns[0]?.closed).toBe(true);
  });
});

const putOk = (acqMin: bigint, acqMax: bigint) => new Frame().header(0, 16).i64(acqMin).i64(acqMax).bytes();

/** Answers a put once the terminator has arrived (the request ends in int32 -1). */
function answerPuts(answer: Uint8Array) {
  return (conn: FakeConn) => {
    conn.onWrite = (received) => {
      const tail = received.subarray(received.length - 4);
      if (received.length >= 16 && new DataView(tail.buffer, tail.byteOffset).getInt32(0, true) === -1) {
        conn.send(answer);
      }
    };
  };
}

async function* slowly<T>(items: Iterable<T>, ms = 0): AsyncGenerator<T> {
  for (const item of items) {
    await new Promise((r) => setTimeout(r, ms));
    yield item;
  }
}

describe("put and puta", () => {
  const recs: PutRecord[] = [
    { key: key(3, 1, 2, 3, 4), payload: Uint8Array.of(1, 2) },
    { key: key(3, 5, 6, 7, 8), payload: Uint8Array.of() },
    { key: key(4, 9, 9, 9, 9), payload: Uint8Array.of(7) },
  ];

  it("PUTA: header (6, 0), batches per cid, -1; returns the acq range", async () => {
    const { client, conns } = scripted(answerPuts(putOk(10n, 20n)));
    expect(await client.puta(recs)).toEqual({ acqMin: 10n, acqMax: 20n });
    const expected = new Frame()
      .header(6, 0)
      .i32(3)
      .i32(4 + 30 + 4 + 28)
      .i32(30)
      .i64(1n)
      .i32(2)
      .i64(3n)
      .i64(4n)
      .raw([1, 2])
      .i32(28)
      .i64(5n)
      .i32(6)
      .i64(7n)
      .i64(8n)
      .i32(4)
      .i32(4 + 29)
      .i32(29)
      .i64(9n)
      .i32(9)
      .i64(9n)
      .i64(9n)
      .raw([7])
      .i32(-1)
      .bytes();
    expect(conns[0]?.received()).toEqual(expected);
  });

  it("PUT from an async stream: header (5, 0), keys without acq; empty PUT is the header then -1", async () => {
    const { client, conns } = scripted(answerPuts(putOk(1n, 1n)));
    await client.put(slowly(recs.slice(2)));
    const one = new Frame()
      .header(5, 0)
      .i32(4)
      .i32(4 + 21)
      .i32(21)
      .i64(9n)
      .i32(9)
      .i64(9n)
      .raw([7])
      .i32(-1)
      .bytes();
    expect(conns[0]?.received()).toEqual(one);
    await client.put([]);
    expect(conns[0]?.received().subarray(one.length)).toEqual(new Frame().header(5, 0).i32(-1).bytes());
  });

  /** Batches, and so chunks, of 64 KiB: records of one cid otherwise gather up to 1 MiB first. */
  const SMALL_BATCHES = { maxBatchSize: 64 * 1024 };

  it("streams: chunks are written while the source is still producing", async () => {
    const { client, conns } = scripted(answerPuts(putOk(0n, 0n)), SMALL_BATCHES);
    const writesSeen: number[] = [];
    async function* source(): AsyncGenerator<PutRecord> {
      for (let i = 0; i < 64; i++) {
        writesSeen.push(conns[0]?.writes.length ?? 0);
        yield { key: key(1, i, 0, 0, 0), payload: new Uint8Array(16 * 1024) };
      }
    }
    await client.puta(source());
    // 64 KiB chunks: by the last record several chunks have gone out.
    expect(writesSeen.at(-1)).toBeGreaterThanOrEqual(10);
    expect(conns[0]?.writes.length).toBeGreaterThan(10);
  });

  it("backpressure: a write that does not complete stops the source being pulled", async () => {
    let release: () => void = () => {};
    const { client, conns } = scripted((conn) => {
      answerPuts(putOk(0n, 0n))(conn);
      conn.gate = new Promise((r) => {
        release = r;
      });
    }, SMALL_BATCHES);
    let pulled = 0;
    async function* source(): AsyncGenerator<PutRecord> {
      for (let i = 0; i < 200; i++) {
        pulled++;
        yield { key: key(1, i, 0, 0, 0), payload: new Uint8Array(16 * 1024) };
      }
    }
    const done = client.puta(source());
    await new Promise((r) => setTimeout(r, 30));
    // One chunk waits on the gate; the encoder holds at most the next chunk's worth.
    expect(pulled).toBeLessThanOrEqual(10);
    const conn = conns[0] as FakeConn;
    conn.gate = undefined;
    release();
    await done;
    expect(pulled).toBe(200);
  });

  it("a server error while the client is still sending wins over the failed write", async () => {
    const { client, conns } = scripted((conn) => {
      conn.onWrite = (received) => {
        if (received.length > 100_000 && !conn.refuseWrites) {
          // The mock refuses a record: it stops reading, answers (-1, 0) a little later and closes.
          conn.refuseWrites = true;
          setTimeout(() => {
            conn.send(new Frame().header(-1, 0).bytes());
            conn.end();
          }, 20);
        }
      };
    }, SMALL_BATCHES);
    const many = Array.from({ length: 100 }, (_, i) => ({ key: key(1, i, 0, 0, 0), payload: new Uint8Array(10_000) }));
    const e = await rejection(client.puta(many));
    expect([e.code, e.status]).toEqual(["ERROR", -1]);
    const conn = conns[0] as FakeConn;
    expect(conn.failedWrites).toBe(1);
    expect(conn.closed).toBe(true);
  });

  it("a failed write with no answer from the server is DISCONNECTED", async () => {
    const { client } = scripted((conn) => {
      conn.onWrite = () => {
        conn.refuseWrites = true;
        setTimeout(() => conn.end(), 20);
      };
    }, SMALL_BATCHES);
    const many = Array.from({ length: 20 }, (_, i) => ({ key: key(1, i, 0, 0, 0), payload: new Uint8Array(10_000) }));
    const e = await rejection(client.puta(many));
    expect(e.code).toBe("DISCONNECTED");
    expect(e.message).toMatch(/EPIPE/);
  });

  it("a source that throws mid-put aborts: the connection closes and no terminator is sent", async () => {
    const { client, conns } = scripted(answerPuts(putOk(0n, 0n)), SMALL_BATCHES);
    const boom = new Error("source failed");
    async function* source(): AsyncGenerator<PutRecord> {
      for (let i = 0; i < 20; i++) yield { key: key(1, i, 0, 0, 0), payload: new Uint8Array(16 * 1024) };
      throw boom;
    }
    await expect(client.puta(source())).rejects.toBe(boom);
    const conn = conns[0] as FakeConn;
    expect(conn.closed).toBe(true);
    expect(conn.writes.length).toBeGreaterThan(0);
    const sent = conn.received();
    expect(new DataView(sent.buffer).getInt32(sent.length - 4, true)).not.toBe(-1);
  });

  it("max-valued fields are INVALID_KEY before sending; acq at max is allowed under PUT; skipInvalid skips", async () => {
    for (const field of ["cid", "mid", "moid", "cap", "acq"] as const) {
      const k = { ...key(1, 1, 1, 1, 1), [field]: field === "cid" || field === "moid" ? INT32_MAX : INT64_MAX };
      const { client, conns } = scripted(answerPuts(putOk(0n, 0n)));
      const e = await rejection(client.puta([{ key: k, payload: Uint8Array.of(1) }]));
      expect(e.code).toBe("INVALID_KEY");
      expect(conns[0]?.writes ?? []).toHaveLength(0);
      if (field === "acq") {
        await client.put([{ key: k, payload: Uint8Array.of(1) }]);
      } else {
        await expect(client.put([{ key: k, payload: Uint8Array.of(1) }])).rejects.toMatchObject({
          code: "INVALID_KEY",
        });
      }
    }
    const { client, conns } = scripted(answerPuts(putOk(0n, 0n)));
    await client.puta([{ key: { ...KEY_MAX }, payload: Uint8Array.of(1) }, ...recs.slice(2)], { skipInvalid: true });
    expect(conns[0]?.received()).toHaveLength(12 + 8 + 4 + 29 + 4);
  });

  it("a put answered OK before the request ended is refused", async () => {
    const { client } = scripted((conn) => {
      conn.onWrite = () => conn.send(putOk(0n, 0n));
    }, SMALL_BATCHES);
    const many = Array.from({ length: 20 }, (_, i) => ({ key: key(1, i, 0, 0, 0), payload: new Uint8Array(10_000) }));
    expect((await rejection(client.puta(slowly(many, 1)))).code).toBe("UNPARSEABLE");
  });
});

describe("session", () => {
  it("calls run one at a time: the second request waits for the first response", async () => {
    let conn: FakeConn | undefined;
    const { client } = scripted((c) => {
      conn = c;
    });
    const first = client.get(KEY_MIN, KEY_MAX);
    const second = client.getAcq(KEY_MIN, KEY_MAX);
    await new Promise((r) => setTimeout(r, 10));
    expect(conn?.received()).toHaveLength(76);
    conn?.send(R356);
    await first;
    await new Promise((r) => setTimeout(r, 10));
    expect(conn?.received()).toHaveLength(152);
    conn?.send(new Frame().header(0, 8).i64(5n).bytes());
    expect(await second).toBe(5n);
  });

  it("a silent server is TIMED_OUT after the read timeout, and the connection closes", async () => {
    const { client, conns } = scripted(() => {}, { readTimeoutMs: 50 });
    const started = Date.now();
    expect((await rejection(client.get(KEY_MIN, KEY_MAX))).code).toBe("TIMED_OUT");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(conns[0]?.closed).toBe(true);
  });

  it("a write the server never takes is TIMED_OUT too", async () => {
    const { client, conns } = scripted(
      (conn) => {
        conn.gate = new Promise(() => {});
      },
      { readTimeoutMs: 50 },
    );
    expect((await rejection(client.puta([{ key: key(1, 1, 1, 1, 1), payload: Uint8Array.of(1) }]))).code).toBe(
      "TIMED_OUT",
    );
    expect(conns[0]?.closed).toBe(true);
  });

  it("a getIter under way holds the connection: other calls wait until it ends", async () => {
    const { client, conns } = scripted(answerGets(R356, 40));
    const it = client.getIter(KEY_MIN, KEY_MAX, { memoryLimit: 90 });
    await it.next();
    let secondDone = false;
    const second = client.get(KEY_MIN, KEY_MAX).then((r) => {
      secondDone = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(secondDone).toBe(false);
    expect(conns[0]?.received()).toHaveLength(76);
    while (!(await it.next()).done) {
      // drain
    }
    expect((await second).records).toHaveLength(8);
    expect(conns).toHaveLength(1);
  });

  it("the timeout runs per read: a slow but steady response passes", async () => {
    const { client } = scripted(
      (conn) => {
        conn.onWrite = async () => {
          for (let at = 0; at < R356.length; at += 60) {
            await new Promise((r) => setTimeout(r, 30));
            conn.send(R356.slice(at, at + 60));
          }
        };
      },
      { readTimeoutMs: 80 },
    );
    expect((await client.get(KEY_MIN, KEY_MAX)).records).toHaveLength(8);
  });

  it("a slow put source is not a read timeout", async () => {
    const { client } = scripted(answerPuts(putOk(0n, 0n)), { readTimeoutMs: 30 });
    const recs = Array.from({ length: 4 }, (_, i) => ({ key: key(1, i, 0, 0, 0), payload: Uint8Array.of(i) }));
    expect(await client.puta(slowly(recs, 40))).toEqual({ acqMin: 0n, acqMax: 0n });
  });

  it("a connect that does not finish is TIMED_OUT; one that fails is DISCONNECTED with its cause", async () => {
    const hang: Connect = () => new Promise(() => {});
    const slow = new TStorageClient(hang, { hostname: "h", port: 1 }, { connectTimeoutMs: 30 });
    expect((await rejection(slow.connect())).code).toBe("TIMED_OUT");
    const refused = new Error("ECONNREFUSED");
    const failing = new TStorageClient(() => Promise.reject(refused), { hostname: "h", port: 1 });
    const e = await rejection(failing.get(KEY_MIN, KEY_MAX));
    expect([e.code, e.cause]).toEqual(["DISCONNECTED", refused]);
  });

  it("close() is idempotent, ends a running call with DISCONNECTED, and the next call reconnects", async () => {
    const { client, conns } = scripted((conn, n) => {
      if (n > 0) answerGets(R356)(conn);
    });
    const running = client.get(KEY_MIN, KEY_MAX);
    await new Promise((r) => setTimeout(r, 10));
    await client.close();
    await client.close();
    expect((await rejection(running)).code).toBe("DISCONNECTED");
    expect((await client.get(KEY_MIN, KEY_MAX)).records).toHaveLength(8);
    expect(conns.map((c) => c.closed)).toEqual([true, false]);
  });

  it("rejects bad options with INVARG", () => {
    const connect: Connect = () => Promise.reject(new Error("unused"));
    const at = { hostname: "h", port: 1 };
    expect(() => new TStorageClient(connect, at, { readTimeoutMs: 0 })).toThrow(TStorageError);
    expect(() => new TStorageClient(connect, at, { connectTimeoutMs: Number.NaN })).toThrow(TStorageError);
    expect(() => new TStorageClient(connect, at, { maxBatchSize: 0 })).toThrow(TStorageError);
  });
});
