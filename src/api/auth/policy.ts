/**
 * Which requests need credentials, for which project, and the least role each needs. Every face
 * is listed here, including those not yet mounted, so a new route is guarded before it exists:
 * only `GET /` and paths outside every face are public.
 */
import type { Role } from "../../auth/roles.ts";
import { findOp } from "../haystack/ops/registry.ts";

export interface Guard {
  /** The project named in the path, unchecked (the middleware validates it). */
  readonly project: string;
  readonly need: Role;
  /** How failures are written: Haystack error grids, or JSON problem bodies. */
  readonly errors: "haystack" | "json";
}

const READ_METHODS = new Set(["GET", "HEAD"]);

/** Reads need a viewer, anything else an operator: the rule for faces without op roles of their own. */
function byMethod(method: string): Role {
  return READ_METHODS.has(method) ? "viewer" : "operator";
}

const FACES: Readonly<Record<string, (rest: string[], method: string) => Role>> = {
  // An unknown op needs only a viewer, so any signed-in caller learns it is unknown (404).
  api: (rest) => findOp(rest[0] ?? "")?.minRole ?? "viewer",
  admin: () => "admin",
  ts: (_rest, method) => byMethod(method),
  frames: (_rest, method) => byMethod(method),
  tstorage: (_rest, method) => byMethod(method),
};

/** The guard for a request path, or undefined for a public one. */
export function guardFor(path: string, method: string): Guard | undefined {
  const [, face, project, ...rest] = path.split("/");
  const need = face === undefined ? undefined : FACES[face];
  if (!need || project === undefined) return undefined;
  return { project, need: need(rest, method), errors: face === "api" ? "haystack" : "json" };
}
