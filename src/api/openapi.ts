/**
 * The OpenAPI 3.1 document at `/openapi.json`: the series face's routes as zod-openapi describes
 * them, plus every other mounted face's routes (admin, Haystack ops) from their route tables, so
 * one document lists everything a client can call and the least role each needs.
 */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { DESCRIPTION, NAME, VERSION } from "../version.ts";
import type { AppEnv } from "./context.ts";
import type { FaceRoutes } from "./routes.ts";

type Doc = ReturnType<OpenAPIHono<AppEnv>["getOpenAPI31Document"]>;

const TITLES: Readonly<Record<string, string>> = {
  api: "Haystack",
  admin: "Admin",
};

/**
 * Registers the other zod-openapi routers' definitions and the other faces' routes once, then
 * builds (and keeps) the document.
 */
export function openApiDocument(
  series: OpenAPIHono<AppEnv>,
  others: readonly FaceRoutes[],
  described: readonly OpenAPIHono<AppEnv>[] = [],
): () => Doc {
  let doc: Doc | undefined;
  return () => {
    if (doc) return doc;
    const registry = series.openAPIRegistry;
    // Each router is mounted at "/" with full paths, so its definitions carry over as they are.
    for (const router of described) {
      for (const def of router.openAPIRegistry.definitions) {
        if (def.type === "route") registry.registerPath(def.route);
        else if (def.type === "component") registry.registerComponent(def.componentType, def.name, def.component);
      }
    }
    registry.registerComponent("securitySchemes", "bearer", {
      type: "http",
      scheme: "bearer",
      description: "A session token from the SCRAM handshake (`/api/{project}/about`) or an API key",
    });
    for (const face of others) {
      for (const r of face.routes) {
        const names = [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
        registry.registerPath({
          method: r.method.toLowerCase() as "get" | "post" | "put" | "patch" | "delete",
          path: `/${face.root}${r.path.replace(/:(\w+)/g, "{$1}")}`,
          tags: [TITLES[face.root] ?? face.root],
          summary: `${TITLES[face.root] ?? face.root} (least role: ${r.role})`,
          request: { params: z.object(Object.fromEntries(names.map((n) => [n, z.string()]))) },
          responses: { 200: { description: "See the README's section on this face" } },
        });
      }
    }
    doc = series.getOpenAPI31Document({
      openapi: "3.1.0",
      info: { title: NAME, version: VERSION, description: DESCRIPTION },
      security: [{ bearer: [] }],
    });
    return doc;
  };
}
