/**
 * The page's shared status: a busy indicator shown for anything that takes longer than a moment,
 * and one error banner that says what went wrong in words plus the API's stable code.
 */
import { byId, fill, h } from "./dom.ts";

/** Below this, work finishes before a spinner would only flicker. */
const SHOW_AFTER_MS = 150;
let running = 0;
let timer: ReturnType<typeof setTimeout> | undefined;

function update(): void {
  const el = byId("busy");
  if (running === 0) {
    clearTimeout(timer);
    timer = undefined;
    el.hidden = true;
    document.body.removeAttribute("aria-busy");
    return;
  }
  document.body.setAttribute("aria-busy", "true");
  timer ??= setTimeout(() => {
    if (running > 0) el.hidden = false;
  }, SHOW_AFTER_MS);
}

/** Counts `p` as running work until it settles. */
export function track<T>(p: Promise<T>): Promise<T> {
  running++;
  update();
  return p.finally(() => {
    running--;
    update();
  });
}

export interface Shown {
  readonly code?: string;
  readonly message: string;
}

/** Shows an error in the banner (and logs it); the code is shown where the API gave one. */
export function showError(err: unknown): void {
  const e = err as Partial<Shown> & { status?: number };
  const message = typeof e?.message === "string" ? e.message : String(err);
  const el = byId("error");
  fill(
    el,
    e?.code ? h("code", { class: "code" }, e.code) : null,
    h("span", { class: "msg" }, message),
    h("button", { class: "close", "aria-label": "Dismiss", onclick: () => clearError() }, "×"),
  );
  el.hidden = false;
  console.error(err);
}

export function clearError(): void {
  const el = byId("error");
  el.hidden = true;
  el.replaceChildren();
}

/** Runs `fn`, showing any error in the banner instead of letting it escape. */
export async function attempt<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    showError(e);
    return undefined;
  }
}
