/** The side menu the Series, Frames and TStorage views share: a titled list of links, one marked. */
import { type Attrs, fill, h } from "../../app/dom.ts";

export interface SideItem {
  readonly href: string;
  readonly on: boolean;
  /** The link's content: its name, and a badge where one says more. */
  readonly label: string;
  readonly badge?: string;
  /** A data attribute naming the item for tests and styling, e.g. `{ "data-store": "load" }`. */
  readonly data?: Attrs;
}

export function fillSideList(
  side: HTMLElement,
  title: string,
  listId: string,
  empty: string,
  items: readonly SideItem[],
): void {
  fill(
    side,
    h("h2", null, title),
    items.length === 0 ? h("p", { class: "muted" }, empty) : null,
    h(
      "ul",
      { class: "fx-list", id: listId },
      items.map((it) =>
        h(
          "li",
          null,
          h(
            "a",
            { href: it.href, class: it.on ? "fx-link on" : "fx-link", ...it.data },
            it.badge === undefined ? it.label : [h("span", null, it.label), h("span", { class: "fx-badge" }, it.badge)],
          ),
        ),
      ),
    ),
  );
}
