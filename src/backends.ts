/**
 * The one place a storage backend is chosen: every storage kind with its backend, keyed by kind,
 * so a kind added to StorageConfig without a backend here does not compile. The composition root
 * hands the choice down to the app and the Durable Objects.
 */
import { loadConfig, type StorageConfig, type StorageKind } from "./config.ts";
import { doFramesBackend } from "./durable/frames-client.ts";
import type { Env } from "./env.ts";
import type { Backend, FramesBackend, OpenStore } from "./storage/backend.ts";
import { remoteStore } from "./storage/do/client.ts";
import { openPg } from "./storage/postgres/connect.ts";
import { pgCollections, pgFramesPort } from "./storage/postgres/frames.ts";
import { pgStore } from "./storage/postgres/project.ts";
import { pgSeriesPort } from "./storage/postgres/series.ts";
import type { Querier } from "./storage/postgres/sql.ts";
import { openUpstash } from "./storage/upstash/client.ts";
import { upstashStore } from "./storage/upstash/project.ts";
import { upstashSeriesPort } from "./storage/upstash/series.ts";

type BackendOf<K extends StorageKind> = (s: Extract<StorageConfig, { kind: K }>, env: Env) => Backend;

const BACKENDS: { readonly [K in StorageKind]: BackendOf<K> } = {
  // Durable Object SQLite: the Worker reaches the project's object over RPC; the object uses its own.
  do: (_s, env) => ({
    kind: "do",
    haystack: {
      inWorker: (project) => ({ store: remoteStore(env.PROJECT.getByName(project)) }),
      inObject: (_project, local) => ({ store: local() }),
    },
    series: { direct: () => null },
    frames: doFramesBackend(env),
  }),
  // Postgres through the Neon driver: a pool per piece of work, ended when it is over.
  postgres: (s) => {
    const open = (project: string): OpenStore => {
      const { pool } = openPg(s);
      return { store: pgStore(pool, project), close: () => pool.end() };
    };
    const series = (project: string, store: string) => {
      const { pool } = openPg(s);
      return { port: pgSeriesPort(pool, project, store), close: () => pool.end() };
    };
    const frames: FramesBackend = {
      open: (project, collection) => {
        const { pool } = openPg(s);
        return { port: pgFramesPort(pool, project, collection), close: () => pool.end() };
      },
      collections: async (project, after, limit) => {
        const { pool } = openPg(s);
        try {
          return await pgCollections(pool as unknown as Querier, project, after, limit);
        } finally {
          await pool.end();
        }
      },
    };
    return {
      kind: "postgres",
      haystack: { inWorker: open, inObject: open },
      series: { direct: series },
      frames,
    };
  },
  // Upstash Redis over REST: one stateless client per isolate, so nothing to let go of. Frames are
  // not on Redis (issue 15 puts the Haystack and series faces there): they stay in their objects.
  upstash: (s, env) => {
    const u = openUpstash(s);
    const open = (project: string): OpenStore => ({ store: upstashStore(u, project) });
    return {
      kind: "upstash",
      haystack: { inWorker: open, inObject: open },
      series: { direct: (project, store) => ({ port: upstashSeriesPort(u, project, store) }) },
      frames: doFramesBackend(env),
    };
  },
};

const chosen = new WeakMap<Env, Backend>();

/** The backend the env's config names, made once per env (workerd reuses one env per isolate). */
export function backendFor(env: Env): Backend {
  let b = chosen.get(env);
  if (!b) {
    const storage = loadConfig(env).storage;
    // TypeScript cannot pair a union member with its own factory; the record's type does that.
    b = (BACKENDS[storage.kind] as (s: StorageConfig, env: Env) => Backend)(storage, env);
    chosen.set(env, b);
  }
  return b;
}
