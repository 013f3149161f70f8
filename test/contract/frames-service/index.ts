/**
 * The frames service on a backend: every case opens a fresh collection's port (wrapped to count
 * reads) and runs PyStore's and ArcticDB's behaviour through FramesService. One suite, run by
 * every backend's test file.
 */
import { describe, it } from "vitest";
import type { Clock } from "../../../src/clock.ts";
import { FramesService } from "../../../src/dataframes/service.ts";
import type { FramesPort } from "../../../src/storage/frames-port.ts";
import {
  appendCases,
  collectionCases,
  metadataCases,
  rulesCases,
  SEGMENT_ROWS_IN_CASES,
  snapshotCases,
  transactionCases,
  updateDeleteCases,
  versionCases,
  writeReadCases,
} from "./cases.ts";
import { counting, type ServiceCase } from "./support.ts";

export function runFramesServiceContract(name: string, open: () => FramesPort | Promise<FramesPort>): void {
  const test: ServiceCase = (title, fn) =>
    it(title, async () => {
      const port = counting(await open());
      // Each call is a millisecond later, so versions made in a row have distinct times.
      let ms = Date.UTC(2026, 0, 1);
      const clock: Clock = { now: () => ++ms };
      await fn(new FramesService("coll", port, clock, SEGMENT_ROWS_IN_CASES), port);
    });
  const parts: [string, (t: ServiceCase) => void][] = [
    ["collections", collectionCases],
    ["write and read", writeReadCases],
    ["append", appendCases],
    ["update and delete", updateDeleteCases],
    ["versions", versionCases],
    ["snapshots", snapshotCases],
    ["metadata", metadataCases],
    ["rules and schema", rulesCases],
    ["transactions and batches", transactionCases],
  ];
  for (const [label, cases] of parts) describe(`${name} frames service: ${label}`, () => cases(test));
}
