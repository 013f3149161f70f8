/**
 * Which requests need credentials, for which project, and the least role each needs, read from
 * the mounted faces' route declarations. Faces not mounted yet are guarded all the same, so a new
 * route is guarded before it exists: only `GET /` and paths outside every face are public.
 */
import type { Role } from "../../auth/roles.ts";
import type { ErrorStyle } from "../errors/index.ts";
import type { FaceRoutes } from "../routes.ts";

export interface Guard {
  /** The project named in the path, unchecked (the middleware validates it). */
  readonly project: string;
  readonly need: Role;
  /** How failures are written. */
  readonly errors: ErrorStyle;
}

export interface Policy {
  /** The guard for a request, or undefined for a public one. */
  guardFor(path: string, method: string): Guard | undefined;
  /** The error style of the face a path belongs to. */
  styleFor(path: string): ErrorStyle;
}

/** Roots of faces that are not mounted yet (each carries its project as the second segment). */
export const RESERVED_ROOTS: readonly string[] = ["ts", "frames", "tstorage"];

export function createPolicy(faces: readonly FaceRoutes[]): Policy {
  const byRoot = new Map(faces.map((f) => [f.root, f]));
  const styleOf = (root: string | undefined): ErrorStyle =>
    (root === undefined ? undefined : byRoot.get(root)?.errors) ?? "json";
  return {
    guardFor(path, method) {
      const [, root, project, ...rest] = path.split("/");
      if (root === undefined || project === undefined) return undefined;
      const face = byRoot.get(root);
      if (!face && !RESERVED_ROOTS.includes(root)) return undefined;
      // No matching route: a viewer, so any signed-in caller learns it does not exist (404/405).
      const need = face?.roleFor(method, `/${[project, ...rest].join("/")}`) ?? "viewer";
      return { project, need, errors: styleOf(root) };
    },
    styleFor: (path) => styleOf(path.split("/")[1]),
  };
}
