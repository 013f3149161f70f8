/**
 * Live values for a view: starts the live client for the session, shows its state in a badge, and
 * hands each pushed record (by id) to the view, which updates its rows in place.
 */
import { h } from "../../app/dom.ts";
import { type LiveClient, type LiveRow, type LiveState, liveClient } from "../../app/live.ts";
import { session } from "../../app/session.ts";
import { showError } from "../../app/status.ts";
import type { HDictJson } from "./hval.ts";
import { refId } from "./hval.ts";

export interface LiveFeed {
  readonly badge: HTMLElement;
  setIds(ids: Iterable<string>): void;
  close(): void;
}

function label(s: LiveState, now: number): { text: string; cls: string; title: string } {
  switch (s.kind) {
    case "live":
      return { text: "live", cls: "on", title: "Values update as they change" };
    case "connecting":
      return { text: "connecting…", cls: "wait", title: "Opening the live connection" };
    case "reconnecting":
      return {
        text: `reconnecting in ${Math.max(1, Math.ceil((s.at - now) / 1000))} s`,
        cls: "wait",
        title: `Connection lost; attempt ${s.attempt}`,
      };
    case "off":
      return { text: "live off", cls: "off", title: "This server has no live endpoint" };
    case "unauthorized":
      return { text: "offline: sign in again", cls: "bad", title: s.message };
    case "forbidden":
      return { text: "offline: not allowed", cls: "bad", title: s.message };
    case "closed":
      return { text: "offline", cls: "off", title: "Live values stopped" };
  }
}

export function liveFeed(project: string, onRecord: (id: string, rec: HDictJson) => void): LiveFeed {
  const badge = h("span", { class: "hs-live wait", "data-state": "connecting", role: "status" }, "connecting…");
  let current: LiveState = { kind: "connecting" };
  const paint = () => {
    const l = label(current, Date.now());
    badge.textContent = l.text;
    badge.title = l.title;
    badge.className = `hs-live ${l.cls}`;
    badge.dataset.state = current.kind;
  };
  // The countdown needs a tick; cheap enough to run while the view is open.
  const tick = setInterval(() => current.kind === "reconnecting" && paint(), 1000);
  const token = session()?.token;
  let client: LiveClient | undefined;
  if (token) {
    client = liveClient({
      project,
      token,
      onRows: (rows: readonly LiveRow[]) => {
        for (const r of rows) {
          const id = refId(r.id);
          if (id) onRecord(id, r as HDictJson);
        }
      },
      onState: (s) => {
        current = s;
        paint();
      },
      onError: (code, message) => showError({ code, message: `Live values: ${message}` }),
    });
  } else {
    current = { kind: "closed" };
    paint();
  }
  return {
    badge,
    setIds: (ids) => client?.setIds(ids),
    close() {
      clearInterval(tick);
      client?.close();
    },
  };
}
