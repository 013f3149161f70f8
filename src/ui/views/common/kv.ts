/** A definition list of key/value pairs (metadata, a store's definition, a source's state). */
import { h } from "../../app/dom.ts";
import { cellText } from "./format.ts";

export function keyValues(entries: Readonly<Record<string, unknown>>, label: string): HTMLElement {
  const keys = Object.keys(entries);
  if (keys.length === 0) return h("p", { class: "muted" }, `No ${label}.`);
  return h(
    "dl",
    { class: "fx-kv", "aria-label": label },
    keys.map((k) => [h("dt", null, k), h("dd", { class: "mono" }, cellText(entries[k]))]),
  );
}
