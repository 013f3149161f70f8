/**
 * An item's first rows: a virtualised table of the columnar read, and a chart of one numeric
 * column picked from a select, over time when the index is a timestamp, else over row numbers.
 */
import { type TimeChart, timeChart } from "../../app/chart.ts";
import { h } from "../../app/dom.ts";
import { type Column, virtualTable } from "../../app/table.ts";
import { cellText, count } from "../common/format.ts";
import { type RowChart, rowChart } from "../common/rowchart.ts";
import type { Columnar, ItemInfo } from "./api.ts";

const NUMERIC = new Set(["float64", "float32", "int64", "int32"]);

export interface RowsPanel {
  readonly el: HTMLElement;
  destroy(): void;
}

export function rowsPanel(info: ItemInfo, data: Columnar, asked: number): RowsPanel {
  const n = data.index.length;
  const indexName = info.schema.index.name || "index";
  const columns: Column<number>[] = [
    { key: "__index", title: indexName, width: "minmax(22ch, 1.4fr)", cell: (i) => cellText(data.index[i]) },
    ...info.schema.fields.map((f) => ({
      key: f.name,
      title: f.name,
      align: NUMERIC.has(f.dtype) ? ("right" as const) : ("left" as const),
      cell: (i: number) => cellText(data.columns[f.name]?.[i]),
    })),
  ];
  const table = virtualTable<number>({ columns, height: "max(280px, 50vh)", label: "Rows" });
  table.setRows(Array.from({ length: n }, (_, i) => i));

  const numeric = info.schema.fields.filter((f) => NUMERIC.has(f.dtype));
  const select = h(
    "select",
    { id: "fx-column", "aria-label": "Column to chart" },
    numeric.map((f) => h("option", { value: f.name }, f.name)),
  );
  const box = h("div", { class: "chart fx-chart", id: "fx-frame-chart" });
  const timed = info.schema.index.kind === "timestamp";
  let chart: TimeChart | RowChart | undefined;
  const draw = () => {
    chart?.destroy();
    box.replaceChildren();
    const name = select.value;
    if (!name) return;
    // int64 may arrive as decimal strings (beyond 2^53): drawn as the nearest double.
    const y = (data.columns[name] ?? []).map((v) => (v === null || v === undefined ? null : Number(v)));
    chart = timed
      ? timeChart(
          box,
          { x: data.index.map((t) => Date.parse(String(t)) / 1000), ys: [y] },
          {
            series: [{ label: name }],
            ...(info.zone ? { tz: info.zone } : {}),
          },
        )
      : rowChart(box, y, name);
  };
  select.addEventListener("change", draw);
  const shown = n < info.rows ? `The first ${count(n, "row")} of ${info.rows.toLocaleString("en")}` : count(n, "row");
  const el = h(
    "section",
    { class: "card fx-card" },
    h("h3", null, "Rows"),
    h("p", { class: "muted fx-note" }, `${shown}${n === asked && n < info.rows ? " (head)" : ""}.`),
    h("div", { class: "fx-rows", id: "fx-rows" }, table.el),
    numeric.length === 0
      ? h("p", { class: "muted" }, "No numeric column to chart.")
      : h(
          "div",
          { class: "fx-column-chart" },
          h("label", null, "Chart ", select, timed ? " over time" : " by row"),
          box,
        ),
  );
  // Drawn once the panel is in the page, so the chart takes the container's width.
  requestAnimationFrame(draw);
  return {
    el,
    destroy() {
      chart?.destroy();
    },
  };
}
