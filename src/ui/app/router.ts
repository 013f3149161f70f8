/**
 * Hash routes (`#/demo/haystack?filter=site`): the Worker's paths stay the API's, and a reload or a
 * shared link lands on the same view. A view renders into the main element and may return a
 * cleanup (closing sockets, timers) run before the next view.
 */
export interface Route {
  /** Path segments after `#/`, decoded. */
  readonly parts: readonly string[];
  readonly query: URLSearchParams;
}

export type Cleanup = () => void;
export type View = (root: HTMLElement, route: Route) => Cleanup | undefined | Promise<Cleanup | undefined>;

export function currentRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, "");
  const q = hash.indexOf("?");
  const path = q < 0 ? hash : hash.slice(0, q);
  return {
    parts: path.split("/").filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(q < 0 ? "" : hash.slice(q + 1)),
  };
}

/** The hash for a path and query; `go` navigates there. */
export function link(parts: readonly string[], query?: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== "") q.set(k, v);
  const qs = q.toString();
  return `#/${parts.map(encodeURIComponent).join("/")}${qs ? `?${qs}` : ""}`;
}

export function go(parts: readonly string[], query?: Record<string, string | undefined>): void {
  location.hash = link(parts, query);
}

/** Rewrites the query of the current route without a new history entry or a re-render. */
export function replaceQuery(query: Record<string, string | undefined>): void {
  history.replaceState(null, "", link(currentRoute().parts, query));
}
