/**
 * One record: every tag with its value rendered by kind, its history chart when it is a `his`
 * point, and its priority array when it is `writable`. Tags follow live pushes, and a push that
 * changes writeVal or writeLevel reloads the array (a write made elsewhere).
 */

import { ApiError } from "../../app/api.ts";
import { fill, h } from "../../app/dom.ts";
import { go, link, type Route, replaceQuery } from "../../app/router.ts";
import { readIds } from "./data.ts";
import { hisPointOf } from "./his.ts";
import { hisPanel, windowFromParam, windowParam } from "./his-panel.ts";
import { disOf, type HDictJson, type HJson, isMarker, valNode } from "./hval.ts";
import { liveFeed } from "./live-badge.ts";
import { priorityPanel } from "./priority.ts";
import { chartIds, setChartIds } from "./selection.ts";

/** id and dis first, then the rest by name, mod last (the server's order, kept on live pushes). */
function tagOrder(rec: HDictJson): string[] {
  const rest = Object.keys(rec)
    .filter((k) => k !== "id" && k !== "dis" && k !== "mod")
    .sort((a, b) => a.localeCompare(b));
  return [...["id", "dis"].filter((k) => k in rec), ...rest, ...("mod" in rec ? ["mod"] : [])];
}

function tagsTable(rec: HDictJson, project: string): HTMLElement {
  return h(
    "table",
    { class: "hs-tags", id: "hs-tags" },
    h(
      "tbody",
      null,
      tagOrder(rec).map((k) =>
        h("tr", { "data-tag": k }, h("th", { scope: "row" }, k), h("td", null, valNode(rec[k] as HJson, project))),
      ),
    ),
  );
}

export async function recordView(root: HTMLElement, route: Route, project: string, id: string): Promise<() => void> {
  const [rec] = await readIds(project, [id]);
  if (!rec) throw new ApiError(404, "not_found", `No record @${id}`);
  let current: HDictJson = rec;
  const tags = h("div", { class: "hs-tags-wrap" }, tagsTable(rec, project));
  /** Set once the priority array is on the page: a write made elsewhere reloads it. */
  let arrayChanged: (() => void) | undefined;
  const live = liveFeed(project, (got, r) => {
    if (got !== id) return;
    const wrote = JSON.stringify([r.writeVal, r.writeLevel]) !== JSON.stringify([current.writeVal, current.writeLevel]);
    // A push is the whole record: a tag it lacks was removed (writeVal after a release).
    current = r;
    fill(tags, tagsTable(current, project));
    if (wrote) arrayChanged?.();
  });
  live.setIds([id]);

  const point = isMarker(rec.his) ? hisPointOf(rec) : undefined;
  const addToChart = point
    ? h(
        "button",
        {
          type: "button",
          id: "hs-add-chart",
          onclick: () => {
            const ids = setChartIds([...chartIds(), id]);
            go([project, "haystack", "chart"], { ids: ids.join(",") });
          },
        },
        "Add to chart",
      )
    : null;
  const head = h(
    "header",
    { class: "hs-rec-head" },
    h("h2", null, disOf(rec)),
    h("code", { class: "muted" }, `@${id}`),
    live.badge,
    addToChart,
    h("a", { href: link([project, "haystack"]), class: "hs-back" }, "Back to records"),
  );

  const his = point
    ? hisPanel({
        project,
        points: [point],
        window: windowFromParam(route.query.get("range"), { kind: "preset", id: "today" }),
        onWindow: (w) => replaceQuery({ range: windowParam(w) }),
      })
    : undefined;
  const prio = isMarker(rec.writable) ? priorityPanel(project, id, rec) : undefined;

  root.append(
    h(
      "article",
      { class: "hs-record" },
      head,
      h(
        "div",
        { class: "hs-rec-grid" },
        h("section", { class: "card hs-rec-tags" }, h("h3", null, "Tags"), tags),
        h(
          "div",
          { class: "hs-rec-side" },
          his ? h("section", { class: "card" }, h("h3", null, "History"), his.el) : null,
          prio?.el,
        ),
      ),
    ),
  );
  await prio?.reload();
  if (prio) arrayChanged = () => void prio.reload();
  return () => {
    live.close();
    his?.destroy();
  };
}
