/** An item's facts: version, rows, schema, zone, metadata, and its versions with their snapshots. */
import { h } from "../../app/dom.ts";
import { virtualTable } from "../../app/table.ts";
import { when } from "../common/format.ts";
import { keyValues } from "../common/kv.ts";
import type { ItemInfo, Version } from "./api.ts";

export function itemFacts(info: ItemInfo, versions: readonly Version[]): HTMLElement {
  const table = virtualTable<Version>({
    label: "Versions",
    height: `${Math.min(8, Math.max(1, versions.length)) * 28 + 2}px`,
    columns: [
      { key: "version", title: "Version", width: "9ch", align: "right", cell: (v) => String(v.version) },
      { key: "op", title: "Change", width: "12ch", cell: (v) => v.op },
      { key: "rows", title: "Rows", width: "10ch", align: "right", cell: (v) => v.rows.toLocaleString("en") },
      { key: "at", title: "Made", width: "20ch", cell: (v) => when(v.createdMs) },
      { key: "snaps", title: "Snapshots", cell: (v) => (v.snapshots ?? []).join(", ") },
    ],
  });
  table.setRows(versions);
  return h(
    "section",
    { class: "card fx-card", id: "fx-item" },
    h("h2", null, info.name),
    h(
      "div",
      { class: "fx-cols" },
      h(
        "div",
        null,
        h("h3", null, "Item"),
        keyValues(
          {
            version: info.version,
            rows: info.rows,
            index: `${info.schema.index.name} (${info.schema.index.kind})`,
            columns: info.schema.fields.map((f) => `${f.name}: ${f.dtype}`).join(", "),
            zone: info.zone ?? "—",
            strategy: info.strategy,
            storage: `${info.segments} segment(s), ${info.bytes.toLocaleString("en")} bytes`,
          },
          "item",
        ),
      ),
      h("div", { id: "fx-metadata" }, h("h3", null, "Metadata"), keyValues(info.metadata, "metadata")),
    ),
    h("h3", null, "Versions"),
    h("div", { id: "fx-versions" }, table.el),
  );
}
