/** Sign in: project, then user + password (SCRAM in the browser) or an API key. */
import { h } from "../app/dom.ts";
import { go, type Route } from "../app/router.ts";
import { signInWithKey, signInWithPassword } from "../app/session.ts";
import { attempt, clearError } from "../app/status.ts";

export function signInView(root: HTMLElement, route: Route): undefined {
  const project = h("input", {
    id: "project",
    name: "project",
    value: route.query.get("project") ?? "demo",
    required: true,
    autocomplete: "off",
    pattern: "[A-Za-z0-9_\\-]+",
  });
  const user = h("input", { id: "user", name: "username", value: "admin", autocomplete: "username" });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password" });
  const key = h("input", {
    id: "apikey",
    name: "apikey",
    type: "password",
    autocomplete: "off",
    placeholder: "hl_...",
  });
  const done = () => go([project.value.trim(), "haystack"]);

  const withPassword = h(
    "form",
    {
      class: "card",
      id: "signin-password",
      onsubmit: (ev) => {
        ev.preventDefault();
        clearError();
        void attempt(async () => {
          await signInWithPassword(project.value.trim(), user.value, password.value);
          password.value = "";
          done();
        });
      },
    },
    h("h2", null, "Sign in"),
    h("label", { for: "user" }, "User"),
    user,
    h("label", { for: "password" }, "Password"),
    password,
    h("button", { type: "submit", class: "primary" }, "Sign in"),
  );
  const withKey = h(
    "form",
    {
      class: "card",
      id: "signin-key",
      onsubmit: (ev) => {
        ev.preventDefault();
        clearError();
        void attempt(async () => {
          await signInWithKey(project.value.trim(), key.value.trim());
          key.value = "";
          done();
        });
      },
    },
    h("h2", null, "Or use an API key"),
    h("label", { for: "apikey" }, "API key"),
    key,
    h("button", { type: "submit" }, "Use key"),
  );
  root.append(
    h(
      "section",
      { class: "signin" },
      h("div", { class: "card" }, h("label", { for: "project" }, "Project"), project),
      withPassword,
      withKey,
    ),
  );
  return undefined;
}
