/**
 * The Node transport for tests, benchmarks and scripts: node:net with backpressure both ways. The
 * socket is paused while unread chunks pile up past a bound, so a slow consumer holds back the
 * server instead of filling memory; a write resolves once the socket has room again ('drain').
 */
import { connect as netConnect, type Socket } from "node:net";
import type { Connect, Transport } from "../../src/tstorage/transport.ts";

/** Unread bytes at which the socket is paused; reading resumes below half of it. */
const HIGH_WATER_BYTES = 1024 * 1024;

class NodeTransport implements Transport {
  private readonly chunks: Uint8Array[] = [];
  private queued = 0;
  private ended = false;
  private error: Error | undefined;
  private waiting: (() => void) | undefined;
  private closed: Promise<void>;

  constructor(private readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.on("data", (buf: Buffer) => {
      // A plain view, not the Buffer subclass, so callers see ordinary Uint8Arrays.
      this.chunks.push(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
      this.queued += buf.byteLength;
      if (this.queued >= HIGH_WATER_BYTES) socket.pause();
      this.wake();
    });
    socket.on("end", () => {
      this.ended = true;
      this.wake();
    });
    socket.on("error", (e) => {
      this.error = e;
      this.wake();
    });
    socket.on("close", () => {
      this.ended = true;
      this.wake();
    });
  }

  /** Chunks received before an error or the end are still handed out first. */
  async read(): Promise<Uint8Array | undefined> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk !== undefined) {
        this.queued -= chunk.byteLength;
        if (this.queued < HIGH_WATER_BYTES / 2 && this.socket.isPaused()) this.socket.resume();
        return chunk;
      }
      if (this.error !== undefined) throw this.error;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
  }

  write(bytes: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (socket.destroyed || !socket.writable) {
      return Promise.reject(this.error ?? new Error("socket is closed"));
    }
    return new Promise<void>((resolve, reject) => {
      const done = (e?: Error | null) => {
        socket.off("drain", drained);
        socket.off("close", gone);
        if (e) reject(e);
        else resolve();
      };
      const drained = () => done();
      const gone = () => done(this.error ?? new Error("socket closed while writing"));
      if (socket.write(bytes, (e) => e && done(e))) {
        done();
        return;
      }
      socket.once("drain", drained);
      socket.once("close", gone);
    });
  }

  close(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }
}

/** Opens a TCP connection with Nagle off (requests are small and wait for their answer). */
export const nodeConnect: Connect = ({ hostname, port }) =>
  new Promise<Transport>((resolve, reject) => {
    const socket = netConnect({ host: hostname, port });
    const failed = (e: Error) => {
      socket.destroy();
      reject(e);
    };
    socket.once("error", failed);
    socket.once("connect", () => {
      socket.off("error", failed);
      socket.setNoDelay(true);
      resolve(new NodeTransport(socket));
    });
  });
