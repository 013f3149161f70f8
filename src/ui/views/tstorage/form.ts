/**
 * The box query form: a min and a max per key field (half-open, empty = Key.min / Key.max), the
 * payload format, ISO times and how many records to show. Its state is the route's query, so a
 * reload or a shared link runs the same query.
 */
import { h } from "../../app/dom.ts";
import { type BoxQuery, FIELDS } from "./api.ts";

export const LIMITS = [1_000, 10_000, 100_000] as const;

const HINTS: Readonly<Record<string, string>> = {
  cid: "int",
  mid: "int64",
  moid: "int64",
  cap: "RFC 3339 or ns",
  acq: "RFC 3339 or ns",
};

export interface FormState {
  readonly query: BoxQuery;
  readonly limit: number;
}

export function stateOf(q: URLSearchParams): FormState {
  const bounds: Record<string, string> = {};
  for (const f of FIELDS) for (const e of ["Min", "Max"]) bounds[`${f}${e}`] = q.get(`${f}${e}`) ?? "";
  const limit = Number(q.get("limit"));
  return {
    query: { bounds, format: q.get("format") ?? "<d?", isoTimes: q.get("times") !== "raw" },
    limit: (LIMITS as readonly number[]).includes(limit) ? limit : LIMITS[0],
  };
}

export function boxForm(initial: FormState, onRun: (s: FormState) => void): HTMLFormElement {
  const inputs = new Map<string, HTMLInputElement>();
  const rows = FIELDS.map((f) => {
    const pair = (["Min", "Max"] as const).map((e) => {
      const input = h("input", {
        name: `${f}${e}`,
        id: `fx-${f}${e}`,
        value: initial.query.bounds[`${f}${e}`] ?? "",
        placeholder: `${e === "Min" ? "from" : "below"} (${HINTS[f]})`,
        "aria-label": `${f} ${e === "Min" ? "min" : "max"}`,
        autocomplete: "off",
      });
      inputs.set(`${f}${e}`, input);
      return input;
    });
    return h(
      "div",
      { class: "fx-range" },
      h("span", { class: "fx-range-name mono" }, f),
      pair[0],
      h("span", null, "to"),
      pair[1],
    );
  });
  const format = h("input", {
    name: "format",
    id: "fx-format",
    value: initial.query.format,
    placeholder: "base64",
    "aria-label": "Payload format",
  });
  const iso = h("input", { type: "checkbox", name: "iso", id: "fx-iso", checked: initial.query.isoTimes });
  const limit = h(
    "select",
    { id: "fx-limit", "aria-label": "Records to show" },
    LIMITS.map((n) => h("option", { value: n, selected: n === initial.limit }, `first ${n.toLocaleString("en")}`)),
  );
  return h(
    "form",
    {
      class: "card fx-card fx-box",
      id: "fx-box",
      onsubmit: (ev) => {
        ev.preventDefault();
        const bounds = Object.fromEntries([...inputs].map(([k, i]) => [k, i.value.trim()]));
        onRun({ query: { bounds, format: format.value, isoTimes: iso.checked }, limit: Number(limit.value) });
      },
    },
    h("h3", null, "Key box ", h("span", { class: "muted" }, "(each range half-open: min ≤ key < max)")),
    rows,
    h(
      "div",
      { class: "fx-range" },
      h("label", null, "Payload format ", format),
      h("label", null, iso, " ISO times"),
      limit,
      h("button", { type: "submit", class: "primary" }, "Run query"),
    ),
  );
}
