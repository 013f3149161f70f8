/** PLACEHOLDER (being written in this session by a helper): the series store port on Upstash. */
import type { SeriesPort } from "../series-port.ts";
import type { Upstash } from "./client.ts";

export function upstashSeriesPort(_u: Upstash, _project: string, _store: string): SeriesPort {
  throw new Error("not written yet");
}
