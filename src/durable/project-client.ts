/**
 * The Worker's side of a project object's non-storage calls: its watches and its demo. Storage
 * calls go through the backend (src/storage/backend.ts), which may not involve the object at all.
 */
import type { Env } from "../env.ts";
import type { ProjectObjectRpc } from "../objects.ts";
import type { WatchClient } from "../storage/watches.ts";
import { unwrap } from "../storage/wire.ts";

export type ProjectObjectStub = DurableObjectStub<ProjectObjectRpc>;

export function projectObject(env: Env, project: string): ProjectObjectStub {
  return env.PROJECT.getByName(project);
}

/** Watches in the project object; `project` names the project to the object. */
export function watchClient(stub: ProjectObjectStub, project: string): WatchClient {
  return {
    sub: async (req) => unwrap(await stub.watchSub(project, { ...req, ids: [...req.ids] })),
    unsub: async (watchId, ids) => {
      unwrap(await stub.watchUnsub(project, watchId, ids === "close" ? ids : [...ids]));
    },
    poll: async (watchId, refresh, nowMs) => unwrap(await stub.watchPoll(project, watchId, refresh, nowMs)),
    schedulePointExpiry: async (at) => {
      unwrap(await stub.schedulePointExpiry(project, at));
    },
  };
}
