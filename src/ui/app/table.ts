/**
 * A virtualised table: only the rows in view (plus a margin) are in the DOM, so 100k rows scroll
 * as smoothly as 100. Rows have one fixed height; columns size to the header or a given width.
 * Cells are text: render functions return a string, or a Node for links and badges.
 */
import { h } from "./dom.ts";

export interface Column<R> {
  readonly key: string;
  readonly title: string;
  /** CSS width, e.g. "12ch" or "160px"; default shares the rest. */
  readonly width?: string;
  readonly cell: (row: R, index: number) => string | Node;
  readonly align?: "left" | "right";
}

export interface TableOptions<R> {
  readonly columns: readonly Column<R>[];
  /** Called when a row is clicked or activated with Enter. */
  readonly onOpen?: (row: R, index: number) => void;
  /** Pixel height of the scrolling area; default fills most of the window. */
  readonly height?: string;
  readonly label?: string;
}

export interface VirtualTable<R> {
  readonly el: HTMLElement;
  setRows(rows: readonly R[]): void;
  /** Redraws rows in view (after their data changed in place, e.g. a live value). */
  refresh(): void;
  readonly rowCount: number;
}

const ROW_PX = 28;
/** Rows drawn beyond each edge of the view, so fast scrolling shows no blank band. */
const OVERSCAN = 12;

export function virtualTable<R>(opts: TableOptions<R>): VirtualTable<R> {
  let rows: readonly R[] = [];
  const template = opts.columns.map((c) => c.width ?? "minmax(8ch, 1fr)").join(" ");
  const head = h(
    "div",
    { class: "vt-head", role: "row" },
    opts.columns.map((c) =>
      h("div", { class: `vt-cell ${c.align === "right" ? "r" : ""}`, role: "columnheader" }, c.title),
    ),
  );
  head.style.gridTemplateColumns = template;
  const spacer = h("div", { class: "vt-spacer" });
  const body = h("div", { class: "vt-rows", role: "rowgroup" });
  const scroller = h("div", { class: "vt-scroll", tabindex: 0 }, spacer, body);
  scroller.style.height = opts.height ?? "calc(100vh - 240px)";
  const el = h("div", { class: "vt", role: "table", "aria-label": opts.label ?? "Rows" }, head, scroller);
  const count = h("div", { class: "vt-count muted" });
  el.append(count);

  let drawn = { from: -1, to: -1 };
  function draw(force = false): void {
    const top = scroller.scrollTop;
    const view = scroller.clientHeight || 600;
    const from = Math.max(0, Math.floor(top / ROW_PX) - OVERSCAN);
    const to = Math.min(rows.length, Math.ceil((top + view) / ROW_PX) + OVERSCAN);
    if (!force && from === drawn.from && to === drawn.to) return;
    drawn = { from, to };
    const frag = document.createDocumentFragment();
    for (let i = from; i < to; i++) {
      const row = rows[i] as R;
      const line = h(
        "div",
        { class: "vt-row", role: "row", "data-index": i, tabindex: opts.onOpen ? -1 : null },
        opts.columns.map((c) =>
          h("div", { class: `vt-cell ${c.align === "right" ? "r" : ""}`, role: "cell" }, c.cell(row, i)),
        ),
      );
      line.style.gridTemplateColumns = template;
      line.style.transform = `translateY(${i * ROW_PX}px)`;
      frag.append(line);
    }
    body.replaceChildren(frag);
  }
  let queued = false;
  scroller.addEventListener("scroll", () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      draw();
    });
  });
  new ResizeObserver(() => draw()).observe(scroller);
  const open = (ev: Event) => {
    const line = (ev.target as HTMLElement).closest<HTMLElement>(".vt-row");
    if (!line || !opts.onOpen) return;
    // Links inside cells keep their own behaviour.
    if ((ev.target as HTMLElement).closest("a")) return;
    const i = Number(line.dataset.index);
    opts.onOpen(rows[i] as R, i);
  };
  body.addEventListener("click", open);
  body.addEventListener("keydown", (ev) => {
    if ((ev as KeyboardEvent).key === "Enter") open(ev);
  });

  return {
    el,
    setRows(next) {
      rows = next;
      spacer.style.height = `${rows.length * ROW_PX}px`;
      count.textContent = `${rows.length.toLocaleString()} row${rows.length === 1 ? "" : "s"}`;
      scroller.scrollTop = 0;
      draw(true);
    },
    refresh: () => draw(true),
    get rowCount() {
      return rows.length;
    },
  };
}
