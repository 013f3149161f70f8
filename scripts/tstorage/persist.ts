/**
 * The double's optional file: loaded at start, written whole to a temporary file and renamed over
 * the old one, so a crash mid-write leaves the previous file intact.
 *
 * Format (little-endian): magic "HLTSDBL1", horizon int64, then per record the 32-byte key, payload
 * length uint32 and the payload. Written in chunks of about 1 MiB, never as one large buffer.
 */
import { open, readFile, rename, rm } from "node:fs/promises";
import { KEY_BYTES, readKey, writeKey } from "../../src/tstorage/key.ts";
import type { StoredRecord } from "./store.ts";

const MAGIC = new TextEncoder().encode("HLTSDBL1");
const CHUNK_BYTES = 1024 * 1024;

export interface Snapshot {
  readonly horizon: bigint;
  readonly records: StoredRecord[];
}

/** The snapshot in `path`, or undefined when there is no file yet. Throws on a damaged file: better than losing it. */
export async function loadSnapshot(path: string): Promise<Snapshot | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const damaged = (why: string) => new Error(`${path} is not a tstorage double file: ${why}`);
  if (bytes.length < MAGIC.length + 8 || !MAGIC.every((b, i) => bytes[i] === b)) throw damaged("bad magic");
  const horizon = view.getBigInt64(MAGIC.length, true);
  const records: StoredRecord[] = [];
  let at = MAGIC.length + 8;
  while (at < bytes.length) {
    if (at + KEY_BYTES + 4 > bytes.length) throw damaged(`truncated record at byte ${at}`);
    const key = readKey(view, at);
    const length = view.getUint32(at + KEY_BYTES, true);
    at += KEY_BYTES + 4;
    if (at + length > bytes.length) throw damaged(`truncated payload at byte ${at}`);
    // A copy, so the records do not pin the whole file's buffer.
    records.push({ key, payload: bytes.slice(at, at + length) });
    at += length;
  }
  return { horizon, records };
}

/** Writes the records to `path` atomically (temporary file, fsync, rename). */
export async function saveSnapshot(path: string, horizon: bigint, records: readonly StoredRecord[]): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  const file = await open(temp, "w");
  try {
    let chunk = new Uint8Array(CHUNK_BYTES);
    let view = new DataView(chunk.buffer);
    chunk.set(MAGIC, 0);
    view.setBigInt64(MAGIC.length, horizon, true);
    let used = MAGIC.length + 8;
    const flush = async () => {
      if (used > 0) await file.write(chunk, 0, used);
      used = 0;
    };
    for (const r of records) {
      const need = KEY_BYTES + 4 + r.payload.length;
      if (used + need > chunk.length) {
        await flush();
        if (need > chunk.length) {
          chunk = new Uint8Array(need);
          view = new DataView(chunk.buffer);
        }
      }
      writeKey(view, used, r.key);
      view.setUint32(used + KEY_BYTES, r.payload.length, true);
      chunk.set(r.payload, used + KEY_BYTES + 4);
      used += need;
    }
    await flush();
    await file.sync();
  } catch (err) {
    await file.close();
    await rm(temp, { force: true });
    throw err;
  }
  await file.close();
  await rename(temp, path);
}
