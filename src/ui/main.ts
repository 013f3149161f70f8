/** The explorer: one page, hash routes, one view at a time. */
import { configureApi } from "./app/api.ts";
import { byId, fill, h } from "./app/dom.ts";
import { type Cleanup, currentRoute, go, link, type View } from "./app/router.ts";
import { session, signOut } from "./app/session.ts";
import { attempt, clearError, showError } from "./app/status.ts";
import { framesView } from "./views/frames/index.ts";
import { haystackView } from "./views/haystack/index.ts";
import { seriesView } from "./views/series/index.ts";
import { signInView } from "./views/signin.ts";
import { tstorageView } from "./views/tstorage/index.ts";

/** Faces by their route segment, in menu order. */
const FACES: readonly { readonly id: string; readonly title: string; readonly view: View }[] = [
  { id: "haystack", title: "Haystack", view: haystackView },
  { id: "series", title: "Series", view: seriesView },
  { id: "frames", title: "Frames", view: framesView },
  { id: "tstorage", title: "TStorage", view: tstorageView },
];

configureApi({
  token: () => session()?.token,
  unauthorized: () => {
    // The token ran out or was revoked: back to sign-in, keeping where the user was.
    signOut();
    renderChrome();
  },
});

let cleanup: Cleanup | undefined;
let generation = 0;

function renderChrome(): void {
  const s = session();
  const project = s?.project;
  fill(
    byId("faces"),
    project ? FACES.map((f) => h("a", { href: link([project, f.id]), "data-face": f.id }, f.title)) : null,
  );
  fill(
    byId("who"),
    s
      ? [
          h("span", { class: "user" }, s.user),
          s.role === "unknown" ? null : h("span", { class: "role" }, s.role),
          h("span", { class: "project" }, s.project),
          h(
            "button",
            {
              class: "link",
              onclick: () => {
                signOut();
                go(["signin"]);
                renderChrome();
              },
            },
            "Sign out",
          ),
        ]
      : null,
  );
}

async function render(): Promise<void> {
  const mine = ++generation;
  cleanup?.();
  cleanup = undefined;
  clearError();
  renderChrome();
  const route = currentRoute();
  const root = byId("view");
  const s = session();
  const [project, faceId] = route.parts;
  if (!s || route.parts[0] === "signin" || project === undefined) {
    if (s && project === undefined) return go([s.project, "haystack"]);
    fill(root);
    await attempt(async () => void (await signInView(root, route)));
    return;
  }
  if (project !== s.project) {
    // A token is for one project: sign in again for another.
    return go(["signin"], { project });
  }
  const face = FACES.find((f) => f.id === faceId);
  if (!face) return go([project, "haystack"]);
  for (const a of byId("faces").querySelectorAll("a")) a.classList.toggle("on", a.dataset.face === face.id);
  fill(root);
  try {
    const c = await face.view(root, route);
    if (mine === generation) cleanup = c ?? undefined;
    else c?.();
  } catch (e) {
    showError(e);
  }
}

window.addEventListener("hashchange", () => void render());
window.addEventListener("unhandledrejection", (ev) => showError(ev.reason));
void render();
