/**
 * What collection names, item names, snapshot names and metadata may be. Names travel in URL
 * paths and in storage keys, so they are short, printable and never contain "/".
 */
import { FrameError } from "../frames/model.ts";
import type { Json } from "../storage/frames-port.ts";
import type { Meta } from "./api.ts";

export const MAX_NAME = 200;
/** Bytes of one metadata object as JSON. */
export const MAX_METADATA_BYTES = 64 * 1024;
const MAX_DEPTH = 16;

/** Throws FrameError("invalid") unless `name` can name a collection, item or snapshot. */
export function checkName(kind: string, name: string): void {
  if (name.length === 0 || name.length > MAX_NAME) {
    throw new FrameError("invalid", `a ${kind} name must have 1 to ${MAX_NAME} characters`);
  }
  // Control characters and "/" would make names ambiguous in paths and listings.
  if ([...name].some((ch) => ch === "/" || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) {
    throw new FrameError("invalid", `a ${kind} name may not hold "/" or control characters`, name);
  }
}

/**
 * Throws FrameError("invalid") unless `m` is a JSON object within the size and depth bounds whose
 * top-level keys do not start with "_" (reserved, as in PyStore).
 */
export function checkMetadata(m: unknown): asserts m is Meta {
  if (typeof m !== "object" || m === null || Array.isArray(m))
    throw new FrameError("invalid", "metadata must be a JSON object");
  for (const k of Object.keys(m)) {
    if (k.startsWith("_"))
      throw new FrameError("invalid", `metadata key ${JSON.stringify(k)}: keys starting with "_" are reserved`, k);
  }
  checkDepth(m as Json, 0);
  const text = JSON.stringify(m);
  if (new TextEncoder().encode(text).byteLength > MAX_METADATA_BYTES) {
    throw new FrameError("too_large", `metadata may be at most ${MAX_METADATA_BYTES} bytes of JSON`);
  }
}

function checkDepth(v: Json, depth: number): void {
  if (depth > MAX_DEPTH) throw new FrameError("invalid", `metadata may nest at most ${MAX_DEPTH} levels`);
  if (typeof v === "number" && !Number.isFinite(v)) throw new FrameError("invalid", "metadata numbers must be finite");
  if (Array.isArray(v)) for (const x of v) checkDepth(x, depth + 1);
  else if (typeof v === "object" && v !== null) for (const x of Object.values(v)) checkDepth(x as Json, depth + 1);
}
