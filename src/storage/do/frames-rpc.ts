/**
 * The frames port across the Durable Object RPC boundary (the embedded default): one dispatching
 * method, so the object and its client cannot drift from FramesPort. RPC keeps an Error's message
 * but not its class, so a StoreError travels as data and is re-thrown as a StoreError.
 *
 * RPC refuses an argument or result over 32 MiB, and a blob may be MAX_BLOB_BYTES (64 MiB): bytes
 * past INLINE_BYTES cross as a ReadableStream instead (RPC streams have no size limit), a batch's
 * blobs end to end with their sizes sent beside them, so the port's calls keep their meaning
 * (a putSegments batch is still staged all or nothing).
 */
import { StoreError, type StoreErrorCode } from "../errors.ts";
import type { BlobRef, FramesPort, SegmentPut, SegmentRecord } from "../frames-port.ts";

export type FramesMethod = keyof FramesPort;

/** What crosses the wire: the port's methods, and putSegments with its bytes as a stream. */
export type FramesWireMethod = FramesMethod | "putSegmentsStreamed";

export type FramesWire<T> = { readonly ok: T } | { readonly err: { readonly code: string; readonly message: string } };

export interface FramesRpc extends Rpc.DurableObjectBranded {
  /** Runs `method` of the collection's port; `project` and `collection` name the object's collection. */
  callFrames(
    project: string,
    collection: string,
    method: FramesWireMethod,
    args: unknown[],
  ): Promise<FramesWire<unknown>>;
}

/** Most blob bytes one call carries inline: half RPC's 32 MiB, leaving room for the rest. */
export const INLINE_BYTES = 16 * 1024 * 1024;

/** Every method, listed once; `satisfies` fails to compile when FramesPort gains one not listed. */
const METHODS = {
  collection: 1,
  drop: 1,
  items: 1,
  item: 1,
  versions: 1,
  version: 1,
  versionAt: 1,
  snapshots: 1,
  snapshot: 1,
  putSegments: 1,
  blobs: 1,
  commit: 1,
  discard: 1,
  sweep: 1,
} as const satisfies Record<FramesMethod, 1>;

export function isFramesMethod(m: string): m is FramesMethod {
  return Object.hasOwn(METHODS, m);
}

/** A segment to stage without its bytes, which follow in the call's stream. */
interface PutHead {
  readonly item: string;
  readonly segment: SegmentRecord;
  readonly sizes: readonly number[];
}

/** Blobs too large to return inline: their sizes, and their bytes end to end. */
interface StreamedBlobs {
  readonly sizes: readonly (readonly number[])[];
  readonly body: ReadableStream<Uint8Array>;
}

const total = (blobs: readonly Uint8Array[]): number => blobs.reduce((n, b) => n + b.byteLength, 0);

/** The arrays as one stream, each sent as it is (no copy). */
function streamOf(blobs: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  const chunks = blobs.filter((b) => b.byteLength > 0);
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks[i++];
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

/** Reads `body` into arrays of the given sizes; `invalid` when it holds more or fewer bytes. */
async function split(body: ReadableStream<Uint8Array>, sizes: readonly number[]): Promise<Uint8Array[]> {
  const out = sizes.map((n) => new Uint8Array(n));
  let at = 0; // index into `out`
  let filled = 0; // bytes of out[at] written
  const short = (): StoreError => new StoreError("invalid", "A streamed transfer of blobs did not match its sizes");
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    let from = 0;
    while (from < value.byteLength) {
      while (at < out.length && filled === (out[at] as Uint8Array).byteLength) {
        at++;
        filled = 0;
      }
      const into = out[at];
      if (!into) throw short();
      const n = Math.min(into.byteLength - filled, value.byteLength - from);
      into.set(value.subarray(from, from + n), filled);
      filled += n;
      from += n;
    }
  }
  while (at < out.length && filled === (out[at] as Uint8Array).byteLength) {
    at++;
    filled = 0;
  }
  if (at !== out.length) throw short();
  return out;
}

async function guard(fn: () => Promise<unknown>): Promise<FramesWire<unknown>> {
  try {
    return { ok: await fn() };
  } catch (err) {
    if (err instanceof StoreError) return { err: { code: err.code, message: err.message } };
    throw err;
  }
}

async function putStreamed(
  port: FramesPort,
  heads: readonly PutHead[],
  nowMs: number,
  body: ReadableStream<Uint8Array>,
) {
  const blobs = await split(
    body,
    heads.flatMap((h) => h.sizes),
  );
  let at = 0;
  const puts: SegmentPut[] = heads.map((h) => {
    const mine = blobs.slice(at, at + h.sizes.length);
    at += h.sizes.length;
    return { item: h.item, segment: h.segment, blobs: mine };
  });
  return port.putSegments(puts, nowMs);
}

async function blobsOut(port: FramesPort, refs: readonly BlobRef[]): Promise<Uint8Array[][] | StreamedBlobs> {
  const got = await port.blobs(refs);
  if (total(got.flat()) <= INLINE_BYTES) return got;
  return { sizes: got.map((g) => g.map((b) => b.byteLength)), body: streamOf(got.flat()) };
}

/** Calls `port[method](...args)` for an object serving RPC, a StoreError returned as data. */
export async function dispatchFrames(port: FramesPort, method: string, args: unknown[]): Promise<FramesWire<unknown>> {
  if (method === "putSegmentsStreamed") {
    const [heads, nowMs, body] = args as [PutHead[], number, ReadableStream<Uint8Array>];
    return guard(() => putStreamed(port, heads, nowMs, body));
  }
  if (method === "blobs") return guard(() => blobsOut(port, args[0] as BlobRef[]));
  if (!isFramesMethod(method)) return { err: { code: "invalid", message: `No frames method ${method}` } };
  const fn = port[method] as (...a: unknown[]) => Promise<unknown>;
  return guard(() => fn.apply(port, args));
}

function unwrap<T>(w: FramesWire<T>): T {
  if ("ok" in w) return w.ok;
  throw new StoreError(w.err.code as StoreErrorCode, w.err.message);
}

/** FramesPort over RPC to the collection's object. */
export function remoteFrames(
  stub: { callFrames: FramesRpc["callFrames"] },
  project: string,
  collection: string,
): FramesPort {
  const call = async (method: FramesWireMethod, args: unknown[]) =>
    unwrap(await stub.callFrames(project, collection, method, args));
  const port = {} as Record<FramesMethod, (...args: unknown[]) => Promise<unknown>>;
  for (const m of Object.keys(METHODS) as FramesMethod[]) port[m] = (...args: unknown[]) => call(m, args);
  const remote = port as unknown as FramesPort;
  return {
    ...remote,
    async putSegments(segments, nowMs) {
      const blobs = segments.flatMap((s) => s.blobs);
      if (total(blobs) <= INLINE_BYTES) return remote.putSegments(segments, nowMs);
      const heads: PutHead[] = segments.map((s) => ({
        item: s.item,
        segment: s.segment,
        sizes: s.blobs.map((b) => b.byteLength),
      }));
      await call("putSegmentsStreamed", [heads, nowMs, streamOf(blobs)]);
    },
    async blobs(refs) {
      const got = (await call("blobs", [refs])) as Uint8Array[][] | StreamedBlobs;
      if (Array.isArray(got)) return got;
      const flat = await split(got.body, got.sizes.flat());
      let at = 0;
      return got.sizes.map((s) => {
        const mine = flat.slice(at, at + s.length);
        at += s.length;
        return mine;
      });
    },
  };
}
