/** The chart route: several points on one history chart (`chart?ids=a,b&range=7d`). */
import { h } from "../../app/dom.ts";
import { go, link, type Route, replaceQuery } from "../../app/router.ts";
import { readIds } from "./data.ts";
import { type HisPoint, hisPointOf } from "./his.ts";
import { hisPanel, windowFromParam, windowParam } from "./his-panel.ts";
import { isMarker, recLink } from "./hval.ts";
import { chartIds, MAX_CHART_POINTS, setChartIds } from "./selection.ts";

export async function chartView(root: HTMLElement, route: Route, project: string): Promise<() => void> {
  const fromUrl = (route.query.get("ids") ?? "").split(",").filter(Boolean);
  const ids = setChartIds(fromUrl.length > 0 ? fromUrl : chartIds()).slice(0, MAX_CHART_POINTS);
  if (ids.length === 0) {
    root.append(
      h(
        "p",
        { class: "muted" },
        "No points picked: tick rows in the ",
        h("a", { href: link([project, "haystack"], { filter: "point and his" }) }, "record table"),
        " and press Chart selected, or use Add to chart on a point.",
      ),
    );
    return () => {};
  }
  const recs = await readIds(project, ids);
  const points = recs
    .filter((r) => isMarker(r.his))
    .map(hisPointOf)
    .filter((p): p is HisPoint => p !== undefined);
  const range = route.query.get("range");
  const drop = (id: string) => {
    const rest = setChartIds(ids.filter((x) => x !== id));
    go([project, "haystack", "chart"], { ids: rest.join(","), range: range ?? undefined });
  };
  const legend = h(
    "ul",
    { class: "hs-chart-points" },
    points.map((p) =>
      h(
        "li",
        null,
        h("a", { href: recLink(project, p.id) }, p.dis),
        p.unit ? h("span", { class: "muted" }, ` ${p.unit}`) : null,
        h("button", { type: "button", class: "link", "aria-label": `Remove ${p.dis}`, onclick: () => drop(p.id) }, "×"),
      ),
    ),
  );
  if (points.length === 0) {
    root.append(h("p", { class: "muted" }, "None of the picked records is a his point."));
    return () => {};
  }
  const panel = hisPanel({
    project,
    points,
    window: windowFromParam(range, { kind: "preset", id: "7d" }),
    onWindow: (w) => replaceQuery({ ids: ids.join(","), range: windowParam(w) }),
    height: 420,
  });
  root.append(h("section", { class: "hs-chart-view card" }, legend, panel.el));
  return () => panel.destroy();
}
