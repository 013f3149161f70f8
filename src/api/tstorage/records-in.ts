/**
 * Put bodies: a JSON array or NDJSON of `{cid, mid, moid, cap, acq?, payload}`, read into checked
 * PutRecords. Records are validated a window at a time before any of the window goes out, so a
 * body of at most one window is all-or-nothing (TStorage has no transactions); a longer NDJSON
 * stream is sent window by window, never held whole.
 */
import { readCapped } from "../../bytes.ts";
import type { Key } from "../../tstorage/key.ts";
import { putKeyProblem } from "../../tstorage/key.ts";
import type { PutRecord } from "../../tstorage/request.ts";
import { BridgeError } from "../errors/tstorage.ts";
import { invalid, KEY_FIELDS, keyField, type PayloadCodec } from "./values.ts";

export interface PutBodyOptions {
  /** PUTA: acq is required and stored as given; PUT: the server stamps acq (a given one is checked, then ignored). */
  readonly withAcq: boolean;
  readonly codec: PayloadCodec;
  readonly maxRecords: number;
  readonly maxBytes: number;
  /** Records validated before any of them is sent. */
  readonly windowRecords: number;
  /** Payload bytes validated before any of them is sent. */
  readonly windowBytes: number;
}

const FIELDS = new Set([...KEY_FIELDS, "payload"]);

const tooLarge = (what: string, line?: number): BridgeError => new BridgeError(413, "payload_too_large", what, line);

/** One record from its JSON form; `line` (1-based) goes into every error. */
export function recordFromJson(json: unknown, line: number, options: PutBodyOptions): PutRecord {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw invalid(`record ${line}: must be an object {cid, mid, moid, cap, acq, payload}`, line);
  }
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!FIELDS.has(k)) throw invalid(`record ${line}: unknown field ${JSON.stringify(k)}`, line);
  const field = (f: (typeof KEY_FIELDS)[number]) => {
    if (o[f] === undefined) throw invalid(`record ${line}: ${f} is missing`, line);
    return keyField(f, o[f], line);
  };
  const key: Key = {
    cid: field("cid") as number,
    mid: field("mid") as bigint,
    moid: field("moid") as number,
    cap: field("cap") as bigint,
    acq: options.withAcq ? (field("acq") as bigint) : 0n,
  };
  // Under PUT a given acq is still checked, so a typo is not silently ignored, then dropped.
  if (!options.withAcq && o.acq !== undefined) field("acq");
  const problem = putKeyProblem(key, options.withAcq);
  if (problem !== undefined) throw new BridgeError(400, "INVALID_KEY", `record ${line}: ${problem}`, line);
  if (o.payload === undefined) throw invalid(`record ${line}: payload is missing`, line);
  let payload: Uint8Array;
  try {
    payload = options.codec.encode(options.codec.fromJson(o.payload));
  } catch (e) {
    throw invalid(`record ${line}: payload: ${(e as Error).message}`, line);
  }
  return { key, payload };
}

/** Reads one put body; `count` is how many records have been handed out so far. */
export class PutBodyReader {
  count = 0;
  /** The failure that ended the body, kept so it wins over the error the client reports for the cut. */
  failure: unknown;
  readonly #windows: AsyncIterator<PutRecord[]>;
  #first: PutRecord[] | undefined;

  constructor(
    body: ReadableStream<Uint8Array> | null,
    ndjson: boolean,
    declaredLength: string | null,
    options: PutBodyOptions,
  ) {
    this.#windows = ndjson ? ndjsonWindows(body, declaredLength, options) : jsonWindows(body, declaredLength, options);
  }

  async #next(): Promise<PutRecord[] | undefined> {
    try {
      const r = await this.#windows.next();
      return r.done ? undefined : r.value;
    } catch (e) {
      this.failure = e;
      throw e;
    }
  }

  /** Reads and checks the first window before a connection is opened, so small bad bodies cost the server nothing. */
  async prime(): Promise<void> {
    this.#first = (await this.#next()) ?? [];
  }

  async *records(): AsyncGenerator<PutRecord> {
    let window = this.#first ?? (await this.#next());
    this.#first = undefined;
    while (window !== undefined) {
      for (const r of window) {
        this.count++;
        yield r;
      }
      window = await this.#next();
    }
  }
}

async function* jsonWindows(
  body: ReadableStream<Uint8Array> | null,
  declaredLength: string | null,
  options: PutBodyOptions,
): AsyncGenerator<PutRecord[]> {
  // A JSON array cannot be parsed a piece at a time without a streaming JSON parser: it is read
  // whole within maxBytes and checked whole, so it is always all-or-nothing.
  const bytes = await readCapped(body, declaredLength, options.maxBytes, () =>
    tooLarge(`put body exceeds ${options.maxBytes} bytes`),
  );
  let json: unknown;
  try {
    json =
      bytes.length === 0 ? [] : JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch (e) {
    throw invalid(`body is not a JSON array of records: ${(e as Error).message}`);
  }
  if (!Array.isArray(json))
    throw invalid("body must be a JSON array of records (or NDJSON with Content-Type application/x-ndjson)");
  if (json.length > options.maxRecords) throw tooLarge(`put of ${json.length} records exceeds ${options.maxRecords}`);
  yield json.map((r, i) => recordFromJson(r, i + 1, options));
}

async function* ndjsonWindows(
  body: ReadableStream<Uint8Array> | null,
  declaredLength: string | null,
  options: PutBodyOptions,
): AsyncGenerator<PutRecord[]> {
  if (declaredLength !== null && Number(declaredLength) > options.maxBytes) {
    await body?.cancel();
    throw tooLarge(`put body exceeds ${options.maxBytes} bytes`);
  }
  if (body === null) return;
  const reader = body.getReader();
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  let window: PutRecord[] = [];
  let windowBytes = 0;
  let line = 0;
  let records = 0;
  let total = 0;
  let pending = "";
  const take = (text: string): void => {
    line++;
    if (text.trim() === "") return;
    if (++records > options.maxRecords) throw tooLarge(`put exceeds ${options.maxRecords} records`, line);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw invalid(`line ${line}: not JSON: ${(e as Error).message}`, line);
    }
    const r = recordFromJson(json, line, options);
    window.push(r);
    windowBytes += r.payload.byteLength;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (!done) {
        total += value.byteLength;
        if (total > options.maxBytes) throw tooLarge(`put body exceeds ${options.maxBytes} bytes`);
      }
      let text: string;
      try {
        text = done ? decoder.decode() : decoder.decode(value, { stream: true });
      } catch {
        throw invalid(`line ${line + 1}: not valid UTF-8`, line + 1);
      }
      // A long line arrives over many chunks: join them (cheap ropes) and split only at a newline.
      if (!done && !text.includes("\n")) {
        pending += text;
        continue;
      }
      const parts = (pending + text).split("\n");
      pending = done ? "" : (parts.pop() as string);
      for (const p of parts) {
        take(p);
        if (window.length >= options.windowRecords || windowBytes >= options.windowBytes) {
          yield window;
          window = [];
          windowBytes = 0;
        }
      }
      if (done) break;
    }
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    throw e;
  }
  if (window.length > 0) yield window;
}
