/**
 * Picking a series of a store: the series the store could list (a virtualised table, as a store
 * may hold thousands) and a form with one input per key (plus the version of a versioned store),
 * which is also how a versioned store's series are reached. Both end in `onPick`.
 */
import { h } from "../../app/dom.ts";
import { type Column, virtualTable } from "../../app/table.ts";
import type { FoundSeries, SeriesKeys, SeriesListing, StoreInfo } from "./api.ts";

export interface Picker {
  readonly el: HTMLElement;
  setListing(listing: SeriesListing): void;
}

export function seriesPicker(store: StoreInfo, current: SeriesKeys, onPick: (keys: SeriesKeys) => void): Picker {
  const names = Object.keys(store.definition.keys);
  const columns: Column<FoundSeries>[] = [
    ...names.map((n) => ({ key: n, title: n, cell: (r: FoundSeries) => r.keys[n] ?? "" })),
    { key: "size", title: "Size", align: "right" as const, width: "12ch", cell: (r: FoundSeries) => r.size },
  ];
  const tableBox = h("div", { class: "fx-series-list", id: "fx-series-list" });
  // Made once the rows are known, so a store of four series does not get a table ten rows tall.
  const showRows = (rows: readonly FoundSeries[]) => {
    const table = virtualTable<FoundSeries>({
      columns,
      height: `${Math.min(10, Math.max(1, rows.length)) * 28 + 2}px`,
      label: "Series",
      onOpen: (row) => onPick(row.keys),
    });
    table.setRows(rows);
    tableBox.replaceChildren(table.el);
  };
  const note = h("p", { class: "muted fx-note", id: "fx-picker-note" });
  const inputs = names.map((n) =>
    h("input", {
      name: n,
      "data-key": n,
      value: current[n] ?? "",
      required: true,
      placeholder: store.definition.keys[n] ?? "",
      "aria-label": n,
    }),
  );
  const version =
    store.definition.kind === "versioned"
      ? h("input", {
          name: "version",
          "data-key": "version",
          value: current.version ?? "",
          placeholder: "combined, N or all",
          "aria-label": "version",
        })
      : null;
  const form = h(
    "form",
    {
      class: "fx-keys",
      onsubmit: (ev) => {
        ev.preventDefault();
        const keys: Record<string, string> = {};
        for (const i of [...inputs, ...(version ? [version] : [])]) if (i.value.trim()) keys[i.name] = i.value.trim();
        onPick(keys);
      },
    },
    names.map((n, i) => h("label", null, `${n} `, inputs[i])),
    version ? h("label", null, "version ", version) : null,
    h("button", { type: "submit", class: "primary" }, "Open series"),
  );
  const el = h("section", { class: "card fx-card" }, h("h3", null, "Series"), note, tableBox, form);
  return {
    el,
    setListing(listing) {
      const empty = listing.series.length === 0;
      note.textContent = listing.note ?? (empty ? "No series in this store yet." : "");
      tableBox.hidden = empty;
      if (!empty) showRows(listing.series);
    },
  };
}
