/**
 * A storage backend as the faces use it. The composition root (src/backends.ts) makes one from
 * the configured kind and hands it down; nothing below it asks which kind is in use.
 */

import type { FramesPort } from "./frames-port.ts";
import type { ProjectStore } from "./ports.ts";
import type { SeriesPort } from "./series-port.ts";

/** A project's stores for one piece of work, and how to let go of them. */
export interface OpenStore {
  readonly store: ProjectStore;
  /** Releases connections once the work (a streamed response included) is over; absent when none. */
  readonly close?: () => Promise<void>;
}

export interface HaystackBackend {
  /** The stores the Worker's op handlers use for one request. */
  inWorker(project: string): OpenStore;
  /** The stores the project's own object uses (its alarm, watches, demo); `local` is its SQLite. */
  inObject(project: string, local: () => ProjectStore): OpenStore;
}

export interface SeriesBackend {
  /**
   * A store's port when the Worker reaches its storage itself (Postgres), with how to let go of
   * it; null when the store's own Durable Object holds the data and every call goes through it.
   */
  direct(project: string, store: string): { readonly port: SeriesPort; readonly close?: () => Promise<void> } | null;
}

export interface FramesBackend {
  /** One collection's port, and how to let go of it once the work (a stream included) is over. */
  open(project: string, collection: string): { readonly port: FramesPort; readonly close?: () => Promise<void> };
  /** Names of the project's existing collections after `after`, in name order, at most `limit`. */
  collections(project: string, after: string, limit: number): Promise<string[]>;
}

export interface Backend {
  readonly kind: string;
  readonly haystack: HaystackBackend;
  readonly series: SeriesBackend;
  readonly frames: FramesBackend;
}
