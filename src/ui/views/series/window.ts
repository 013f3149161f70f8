/**
 * The time window of a series chart: start and end inputs (the browser's zone) and presets that
 * end at the series' last value when it is known (a store's data need not reach today), else now.
 * An empty start or end means "from the first" / "to the last" value.
 */
import { h } from "../../app/dom.ts";
import { fromLocalInput, toLocalInput } from "../common/format.ts";

export interface TimeWindow {
  readonly startMs?: number;
  readonly endMs?: number;
}

const DAY = 86_400_000;
const PRESETS: readonly { readonly id: string; readonly label: string; readonly ms?: number }[] = [
  { id: "day", label: "Last day", ms: DAY },
  { id: "week", label: "Last week", ms: 7 * DAY },
  { id: "month", label: "Last month", ms: 30 * DAY },
  { id: "year", label: "Last year", ms: 365 * DAY },
  { id: "all", label: "All" },
];

export interface WindowControl {
  readonly el: HTMLElement;
  /** Sets the inputs without telling the listener (the caller loads itself). */
  set(w: TimeWindow): void;
  /** The window a preset gives, ending at `anchorMs`. */
  preset(id: string, anchorMs: number): TimeWindow;
}

export function windowControl(onChange: (w: TimeWindow) => void, anchor: () => number): WindowControl {
  const start = h("input", { type: "datetime-local", id: "fx-start", "aria-label": "Start" });
  const end = h("input", { type: "datetime-local", id: "fx-end", "aria-label": "End" });
  const read = (): TimeWindow => {
    const s = fromLocalInput(start.value);
    const e = fromLocalInput(end.value);
    return { ...(s === undefined ? {} : { startMs: s }), ...(e === undefined ? {} : { endMs: e }) };
  };
  const set = (w: TimeWindow) => {
    start.value = w.startMs === undefined ? "" : toLocalInput(w.startMs);
    end.value = w.endMs === undefined ? "" : toLocalInput(w.endMs);
  };
  const preset = (id: string, anchorMs: number): TimeWindow => {
    const p = PRESETS.find((x) => x.id === id);
    // End one minute after the anchor: the inputs have minute precision and the end is inclusive.
    return p?.ms === undefined ? {} : { startMs: anchorMs - p.ms, endMs: anchorMs + 60_000 };
  };
  const el = h(
    "form",
    {
      class: "fx-window",
      onsubmit: (ev) => {
        ev.preventDefault();
        onChange(read());
      },
    },
    h("label", null, "From ", start),
    h("label", null, "to ", end),
    h("button", { type: "submit" }, "Show"),
    h(
      "span",
      { class: "fx-presets" },
      PRESETS.map((p) =>
        h(
          "button",
          {
            type: "button",
            "data-preset": p.id,
            onclick: () => {
              const w = preset(p.id, anchor());
              set(w);
              onChange(w);
            },
          },
          p.label,
        ),
      ),
    ),
  );
  return { el, set, preset };
}
