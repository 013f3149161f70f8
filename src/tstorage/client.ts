/**
 * The TStorage client: one connection over an injected transport, calls one at a time, each a
 * request and its whole response (TSTORAGE.md "Transport"). It owns the session rules (connect on
 * demand, timeouts, close after any error) and leaves framing to request.ts and response.ts.
 */
import { asDisconnected, Connection } from "./connection.ts";
import type { Key } from "./key.ts";
import { encodeGet, encodeGetAcq, encodePutStream, MAX_BATCH_SIZE_LIMIT } from "./request.ts";
import {
  AcqResponseDecoder,
  checkGetOptions,
  GetDecoder,
  type GetOptions,
  type GetRecord,
  iterateGet,
  PutResponseDecoder,
} from "./response.ts";
import { TStorageError } from "./status.ts";
import type {
  Address,
  Connect,
  GetResult,
  PutResult,
  PutSource,
  SessionFactory,
  SessionOptions,
  Transport,
  TStorageSession,
} from "./transport.ts";

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_READ_TIMEOUT_MS = 30_000;

interface FixedResponse {
  readonly done: boolean;
  push(chunk: Uint8Array): void;
  end(): void;
}

/** Reads until a fixed-size response (PUT, GETACQ) is complete, never past it. */
async function readFixed(conn: Connection, decoder: FixedResponse): Promise<void> {
  while (!decoder.done) {
    const chunk = await conn.read();
    if (chunk === undefined) decoder.end();
    else decoder.push(chunk);
  }
}

function timeoutOption(value: number | undefined, fallback: number, name: string): number {
  const ms = value ?? fallback;
  // setTimeout holds at most a signed 32-bit delay; past it the timer would fire at once.
  if (!Number.isFinite(ms) || ms <= 0 || ms > 0x7fff_ffff) {
    throw TStorageError.invalidArgument(`${name} ${ms} must be in 1..${0x7fff_ffff} ms`);
  }
  return ms;
}

/** A put stopped sending because the server answered first. */
const ANSWERED: unique symbol = Symbol("answered");

/**
 * A TStorage session over `connect`. Argument errors (an unencodable key, a bad memory limit) are
 * thrown before any I/O and leave the connection as it was; every other error closes it, and the
 * next call reconnects.
 *
 * @example
 * const ts = new TStorageClient(nodeConnect, { hostname: "127.0.0.1", port: 2025 });
 * await ts.puta([{ key, payload }]);
 * const { records, acq } = await ts.get(KEY_MIN, KEY_MAX);
 * await ts.close();
 */
export class TStorageClient implements TStorageSession {
  private conn: Connection | undefined;
  /** Settles when the call before the newest one is done: calls queue on it. */
  private tail: Promise<void> = Promise.resolve();
  private readonly connectTimeoutMs: number;
  private readonly readTimeoutMs: number;
  private readonly maxBatchSize: number | undefined;

  constructor(
    private readonly connectTo: Connect,
    private readonly address: Address,
    options: SessionOptions = {},
  ) {
    this.connectTimeoutMs = timeoutOption(options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS, "connectTimeoutMs");
    this.readTimeoutMs = timeoutOption(options.readTimeoutMs, DEFAULT_READ_TIMEOUT_MS, "readTimeoutMs");
    const batch = options.maxBatchSize;
    if (batch !== undefined && (!Number.isInteger(batch) || batch < 1 || batch > MAX_BATCH_SIZE_LIMIT)) {
      throw TStorageError.invalidArgument(`maxBatchSize ${batch} is not in 1..${MAX_BATCH_SIZE_LIMIT}`);
    }
    this.maxBatchSize = batch;
  }

  async connect(): Promise<void> {
    await this.exclusive(async () => {});
  }

  /** Closes the connection now; a call still running rejects with DISCONNECTED. */
  async close(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    await conn?.close();
  }

  put(records: PutSource, options: { readonly skipInvalid?: boolean } = {}): Promise<PutResult> {
    return this.send(records, false, options.skipInvalid ?? false);
  }

  puta(records: PutSource, options: { readonly skipInvalid?: boolean } = {}): Promise<PutResult> {
    return this.send(records, true, options.skipInvalid ?? false);
  }

  async get(min: Key, max: Key, options: { readonly memoryLimit?: number } = {}): Promise<GetResult> {
    const request = encodeGet(min, max);
    const decoder = new GetDecoder({ memoryLimit: options.memoryLimit });
    return this.exclusive(async (conn) => {
      await conn.write(request);
      try {
        await readFixed(conn, decoder);
      } catch (e) {
        if (e instanceof TStorageError && e.code === "NO_MEMORY") e.partial = decoder.records;
        throw e;
      }
      return { records: decoder.records, acq: decoder.acq as bigint };
    });
  }

  async getStream(
    min: Key,
    max: Key,
    onWindow: (records: GetRecord[]) => void | Promise<void>,
    options: GetOptions = {},
  ): Promise<bigint> {
    const windows = this.getIter(min, max, options);
    for (;;) {
      const step = await windows.next();
      if (step.done) return step.value;
      try {
        // Awaited, so a slow callback holds back the reads: that is the stream's backpressure.
        await onWindow(step.value);
      } catch (e) {
        await windows.return(0n);
        throw e;
      }
    }
  }

  async *getIter(min: Key, max: Key, options: GetOptions = {}): AsyncGenerator<GetRecord[], bigint, undefined> {
    const request = encodeGet(min, max);
    checkGetOptions(options);
    const release = await this.lock();
    let conn: Connection | undefined;
    let complete = false;
    try {
      conn = await this.open();
      await conn.write(request);
      const opened = conn;
      const acq = yield* iterateGet(() => opened.read(), options);
      complete = true;
      return acq;
    } finally {
      // An error, or a consumer that stopped early: the rest of the response is still on the wire.
      if (!complete && conn !== undefined) await this.drop(conn);
      release();
    }
  }

  async getAcq(min: Key, max: Key): Promise<bigint> {
    const request = encodeGetAcq(min, max);
    return this.exclusive(async (conn) => {
      const decoder = new AcqResponseDecoder();
      await conn.write(request);
      await readFixed(conn, decoder);
      return decoder.acq as bigint;
    });
  }

  /**
   * PUT/PUTA: chunks are written as they are encoded, while the reply is read alongside, since the
   * server may refuse a record, answer and close before the request is out. Its status is then what
   * the caller gets, not the failed write. A source that throws aborts the request: the connection
   * closes without the terminator, so the server cannot take a half-sent put as complete.
   */
  private send(records: PutSource, withAcq: boolean, skipInvalid: boolean): Promise<PutResult> {
    const chunks = encodePutStream(records, withAcq, { maxBatchSize: this.maxBatchSize, skipInvalid });
    return this.exclusive(async (conn) => {
      const decoder = new PutResponseDecoder();
      conn.expectReply(false);
      const reply = readFixed(conn, decoder);
      const answered = reply.then(
        (): typeof ANSWERED => ANSWERED,
        (): typeof ANSWERED => ANSWERED,
      );
      let sentAll = false;
      let writeError: unknown;
      try {
        for (;;) {
          const next = await Promise.race([chunks.next(), answered]);
          if (next === ANSWERED || next.done) {
            sentAll = next !== ANSWERED;
            break;
          }
          const written = conn.write(next.value);
          written.catch(() => {});
          try {
            if ((await Promise.race([written, answered])) === ANSWERED) break;
          } catch (e) {
            writeError = e;
            break;
          }
        }
      } catch (e) {
        // The source or the encoder failed: `exclusive` closes the connection, which ends the reply.
        reply.catch(() => {});
        throw e;
      } finally {
        conn.expectReply(true);
      }
      if (!sentAll) chunks.return(undefined).catch(() => {});
      try {
        await reply;
      } catch (e) {
        // A server status explains a failed write; a bare disconnect is reported as the write saw it.
        if (writeError !== undefined && e instanceof TStorageError && e.code === "DISCONNECTED") throw writeError;
        throw e;
      }
      if (!sentAll && writeError === undefined) {
        throw TStorageError.client("UNPARSEABLE", "bad response: the server answered OK before the PUT request ended");
      }
      return { acqMin: decoder.acqMin as bigint, acqMax: decoder.acqMax as bigint };
    });
  }

  /** Waits for the calls before this one; the returned function lets the next one run. */
  private async lock(): Promise<() => void> {
    const before = this.tail;
    let release: () => void = () => {};
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await before;
    return release;
  }

  /** Runs one call on an open connection; any error closes it. */
  private async exclusive<T>(work: (conn: Connection) => Promise<T>): Promise<T> {
    const release = await this.lock();
    let conn: Connection | undefined;
    try {
      conn = await this.open();
      return await work(conn);
    } catch (e) {
      if (conn !== undefined) await this.drop(conn);
      throw e;
    } finally {
      release();
    }
  }

  private async open(): Promise<Connection> {
    if (this.conn !== undefined && !this.conn.broken) return this.conn;
    this.conn = undefined;
    const transport = await this.connectWithin();
    this.conn = new Connection(transport, this.readTimeoutMs);
    return this.conn;
  }

  private async connectWithin(): Promise<Transport> {
    const { hostname, port } = this.address;
    const attempt = this.connectTo(this.address);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            TStorageError.client(
              "TIMED_OUT",
              `connecting to ${hostname}:${port} took over ${this.connectTimeoutMs} ms`,
            ),
          ),
        this.connectTimeoutMs,
      );
    });
    try {
      return await Promise.race([attempt, timeout]);
    } catch (e) {
      // A connect that lands after the timeout must not leak its socket.
      attempt.then((late) => late.close()).catch(() => {});
      throw asDisconnected(e, `cannot connect to ${hostname}:${port}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private async drop(conn: Connection): Promise<void> {
    if (this.conn === conn) this.conn = undefined;
    await conn.close();
  }
}

/** Sessions over one transport: the bridge takes this, so it never names a socket API. */
export function sessionFactory(connect: Connect): SessionFactory {
  return (address, options) => new TStorageClient(connect, address, options);
}
