/**
 * The frames backend of the embedded default: each collection's port is its FramesObject over RPC,
 * and the catalog lists a project's collections (entries `project/collection` of kind "frames").
 */
import type { Env } from "../env.ts";
import type { FramesBackend } from "../storage/backend.ts";
import { remoteFrames } from "../storage/do/frames-rpc.ts";
import type { FramesPort } from "../storage/frames-port.ts";
import { catalogOf } from "./catalog.ts";

/** The name of a collection's object (and its catalog entry): one per project and collection. */
export function framesObjectName(project: string, collection: string): string {
  return `${project}/${collection}`;
}

/**
 * The collection's port, keeping the catalog in step: a commit that created the collection
 * registers it once it succeeded, a drop unregisters it once done. Project names hold no "/"
 * (config.ts PROJECT_NAME), so a project's entries are exactly those under `project/`.
 */
function catalogued(env: Env, name: string, port: FramesPort): FramesPort {
  return {
    ...port,
    commit: async (plan, nowMs) => {
      const r = await port.commit(plan, nowMs);
      if (plan.createCollection) await catalogOf(env).register("frames", name, r.atMs);
      return r;
    },
    drop: async () => {
      await port.drop();
      await catalogOf(env).unregister("frames", name);
    },
  };
}

export function doFramesBackend(env: Env): FramesBackend {
  return {
    open: (project, collection) => {
      const name = framesObjectName(project, collection);
      return { port: catalogued(env, name, remoteFrames(env.FRAMES.getByName(name), project, collection)) };
    },
    async collections(project, after, limit) {
      const prefix = `${project}/`;
      const page = await catalogOf(env).list("frames", `${prefix}${after}`, limit);
      // Entries are in name order, so the project's are one run: stop where it ends.
      const end = page.findIndex((e) => !e.name.startsWith(prefix));
      return (end < 0 ? page : page.slice(0, end)).map((e) => e.name.slice(prefix.length));
    },
  };
}
