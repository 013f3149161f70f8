/** A raw node:net client for talking to the TStorage double byte by byte in tests. */

import { connect, type Socket } from "node:net";
import { concatBytes } from "../../src/bytes.ts";
import { GetDecoder, type GetRecord } from "../../src/tstorage/response.ts";
import { TStorageError } from "../../src/tstorage/status.ts";

const WAIT_MS = 5000;

export interface GetReply {
  readonly records: GetRecord[];
  readonly acq?: bigint;
  readonly error?: TStorageError;
  /** Every byte of the reply, for comparing against hand-built frames. */
  readonly raw: Uint8Array;
}

export class RawClient {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private wake: (() => void) | undefined;
  isClosed = false;

  private constructor(private readonly socket: Socket) {
    socket.on("data", (c: Buffer) => {
      this.chunks.push(new Uint8Array(c));
      this.buffered += c.length;
      this.wake?.();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.isClosed = true;
      this.wake?.();
    });
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host: "127.0.0.1" }, () => {
        s.off("error", reject);
        resolve(new RawClient(s));
      });
      s.once("error", reject);
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      this.socket.write(bytes, () => resolve());
    });
  }

  /** Waits until `enough` is true of the buffered byte count, the socket closes, or the wait times out. */
  private async waitFor(enough: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!enough() && !this.isClosed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out with ${this.buffered} bytes buffered`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private take(n: number): Uint8Array {
    const all = new Uint8Array(this.buffered);
    let at = 0;
    for (const c of this.chunks) {
      all.set(c, at);
      at += c.length;
    }
    const out = all.slice(0, n);
    this.chunks = n < all.length ? [all.slice(n)] : [];
    this.buffered = all.length - n;
    return out;
  }

  /** Exactly n bytes; fewer if the server closed first. */
  async read(n: number, ms = WAIT_MS): Promise<Uint8Array> {
    await this.waitFor(() => this.buffered >= n, ms);
    return this.take(Math.min(n, this.buffered));
  }

  /** Everything until the server closes the connection. */
  async rest(ms = WAIT_MS): Promise<Uint8Array> {
    await this.waitFor(() => false, ms);
    return this.take(this.buffered);
  }

  /** Waits for the server to close; resolves false if it stays open for `ms`. */
  async closedWithin(ms = WAIT_MS): Promise<boolean> {
    try {
      await this.waitFor(() => false, ms);
    } catch {
      return false;
    }
    return true;
  }

  /** One whole GET reply through the shared decoder, however it ends. */
  async readGet(ms = WAIT_MS): Promise<GetReply> {
    const decoder = new GetDecoder();
    const raw: Uint8Array[] = [];
    const deadline = Date.now() + ms;
    try {
      while (!decoder.done) {
        await this.waitFor(() => this.buffered > 0, deadline - Date.now());
        if (this.buffered === 0) {
          decoder.end();
          break;
        }
        const chunk = this.take(this.buffered);
        raw.push(chunk);
        decoder.push(chunk);
      }
    } catch (e) {
      if (!(e instanceof TStorageError)) throw e;
      return { records: decoder.records, error: e, raw: concatBytes(raw) };
    }
    return { records: decoder.records, acq: decoder.acq as bigint, raw: concatBytes(raw) };
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Polls `check` until it holds (the server acts on its own schedule); throws after `ms`. */
export async function eventually(check: () => boolean, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition never held");
    await new Promise((r) => setTimeout(r, 10));
  }
}
