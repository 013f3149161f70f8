/**
 * Incremental response decoders: bytes go in as they arrive, split anywhere; records come out as
 * views into the pushed chunks (copies only for a record that straddles chunks). Memory stays
 * bounded: a record over 32 MiB + key is a protocol error, and with a memory limit nothing past it is
 * held. Transports must hand over fresh chunks and not reuse their memory (Node sockets and Workers
 * streams do), since payloads alias them.
 */
import { KEY_BYTES, type Key, readKey } from "./key.ts";
import { HEADER_BYTES, MAX_PAYLOAD_BYTES } from "./request.ts";
import { TStorageError } from "./status.ts";

export interface GetRecord {
  readonly key: Key;
  readonly payload: Uint8Array;
}

/**
 * A decoded record as the decoder hands it out: where its bytes lie, with the key and payload made
 * on first use. A million-record get would otherwise make four objects and three BigInts per
 * record up front, and spend more time collecting them than decoding; a reader that formats the
 * bytes itself (the HTTP bridge) never makes them at all.
 */
export class RecordView implements GetRecord {
  #key: Key | undefined;
  #payload: Uint8Array | undefined;

  constructor(
    /** The bytes holding the record (a read chunk, or a copy for one that straddled reads). */
    readonly bytes: Uint8Array,
    /** A view over exactly `bytes` (shared by the records of a chunk). */
    readonly view: DataView,
    /** Offset of the 32-byte key in `bytes`; the payload follows it. */
    readonly keyAt: number,
    /** Offset just past the payload. */
    readonly end: number,
  ) {}

  get key(): Key {
    this.#key ??= readKey(this.view, this.keyAt);
    return this.#key;
  }

  get payload(): Uint8Array {
    this.#payload ??= this.bytes.subarray(this.keyAt + KEY_BYTES, this.end);
    return this.#payload;
  }
}

/** Largest recSize a server can send (the full key plus the largest payload). */
export const MAX_RECORD_SIZE = KEY_BYTES + MAX_PAYLOAD_BYTES;

const unparseable = (why: string): TStorageError => TStorageError.client("UNPARSEABLE", `bad response: ${why}`);

/** Reads `size` of a header: uint64 on the wire, beyond any real use past 2^53. */
function headerSize(view: DataView, at: number): number {
  const size = view.getBigUint64(at + 4, true);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw unparseable(`header size ${size} is too large`);
  return Number(size);
}

/**
 * Gathers fixed-size pieces that may straddle chunks. `scratch` is reused, so it serves only pieces
 * parsed at once (headers, lengths); record bodies get their own array since payloads alias it.
 */
class Gather {
  private buf: Uint8Array = new Uint8Array(HEADER_BYTES);
  private view = new DataView(this.buf.buffer);
  private have = 0;

  get buffered(): number {
    return this.have;
  }

  /** Starts gathering n bytes into a fresh array (record bodies) or the scratch. */
  begin(n: number, fresh: boolean): void {
    // Non-fresh pieces are at most a header; a record body (never 12 bytes long) is not reused.
    if (fresh || this.buf.length !== HEADER_BYTES) {
      this.buf = new Uint8Array(fresh ? n : HEADER_BYTES);
      this.view = new DataView(this.buf.buffer);
    }
    this.have = 0;
  }

  /** Copies what fits of chunk[from, to) toward n bytes; returns the new read position. */
  fill(chunk: Uint8Array, from: number, to: number, n: number): number {
    const take = Math.min(n - this.have, to - from);
    this.buf.set(chunk.subarray(from, from + take), this.have);
    this.have += take;
    return from + take;
  }

  complete(n: number): boolean {
    return this.have === n;
  }

  take(): { bytes: Uint8Array; view: DataView } {
    this.have = 0;
    return { bytes: this.buf, view: this.view };
  }
}

enum Stage {
  InitialHeader,
  SkipInitial,
  RecordSize,
  RecordBody,
  FinalHeader,
  FinalAcq,
  SkipFinal,
  Done,
}

/** How much of a GET response a reader may hold. */
export interface GetOptions {
  /**
   * Without a window callback: the most response bytes (headers included) a get may take. Streaming:
   * the window size (TSTORAGE.md "Client-side limits").
   */
  readonly memoryLimit?: number;
  /**
   * The most bytes one record may take on the wire (size field, key and payload); a larger one is
   * NO_MEMORY. For streaming without a memory limit, whose windows follow the reads, so a reader
   * bounds what one record can make it hold without fixing its window size.
   */
  readonly maxRecordBytes?: number;
}

/** Throws INVARG for a memory limit or record bound that is not a usable byte count. */
export function checkGetOptions(options: GetOptions): void {
  const limit = options.memoryLimit;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) {
    throw TStorageError.invalidArgument(`memoryLimit ${limit} must be a positive integer`);
  }
  const most = options.maxRecordBytes;
  if (most !== undefined && (!Number.isSafeInteger(most) || most < 4 + KEY_BYTES)) {
    throw TStorageError.invalidArgument(`maxRecordBytes ${most} must be an integer of at least ${4 + KEY_BYTES}`);
  }
}

export interface GetDecoderOptions {
  /**
   * Without onWindow: the most response bytes (headers included) a get may take; one byte more is
   * NO_MEMORY, with the records decoded so far left in `records`. With onWindow: the window size.
   */
  readonly memoryLimit?: number;
  /**
   * Streaming: called with the records of each window, each time memoryLimit more bytes have
   * arrived, and with the last records at the end-of-records mark. A window that completes no record
   * is NO_MEMORY. Without a memory limit it is called after each push that completed records.
   */
  readonly onWindow?: (records: GetRecord[]) => void;
  /** See GetOptions. */
  readonly maxRecordBytes?: number;
}

/**
 * The GET response: initial header (an error there is reported at once; an OK one has `size` bytes
 * skipped), records, int32 0, final header and acq (extra `size` bytes skipped). push() throws
 * TStorageError; after a throw the decoder stays failed and the connection must be closed.
 */
export class GetDecoder {
  /** Collected records (without onWindow), complete or partial after an error. */
  readonly records: GetRecord[] = [];
  /** The committed acq horizon, once done. */
  acq: bigint | undefined;
  /** Response bytes taken so far. */
  bytesReceived = 0;

  private stage = Stage.InitialHeader;
  private skip = 0;
  private recSize = 0;
  private windowBytes = 0;
  private window: GetRecord[] = [];
  private failed: unknown;
  private readonly gather = new Gather();
  private readonly limit: number | undefined;
  /** The most bytes a record may take: the memory limit, maxRecordBytes, or the protocol's bound. */
  private readonly recordLimit: number;
  private readonly onWindow: ((records: GetRecord[]) => void) | undefined;

  constructor(options: GetDecoderOptions = {}) {
    checkGetOptions(options);
    const limit = options.memoryLimit;
    const most = options.maxRecordBytes;
    this.limit = limit;
    this.recordLimit = Math.min(
      limit ?? Number.POSITIVE_INFINITY,
      most ?? Number.POSITIVE_INFINITY,
      MAX_RECORD_SIZE + 4,
    );
    this.onWindow = options.onWindow;
  }

  get done(): boolean {
    return this.stage === Stage.Done;
  }

  /** Bytes held for a piece that straddles chunks; never more than the memory limit. */
  get bufferedBytes(): number {
    return this.gather.buffered;
  }

  push(chunk: Uint8Array): void {
    if (this.failed !== undefined) throw this.failed;
    try {
      this.pushInner(chunk);
    } catch (e) {
      // Anything but a TStorageError is the window callback's own error (or a bug): kept as it is.
      this.failed = e;
      throw e;
    }
  }

  /** The stream ended: throws DISCONNECTED unless the response was complete. */
  end(): void {
    if (this.failed !== undefined) throw this.failed;
    if (this.stage === Stage.Done) return;
    this.flushWindow();
    this.failed = TStorageError.client("DISCONNECTED", "connection closed before the GET response ended");
    throw this.failed;
  }

  private pushInner(chunk: Uint8Array): void {
    const limit = this.limit;
    const streaming = this.onWindow !== undefined;
    let at = 0;
    while (at < chunk.length) {
      if (this.stage === Stage.Done) throw unparseable("bytes after the end of the GET response");
      let room = chunk.length - at;
      if (limit !== undefined) {
        const left = streaming ? limit - this.windowBytes : limit - this.bytesReceived;
        if (left === 0) {
          throw TStorageError.client("NO_MEMORY", `GET response is over the memory limit of ${limit} bytes`);
        }
        room = Math.min(room, left);
      }
      this.consume(chunk, at, at + room);
      at += room;
      this.bytesReceived += room;
      this.windowBytes += room;
      if (streaming && limit !== undefined && this.windowBytes === limit) {
        this.windowBytes = 0;
        if (this.stage < Stage.FinalHeader) {
          if (this.window.length === 0) {
            throw TStorageError.client("NO_MEMORY", `a window of ${limit} bytes holds no complete record`);
          }
          this.flushWindow();
        }
      }
    }
    if (streaming && limit === undefined) this.flushWindow();
  }

  private flushWindow(): void {
    if (this.onWindow === undefined || this.window.length === 0) return;
    const out = this.window;
    this.window = [];
    this.onWindow(out);
  }

  private addRecord(bytes: Uint8Array, view: DataView, at: number, size: number): void {
    const cid = view.getInt32(at, true);
    if (cid < 0) throw unparseable(`record with cid ${cid}`);
    const record = new RecordView(bytes, view, at, at + size);
    if (this.onWindow !== undefined) this.window.push(record);
    else this.records.push(record);
  }

  /** Decodes chunk[from, to); all of it is consumed (partial pieces are gathered). */
  private consume(chunk: Uint8Array, from: number, to: number): void {
    let at = from;
    let view: DataView | undefined;
    const chunkView = (): DataView => {
      view ??= new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      return view;
    };
    while (at < to) {
      if (this.stage === Stage.SkipInitial || this.stage === Stage.SkipFinal) {
        const take = Math.min(this.skip, to - at);
        at += take;
        this.skip -= take;
        if (this.skip === 0) this.stage = this.stage === Stage.SkipInitial ? Stage.RecordSize : Stage.Done;
        continue;
      }
      if (this.stage === Stage.Done) throw unparseable("bytes after the end of the GET response");
      if (this.stage === Stage.RecordSize && this.gather.buffered === 0) {
        at = this.wholeRecords(chunk, chunkView(), at, to);
        if (at >= to || this.stage !== Stage.RecordSize) continue;
      }
      const n = this.needed();
      let v: DataView;
      let bytes: Uint8Array;
      let off: number;
      if (this.gather.buffered === 0 && to - at >= n) {
        v = chunkView();
        bytes = chunk;
        off = at;
        at += n;
      } else {
        if (this.gather.buffered === 0) this.gather.begin(n, this.stage === Stage.RecordBody);
        at = this.gather.fill(chunk, at, to, n);
        if (!this.gather.complete(n)) return;
        const got = this.gather.take();
        v = got.view;
        bytes = got.bytes;
        off = 0;
      }
      this.step(bytes, v, off, n);
    }
  }

  /**
   * The hot path: records lying wholly in the chunk, without the general step machinery. Returns
   * where it stopped: at a record that straddles, at the end mark, or at a record needing checks.
   */
  private wholeRecords(chunk: Uint8Array, v: DataView, from: number, to: number): number {
    let at = from;
    const limit = this.recordLimit;
    const sink = this.onWindow !== undefined ? this.window : this.records;
    while (to - at >= 4) {
      const size = v.getInt32(at, true);
      if (size < KEY_BYTES || 4 + size > limit || size > MAX_RECORD_SIZE || to - at - 4 < size) return at;
      const cid = v.getInt32(at + 4, true);
      if (cid < 0) return at;
      sink.push(new RecordView(chunk, v, at + 4, at + 4 + size));
      at += 4 + size;
    }
    return at;
  }

  private needed(): number {
    switch (this.stage) {
      case Stage.InitialHeader:
      case Stage.FinalHeader:
        return HEADER_BYTES;
      case Stage.RecordSize:
        return 4;
      case Stage.RecordBody:
        return this.recSize;
      default:
        return 8;
    }
  }

  private step(bytes: Uint8Array, v: DataView, at: number, n: number): void {
    switch (this.stage) {
      case Stage.InitialHeader: {
        const status = v.getInt32(at, true);
        if (status !== 0) throw TStorageError.fromServer(status, "GET refused");
        this.skip = headerSize(v, at);
        this.stage = this.skip > 0 ? Stage.SkipInitial : Stage.RecordSize;
        return;
      }
      case Stage.RecordSize: {
        const size = v.getInt32(at, true);
        if (size === 0) {
          this.flushWindow();
          this.stage = Stage.FinalHeader;
          return;
        }
        if (size < KEY_BYTES || size > MAX_RECORD_SIZE) throw unparseable(`record size ${size}`);
        if (4 + size > this.recordLimit) {
          this.flushWindow();
          throw TStorageError.client(
            "NO_MEMORY",
            this.recordLimit === this.limit
              ? `a record of ${size} bytes is over the memory limit of ${this.limit}`
              : `a record of ${4 + size} bytes is over maxRecordBytes ${this.recordLimit}`,
          );
        }
        this.recSize = size;
        this.stage = Stage.RecordBody;
        return;
      }
      case Stage.RecordBody:
        try {
          this.addRecord(bytes, v, at, n);
        } catch (e) {
          this.flushWindow();
          throw e;
        }
        this.stage = Stage.RecordSize;
        return;
      case Stage.FinalHeader: {
        const status = v.getInt32(at, true);
        if (status !== 0) throw TStorageError.fromServer(status, "GET failed");
        const size = headerSize(v, at);
        if (size < 8) throw unparseable(`final header size ${size} leaves no room for acq`);
        this.skip = size - 8;
        this.stage = Stage.FinalAcq;
        return;
      }
      case Stage.FinalAcq:
        this.acq = v.getBigInt64(at, true);
        this.stage = this.skip > 0 ? Stage.SkipFinal : Stage.Done;
        return;
      default:
        throw unparseable("decoder in an impossible state");
    }
  }
}

/**
 * A header and a fixed body (PUT/PUTA: acqMin, acqMax; GETACQ: acq), extra `size` bytes skipped.
 * An error status is reported as soon as the header is in: the server closes after it.
 */
class FixedDecoder {
  private readonly head = new Uint8Array(HEADER_BYTES + 16);
  private have = 0;
  private skip = -1;
  private failed: unknown;
  protected body: DataView | undefined;

  constructor(
    private readonly bodyBytes: number,
    private readonly what: string,
  ) {}

  get done(): boolean {
    return this.body !== undefined && this.skip === 0;
  }

  push(chunk: Uint8Array): void {
    if (this.failed !== undefined) throw this.failed;
    try {
      this.pushInner(chunk);
    } catch (e) {
      this.failed = e;
      throw e;
    }
  }

  end(): void {
    if (this.failed !== undefined) throw this.failed;
    if (this.done) return;
    this.failed = TStorageError.client("DISCONNECTED", `connection closed before the ${this.what} response ended`);
    throw this.failed;
  }

  private pushInner(chunk: Uint8Array): void {
    let at = 0;
    const want = HEADER_BYTES + this.bodyBytes;
    while (at < chunk.length) {
      if (this.done) throw unparseable(`bytes after the end of the ${this.what} response`);
      if (this.have < want) {
        const take = Math.min(want - this.have, chunk.length - at);
        this.head.set(chunk.subarray(at, at + take), this.have);
        this.have += take;
        at += take;
        const view = new DataView(this.head.buffer);
        if (this.have >= HEADER_BYTES && this.skip < 0) {
          const status = view.getInt32(0, true);
          if (status !== 0) throw TStorageError.fromServer(status, `${this.what} refused`);
          const size = headerSize(view, 0);
          if (size < this.bodyBytes) throw unparseable(`${this.what} response size ${size} under ${this.bodyBytes}`);
          this.skip = size - this.bodyBytes;
        }
        if (this.have === want) this.body = new DataView(this.head.buffer, HEADER_BYTES, this.bodyBytes);
        continue;
      }
      const take = Math.min(this.skip, chunk.length - at);
      this.skip -= take;
      at += take;
    }
  }
}

/** PUT/PUTA response: the acq range the server stamped. */
export class PutResponseDecoder extends FixedDecoder {
  constructor() {
    super(16, "PUT");
  }

  get acqMin(): bigint | undefined {
    return this.done ? this.body?.getBigInt64(0, true) : undefined;
  }

  get acqMax(): bigint | undefined {
    return this.done ? this.body?.getBigInt64(8, true) : undefined;
  }
}

/** GETACQ response: the committed acq horizon, clamped to keyMax.acq. */
export class AcqResponseDecoder extends FixedDecoder {
  constructor() {
    super(8, "GETACQ");
  }

  get acq(): bigint | undefined {
    return this.done ? this.body?.getBigInt64(0, true) : undefined;
  }
}

/**
 * A GET response as an async sequence of record windows (one per memory-limit window, or per read
 * without a limit), returning the acq horizon. `read` gives the next chunk or undefined at end of
 * stream; it is not called after the response is complete, so the connection stays usable. Errors
 * come after the windows completed before them; the caller then closes the connection.
 */
export async function* iterateGet(
  read: () => Promise<Uint8Array | undefined>,
  options: GetOptions = {},
): AsyncGenerator<GetRecord[], bigint, undefined> {
  const ready: GetRecord[][] = [];
  const decoder = new GetDecoder({ ...options, onWindow: (records) => ready.push(records) });
  while (!decoder.done) {
    const chunk = await read();
    let failure: unknown;
    try {
      if (chunk === undefined) decoder.end();
      else decoder.push(chunk);
    } catch (e) {
      failure = e;
    }
    for (const window of ready.splice(0)) yield window;
    if (failure !== undefined) throw failure;
  }
  return decoder.acq as bigint;
}
