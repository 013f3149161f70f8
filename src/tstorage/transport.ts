/**
 * What the TStorage client needs of a network, and what the client offers: both as types only, so
 * the client runs over Workers sockets (transport-workers.ts), Node's `net` (scripts/tstorage/) or
 * a scripted byte stream in tests, and the HTTP bridge depends on the session, not on a class.
 */

import type { Key } from "./key.ts";
import type { PutRecord } from "./request.ts";
import type { GetOptions, GetRecord } from "./response.ts";

/** One open TCP connection, as a byte stream each way. */
export interface Transport {
  /** Sends bytes; resolves when the transport has taken them (backpressure). Rejects once the connection is gone. */
  write(bytes: Uint8Array): Promise<void>;
  /**
   * The next chunk the server sent, or undefined at end of stream. Chunks are fresh memory the
   * transport never reuses (decoded payloads alias them).
   */
  read(): Promise<Uint8Array | undefined>;
  /** Closes both directions; safe to call twice and after a failure. */
  close(): Promise<void>;
}

export interface Address {
  readonly hostname: string;
  readonly port: number;
}

/** Opens a connection; rejects when the server cannot be reached. */
export type Connect = (address: Address) => Promise<Transport>;

export interface SessionOptions {
  /** Longest a connect may take, in ms (default 10 000). */
  readonly connectTimeoutMs?: number;
  /** Longest to wait for each read, in ms (default 30 000, the longest vendor default). */
  readonly readTimeoutMs?: number;
  /** Bound on a PUT batch's batchSize (default DEFAULT_MAX_BATCH_SIZE). */
  readonly maxBatchSize?: number;
}

/** The acq range a PUT or PUTA was stamped with. */
export interface PutResult {
  readonly acqMin: bigint;
  readonly acqMax: bigint;
}

export interface GetResult {
  readonly records: readonly GetRecord[];
  /** The committed acq horizon for the range. */
  readonly acq: bigint;
}

/** Records to put: a list, or a stream the client encodes batch by batch without holding it whole. */
export type PutSource = Iterable<PutRecord> | AsyncIterable<PutRecord>;

/**
 * One connection to a TStorage server, as the vendor clients offer it. Calls run one at a time (a
 * call made while another runs waits for it). Any error (TStorageError from the server, the
 * decoder, a timeout or a lost connection) closes the connection, as the vendor clients do; the
 * next call reconnects.
 */
export interface TStorageSession {
  /** Opens the connection now (calls open it on demand otherwise). */
  connect(): Promise<void>;
  close(): Promise<void>;
  /** PUT: the server stamps acq. Records with keys that may not be stored are INVALID_KEY unless skipInvalid. */
  put(records: PutSource, options?: { readonly skipInvalid?: boolean }): Promise<PutResult>;
  /** PUTA: keys stored exactly as given. */
  puta(records: PutSource, options?: { readonly skipInvalid?: boolean }): Promise<PutResult>;
  /** GET [min, max) as a box. Over memoryLimit response bytes: NO_MEMORY, its `partial` holding what arrived. */
  get(min: Key, max: Key, options?: { readonly memoryLimit?: number }): Promise<GetResult>;
  /** GET with a callback per window of memoryLimit bytes (or per read without one); resolves to the acq horizon. */
  getStream(
    min: Key,
    max: Key,
    onWindow: (records: GetRecord[]) => void | Promise<void>,
    options?: GetOptions,
  ): Promise<bigint>;
  /**
   * GET as an async iterator of windows (memoryLimit bytes each, or one per read without it; a
   * record over maxRecordBytes is NO_MEMORY), returning the acq horizon. Breaking out early closes
   * the connection.
   */
  getIter(min: Key, max: Key, options?: GetOptions): AsyncGenerator<GetRecord[], bigint, undefined>;
  /** GETACQ: the committed acq horizon of the range, clamped to max.acq. */
  getAcq(min: Key, max: Key): Promise<bigint>;
}

/** Opens sessions to one server address. */
export type SessionFactory = (address: Address, options?: SessionOptions) => TStorageSession;
