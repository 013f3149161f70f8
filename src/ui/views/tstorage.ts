/** Placeholder until the tstorage view lands. */
import { h } from "../app/dom.ts";
import type { Route } from "../app/router.ts";

export function tstorageView(root: HTMLElement, _route: Route): undefined {
  root.append(h("p", null, "Not built yet."));
  return undefined;
}
