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

/** Collections this isolate has seen listed, so a commit costs a catalog call once per isolate at most. */
const listed = new Set<string>();
const MAX_REMEMBERED = 10_000;

/**
 * Makes sure the catalog lists a collection a commit just succeeded on. A commit that created it
 * always registers (another isolate may have seen it dropped since); any other commit does once per
 * isolate, which mends a registration that failed. The commit has happened either way, so a
 * catalog failure is logged, not thrown: the caller must hear that its write succeeded.
 */
async function ensureListed(env: Env, name: string, created: boolean, nowMs: number): Promise<void> {
  if (!created && listed.has(name)) return;
  try {
    await catalogOf(env).register("frames", name, nowMs);
    if (listed.size >= MAX_REMEMBERED) listed.clear();
    listed.add(name);
  } catch (err) {
    console.error(`catalog: could not list frames collection ${name}: ${String(err)}`);
  }
}

/**
 * The collection's port, keeping the catalog in step: commits register it (ensureListed), a drop
 * unregisters it once done (a failure there is thrown: the drop is safe to retry). Project names
 * hold no "/" (config.ts PROJECT_NAME), so a project's entries are exactly those under `project/`.
 */
function catalogued(env: Env, name: string, port: FramesPort): FramesPort {
  return {
    ...port,
    commit: async (plan, nowMs) => {
      const r = await port.commit(plan, nowMs);
      await ensureListed(env, name, plan.createCollection !== undefined, r.atMs);
      return r;
    },
    drop: async () => {
      await port.drop();
      listed.delete(name);
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
