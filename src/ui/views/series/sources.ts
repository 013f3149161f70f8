/**
 * A store's sync sources with their status (cursor, last success, last error, next pull), and
 * for admins a "Pull now" per source. A pull that fails answers 502 with the source's new state,
 * so on a failure the list is read again and the source's own last error is the outcome shown.
 */
import { ApiError, json } from "../../app/api.ts";
import { h } from "../../app/dom.ts";
import { session } from "../../app/session.ts";
import { showError } from "../../app/status.ts";
import { cellText, when } from "../common/format.ts";
import { type StoreInfo, storeBase } from "./api.ts";

interface Source {
  readonly name: string;
  readonly url: string;
  readonly protocol: string;
  readonly filters: Readonly<Record<string, string>>;
  readonly everySeconds: number;
  readonly state: {
    readonly cursor: string | null;
    readonly lastSuccessMs: number | null;
    readonly lastErrorMs: number | null;
    readonly lastError: string | null;
    readonly failures: number;
    readonly nextDueMs: number | null;
  };
}

interface PullResult {
  readonly pages: number;
  readonly applied: number;
  readonly tombstones: number;
  readonly skipped: number;
  readonly cursor: string | null;
  readonly done: boolean;
}

/** `onPulled` runs after a pull that applied something (the store's series may have changed). */
export function sourcesPanel(
  project: string,
  store: StoreInfo,
  signal: AbortSignal,
  onPulled: () => void,
): HTMLElement {
  const base = `${storeBase(project, store.name)}/sources`;
  const list = h("div", { class: "fx-sources", id: "fx-sources" });
  const el = h("section", { class: "card fx-card" }, h("h3", null, "Sync sources"), list);
  const isAdmin = session()?.role === "admin";

  async function reload(): Promise<Source[]> {
    const { sources } = await json<{ sources: Source[] }>(base, { signal });
    return sources;
  }

  function render(sources: readonly Source[], outcomes: ReadonlyMap<string, HTMLElement>): void {
    if (sources.length === 0) {
      list.replaceChildren(h("p", { class: "muted" }, "No sources: this store is not pulled from anywhere."));
      return;
    }
    list.replaceChildren(
      ...sources.map((s) => sourceCard(s, isAdmin ? pullButton(s) : null, outcomes.get(s.name))),
      isAdmin ? "" : h("p", { class: "muted" }, "Only admins can pull a source now."),
    );
  }

  const outcomes = new Map<string, HTMLElement>();
  function pullButton(s: Source): HTMLElement {
    const button = h(
      "button",
      {
        type: "button",
        class: "fx-pull",
        onclick: async () => {
          button.setAttribute("disabled", "");
          const out = h("p", { class: "fx-outcome", role: "status" });
          try {
            const r = await json<{ ok: boolean; result?: PullResult }>(`${base}/${encodeURIComponent(s.name)}/pull`, {
              method: "POST",
              signal,
            });
            const p = r.result;
            out.classList.add("ok");
            out.textContent = p
              ? `Pulled: ${p.pages} page(s), ${p.applied} applied, ${p.tombstones} tombstones, ${p.skipped} skipped; cursor ${p.cursor ?? "—"}${p.done ? "" : " (more to pull)"}.`
              : "Pulled.";
            if ((p?.applied ?? 0) + (p?.tombstones ?? 0) > 0) onPulled();
          } catch (e) {
            if (signal.aborted) return;
            // 502: the pull ran and failed; its reason is in the source's state, read below.
            if (!(e instanceof ApiError && e.status === 502)) showError(e);
            out.classList.add("bad");
            out.textContent = `Pull failed${e instanceof ApiError ? `: ${e.code}` : ""}.`;
          }
          try {
            const fresh = await reload();
            const failed = out.classList.contains("bad") && fresh.find((x) => x.name === s.name)?.state.lastError;
            if (failed) out.textContent = `Pull failed: ${failed}`;
            outcomes.set(s.name, out);
            render(fresh, outcomes);
          } catch (e) {
            if (!signal.aborted) showError(e);
          }
        },
      },
      "Pull now",
    );
    return button;
  }

  void reload()
    .then((sources) => render(sources, outcomes))
    .catch((e) => {
      if (!signal.aborted) showError(e);
    });
  return el;
}

function sourceCard(s: Source, pull: HTMLElement | null, outcome: HTMLElement | undefined): HTMLElement {
  const st = s.state;
  const filters = Object.entries(s.filters)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  const row = (k: string, v: string | Node) => [h("dt", null, k), h("dd", null, v)];
  return h(
    "article",
    { class: "fx-source", "data-source": s.name },
    h("header", null, h("strong", null, s.name), " ", h("span", { class: "muted" }, s.protocol), pull),
    h(
      "dl",
      { class: "fx-kv" },
      row("URL", h("span", { class: "mono" }, s.url)),
      filters ? row("Filters", filters) : null,
      row("Every", s.everySeconds === 0 ? "manual only" : `${s.everySeconds} s`),
      row("Cursor", cellText(st.cursor) || "— (never pulled)"),
      row("Last pull", when(st.lastSuccessMs)),
      row("Next pull", when(st.nextDueMs)),
      st.lastError
        ? row(
            "Last error",
            h("span", { class: "bad" }, `${when(st.lastErrorMs)}: ${st.lastError} (${st.failures} in a row)`),
          )
        : null,
    ),
    outcome ?? null,
  );
}
