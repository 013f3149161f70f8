/**
 * The Series face (`#/{project}/series/{store}?k.site=alpha&k.kind=load&from=..&to=..`): the
 * project's stores, a store's definition and series, one series charted over a window, and the
 * store's sync sources. Keys travel in the hash as `k.<name>` so a key can never be mistaken for
 * the window; the window is rewritten in place (no re-render) as it changes.
 */
import { h } from "../../app/dom.ts";
import { type Cleanup, go, link, type Route, replaceQuery } from "../../app/router.ts";
import { guarded } from "../common/guard.ts";
import { keyValues } from "../common/kv.ts";
import { fillSideList } from "../common/side-list.ts";
import { lastInstant, listSeries, listStores, type SeriesKeys, type StoreInfo } from "./api.ts";
import { seriesPicker } from "./picker.ts";
import { seriesPlot } from "./plot.ts";
import { sourcesPanel } from "./sources.ts";
import { type TimeWindow, windowControl } from "./window.ts";

const keysOf = (q: URLSearchParams): SeriesKeys =>
  Object.fromEntries([...q].filter(([k]) => k.startsWith("k.")).map(([k, v]) => [k.slice(2), v]));
const keyQuery = (keys: SeriesKeys): Record<string, string> =>
  Object.fromEntries(Object.entries(keys).map(([k, v]) => [`k.${k}`, v]));

function msParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  const ms = v ? Date.parse(v) : Number.NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

export async function seriesView(root: HTMLElement, route: Route): Promise<Cleanup> {
  const [project = "", , storeName] = route.parts;
  const life = new AbortController();
  const cleanups: Cleanup[] = [() => life.abort()];
  const cleanup = () => {
    for (const c of cleanups) c();
  };
  const side = h("nav", { class: "fx-side", "aria-label": "Stores" }, h("p", { class: "muted" }, "Loading stores…"));
  const main = h("div", { class: "fx-main" });
  root.append(h("section", { class: "fx" }, side, main));

  const stores = await listStores(project, life.signal);
  fillSideList(
    side,
    "Stores",
    "fx-stores",
    "This project has no series stores.",
    stores.map((st) => ({
      href: link([project, "series", st.name]),
      on: st.name === storeName,
      label: st.name,
      badge: st.definition.kind,
      data: { "data-store": st.name },
    })),
  );
  const store = stores.find((s) => s.name === storeName);
  if (!store) {
    main.append(h("p", { class: "muted" }, storeName ? `No store named ${storeName}.` : "Pick a store."));
    return cleanup;
  }
  const keys = keysOf(route.query);
  const pick = (k: SeriesKeys) => go([project, "series", store.name], keyQuery(k));
  const picker = seriesPicker(store, keys, pick);
  main.append(
    h(
      "section",
      { class: "card fx-card" },
      h("h2", null, store.name),
      keyValues(
        {
          ...store.definition,
          keys: Object.entries(store.definition.keys)
            .map(([k, t]) => `${k}: ${t}`)
            .join(", "),
        },
        "definition",
      ),
    ),
    picker.el,
  );
  const relist = () =>
    void guarded(life.signal, async () => picker.setListing(await listSeries(project, store, life.signal)));
  relist();

  if (Object.keys(store.definition.keys).every((k) => keys[k] !== undefined)) {
    cleanups.push(chartCard(main, project, store, keys, route.query, life.signal));
  }
  main.append(sourcesPanel(project, store, life.signal, relist));
  return cleanup;
}

/** The chart of one series; the window starts as the hash says, else the last week (chunked) or all. */
function chartCard(
  main: HTMLElement,
  project: string,
  store: StoreInfo,
  keys: SeriesKeys,
  query: URLSearchParams,
  signal: AbortSignal,
): Cleanup {
  const plot = seriesPlot(project, store);
  let anchor = Date.now();
  const show = (w: TimeWindow) => {
    replaceQuery({
      ...keyQuery(keys),
      from: w.startMs === undefined ? undefined : new Date(w.startMs).toISOString(),
      to: w.endMs === undefined ? undefined : new Date(w.endMs).toISOString(),
    });
    void guarded(signal, () => plot.show(keys, w));
  };
  const control = windowControl(show, () => anchor);
  const title = Object.entries(keys)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  main.append(h("section", { class: "card fx-card", id: "fx-chart-card" }, h("h3", null, title), control.el, plot.el));
  void guarded(signal, async () => {
    const last = await lastInstant(project, store, keys, signal);
    if (last !== undefined) anchor = last;
    const start = msParam(query, "from");
    const end = msParam(query, "to");
    const w: TimeWindow =
      start !== undefined || end !== undefined
        ? { ...(start === undefined ? {} : { startMs: start }), ...(end === undefined ? {} : { endMs: end }) }
        : control.preset(last !== undefined ? "week" : "all", anchor);
    control.set(w);
    show(w);
  });
  return () => plot.destroy();
}
