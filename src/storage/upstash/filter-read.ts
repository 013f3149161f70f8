/** PLACEHOLDER (being written in this session by a helper): filter reads on Upstash. */
import type { Filter } from "../../haystack/filter/index.ts";
import type { ReadOptions, ReadResult } from "../ports.ts";
import type { Upstash } from "./client.ts";
import type { RecordKeys } from "./records.ts";

export async function readFiltered(_u: Upstash, _keys: RecordKeys, _f: Filter, _o: ReadOptions): Promise<ReadResult> {
  throw new Error("not written yet");
}
