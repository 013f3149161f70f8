/**
 * The frames storage contract: every backend of src/storage/frames-port.ts runs these cases
 * unchanged. Each case opens a fresh port whose collection was never created, so `open` must hand
 * out an isolated collection per call.
 *
 * Where the port's comments leave a choice open, the cases pin one so backends agree:
 * - a VersionWrite's number must be its item's nextVersion (`invalid` otherwise);
 * - putSegments with an id the item already holds is `conflict`, and stages nothing of the batch;
 * - strategies, deleteItems, dropVersions of an unknown item or version, and dropSnapshot of a
 *   missing name, are `not_found`; every failed commit changes nothing;
 * - items are ordered by code point (UTF-8 byte order: `COLLATE "C"` in Postgres, SQLite's BINARY);
 * - `items({ deleted: true })` adds deleted items that still have a version a snapshot keeps;
 *   `item(name)` of a deleted item gives its head (latest null) while the collection lives;
 * - VersionHead.snapshots and snapshots() are in name order.
 */
import { describe, it } from "vitest";
import type { FramesPort } from "../../../src/storage/frames-port.ts";
import { COLLECTION_LABEL, collectionCases } from "./collection.ts";
import { ITEMS_LABEL, itemsCases } from "./items.ts";
import { PRUNE_LABEL, pruneCases } from "./prune.ts";
import { SEGMENTS_LABEL, segmentsCases } from "./segments.ts";
import type { FramesCase } from "./support.ts";
import { VERSIONS_LABEL, versionsCases } from "./versions.ts";

export interface FramesContractOptions {
  /** Cases a backend cannot run yet, each with the reason written down. */
  readonly skip?: readonly { readonly reason: string; readonly tests: readonly string[] }[];
}

export function runFramesPortContract(
  name: string,
  open: () => Promise<FramesPort> | FramesPort,
  opts: FramesContractOptions = {},
): void {
  const skipped = new Set(opts.skip?.flatMap((s) => s.tests) ?? []);
  const test: FramesCase = (title, fn) => (skipped.has(title) ? it.skip : it)(title, async () => fn(await open()));
  const parts: [string, (t: FramesCase) => void][] = [
    [COLLECTION_LABEL, collectionCases],
    [VERSIONS_LABEL, versionsCases],
    [SEGMENTS_LABEL, segmentsCases],
    [PRUNE_LABEL, pruneCases],
    [ITEMS_LABEL, itemsCases],
  ];
  for (const [label, cases] of parts) describe(`${name}: ${label}`, () => cases(test));
}
