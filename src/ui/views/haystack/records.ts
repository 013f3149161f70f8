/**
 * The record table: a filter, `read`, and the result in the virtualised table. Row objects are
 * built once per result and cells render lazily from them, so 100k rows cost one pass. Columns are
 * id, dis, curVal, then the tags most rows carry. Live pushes update curVal/writeVal in place for
 * the rows in view.
 */
import { h } from "../../app/dom.ts";
import { go, link, type Route } from "../../app/router.ts";
import { attempt } from "../../app/status.ts";
import { type Column, virtualTable } from "../../app/table.ts";
import { readFilter } from "./data.ts";
import { filterBox, filterError } from "./filter-box.ts";
import { disOf, type HDictJson, type HJson, recLink, refId, valNode, valText } from "./hval.ts";
import { liveFeed } from "./live-badge.ts";
import { MAX_CHART_POINTS, setChartIds } from "./selection.ts";

export const DEFAULT_FILTER = "point";

/** One table row: the record (replaced in place by live pushes) and its id. */
interface Row {
  readonly id: string;
  rec: HDictJson;
}

/** Tags never worth a column: shown elsewhere, or too big for a cell. */
const SKIP = new Set(["id", "dis", "mod", "curVal", "writeVal", "actions", "navId"]);
/** Rows sampled to pick columns: enough to be representative, cheap at 100k rows. */
const SAMPLE = 3_000;

/** The tags most of the sampled rows carry, commonest first. */
export function commonTags(rows: readonly HDictJson[], max: number): string[] {
  const counts = new Map<string, number>();
  const n = Math.min(rows.length, SAMPLE);
  for (let i = 0; i < n; i++) {
    for (const [k, v] of Object.entries(rows[i] as HDictJson)) {
      if (SKIP.has(k) || v === null) continue;
      if (typeof v === "object" && !Array.isArray(v) && ["grid", undefined].includes((v as { _kind?: string })._kind))
        continue;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, max)
    .map(([k]) => k);
}

/** Tag columns that fit the screen: none on a phone, a dozen on a 4K monitor. */
function tagColumnsFor(width: number): number {
  return Math.max(0, Math.min(12, Math.floor((width - 560) / 120)));
}

function queryOf(route: Route): { filter: string; limit?: number } {
  const filter = route.query.get("filter") ?? DEFAULT_FILTER;
  const n = Number(route.query.get("limit"));
  return Number.isInteger(n) && n > 0 ? { filter, limit: n } : { filter };
}

export async function recordsView(root: HTMLElement, route: Route, project: string): Promise<() => void> {
  const q = queryOf(route);
  const selected = new Set<string>();
  const chartBtn = h(
    "button",
    {
      type: "button",
      id: "hs-chart-selected",
      disabled: true,
      onclick: () => {
        setChartIds(selected);
        go([project, "haystack", "chart"], { ids: [...selected].join(",") });
      },
    },
    "Chart selected",
  );
  const paintSelection = () => {
    chartBtn.disabled = selected.size === 0;
    chartBtn.textContent = selected.size ? `Chart selected (${selected.size})` : "Chart selected";
  };
  const box = filterBox(
    q,
    (f) => {
      const next = { filter: f.filter, limit: f.limit === undefined ? undefined : String(f.limit) };
      // A new filter is a new history entry (back returns to the last); the same one reloads.
      if (f.filter === q.filter && f.limit === q.limit) void load();
      else go([project, "haystack"], next);
    },
    chartBtn,
  );

  const byId = new Map<string, Row>();
  let rows: Row[] = [];
  const note = h("div", { class: "hs-note muted", role: "status" });
  const tableHost = h("div", { class: "hs-table" });

  // Live values for the rows in view: the cells drawn since the last flush are the visible rows.
  const drawn = new Set<string>();
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let refreshQueued = false;
  let table: ReturnType<typeof virtualTable<Row>> | undefined;
  const live = liveFeed(project, (id, rec) => {
    const row = byId.get(id);
    if (!row) return;
    row.rec = { ...row.rec, ...rec };
    if (refreshQueued) return;
    refreshQueued = true;
    requestAnimationFrame(() => {
      refreshQueued = false;
      table?.refresh();
    });
  });
  const noteDrawn = (id: string) => {
    drawn.add(id);
    flushTimer ??= setTimeout(() => {
      flushTimer = undefined;
      live.setIds(drawn);
      drawn.clear();
    }, 250);
  };

  root.append(
    h("section", { class: "hs-records" }, h("div", { class: "hs-toolbar" }, box.el, live.badge), note, tableHost),
  );

  function columns(tags: readonly string[]): Column<Row>[] {
    return [
      {
        key: "sel",
        title: "",
        width: "32px",
        cell: (r) =>
          h("input", {
            type: "checkbox",
            class: "hs-sel",
            "aria-label": `Select ${r.id}`,
            checked: selected.has(r.id),
            onclick: (ev: Event) => {
              // The row opens on click; the checkbox only selects.
              ev.stopPropagation();
              const on = (ev.target as HTMLInputElement).checked;
              if (on && selected.size >= MAX_CHART_POINTS) {
                (ev.target as HTMLInputElement).checked = false;
                return;
              }
              if (on) selected.add(r.id);
              else selected.delete(r.id);
              paintSelection();
            },
          }),
      },
      {
        key: "id",
        title: "id",
        width: "minmax(10ch, 14ch)",
        cell: (r) => {
          noteDrawn(r.id);
          return h("a", { href: recLink(project, r.id), title: disOf(r.rec) }, `@${r.id}`);
        },
      },
      { key: "dis", title: "dis", width: "minmax(14ch, 3fr)", cell: (r) => disOf(r.rec) },
      {
        key: "curVal",
        title: "curVal",
        width: "minmax(9ch, 1fr)",
        align: "right",
        cell: (r) => h("span", { class: "hs-cur", "data-id": r.id }, valText(r.rec.curVal ?? r.rec.writeVal)),
      },
      ...tags.map(
        (t): Column<Row> => ({
          key: t,
          title: t,
          cell: (r) => {
            const v = r.rec[t] as HJson | undefined;
            return refId(v) ? valNode(v, project) : valText(v);
          },
        }),
      ),
    ];
  }

  async function load(): Promise<void> {
    const err = filterError(q.filter);
    box.showSyntax(q.filter, err);
    if (err) return;
    const res = await attempt(() => readFilter(project, q.filter, q.limit));
    if (!res) return;
    byId.clear();
    rows = res.rows.map((rec) => {
      const row: Row = { id: refId(rec.id) ?? "", rec };
      byId.set(row.id, row);
      return row;
    });
    note.textContent = res.incomplete ?? "";
    const tags = commonTags(res.rows, tagColumnsFor(root.clientWidth || window.innerWidth));
    table = virtualTable<Row>({
      columns: columns(tags),
      label: `Records matching ${q.filter}`,
      onOpen: (r) => go([project, "haystack", "rec", r.id]),
    });
    tableHost.replaceChildren(table.el);
    table.setRows(rows);
  }

  paintSelection();
  await load();
  return () => {
    clearTimeout(flushTimer);
    live.close();
  };
}

/** The table route's link for a filter (used by the record view's "more like this"). */
export function filterLink(project: string, filter: string): string {
  return link([project, "haystack"], { filter });
}
