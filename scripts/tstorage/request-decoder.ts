/**
 * The server side of the wire: request bytes in, request events out, as the bytes arrive. A PUT is
 * never held whole: each record is handed out as soon as its payload is complete, so the store sees
 * records in the same order and at the same moments the vendor mock (pystorage.py) reads them.
 * Only one record's payload is ever buffered, and a record size over the 32 MiB payload limit is
 * refused before any of its bytes are held.
 */
import { KEY_BYTES, type Key, PUT_KEY_BYTES, PUTA_KEY_BYTES, readKey } from "../../src/tstorage/key.ts";
import { COMMAND, HEADER_BYTES, MAX_PAYLOAD_BYTES } from "../../src/tstorage/request.ts";

export type RequestEvent =
  | {
      readonly kind: "range";
      readonly command: typeof COMMAND.GET | typeof COMMAND.GETACQ;
      readonly min: Key;
      readonly max: Key;
    }
  | { readonly kind: "put-start"; readonly withAcq: boolean }
  /** Under PUT the key's acq is 0n: the store stamps it. */
  | { readonly kind: "record"; readonly key: Key; readonly payload: Uint8Array }
  | { readonly kind: "put-end" }
  /** The stream is undefined from here on (TSTORAGE.md "Transport"): the decoder takes no more bytes. */
  | { readonly kind: "invalid"; readonly command: number; readonly reason: string };

type State =
  | "header"
  | "skip-then-keys"
  | "keys"
  | "skip-then-put"
  | "cid"
  | "batch-size"
  | "rec-size"
  | "rec-key"
  | "payload"
  | "dead";

const RANGE_EXTENSION = 2 * KEY_BYTES;

/**
 * Feed it chunks with `push`; it calls `emit` for each event in order, synchronously. After an
 * `invalid` event it ignores everything.
 */
export class RequestDecoder {
  private state: State = "header";
  /** Fixed-size fields gather here; at most the 64 bytes of a key pair. */
  private readonly scratch = new Uint8Array(RANGE_EXTENSION);
  private readonly scratchView = new DataView(this.scratch.buffer);
  private have = 0;
  private need = HEADER_BYTES;
  /** Header-extension bytes still to discard; a number, since a skip past 2^53 never ends anyway. */
  private skip = 0;
  private command = 0;
  private withAcq = false;
  private cid = 0;
  /** What is left of the open batch's batchSize; the batch ends when it drops to 0 or below, as in the mock. */
  private batchLeft = 0;
  private recordKey: Key | undefined;
  private payload = new Uint8Array(0);
  private payloadHave = 0;

  get dead(): boolean {
    return this.state === "dead";
  }

  push(chunk: Uint8Array, emit: (event: RequestEvent) => void): void {
    let at = 0;
    while (at < chunk.length && this.state !== "dead") {
      if (this.state === "skip-then-keys" || this.state === "skip-then-put") {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
        if (this.skip === 0) this.afterSkip(emit);
        continue;
      }
      if (this.state === "payload") {
        const n = Math.min(this.payload.length - this.payloadHave, chunk.length - at);
        this.payload.set(chunk.subarray(at, at + n), this.payloadHave);
        this.payloadHave += n;
        at += n;
        if (this.payloadHave === this.payload.length) this.finishRecord(emit);
        continue;
      }
      const n = Math.min(this.need - this.have, chunk.length - at);
      this.scratch.set(chunk.subarray(at, at + n), this.have);
      this.have += n;
      at += n;
      if (this.have === this.need) {
        this.have = 0;
        this.field(emit);
      }
    }
  }

  private expect(state: State, bytes: number): void {
    this.state = state;
    this.need = bytes;
    this.have = 0;
  }

  private fail(emit: (event: RequestEvent) => void, reason: string): void {
    this.state = "dead";
    emit({ kind: "invalid", command: this.command, reason });
  }

  /** A fixed-size field is complete in scratch. */
  private field(emit: (event: RequestEvent) => void): void {
    const v = this.scratchView;
    switch (this.state) {
      case "header":
        this.header(v.getInt32(0, true), v.getBigUint64(4, true), emit);
        return;
      case "keys":
        this.expect("header", HEADER_BYTES);
        emit({
          kind: "range",
          command: this.command === COMMAND.GET ? COMMAND.GET : COMMAND.GETACQ,
          min: readKey(v, 0),
          max: readKey(v, KEY_BYTES),
        });
        return;
      case "cid":
        this.batchStart(v.getInt32(0, true), emit);
        return;
      case "batch-size":
        this.batchLeft = v.getInt32(0, true);
        this.nextRecordOrBatch();
        return;
      case "rec-size":
        this.recordSize(v.getInt32(0, true), emit);
        return;
      case "rec-key":
        this.recordKeyRead(emit);
        return;
      default:
        return;
    }
  }

  private header(command: number, size: bigint, emit: (event: RequestEvent) => void): void {
    this.command = command;
    if (command === COMMAND.GET || command === COMMAND.GETACQ) {
      // Every client sends 64 (the two keys); a server skips what lies beyond them.
      if (size < BigInt(RANGE_EXTENSION)) {
        this.fail(emit, `range request header size ${size} is under 64`);
        return;
      }
      this.skip = Number(size - BigInt(RANGE_EXTENSION));
      this.state = "skip-then-keys";
      if (this.skip === 0) this.afterSkip(emit);
      return;
    }
    if (command === COMMAND.PUT || command === COMMAND.PUTA) {
      this.withAcq = command === COMMAND.PUTA;
      this.skip = Number(size);
      this.state = "skip-then-put";
      emit({ kind: "put-start", withAcq: this.withAcq });
      if (this.skip === 0) this.afterSkip(emit);
      return;
    }
    this.fail(emit, `unknown command ${command}`);
  }

  private afterSkip(_emit: (event: RequestEvent) => void): void {
    if (this.state === "skip-then-keys") this.expect("keys", RANGE_EXTENSION);
    else this.expect("cid", 4);
  }

  private batchStart(cid: number, emit: (event: RequestEvent) => void): void {
    // The mock ends a put at any negative cid, not only -1.
    if (cid < 0) {
      this.expect("header", HEADER_BYTES);
      emit({ kind: "put-end" });
      return;
    }
    this.cid = cid;
    this.expect("batch-size", 4);
  }

  private nextRecordOrBatch(): void {
    if (this.batchLeft > 0) this.expect("rec-size", 4);
    else this.expect("cid", 4);
  }

  private recordSize(size: number, emit: (event: RequestEvent) => void): void {
    const keyBytes = this.withAcq ? PUTA_KEY_BYTES : PUT_KEY_BYTES;
    if (size < keyBytes || size > keyBytes + MAX_PAYLOAD_BYTES) {
      this.fail(emit, `record size ${size} is outside ${keyBytes}..${keyBytes + MAX_PAYLOAD_BYTES}`);
      return;
    }
    this.batchLeft -= size + 4;
    this.payload = new Uint8Array(size - keyBytes);
    this.payloadHave = 0;
    this.expect("rec-key", keyBytes);
  }

  private recordKeyRead(emit: (event: RequestEvent) => void): void {
    const v = this.scratchView;
    this.recordKey = {
      cid: this.cid,
      mid: v.getBigInt64(0, true),
      moid: v.getInt32(8, true),
      cap: v.getBigInt64(12, true),
      acq: this.withAcq ? v.getBigInt64(20, true) : 0n,
    };
    if (this.payload.length === 0) this.finishRecord(emit);
    else this.state = "payload";
  }

  private finishRecord(emit: (event: RequestEvent) => void): void {
    const key = this.recordKey as Key;
    const payload = this.payload;
    this.recordKey = undefined;
    this.payload = new Uint8Array(0);
    this.nextRecordOrBatch();
    emit({ kind: "record", key, payload });
  }
}
