/**
 * Routes declare the least role they need, next to their handlers, and the auth policy reads
 * the declarations: a route cannot be added without saying who may call it, and a read-only POST
 * can need only a viewer. One table per face, registered on its router from the same entries.
 */
import type { Handler, Hono } from "hono";
import type { Role } from "../auth/roles.ts";
import type { AppEnv } from "./context.ts";
import type { ErrorStyle } from "./errors/index.ts";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** One route: `path` is under the face's root, each `:name` one path segment. */
export interface RouteDecl {
  readonly method: Method;
  readonly path: string;
  readonly role: Role;
}

export interface Route extends RouteDecl {
  readonly handler: Handler<AppEnv>;
}

/** What the auth policy knows of a mounted face. */
export interface FaceRoutes {
  /** The first path segment, e.g. "api"; the second is always the project. */
  readonly root: string;
  readonly errors: ErrorStyle;
  /** Every route, for the role-table test and documentation. */
  readonly routes: readonly RouteDecl[];
  /** The least role for a request, or undefined when no route matches it. */
  roleFor(method: string, path: string): Role | undefined;
}

function matches(pattern: readonly string[], segments: readonly string[]): boolean {
  return pattern.length === segments.length && pattern.every((p, i) => p.startsWith(":") || p === segments[i]);
}

/** A face's routes as the policy reads them: matched by method and path segments. */
export function faceRoutes(root: string, errors: ErrorStyle, routes: readonly RouteDecl[]): FaceRoutes {
  const compiled = routes.map((r) => ({ r, segments: r.path.split("/").filter((s) => s !== "") }));
  return {
    root,
    errors,
    routes: routes.map(({ method, path, role }) => ({ method, path, role })),
    roleFor(method, path) {
      const segments = path.split("/").filter((s) => s !== "");
      const head = method === "HEAD" ? "GET" : method;
      return compiled.find((c) => c.r.method === head && matches(c.segments, segments))?.r.role;
    },
  };
}

/** Registers each route's handler on the face's router, from the same table the policy reads. */
export function mount(app: Hono<AppEnv>, routes: readonly Route[]): void {
  for (const r of routes) app.on(r.method, r.path, r.handler);
}
