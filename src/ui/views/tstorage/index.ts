/**
 * The TStorage face (`#/{project}/tstorage/{target}?midMin=1001&...`): the project's targets, a
 * key box query through the bridge's GET, and the records in a virtualised table. The bridge's
 * errors (INVARG, INVALID_KEY, unreachable...) go to the banner with their code.
 */
import { h } from "../../app/dom.ts";
import { type Cleanup, link, type Route, replaceQuery } from "../../app/router.ts";
import { clearError } from "../../app/status.ts";
import { virtualTable } from "../../app/table.ts";
import { cellText, count } from "../common/format.ts";
import { guarded, latest } from "../common/guard.ts";
import { fillSideList } from "../common/side-list.ts";
import { FIELDS, getRecords, listTargets, queryString, type TRecord } from "./api.ts";
import { boxForm, type FormState, stateOf } from "./form.ts";

export async function tstorageView(root: HTMLElement, route: Route): Promise<Cleanup> {
  const [project = "", , chosen] = route.parts;
  const runs = latest();
  const side = h("nav", { class: "fx-side", "aria-label": "Targets" }, h("p", { class: "muted" }, "Loading…"));
  const main = h("div", { class: "fx-main" });
  root.append(h("section", { class: "fx" }, side, main));
  const targets = await listTargets(project, new AbortController().signal);
  // One target is the common case: open it rather than ask.
  const target = chosen ?? (targets.length === 1 ? targets[0] : undefined);
  fillSideList(
    side,
    "Targets",
    "fx-targets",
    "No TStorage target is bound to this project.",
    targets.map((t) => ({ href: link([project, "tstorage", t]), on: t === target, label: t })),
  );
  if (!target) {
    main.append(h("p", { class: "muted" }, "Pick a target."));
    return () => runs.stop();
  }
  const table = virtualTable<TRecord>({
    label: "Records",
    height: "max(320px, calc(100vh - 480px))",
    columns: [
      ...FIELDS.map((f) => ({
        key: f,
        title: f,
        width: f === "cap" || f === "acq" ? "minmax(20ch, 1.3fr)" : "minmax(6ch, 0.6fr)",
        align: f === "cap" || f === "acq" ? ("left" as const) : ("right" as const),
        cell: (r: TRecord) => cellText(r[f]),
      })),
      { key: "payload", title: "payload", cell: (r: TRecord) => cellText(r.payload) },
    ],
  });
  const note = h("p", { class: "muted fx-note", id: "fx-records-note" }, "Run a query to see records.");
  const run = (s: FormState) => {
    // The route keeps the box as the form has it, so a reload or a shared link runs it again.
    const q = queryString({ ...s.query, isoTimes: false });
    replaceQuery({ ...Object.fromEntries(q), times: s.query.isoTimes ? undefined : "raw", limit: String(s.limit) });
    const signal = runs.next();
    clearError();
    void guarded(signal, async () => {
      note.textContent = "Reading…";
      try {
        const got = await getRecords(project, target, s.query, s.limit, signal);
        table.setRows(got.records);
        note.textContent = got.truncated
          ? `The first ${count(got.records.length, "record")}: narrow the box or show more.`
          : `${count(got.records.length, "record")}; acq horizon ${got.horizon ?? "—"}.`;
      } catch (e) {
        note.textContent = "The query failed.";
        throw e;
      }
    });
  };
  const initial = stateOf(route.query);
  main.append(
    h("h2", null, target),
    boxForm(initial, run),
    h("section", { class: "card fx-card" }, h("h3", null, "Records"), note, h("div", { id: "fx-records" }, table.el)),
  );
  // A link with a box in it runs at once; a bare target waits for the form.
  if ([...route.query.keys()].some((k) => /(Min|Max)$/.test(k))) run(initial);
  return () => runs.stop();
}
