/**
 * The Durable Objects' RPC surfaces, as the Worker and other objects see them. Declared apart from
 * the classes (src/durable/) so that `Env` can name its bindings without importing up the layers;
 * each class `implements` its interface, so the two cannot drift.
 */
import type {
  AccountRecord,
  KeyRecord,
  Revocations,
  StoredKey,
  UserChange,
  UserRecord,
} from "./storage/do/accounts.ts";
import type { FramesRpc } from "./storage/do/frames-rpc.ts";
import type { ProjectStorageRpc } from "./storage/do/rpc.ts";
import type { PollResult, SubRequest, SubResult } from "./storage/watches.ts";
import type { Wire } from "./storage/wire.ts";
import type { SeriesRpc } from "./timeseries/rpc.ts";

/** One Haystack project: its storage on the embedded default, its watches and timed jobs always. */
export interface ProjectObjectRpc extends ProjectStorageRpc {
  /** `project` names the project to its object, which needs it to reach an external backend. */
  watchSub(project: string, req: SubRequest): Promise<Wire<SubResult>>;
  watchUnsub(project: string, watchId: string, ids: string[] | "close"): Promise<Wire<null>>;
  watchPoll(project: string, watchId: string, refresh: boolean, nowMs: number): Promise<Wire<PollResult>>;
  /** Makes sure level-8 overrides are released at `at` (epoch ms). */
  schedulePointExpiry(project: string, at: number): Promise<Wire<null>>;
  /** Seeds (once) and tops up (each call) the demo building and its history up to `nowMs`. */
  ensureDemo(project: string, nowMs: number): Promise<Wire<{ seeded: boolean; samples: number }>>;
  /** Records may have changed: push them to live sockets watching them. */
  liveNotify(project: string): Promise<void>;
  /** Runs the jobs due now (the cron's safety net for the alarm). */
  runDue(): Promise<{ ran: number; failed: number }>;
}

/** Users, API keys and revocations of one project. */
export interface AuthObjectRpc extends Rpc.DurableObjectBranded {
  account(name: string): Promise<AccountRecord | null>;
  users(): Promise<UserRecord[]>;
  putUser(
    name: string,
    change: UserChange,
    create: boolean,
    nowMs: number,
    tokenTtlMs: number,
  ): Promise<Wire<UserRecord>>;
  deleteUser(name: string, nowMs: number, tokenTtlMs: number): Promise<Wire<null>>;
  revokeToken(jti: string, exp: number): Promise<void>;
  revocations(nowMs: number): Promise<Revocations>;
  createKey(key: StoredKey): Promise<KeyRecord>;
  key(id: string): Promise<StoredKey | null>;
  keys(): Promise<KeyRecord[]>;
  revokeKey(id: string, nowMs: number): Promise<Wire<KeyRecord>>;
}

/** One series store of a project: its data on the embedded default. */
export interface SeriesObjectRpc extends SeriesRpc {}

/** One frames collection of a project (`project/collection`): its data on the embedded default. */
export interface FramesObjectRpc extends FramesRpc {}

/**
 * What the catalog lists: Haystack projects, series stores (`project/store`, due when a source is)
 * and frames collections (`project/collection`, never due: listed so a project's can be listed).
 */
export type CatalogKind = "project" | "series" | "frames";

export interface CatalogEntry {
  readonly kind: CatalogKind;
  readonly name: string;
  /** When its owner next has work the cron should make sure runs (epoch ms), if any. */
  readonly due?: number;
}

/** The one catalog of everything the Worker may have to visit on a schedule. */
export interface CatalogRpc extends Rpc.DurableObjectBranded {
  /** Adds an entry if it is new. */
  register(kind: CatalogKind, name: string, nowMs: number): Promise<void>;
  /** Records (or with null clears) when an entry next has due work. */
  setDue(kind: CatalogKind, name: string, due: number | null): Promise<void>;
  /** Entries with work due at `nowMs`, soonest first, at most `limit`. */
  dueBy(nowMs: number, limit: number): Promise<CatalogEntry[]>;
  /** Removes an entry, if there is one. */
  unregister(kind: CatalogKind, name: string): Promise<void>;
  /** Entries of a kind in name order after `after`, at most `limit`. */
  list(kind: CatalogKind, after: string, limit: number): Promise<CatalogEntry[]>;
}
