/** PLACEHOLDER (being written in this session by a helper): a point's history and array, removed with its record. */
import type { Upstash } from "./client.ts";
import type { Program } from "./program.ts";

/**
 * Reads what removing `ids` must delete (their history and priority arrays) and returns how to add
 * that deletion, guarded by checks that nothing was written to them since, to a program.
 */
export async function pointDataRemoval(
  _u: Upstash,
  _base: string,
  _ids: readonly string[],
): Promise<(p: Program) => void> {
  throw new Error("not written yet");
}
