/**
 * Request encoders: GET and GETACQ as one 76-byte frame, PUT and PUTA as a stream of chunks so a
 * large or streamed put is never held whole (at most one open batch plus one chunk's worth).
 */
import { concatBytes } from "../bytes.ts";
import { assertEncodable, KEY_BYTES, type Key, PUT_KEY_BYTES, PUTA_KEY_BYTES, putKeyProblem, writeKey } from "./key.ts";
import { TStorageError } from "./status.ts";

export const COMMAND = { GET: 1, PUT: 5, PUTA: 6, GETACQ: 7 } as const;

export const HEADER_BYTES = 12;
/** Every client sends size = 64 for GET and GETACQ (the two keys count as header extension). */
const RANGE_REQUEST_BYTES = HEADER_BYTES + 2 * KEY_BYTES;
/** The largest payload the server accepts. */
export const MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;
/** batchSize is an int32. */
export const MAX_BATCH_SIZE_LIMIT = 0x7fff_ffff;
/**
 * Our default bound on one batch's batchSize. The vendor clients default to 2^31-1 (one batch per
 * cid); a smaller default keeps a streamed put's memory small and changes nothing the server sees
 * but batch boundaries, which carry no meaning.
 */
export const DEFAULT_MAX_BATCH_SIZE = 1024 * 1024;
/** Closed batches are handed out once this many bytes have gathered, so writes stay large. */
const DEFAULT_CHUNK_BYTES = 64 * 1024;
const TERMINATOR = -1;

export interface PutRecord {
  readonly key: Key;
  readonly payload: Uint8Array;
}

export interface PutOptions {
  /** Bound on batchSize (sum of 4 + recSize); a batch always holds at least one record. */
  readonly maxBatchSize?: number;
  /** Bytes gathered before a chunk is handed out; batches are never split across this bound's flushes. */
  readonly chunkBytes?: number;
  /** Leave out records whose key may not be stored instead of throwing INVALID_KEY (as the vendor's skip_invalid). */
  readonly skipInvalid?: boolean;
}

function encodeRange(command: number, min: Key, max: Key): Uint8Array {
  assertEncodable(min, "keyMin");
  assertEncodable(max, "keyMax");
  const out = new Uint8Array(RANGE_REQUEST_BYTES);
  const view = new DataView(out.buffer);
  view.setInt32(0, command, true);
  view.setBigUint64(4, BigInt(2 * KEY_BYTES), true);
  writeKey(view, HEADER_BYTES, min);
  writeKey(view, HEADER_BYTES + KEY_BYTES, max);
  return out;
}

/** GET [min, max). Reversed or empty ranges and negative cids are encoded as given: the server refuses them. */
export function encodeGet(min: Key, max: Key): Uint8Array {
  return encodeRange(COMMAND.GET, min, max);
}

export function encodeGetAcq(min: Key, max: Key): Uint8Array {
  return encodeRange(COMMAND.GETACQ, min, max);
}

/** One growing buffer per chunk; a chunk handed out is never written again, so callers may keep it. */
class ChunkWriter {
  bytes: Uint8Array;
  view: DataView;
  length = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }

  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < need) cap *= 2;
    const grown = new Uint8Array(cap);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }
}

/**
 * The PUT/PUTA encoder's state, fed one record at a time so a list and an async stream share it.
 * A batch is closed when the cid changes or the next record would take it past maxBatchSize;
 * records of one cid are batched together only when they come together (grouping by cid is the
 * caller's choice). Closed batches leave as a chunk once chunkBytes have gathered.
 */
class PutEncoder {
  private readonly maxBatch: number;
  private readonly chunkBytes: number;
  private readonly keyBytes: number;
  private readonly initial: number;
  private w: ChunkWriter;
  /** Offset of the open batch's header in w, or -1. */
  private batchAt = -1;
  private batchCid = 0;
  private batchSize = 0;

  constructor(
    private readonly withAcq: boolean,
    private readonly options: PutOptions,
  ) {
    const maxBatch = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > MAX_BATCH_SIZE_LIMIT) {
      throw TStorageError.invalidArgument(`maxBatchSize ${maxBatch} is not in 1..${MAX_BATCH_SIZE_LIMIT}`);
    }
    const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (!Number.isInteger(chunkBytes) || chunkBytes < 1) throw TStorageError.invalidArgument("chunkBytes must be >= 1");
    this.maxBatch = maxBatch;
    this.chunkBytes = chunkBytes;
    this.keyBytes = withAcq ? PUTA_KEY_BYTES : PUT_KEY_BYTES;
    this.initial = Math.min(chunkBytes, maxBatch) + 64;
    this.w = new ChunkWriter(this.initial);
    this.w.view.setInt32(0, withAcq ? COMMAND.PUTA : COMMAND.PUT, true);
    this.w.view.setBigUint64(4, 0n, true);
    this.w.length = HEADER_BYTES;
  }

  /** Adds a record; returns a chunk when closing a batch filled one. Throws INVALID_KEY or INVARG. */
  add(record: PutRecord): Uint8Array | undefined {
    const { key, payload } = record;
    const bad = putKeyProblem(key, this.withAcq);
    if (bad !== undefined) {
      if (this.options.skipInvalid) return undefined;
      throw TStorageError.client("INVALID_KEY", `record key may not be stored: ${bad}`);
    }
    if (!(payload instanceof Uint8Array)) throw TStorageError.invalidArgument("payload must be a Uint8Array");
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw TStorageError.invalidArgument(`payload of ${payload.length} bytes is over ${MAX_PAYLOAD_BYTES}`);
    }
    const recSize = this.keyBytes + payload.length;
    let out: Uint8Array | undefined;
    if (this.batchAt >= 0 && (key.cid !== this.batchCid || this.batchSize + 4 + recSize > this.maxBatch)) {
      this.w.view.setInt32(this.batchAt + 4, this.batchSize, true);
      this.batchAt = -1;
      if (this.w.length >= this.chunkBytes) {
        out = this.w.bytes.subarray(0, this.w.length);
        this.w = new ChunkWriter(this.initial);
      }
    }
    const w = this.w;
    if (this.batchAt < 0) {
      w.reserve(8);
      this.batchAt = w.length;
      this.batchCid = key.cid;
      this.batchSize = 0;
      w.view.setInt32(this.batchAt, key.cid, true);
      w.length += 8;
    }
    w.reserve(4 + recSize);
    const v = w.view;
    let at = w.length;
    v.setInt32(at, recSize, true);
    v.setBigInt64(at + 4, key.mid, true);
    v.setInt32(at + 12, key.moid, true);
    v.setBigInt64(at + 16, key.cap, true);
    at += 4 + PUT_KEY_BYTES;
    if (this.withAcq) {
      v.setBigInt64(at, key.acq, true);
      at += 8;
    }
    w.bytes.set(payload, at);
    w.length = at + payload.length;
    this.batchSize += 4 + recSize;
    return out;
  }

  /** Closes the open batch and appends the terminator: the last chunk. */
  finish(): Uint8Array {
    const w = this.w;
    if (this.batchAt >= 0) w.view.setInt32(this.batchAt + 4, this.batchSize, true);
    w.reserve(4);
    w.view.setInt32(w.length, TERMINATOR, true);
    w.length += 4;
    return w.bytes.subarray(0, w.length);
  }
}

/**
 * A PUT (withAcq = false) or PUTA request as chunks: header, batches, the -1 terminator.
 * Throws INVARG for a payload over 32 MiB or bad options, INVALID_KEY for a key that may not be
 * stored (unless skipInvalid); chunks already handed out stay valid, the caller then abandons the
 * request and closes the connection.
 */
export function* encodePut(
  records: Iterable<PutRecord>,
  withAcq: boolean,
  options: PutOptions = {},
): Generator<Uint8Array, void, undefined> {
  const encoder = new PutEncoder(withAcq, options);
  for (const record of records) {
    const chunk = encoder.add(record);
    if (chunk !== undefined) yield chunk;
  }
  yield encoder.finish();
}

/**
 * encodePut over a list or an async stream: records are pulled only as chunks are taken, so a
 * streamed put holds one open batch and one chunk at most. An error from the source comes out as
 * it is, before the terminator: the caller must then close the connection, not finish the request.
 */
export async function* encodePutStream(
  records: Iterable<PutRecord> | AsyncIterable<PutRecord>,
  withAcq: boolean,
  options: PutOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const encoder = new PutEncoder(withAcq, options);
  for await (const record of records) {
    const chunk = encoder.add(record);
    if (chunk !== undefined) yield chunk;
  }
  yield encoder.finish();
}

/** The whole PUT/PUTA request in one array: for small puts and tests. */
export function encodePutWhole(records: Iterable<PutRecord>, withAcq: boolean, options: PutOptions = {}): Uint8Array {
  return concatBytes([...encodePut(records, withAcq, options)]);
}
