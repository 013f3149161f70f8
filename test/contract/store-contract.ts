/**
 * The storage contract: every backend of src/storage/ports.ts runs these cases unchanged
 * (hono's shared router suite is the model). Each case opens a fresh, empty project, so a
 * backend's factory must hand out an isolated store per call.
 */
import { describe, it } from "vitest";
import type { ProjectStore } from "../../src/storage/ports.ts";
import { CHANGES_LABEL, changesCases } from "./changes.ts";
import { ENTITIES_LABEL, entitiesCases } from "./entities.ts";
import { HIS_SPECIALS_LABEL, hisSpecialsCases } from "./his-specials.ts";
import { HISTORY_LABEL, historyCases } from "./history.ts";
import { POINTS_LABEL, pointsCases } from "./points.ts";
import { REF_NAMES_LABEL, refNamesCases } from "./ref-names.ts";
import { ROLLUP_LABEL, rollupCases } from "./rollup.ts";
import type { Case } from "./support.ts";
import { TAG_ORDER_LABEL, tagOrderCases } from "./tag-order.ts";

export interface ContractOptions {
  /** Cases a backend cannot run yet, each with the reason written down. */
  readonly skip?: readonly { readonly reason: string; readonly tests: readonly string[] }[];
}

export function runStoreContract(
  name: string,
  open: () => ProjectStore | Promise<ProjectStore>,
  opts: ContractOptions = {},
): void {
  const skipped = new Set(opts.skip?.flatMap((s) => s.tests) ?? []);
  const test: Case = (title, fn) => (skipped.has(title) ? it.skip : it)(title, async () => fn(await open()));
  const parts: [string, (t: Case) => void][] = [
    [ENTITIES_LABEL, entitiesCases],
    [REF_NAMES_LABEL, refNamesCases],
    [TAG_ORDER_LABEL, tagOrderCases],
    [HISTORY_LABEL, historyCases],
    [HIS_SPECIALS_LABEL, hisSpecialsCases],
    [ROLLUP_LABEL, rollupCases],
    [POINTS_LABEL, pointsCases],
    [CHANGES_LABEL, changesCases],
  ];
  for (const [label, cases] of parts) describe(`${name}: ${label}`, () => cases(test));
}
