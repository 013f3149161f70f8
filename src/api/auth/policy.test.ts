import { describe, expect, it } from "vitest";
import { faceRoutes } from "../routes.ts";
import { createPolicy } from "./policy.ts";

// A face shaped like the series store to come: a read-only POST (HoLcStore's pack/) needs a viewer.
const series = faceRoutes("ts", "json", [
  { method: "GET", path: "/:project/:store/updates/", role: "viewer" },
  { method: "POST", path: "/:project/:store/pack/", role: "viewer" },
  { method: "PUT", path: "/:project/:store/series/:name", role: "operator" },
  { method: "DELETE", path: "/:project/:store", role: "admin" },
]);
const policy = createPolicy([series]);

describe("auth policy from route declarations", () => {
  it("gives each declared route its own least role, whatever the method", () => {
    expect(policy.guardFor("/ts/p1/s/pack/", "POST")).toEqual({ project: "p1", need: "viewer", errors: "json" });
    expect(policy.guardFor("/ts/p1/s/updates/", "HEAD")?.need).toBe("viewer");
    expect(policy.guardFor("/ts/p1/s/series/load", "PUT")?.need).toBe("operator");
    expect(policy.guardFor("/ts/p1/s", "DELETE")?.need).toBe("admin");
  });

  it("guards a path of a face with no matching route for any signed-in caller (who then learns it is unknown)", () => {
    expect(policy.guardFor("/ts/p1/s/nothing/here", "POST")?.need).toBe("viewer");
    expect(policy.guardFor("/ts/p1/s/pack/", "DELETE")?.need).toBe("viewer");
  });

  it("guards the faces not mounted yet, each with its project second in the path", () => {
    expect(policy.guardFor("/tstorage/p2/main/get", "GET")).toEqual({ project: "p2", need: "viewer", errors: "json" });
    expect(policy.guardFor("/frames/p3/c", "POST")?.project).toBe("p3");
  });

  it("leaves the root and paths outside every face public", () => {
    expect(policy.guardFor("/", "GET")).toBeUndefined();
    expect(policy.guardFor("/elsewhere/x/y", "GET")).toBeUndefined();
    expect(policy.styleFor("/elsewhere")).toBe("json");
  });
});
