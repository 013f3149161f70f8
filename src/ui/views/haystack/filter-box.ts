/**
 * The filter form: the filter is parsed in the browser with the server's own parser first, so a
 * syntax error is shown under the character it is at before any request is made.
 */
import { ParseError } from "../../../haystack/errors.ts";
import { parseFilter } from "../../../haystack/filter/index.ts";
import { fill, h } from "../../app/dom.ts";

export interface FilterSubmit {
  readonly filter: string;
  /** Undefined: the server's default limit. */
  readonly limit?: number;
}

export interface FilterBox {
  readonly el: HTMLElement;
  /** Shows a parse error at its offset; undefined clears it. */
  showSyntax(text: string, err: ParseError | undefined): void;
}

/** The parse error of `text`, or undefined when it parses. */
export function filterError(text: string): ParseError | undefined {
  try {
    parseFilter(text);
    return undefined;
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
}

/** The message without the `[line 1, column 5]` suffix (the caret shows where). */
function bareMessage(e: ParseError): string {
  return e.message.replace(/\s*\[line \d+, column \d+\]$/, "");
}

export function filterBox(initial: FilterSubmit, onSubmit: (f: FilterSubmit) => void, extra?: Node): FilterBox {
  const input = h("input", {
    id: "hs-filter",
    type: "search",
    value: initial.filter,
    "aria-label": "Filter",
    placeholder: "point and his",
    spellcheck: "false",
    autocomplete: "off",
  });
  const limit = h("input", {
    id: "hs-limit",
    type: "number",
    min: 1,
    step: 1,
    value: initial.limit ?? "",
    placeholder: "limit",
    "aria-label": "Limit",
  });
  const syntax = h("div", { id: "hs-filter-error", class: "hs-syntax", role: "alert", hidden: true });
  const box: FilterBox = {
    el: h(
      "form",
      {
        class: "hs-filter",
        onsubmit: (ev: Event) => {
          ev.preventDefault();
          const text = input.value.trim();
          const err = filterError(text);
          box.showSyntax(text, err);
          if (err) return;
          const n = Number(limit.value);
          onSubmit({ filter: text, limit: limit.value && Number.isInteger(n) && n > 0 ? n : undefined });
        },
      },
      h(
        "div",
        { class: "hs-filter-row" },
        input,
        limit,
        h("button", { type: "submit", class: "primary" }, "Read"),
        extra,
      ),
      syntax,
    ),
    showSyntax(text, err) {
      if (!err) {
        syntax.hidden = true;
        syntax.replaceChildren();
        input.removeAttribute("aria-invalid");
        return;
      }
      // The filter is one line; the caret sits under the offending character (past the end
      // when the input simply stopped).
      const at = Math.min(Math.max(0, err.offset), text.length);
      fill(
        syntax,
        h(
          "pre",
          { class: "hs-src" },
          text.slice(0, at),
          h("mark", { class: "hs-bad", "data-offset": at }, text.slice(at, at + 1) || " "),
          text.slice(at + 1),
          "\n",
          `${" ".repeat(at)}^`,
        ),
        h("div", { class: "hs-msg" }, `${bareMessage(err)} (column ${err.column})`),
      );
      syntax.hidden = false;
      input.setAttribute("aria-invalid", "true");
    },
  };
  return box;
}
