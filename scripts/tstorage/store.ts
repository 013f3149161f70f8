/**
 * The double's records and their semantics, after the vendor mock (pystorage.py `ServerMock`) with
 * the real server's differences from TSTORAGE.md switched on in "real" mode:
 * - a stored key with a field at its max value: mock refuses it (error), real accepts it and drops it;
 * - GETACQ on an empty range: mock refuses it, real answers the clamped horizon.
 * Everything else follows the mock, quirks included, so a client that passes against one passes
 * against the other:
 * - records live in arrival order and duplicates are all kept (the mock keys them by a serial);
 * - PUT stamps each record with the current time (strictly increasing here) and answers
 *   acqMin = acqMax = the time the put began; PUTA stores keys as given and answers (-1, -1);
 * - the mock's horizon (`lastAcq`) moves to "now" after each stored record; GETACQ/GET refresh it
 *   to now when keyMax.acq lies over 10 ms beyond it, then lower it to keyMax.acq, where it stays
 *   (so GETACQ ..15 then ..100 answers 15 twice). The real server's horizon follows the clock and
 *   a query only clamps its answer: the vendor's Python integration test, written against a real
 *   server, expects 15 then 100, and GETACQ on an empty range OK;
 * - keyMin.acq above the horizon, a negative cid, or a range empty in any dimension is an error.
 */
import { INT32_MAX, INT64_MAX, INT64_MIN, inBox, type Key } from "../../src/tstorage/key.ts";
import { fromUnixNs } from "../../src/tstorage/time.ts";

export type DoubleMode = "mock" | "real";

export interface StoredRecord {
  readonly key: Key;
  readonly payload: Uint8Array;
}

/** The mock's ACQFOLLOWTHRESHOLD: how far keyMax.acq may lead the horizon before it follows the clock. */
const ACQ_FOLLOW_THRESHOLD = 10_000_000n;

/** TStorage ns now, never repeating: records of one put get distinct, rising acq values. */
export class Clock {
  private last = INT64_MIN;

  now(): bigint {
    const wall = fromUnixNs(BigInt(Date.now()) * 1_000_000n);
    this.last = wall > this.last ? wall : this.last + 1n;
    return this.last;
  }
}

/** Why a range may not be queried, or undefined. Order as the mock checks: cids, the future, emptiness. */
function rangeError(min: Key, max: Key, horizon: bigint, allowEmpty: boolean): string | undefined {
  if (min.cid < 0 || max.cid < 0) return "cid is negative";
  if (min.acq > horizon) return `keyMin.acq ${min.acq} is above the horizon ${horizon}`;
  if (allowEmpty) return undefined;
  if (!(min.cid < max.cid && min.mid < max.mid && min.moid < max.moid && min.cap < max.cap && min.acq < max.acq)) {
    return "the range is empty in some dimension";
  }
  return undefined;
}

/** Math.min for bigints. */
const lesser = (a: bigint, b: bigint): bigint => (a < b ? a : b);

function atMax(key: Key): boolean {
  return (
    key.cid >= INT32_MAX ||
    key.mid >= INT64_MAX ||
    key.moid >= INT32_MAX ||
    key.cap >= INT64_MAX ||
    key.acq >= INT64_MAX
  );
}

export interface Refusal {
  readonly ok: false;
  readonly reason: string;
}
export type StoreOutcome = { readonly ok: true } | Refusal;

export class RecordStore {
  readonly mode: DoubleMode;
  private records: StoredRecord[] = [];
  private horizon = INT64_MIN;
  private readonly clock = new Clock();
  /** Called after every change, so persistence can schedule a save. */
  onChange: () => void = () => {};

  constructor(mode: DoubleMode) {
    this.mode = mode;
  }

  get size(): number {
    return this.records.length;
  }

  get lastAcq(): bigint {
    return this.horizon;
  }

  all(): readonly StoredRecord[] {
    return this.records;
  }

  clear(): void {
    this.records = [];
    this.horizon = INT64_MIN;
    this.onChange();
  }

  /** Seeds and reloaded files: keys as given; the horizon covers them so they can be queried. */
  load(records: Iterable<StoredRecord>, horizon?: bigint): void {
    let top = horizon ?? this.horizon;
    for (const r of records) {
      this.records.push(r);
      if (r.key.acq > top && r.key.acq < INT64_MAX) top = r.key.acq;
    }
    this.horizon = top;
  }

  /** The time a PUT begins: the mock answers it as both acqMin and acqMax. */
  putBegin(): bigint {
    return this.clock.now();
  }

  /** One record of a PUT (withAcq false: acq is stamped) or PUTA, stored at once as the mock does. */
  put(key: Key, payload: Uint8Array, withAcq: boolean): StoreOutcome {
    const stored = withAcq ? key : { ...key, acq: this.clock.now() };
    if (stored.cid < 0) return { ok: false, reason: "cid is negative" };
    if (atMax(stored)) {
      // Such a key could never be returned (ranges are half-open); the real server drops it quietly.
      if (this.mode === "real") return { ok: true };
      return { ok: false, reason: "a key field is at its max value" };
    }
    this.records.push({ key: stored, payload });
    this.horizon = this.clock.now();
    this.onChange();
    return { ok: true };
  }

  /** The records a GET returns, or why the range is refused. Snapshot: later puts do not join a GET under way. */
  select(min: Key, max: Key): { readonly ok: true; readonly records: StoredRecord[] } | Refusal {
    const bad = rangeError(min, max, this.currentHorizon(), false);
    if (bad !== undefined) return { ok: false, reason: bad };
    return { ok: true, records: this.records.filter((r) => inBox(r.key, min, max)) };
  }

  /** GETACQ and GET's final acq: the horizon clamped to keyMax.acq, or why the range is refused. */
  acq(min: Key, max: Key, command: "get" | "getacq"): { readonly ok: true; readonly acq: bigint } | Refusal {
    const allowEmpty = command === "getacq" && this.mode === "real";
    const horizon = this.currentHorizon();
    const bad = rangeError(min, max, horizon, allowEmpty);
    if (bad !== undefined) return { ok: false, reason: bad };
    if (this.mode === "real") return { ok: true, acq: lesser(max.acq, horizon) };
    if (max.acq > this.horizon + ACQ_FOLLOW_THRESHOLD) this.horizon = this.clock.now();
    if (max.acq < this.horizon) this.horizon = max.acq;
    return { ok: true, acq: this.horizon };
  }

  /** The horizon a query is checked against: the mock's stored one, or for the real server the clock. */
  private currentHorizon(): bigint {
    if (this.mode === "mock") return this.horizon;
    const now = this.clock.now();
    return lesser(now, this.horizon) === now ? this.horizon : now;
  }
}
