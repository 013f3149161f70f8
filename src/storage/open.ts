/**
 * The configured backend's stores for one project, as the Worker and the project object use
 * them. Postgres connections live for one request: `close` ends them once the response is sent.
 */
import type { Config, Env } from "../config.ts";
import { remoteStore } from "./do/client.ts";
import type { ProjectStore } from "./ports.ts";
import { openPg } from "./postgres/connect.ts";
import { pgStore } from "./postgres/project.ts";

export interface OpenStore {
  readonly store: ProjectStore;
  /** Releases connections; absent when there is nothing to release. */
  readonly close?: () => Promise<void>;
}

/** The stores of the external backend, when one is configured (not the embedded default). */
export function openExternal(config: Config, project: string): OpenStore | undefined {
  const s = config.storage;
  if (s.kind !== "postgres") return undefined;
  const { pool } = openPg(s);
  return { store: pgStore(pool, project), close: () => pool.end() };
}

export function openStore(config: Config, env: Env, project: string): OpenStore {
  return openExternal(config, project) ?? { store: remoteStore(env.PROJECT.get(env.PROJECT.idFromName(project))) };
}
