/**
 * The series storage contract: every backend of src/storage/series-port.ts runs these cases
 * unchanged. Each case opens a fresh store that was never defined, so `open` must hand out an
 * isolated store per call.
 */
import { describe, it } from "vitest";
import type { SeriesPort } from "../../../src/storage/series-port.ts";
import { DEFINE_LABEL, defineCases } from "./define.ts";
import { FEED_LABEL, feedCases } from "./feed.ts";
import { IRREGULAR_LABEL, irregularCases } from "./irregular.ts";
import { LIMITS_LABEL, limitsCases } from "./limits.ts";
import { READS_LABEL, readsCases } from "./reads.ts";
import { SOURCES_LABEL, sourcesCases } from "./sources.ts";
import type { SeriesCase } from "./support.ts";
import { WRITE_LABEL, writeCases } from "./write.ts";

export interface SeriesContractOptions {
  /** Cases a backend cannot run yet, each with the reason written down. */
  readonly skip?: readonly { readonly reason: string; readonly tests: readonly string[] }[];
}

export function runSeriesContract(
  name: string,
  open: () => Promise<SeriesPort> | SeriesPort,
  opts: SeriesContractOptions = {},
): void {
  const skipped = new Set(opts.skip?.flatMap((s) => s.tests) ?? []);
  const test: SeriesCase = (title, fn) => (skipped.has(title) ? it.skip : it)(title, async () => fn(await open()));
  const parts: [string, (t: SeriesCase) => void][] = [
    [DEFINE_LABEL, defineCases],
    [WRITE_LABEL, writeCases],
    [READS_LABEL, readsCases],
    [FEED_LABEL, feedCases],
    [IRREGULAR_LABEL, irregularCases],
    [SOURCES_LABEL, sourcesCases],
    [LIMITS_LABEL, limitsCases],
  ];
  for (const [label, cases] of parts) describe(`${name}: ${label}`, () => cases(test));
}
