/**
 * The nav tree: sites, their equips, their points, each level read with `nav` only when opened,
 * so a large building costs one small read per click.
 */
import { h } from "../../app/dom.ts";
import { attempt } from "../../app/status.ts";
import { navChildren } from "./data.ts";
import { disOf, type HDictJson, isMarker, recLink, refId, valText } from "./hval.ts";

function kindLabel(rec: HDictJson): string {
  if (isMarker(rec.site)) return "site";
  if (isMarker(rec.equip)) return "equip";
  if (isMarker(rec.point)) return "point";
  return "";
}

function node(project: string, rec: HDictJson): HTMLLIElement {
  const id = refId(rec.id) ?? "";
  const navId = refId(rec.navId);
  const kind = kindLabel(rec);
  const title = h("a", { href: recLink(project, id), class: "hs-nav-link" }, disOf(rec));
  const cur = rec.curVal !== undefined ? h("span", { class: "hs-nav-cur muted" }, valText(rec.curVal)) : null;
  const li = h(
    "li",
    { role: "treeitem", "data-kind": kind, "data-id": id },
    h("span", { class: "hs-nav-kind muted" }, kind),
    title,
    cur,
  );
  if (!navId) return li;
  const list = h("ul", { role: "group", hidden: true });
  let loaded = false;
  const toggle = h(
    "button",
    {
      type: "button",
      class: "hs-nav-toggle",
      "aria-label": `Expand ${disOf(rec)}`,
      onclick: async () => {
        const open = li.getAttribute("aria-expanded") === "true";
        if (!open && !loaded) {
          const kids = await attempt(() => navChildren(project, navId));
          if (!kids) return;
          loaded = true;
          list.append(...kids.map((k) => node(project, k)));
          if (kids.length === 0) list.append(h("li", { class: "muted" }, "(empty)"));
        }
        li.setAttribute("aria-expanded", String(!open));
        toggle.textContent = open ? "▸" : "▾";
        list.hidden = open;
      },
    },
    "▸",
  );
  li.setAttribute("aria-expanded", "false");
  li.prepend(toggle);
  li.append(list);
  return li;
}

export async function navView(root: HTMLElement, project: string): Promise<undefined> {
  const sites = await navChildren(project);
  root.append(
    h(
      "section",
      { class: "hs-nav card" },
      h(
        "ul",
        { role: "tree", "aria-label": "Sites, equips and points", id: "hs-nav" },
        sites.map((s) => node(project, s)),
      ),
    ),
  );
  return undefined;
}
