/**
 * What a project's Durable Object answers over RPC for its storage, on the embedded default: the
 * contract between the Worker-side client (client.ts) and the object (src/durable/project.ts),
 * declared here so the client never imports the object. Dicts cross as JSON v4 text, history as
 * column pages, typed errors as `Wire` data.
 */
import type { PointValJson, PriorityArrayJson } from "../../haystack/point/index.ts";
import type { HisPage } from "../his-page.ts";
import type { CommitOp } from "../ports.ts";
import type { Wire } from "../wire.ts";
import type { Versions } from "./entities.ts";

/** A point write as it crosses RPC: values in their JSON v4 storage form. */
export interface PointWriteWire {
  readonly level: number;
  readonly val: PointValJson;
  readonly who: string;
  readonly durationMs?: number;
  readonly nowMs: number;
}

export interface ProjectStorageRpc extends Rpc.DurableObjectBranded {
  readVersions(filter: string, limit: number): Promise<Wire<Versions>>;
  versionsOf(ids: string[]): Promise<Wire<number[]>>;
  entityTexts(ids: string[]): Promise<Wire<(string | null)[]>>;
  commit(op: CommitOp, rows: string, force: boolean, nowMs: number): Promise<Wire<string>>;
  hisPage(id: string, start: number, end: number, after: number, size: number): Promise<Wire<HisPage>>;
  hisWrite(writes: { id: string; page: HisPage }[]): Promise<Wire<number>>;
  pointRead(id: string): Promise<Wire<PriorityArrayJson>>;
  pointWrite(id: string, req: PointWriteWire): Promise<Wire<{ array: PriorityArrayJson; nextExpiry?: number }>>;
  pointExpire(nowMs: number): Promise<Wire<{ nextExpiry?: number }>>;
  changesCursor(): Promise<Wire<number>>;
  changedSince(since: number, ids: string[]): Promise<Wire<{ cursor: number; changed: string[] }>>;
}
