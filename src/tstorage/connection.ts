/**
 * One open transport under the session's I/O timeout. The timeout is a watchdog over progress: it
 * runs while a write is pending or a read is owed a reply, and restarts whenever a chunk moves. A
 * put's reply is read while the request is still being sent, and that early read is not "owed" until
 * the request is out, so a slow record source is not mistaken for a silent server.
 */
import { TStorageError } from "./status.ts";
import type { Transport } from "./transport.ts";

/** Wraps what a transport threw: TStorageErrors pass, anything else is a lost connection. */
export function asDisconnected(e: unknown, what: string): TStorageError {
  if (e instanceof TStorageError) return e;
  const why = e instanceof Error ? e.message : String(e);
  return TStorageError.client("DISCONNECTED", `${what}: ${why}`, { cause: e });
}

export class Connection {
  private failure: TStorageError | undefined;
  /**
   * Rejecters of the I/O under way. Not a race against one long-lived "failed" promise: each race
   * would leave a reaction on it for the connection's lifetime, one per chunk.
   */
  private readonly pending = new Set<(e: TStorageError) => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writes = 0;
  private reading = false;
  private replyDue = true;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly timeoutMs: number,
  ) {}

  /** Whether the connection has failed or been closed; a broken connection is never reused. */
  get broken(): boolean {
    return this.failure !== undefined;
  }

  /** The next chunk, or undefined at end of stream. A failed read breaks the connection. */
  async read(): Promise<Uint8Array | undefined> {
    if (this.failure !== undefined) throw this.failure;
    this.reading = true;
    this.rearm();
    try {
      return await this.guard(this.transport.read());
    } catch (e) {
      throw this.fail(asDisconnected(e, "reading from TStorage"));
    } finally {
      this.reading = false;
      this.rearm();
    }
  }

  /**
   * Sends bytes. A failed write does not break the connection by itself: the server may have
   * answered with an error and closed, and that answer is still to be read (TSTORAGE.md, PUT).
   */
  async write(bytes: Uint8Array): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    this.writes++;
    this.rearm();
    try {
      await this.guard(this.transport.write(bytes));
    } catch (e) {
      throw this.failure ?? asDisconnected(e, "writing to TStorage");
    } finally {
      this.writes--;
      this.rearm();
    }
  }

  /** Whether a pending read counts against the timeout: false while a put is still sending. */
  expectReply(due: boolean): void {
    this.replyDue = due;
    this.rearm();
  }

  /** Breaks the connection with a reason (the first one stays): pending I/O rejects with it. */
  fail(reason: TStorageError): TStorageError {
    if (this.failure === undefined) {
      this.failure = reason;
      for (const reject of this.pending) reject(reason);
      this.pending.clear();
      clearTimeout(this.timer);
      this.timer = undefined;
      this.closing = this.transport.close().catch(() => {});
    }
    return this.failure;
  }

  /** Closes the connection; pending and later I/O rejects with DISCONNECTED. Safe to call twice. */
  async close(): Promise<void> {
    this.fail(TStorageError.client("DISCONNECTED", "the TStorage connection was closed"));
    await this.closing;
  }

  /** The transport's promise, or the failure if the connection breaks first. */
  private guard<T>(io: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      io.then(resolve, reject).finally(() => this.pending.delete(reject));
    });
  }

  private rearm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.failure !== undefined) return;
    if (this.writes > 0 || (this.reading && this.replyDue)) {
      this.timer = setTimeout(() => {
        this.fail(TStorageError.client("TIMED_OUT", `no TStorage I/O for ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    }
  }
}
