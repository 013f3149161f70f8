/**
 * One client connection of the double: request bytes through the decoder, events through the
 * store, responses back, one request at a time as TSTORAGE.md "Transport" requires.
 *
 * A client that goes away mid-request never takes the server down (the vendor mock dies there):
 * socket errors are swallowed, a GET under way stops writing, and a PUT keeps exactly the records
 * that arrived whole, which is what the mock has stored by then.
 */
import type { Socket } from "node:net";
import { KEY_BYTES, type Key, writeKey } from "../../src/tstorage/key.ts";
import { HEADER_BYTES } from "../../src/tstorage/request.ts";
import { RequestDecoder, type RequestEvent } from "./request-decoder.ts";
import type { RecordStore, StoredRecord } from "./store.ts";

/** The mock sends -1 for every error. */
const ERROR_STATUS = -1;
/** GET records are written in chunks of about this size, waiting for the socket to drain between them. */
const WRITE_CHUNK_BYTES = 64 * 1024;
/** Unprocessed chunks held before the socket is paused: bounds what a fast sender can pile up. */
const MAX_QUEUED_CHUNKS = 16;
/** After an error reply, how long the client may keep sending before the socket is destroyed. */
const LINGER_MS = 2000;
/**
 * A connection with no traffic either way for this long is dropped, as the mock's 20 s socket
 * timeout does: a client that stops reading a GET cannot hold it open forever.
 */
export const IDLE_TIMEOUT_MS = 20_000;

export interface Fault {
  readonly readBytes?: number;
  readonly writtenBytes?: number;
}

function header(status: number, size: number, extra = 0): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(HEADER_BYTES + extra);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, status, true);
  view.setBigUint64(4, BigInt(size), true);
  return { bytes, view };
}

const errorFrame = (): Uint8Array => header(ERROR_STATUS, 0).bytes;

function acqFrame(acq: bigint): Uint8Array {
  const { bytes, view } = header(0, 8, 8);
  view.setBigInt64(HEADER_BYTES, acq, true);
  return bytes;
}

function twoAcqFrame(min: bigint, max: bigint): Uint8Array {
  const { bytes, view } = header(0, 16, 16);
  view.setBigInt64(HEADER_BYTES, min, true);
  view.setBigInt64(HEADER_BYTES + 8, max, true);
  return bytes;
}

const END_OF_RECORDS = new Uint8Array(4);

export class DoubleConnection {
  private readonly decoder = new RequestDecoder();
  private readonly queue: Uint8Array[] = [];
  private pumping = false;
  private closed = false;
  private read = 0;
  private written = 0;
  private putStartedAt = 0n;
  private putWithAcq = false;
  /** A read fault took its last byte: cut once those bytes are handled. */
  private cutWhenDrained = false;

  constructor(
    private readonly socket: Socket,
    private readonly store: RecordStore,
    private readonly fault: Fault | undefined,
    private readonly onGone: () => void,
  ) {
    socket.setNoDelay(true);
    socket.setTimeout(IDLE_TIMEOUT_MS, () => this.shut());
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    // A reset or broken pipe is the client's business, never the server's end.
    socket.on("error", () => this.shut());
    socket.on("close", () => {
      this.closed = true;
      this.onGone();
    });
    // A cut at byte 0 would otherwise wait for a first chunk that a client may never send.
    if (fault?.readBytes === 0) this.shut();
  }

  /** Destroys the connection now (cutAll, close). */
  destroy(): void {
    this.shut();
  }

  private shut(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let bytes: Uint8Array = chunk;
    const limit = this.fault?.readBytes;
    if (limit !== undefined && this.read + bytes.length >= limit) {
      bytes = bytes.subarray(0, limit - this.read);
      this.cutWhenDrained = true;
    }
    this.read += bytes.length;
    if (this.decoder.dead) return; // lingering after an error reply: discard
    if (bytes.length > 0) this.queue.push(bytes);
    if (this.queue.length >= MAX_QUEUED_CHUNKS) this.socket.pause();
    void this.pump();
  }

  /** Handles queued chunks in order; one pump at a time, so requests never interleave. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        const chunk = this.queue.shift() as Uint8Array;
        if (this.queue.length < MAX_QUEUED_CHUNKS / 2) this.socket.resume();
        const events: RequestEvent[] = [];
        this.decoder.push(chunk, (e) => events.push(e));
        for (const e of events) {
          if (this.closed) break;
          await this.handle(e);
        }
      }
    } catch {
      this.shut();
    } finally {
      this.pumping = false;
    }
    if (this.cutWhenDrained && this.queue.length === 0) this.shut();
  }

  private async handle(e: RequestEvent): Promise<void> {
    switch (e.kind) {
      case "put-start":
        this.putStartedAt = this.store.putBegin();
        this.putWithAcq = e.withAcq;
        return;
      case "record": {
        const outcome = this.store.put(e.key, e.payload, this.putWithAcq);
        if (!outcome.ok) this.fail(errorFrame());
        return;
      }
      case "put-end":
        // The mock answers a PUTA with (-1, -1): it stamps nothing.
        if (this.putWithAcq) await this.write(twoAcqFrame(-1n, -1n));
        else await this.write(twoAcqFrame(this.putStartedAt, this.putStartedAt));
        return;
      case "range":
        return e.command === 1 ? this.get(e.min, e.max) : this.getAcq(e.min, e.max);
      case "invalid":
        this.fail(errorFrame());
        return;
    }
  }

  private async getAcq(min: Key, max: Key): Promise<void> {
    const answer = this.store.acq(min, max, "getacq");
    if (!answer.ok) return this.fail(errorFrame());
    await this.write(acqFrame(answer.acq));
  }

  private async get(min: Key, max: Key): Promise<void> {
    const selected = this.store.select(min, max);
    // The mock acknowledges before it checks the range, so a refused GET reads: (0,0), end, (-1,0).
    await this.write(header(0, 0).bytes);
    if (!selected.ok) {
      const frame = new Uint8Array(4 + HEADER_BYTES);
      frame.set(errorFrame(), 4);
      return this.fail(frame);
    }
    await this.writeRecords(selected.records);
    if (this.closed) return;
    // writeRecords ended with the end-of-records mark; the final header follows it.
    const answer = this.store.acq(min, max, "get");
    if (!answer.ok) return this.fail(errorFrame());
    await this.write(acqFrame(answer.acq));
  }

  private async writeRecords(records: readonly StoredRecord[]): Promise<void> {
    let chunk = new Uint8Array(WRITE_CHUNK_BYTES);
    let view = new DataView(chunk.buffer);
    let used = 0;
    for (const r of records) {
      if (this.closed) return;
      const need = 4 + KEY_BYTES + r.payload.length;
      if (used + need > chunk.length) {
        if (used > 0) await this.write(chunk.subarray(0, used));
        chunk = new Uint8Array(Math.max(WRITE_CHUNK_BYTES, need));
        view = new DataView(chunk.buffer);
        used = 0;
      }
      view.setInt32(used, KEY_BYTES + r.payload.length, true);
      writeKey(view, used + 4, r.key);
      chunk.set(r.payload, used + 4 + KEY_BYTES);
      used += need;
    }
    if (used + 4 > chunk.length) {
      await this.write(chunk.subarray(0, used));
      used = 0;
      chunk = new Uint8Array(4);
    }
    chunk.set(END_OF_RECORDS, used);
    await this.write(chunk.subarray(0, used + 4));
  }

  /** Writes, honouring the fault's byte budget, and waits for the socket to drain. */
  private write(bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.resolve();
    const limit = this.fault?.writtenBytes;
    if (limit !== undefined && this.written + bytes.length >= limit) {
      const part = bytes.subarray(0, limit - this.written);
      this.written = limit;
      this.closed = true;
      this.socket.write(part, () => this.socket.destroy());
      return Promise.resolve();
    }
    this.written += bytes.length;
    if (this.socket.write(bytes)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off("drain", done);
        this.socket.off("close", done);
        resolve();
      };
      this.socket.on("drain", done);
      this.socket.on("close", done);
    });
  }

  /**
   * An error reply, then the end of the connection, as the mock does. The socket lingers a little so
   * a client still sending its request can read the reply instead of meeting a reset.
   */
  private fail(frame: Uint8Array): void {
    if (this.closed) return;
    void this.write(frame);
    this.closed = true;
    this.queue.length = 0;
    this.socket.resume();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), LINGER_MS).unref();
  }
}
