/**
 * Checks of a frames CommitPlan that need no database (frames-port.ts), run before a commit
 * takes its lock: names present, versions and rows whole numbers, ops and strategies known. A plan
 * failing them is `invalid` and changes nothing.
 */
import { StoreError } from "../errors.ts";
import type { CommitPlan, Strategy, VersionOp, VersionWrite } from "../frames-port.ts";

const OPS: ReadonlySet<string> = new Set<VersionOp>([
  "write",
  "append",
  "update",
  "delete_range",
  "metadata",
  "evolve",
]);
const STRATEGIES: ReadonlySet<string> = new Set<Strategy>(["strict", "add_only", "compatible"]);

/** Versions are Postgres `integer`s. */
const MAX_VERSION = 2 ** 31 - 2;

function bad(message: string): StoreError {
  return new StoreError("invalid", message);
}

export function checkName(what: string, name: unknown): void {
  if (typeof name !== "string" || name === "") throw bad(`${what} needs a name`);
}

function checkCount(what: string, n: unknown, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0 || n > max) {
    throw bad(`${what} must be a whole number from 0 to ${max}`);
  }
}

function checkVersionWrite(v: VersionWrite): void {
  checkName("An item", v.item);
  checkCount(`The version of ${v.item}`, v.version, MAX_VERSION);
  checkCount(`The row count of ${v.item} version ${v.version}`, v.rows);
  if (!OPS.has(v.op)) throw bad(`Unknown change ${String(v.op)} for ${v.item} version ${v.version}`);
  const ids = new Set<string>();
  for (const id of v.segments) {
    checkName(`A segment of ${v.item} version ${v.version}`, id);
    if (ids.has(id)) throw bad(`${v.item} version ${v.version} lists segment ${id} twice`);
    ids.add(id);
  }
}

/** Throws `invalid` for what is wrong with `plan` on its face. */
export function checkCommitPlan(plan: CommitPlan): void {
  for (const v of plan.versions ?? []) checkVersionWrite(v);
  for (const s of plan.strategies ?? []) {
    checkName("An item", s.item);
    if (!STRATEGIES.has(s.strategy)) throw bad(`Unknown schema strategy ${String(s.strategy)} for ${s.item}`);
  }
  for (const e of plan.expect ?? []) {
    checkName("An item", e.item);
    if (e.latest !== null) checkCount(`The expected version of ${e.item}`, e.latest, MAX_VERSION);
  }
  for (const d of plan.dropVersions ?? []) {
    checkName("An item", d.item);
    for (const v of d.versions) checkCount(`A version of ${d.item}`, v, MAX_VERSION);
  }
  for (const name of plan.deleteItems ?? []) checkName("An item", name);
  if (plan.createSnapshot) {
    checkName("A snapshot", plan.createSnapshot.name);
    for (const [item, v] of Object.entries(plan.createSnapshot.versions)) {
      checkName("An item", item);
      checkCount(`The version of ${item} in snapshot ${plan.createSnapshot.name}`, v, MAX_VERSION);
    }
  }
  if (plan.dropSnapshot !== undefined) checkName("A snapshot", plan.dropSnapshot);
}
