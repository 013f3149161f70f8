/**
 * A commit, as every backend runs it: which rows an op accepts, how ids are made, how `mod` is
 * checked and advanced, how an update's tags merge, and what is written. `planCommit` decides all
 * of it from the records the commit touches, before anything is written; a backend reads those
 * records (`commitIds`) and applies the plan inside its own transaction, synchronous (DO SQLite)
 * or not (Postgres), so every rule here holds on each without being written again.
 */
import { HDateTime, HDict, HRef, type HVal, isRef, REMOVE } from "../../haystack/kinds/index.ts";
import { StoreError } from "../errors.ts";
import { randomHex } from "../ids.ts";
import type { CommitRequest } from "../ports.ts";
import { inTagOrder } from "../tag-order.ts";

/** A record to write. */
export interface PlannedRecord {
  readonly id: string;
  readonly rec: HDict;
}

/** A record the plan replaces or removes, and the stored record it was planned from. */
export interface PlannedChange {
  readonly id: string;
  /**
   * What the plan read. A backend that locks what it read (SQLite, Postgres) has nothing to check;
   * one that cannot (Redis over REST) writes only if the record is still this one.
   */
  readonly before: HDict;
}

export interface CommitPlan {
  /**
   * New records (add). A backend that finds one of these ids taken by the time it writes refuses
   * the commit (`duplicate`).
   */
  readonly insert: readonly PlannedRecord[];
  /** Changed records (update). */
  readonly replace: readonly (PlannedRecord & PlannedChange)[];
  /** Records to remove, each with its history and priority array (remove). */
  readonly remove: readonly PlannedChange[];
  /** The commit's answer, in request order: stored records, or `{id}` for a removed one. */
  readonly out: readonly HDict[];
  /** Every touched id: one change each in the change feed, in the same transaction. */
  readonly changed: readonly string[];
}

/** A record's `mod` in epoch ms, the column backends keep beside its tags (0 when it has none). */
export function modMsOf(rec: HDict): number {
  const mod = rec.get("mod");
  return mod instanceof HDateTime ? mod.ms : 0;
}

export function idOf(d: HDict): string {
  const id = d.get("id");
  return isRef(id) ? id.id : "";
}

/** The ids whose stored records `planCommit` looks up: the rows' own ids. */
export function commitIds(req: CommitRequest): string[] {
  return req.rows.flatMap((r) => {
    const id = r.get("id");
    return isRef(id) ? [id.id] : [];
  });
}

/**
 * What `req` writes, given the stored record of each of `commitIds(req)` (`stored` answers
 * undefined for an id no record has). Throws StoreError `invalid`, `not_found`, `conflict` or
 * `duplicate` for the first row in request order that cannot be applied, before anything is written.
 */
export function planCommit(req: CommitRequest, stored: (id: string) => HDict | undefined): CommitPlan {
  checkDistinct(req);
  const insert: PlannedRecord[] = [];
  const replace: (PlannedRecord & PlannedChange)[] = [];
  const remove: PlannedChange[] = [];
  const out: HDict[] = [];
  for (const row of req.rows) {
    if (req.op === "add") {
      const id = addId(row, (x) => stored(x) !== undefined);
      const rec = stamp(HDict.of(withoutRemoves(row, id)), id, req.nowMs);
      insert.push({ id, rec });
      out.push(rec);
      continue;
    }
    const id = requireId(row);
    const before = stored(id);
    if (!before) throw new StoreError("not_found", `Unknown record @${id}`);
    if (!req.force) checkMod(row, before, id);
    if (req.op === "remove") {
      remove.push({ id, before });
      out.push(HDict.of({ id: new HRef(id) }));
    } else {
      const rec = stamp(applyDiff(before, row), id, nextMod(before, req.nowMs));
      replace.push({ id, rec, before });
      out.push(rec);
    }
  }
  return { insert, replace, remove, out, changed: out.map(idOf) };
}

function requireId(row: HDict): string {
  const id = row.get("id");
  if (!isRef(id)) throw new StoreError("invalid", "Every commit row needs an id Ref");
  return id.id;
}

function checkDistinct(req: CommitRequest): void {
  const seen = new Set<string>();
  for (const id of commitIds(req)) {
    if (seen.has(id)) throw new StoreError("invalid", `@${id} appears twice in one commit`);
    seen.add(id);
  }
}

/** A fresh id in haxall's `Ref.gen` shape: 8 hex digits, a dash, 8 hex digits. */
function genId(): string {
  return `${randomHex(4)}-${randomHex(4)}`;
}

/** The id an added row gets: its own (refused when taken) or a fresh one. */
function addId(row: HDict, exists: (id: string) => boolean): string {
  const given = row.get("id");
  if (given === undefined) {
    let id = genId();
    while (exists(id)) id = genId();
    return id;
  }
  if (!isRef(given)) throw new StoreError("invalid", "id must be a Ref");
  if (exists(given.id)) throw new StoreError("duplicate", `@${given.id} already exists`);
  return given.id;
}

function withoutRemoves(row: HDict, id: string): Record<string, HVal> {
  const tags: Record<string, HVal> = {};
  for (const [k, v] of row.entries()) {
    if (v === REMOVE) throw new StoreError("invalid", `add of @${id} cannot remove tag ${k}`);
    if (k !== "mod") tags[k] = v;
  }
  return tags;
}

function checkMod(row: HDict, old: HDict, id: string): void {
  const given = row.get("mod");
  const stored = old.get("mod");
  if (!(given instanceof HDateTime)) throw new StoreError("invalid", `@${id}: mod (a DateTime) is required`);
  if (!(stored instanceof HDateTime) || stored.ms !== given.ms) {
    throw new StoreError("conflict", `@${id} was changed by someone else (stale mod)`);
  }
}

function applyDiff(old: HDict, row: HDict): HDict {
  const changes: Record<string, HVal | undefined> = {};
  for (const [k, v] of row.entries()) {
    if (k === "id" || k === "mod") continue;
    changes[k] = v === REMOVE ? undefined : v;
  }
  return old.merge(changes);
}

/** A new mod strictly after the old one, so two commits in one millisecond still differ. */
function nextMod(old: HDict, nowMs: number): number {
  const prev = old.get("mod");
  return prev instanceof HDateTime && prev.ms >= nowMs ? prev.ms + 1 : nowMs;
}

/** The record with its `id` and a fresh UTC `mod`, in record tag order. */
function stamp(rec: HDict, id: string, modMs: number): HDict {
  return inTagOrder(HDict.of({ id: new HRef(id), ...rec.toObject(), mod: HDateTime.of(modMs, "UTC") }));
}
