/** Placeholder until the series view lands. */
import { h } from "../app/dom.ts";
import type { Route } from "../app/router.ts";

export function seriesView(root: HTMLElement, _route: Route): undefined {
  root.append(h("p", null, "Not built yet."));
  return undefined;
}
