/**
 * The Haystack face: records by filter (`#/{project}/haystack?filter=...`), the nav tree
 * (`/nav`), one record (`/rec/{id}`) and a multi-point chart (`/chart?ids=a,b&range=7d`).
 */
import { h } from "../../app/dom.ts";
import { link, type Route } from "../../app/router.ts";
import { chartView } from "./chart-view.ts";
import { navView } from "./nav.ts";
import { recordView } from "./record.ts";
import { recordsView } from "./records.ts";
import { chartIds } from "./selection.ts";

const TABS = [
  { id: "", title: "Records" },
  { id: "nav", title: "Navigate" },
  { id: "chart", title: "Chart" },
] as const;

function tabs(project: string, on: string): HTMLElement {
  return h(
    "nav",
    { class: "hs-tabs", "aria-label": "Haystack views" },
    TABS.map((t) =>
      h(
        "a",
        {
          href:
            t.id === "chart" && chartIds().length > 0
              ? link([project, "haystack", "chart"], { ids: chartIds().join(",") })
              : link(t.id ? [project, "haystack", t.id] : [project, "haystack"]),
          class: t.id === on ? "hs-tab on" : "hs-tab",
          "data-tab": t.id || "records",
        },
        t.title,
      ),
    ),
  );
}

export async function haystackView(root: HTMLElement, route: Route): Promise<(() => void) | undefined> {
  const project = route.parts[0] as string;
  const [sub, arg] = route.parts.slice(2);
  root.append(tabs(project, sub === "rec" ? "" : (sub ?? "")));
  const body = h("div", { class: "hs-body" });
  root.append(body);
  if (sub === "nav") return navView(body, project);
  if (sub === "chart") return chartView(body, route, project);
  if (sub === "rec" && arg) return recordView(body, route, project, arg);
  return recordsView(body, route, project);
}
