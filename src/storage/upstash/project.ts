/**
 * One Haystack project's stores on Upstash Redis. Every key of the project starts with its base
 * (keys.ts), so one database holds any number of projects (and deployments, by prefix).
 */
import type { ProjectStore } from "../ports.ts";
import { upstashChanges } from "./changes.ts";
import type { Upstash } from "./client.ts";
import { UpstashEntities } from "./entities.ts";
import { upstashHistory } from "./history.ts";
import { haystackBase } from "./keys.ts";
import { upstashPoints } from "./points.ts";

export function upstashStore(u: Upstash, project: string): ProjectStore {
  const base = haystackBase(u.target.keyPrefix, project);
  return {
    entities: new UpstashEntities(u, base),
    history: upstashHistory(u, base),
    points: upstashPoints(u, base),
    changes: upstashChanges(u, base),
  };
}
