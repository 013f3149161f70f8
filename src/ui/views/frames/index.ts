/**
 * The Frames face (`#/{project}/frames/{collection}/{item}`): collections, a collection's rules,
 * snapshots and items, and an item's facts, versions, first rows and a chart of a column.
 */
import { h } from "../../app/dom.ts";
import { type Cleanup, go, link, type Route } from "../../app/router.ts";
import { virtualTable } from "../../app/table.ts";
import { when } from "../common/format.ts";
import { guarded } from "../common/guard.ts";
import { keyValues } from "../common/kv.ts";
import { fillSideList } from "../common/side-list.ts";
import {
  getCollection,
  type ItemSummary,
  itemHead,
  itemInfo,
  itemVersions,
  listCollections,
  listItems,
  listSnapshots,
} from "./api.ts";
import { itemFacts } from "./item.ts";
import { rowsPanel } from "./rows.ts";

/** Rows read for the table and chart: enough to see the shape, small enough for one JSON answer. */
const HEAD_ROWS = 1000;

export async function framesView(root: HTMLElement, route: Route): Promise<Cleanup> {
  const [project = "", , collection, item] = route.parts;
  const life = new AbortController();
  const cleanups: Cleanup[] = [() => life.abort()];
  const side = h("nav", { class: "fx-side", "aria-label": "Collections" }, h("p", { class: "muted" }, "Loading…"));
  const main = h("div", { class: "fx-main" });
  root.append(h("section", { class: "fx" }, side, main));

  const names = await listCollections(project, life.signal);
  fillSideList(
    side,
    "Collections",
    "fx-collections",
    "This project has no collections.",
    names.map((n) => ({
      href: link([project, "frames", n]),
      on: n === collection,
      label: n,
      data: { "data-collection": n },
    })),
  );
  const cleanup = () => {
    for (const c of cleanups) c();
  };
  if (!collection) {
    main.append(h("p", { class: "muted" }, "Pick a collection."));
    return cleanup;
  }
  const [coll, items, snapshots] = await Promise.all([
    getCollection(project, collection, life.signal),
    listItems(project, collection, life.signal),
    listSnapshots(project, collection, life.signal),
  ]);
  const itemTable = virtualTable<ItemSummary>({
    label: "Items",
    height: `${Math.min(8, Math.max(1, items.length)) * 28 + 2}px`,
    onOpen: (it) => go([project, "frames", collection, it.name]),
    columns: [
      {
        key: "name",
        title: "Item",
        cell: (it) => h("a", { href: link([project, "frames", collection, it.name]) }, it.name),
      },
      { key: "version", title: "Version", width: "9ch", align: "right", cell: (it) => String(it.version) },
      { key: "updated", title: "Updated", width: "20ch", cell: (it) => when(it.updatedMs) },
      { key: "meta", title: "Metadata", cell: (it) => JSON.stringify(it.metadata) },
    ],
  });
  itemTable.setRows(items);
  main.append(
    h(
      "section",
      { class: "card fx-card" },
      h("h2", null, coll.name),
      h(
        "div",
        { class: "fx-cols" },
        h("div", null, h("h3", null, "Metadata"), keyValues(coll.metadata, "metadata")),
        h(
          "div",
          null,
          h("h3", null, "Rules"),
          keyValues(
            Object.fromEntries(
              coll.rules.map(({ id, kind, ...rest }) => [
                id,
                `${kind} ${Object.keys(rest).length ? JSON.stringify(rest) : ""}`,
              ]),
            ),
            "rules",
          ),
        ),
        h(
          "div",
          { id: "fx-snapshots" },
          h("h3", null, "Snapshots"),
          keyValues(
            Object.fromEntries(snapshots.map((s) => [s.name, `${when(s.createdMs)}, ${s.items} item(s)`])),
            "snapshots",
          ),
        ),
      ),
      h("h3", null, "Items"),
      h("div", { id: "fx-items" }, itemTable.el),
    ),
  );
  if (!item) return cleanup;
  const slot = h("div", { class: "fx-item" }, h("p", { class: "muted" }, `Loading ${item}…`));
  main.append(slot);
  void guarded(life.signal, async () => {
    const [info, versions, head] = await Promise.all([
      itemInfo(project, collection, item, life.signal),
      itemVersions(project, collection, item, life.signal),
      itemHead(project, collection, item, HEAD_ROWS, life.signal),
    ]);
    const rows = rowsPanel(info, head, HEAD_ROWS);
    cleanups.push(() => rows.destroy());
    slot.replaceChildren(itemFacts(info, versions), rows.el);
  });
  return cleanup;
}
