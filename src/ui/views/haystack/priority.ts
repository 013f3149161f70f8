/**
 * A writable point's priority array (pointWrite with only an id: 17 levels) and, for users who
 * may write, a control to set or release one level. The value is typed per the point's `kind`:
 * a Number in the point's unit, a Bool, or a Str.
 */
import { type HGridJson, haystack } from "../../app/api.ts";
import { fill, h } from "../../app/dom.ts";
import { session } from "../../app/session.ts";
import { attempt } from "../../app/status.ts";
import { type HDictJson, type HJson, valText } from "./hval.ts";

/** Level 8 is the operator's manual override, the one a duration applies to. */
const DEFAULT_LEVEL = 8;
const DURATIONS = ["", "15min", "30min", "1h", "2h", "4h", "8h", "1day"] as const;

function pointWrite(project: string, row: Record<string, HJson>): Promise<HGridJson> {
  return haystack(project, "pointWrite", {
    _kind: "grid",
    meta: { ver: "3.0" },
    cols: Object.keys(row).map((name) => ({ name })),
    rows: [row],
  });
}

/** A duration like `1h` as a JSON v4 Number with its unit. */
function durationJson(text: string): HJson {
  const m = /^(\d+)([a-z]+)$/.exec(text);
  return m ? { _kind: "number", val: Number(m[1]), unit: m[2] as string } : null;
}

/** The typed value of the input for a point of `kind`, or an error message. */
export function parseWriteVal(kind: string, text: string, unit?: string): { val: HJson } | { error: string } {
  const t = text.trim();
  if (kind === "Bool") {
    if (t === "true" || t === "false") return { val: t === "true" };
    return { error: "Pick true or false" };
  }
  if (kind === "Str") return { val: text };
  // A Number: digits with an optional unit, which must be the point's when it has one.
  const m = /^([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S*)$/.exec(t);
  if (!m) return { error: `"${text}" is not a number` };
  const given = m[2] || undefined;
  if (given && unit && given !== unit) return { error: `The point's unit is ${unit}, not ${given}` };
  const u = given ?? unit;
  return { val: u ? { _kind: "number", val: Number(m[1]), unit: u } : Number(m[1]) };
}

export interface PriorityPanel {
  readonly el: HTMLElement;
  reload(): Promise<void>;
}

export function priorityPanel(project: string, id: string, rec: HDictJson): PriorityPanel {
  const kind = typeof rec.kind === "string" ? rec.kind : "Number";
  const unit = typeof rec.unit === "string" ? rec.unit : undefined;
  const body = h("tbody");
  const status = h("span", { class: "hs-write-status", role: "status" });
  const table = h(
    "table",
    { class: "hs-array", id: "hs-array" },
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        h("th", null, "Level"),
        h("th", null, "Name"),
        h("th", null, "Value"),
        h("th", null, "Who"),
        h("th", null, "Expires"),
      ),
    ),
    body,
  );

  const role = session()?.role;
  // The server's pointWrite, reading the array included, needs the operator role.
  const mayRead = role !== "viewer";

  async function reload(): Promise<void> {
    if (!mayRead) return;
    const g = await attempt(() => pointWrite(project, { id: { _kind: "ref", val: id } }));
    if (g) paint(g.rows as HDictJson[]);
  }

  function paint(rows: readonly HDictJson[]): void {
    fill(
      body,
      rows.map((r) => {
        const set = r.val !== undefined && r.val !== null;
        return h(
          "tr",
          { "data-level": valText(r.level), class: set ? "set" : "" },
          h("td", null, valText(r.level)),
          h("td", null, valText(r.levelDis)),
          h("td", { class: "hs-array-val" }, set ? valText(r.val) : "–"),
          h("td", null, valText(r.who)),
          h("td", null, valText(r.expires)),
        );
      }),
    );
  }

  let control: HTMLElement;
  if (!mayRead) {
    control = h("p", { class: "muted" }, "Reading and writing the priority array needs the operator role.");
  } else {
    const level = h(
      "select",
      { id: "hs-level", "aria-label": "Level" },
      Array.from({ length: 17 }, (_, i) =>
        h("option", { value: i + 1, selected: i + 1 === DEFAULT_LEVEL }, String(i + 1)),
      ),
    );
    const value =
      kind === "Bool"
        ? h(
            "select",
            { id: "hs-value", "aria-label": "Value" },
            h("option", { value: "true" }, "true"),
            h("option", { value: "false" }, "false"),
          )
        : h("input", {
            id: "hs-value",
            "aria-label": "Value",
            placeholder: kind === "Number" ? `number${unit ? ` (${unit})` : ""}` : "text",
            inputmode: kind === "Number" ? "decimal" : null,
          });
    const duration = h(
      "select",
      { id: "hs-duration", "aria-label": "Duration (level 8)" },
      DURATIONS.map((d) => h("option", { value: d }, d || "no expiry")),
    );
    const syncDuration = () => {
      duration.disabled = level.value !== String(DEFAULT_LEVEL);
    };
    level.addEventListener("change", syncDuration);
    syncDuration();

    const write = async (val: HJson, what: string) => {
      const row: Record<string, HJson> = {
        id: { _kind: "ref", val: id },
        level: Number(level.value),
        val,
        who: session()?.user ?? "explorer",
      };
      if (level.value === String(DEFAULT_LEVEL) && duration.value && val !== null)
        row.duration = durationJson(duration.value);
      status.textContent = "";
      const g = await attempt(() => pointWrite(project, row));
      if (!g) return;
      paint(g.rows as HDictJson[]);
      status.className = "hs-write-status ok";
      status.textContent = `${what} level ${level.value}`;
    };

    control = h(
      "form",
      {
        class: "hs-write",
        onsubmit: (ev: Event) => {
          ev.preventDefault();
          const parsed = parseWriteVal(kind, value.value, unit);
          if ("error" in parsed) {
            status.className = "hs-write-status bad";
            status.textContent = parsed.error;
            return;
          }
          void write(parsed.val, `Wrote ${valText(parsed.val)} to`);
        },
      },
      h("label", null, "Level ", level),
      h("label", null, "Value ", value),
      h("label", null, "For ", duration),
      h("button", { type: "submit", class: "primary", id: "hs-write" }, "Write"),
      h("button", { type: "button", id: "hs-release", onclick: () => void write(null, "Released") }, "Release"),
      status,
    );
  }

  return {
    el: h(
      "section",
      { class: "hs-priority card" },
      h("h3", null, "Priority array"),
      control,
      mayRead ? h("div", { class: "hs-array-wrap" }, table) : null,
    ),
    reload,
  };
}
