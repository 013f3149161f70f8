/** Display helpers shared by the Series, Frames and TStorage views: short, locale-free, sortable. */

/** Epoch ms as `2026-01-05 14:30:00` in the browser's zone, or a dash. */
export function when(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Any JSON value as one line of text for a table cell. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6);
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

/** `1,234 points`, singular when one. */
export function count(n: number, noun: string): string {
  return `${n.toLocaleString("en")} ${noun}${n === 1 ? "" : "s"}`;
}

/** A value of a `datetime-local` input for epoch ms (browser zone, minutes). */
export function toLocalInput(ms: number): string {
  return when(ms).slice(0, 16).replace(" ", "T");
}

/** A `datetime-local` value as epoch ms, or undefined when empty or unreadable. */
export function fromLocalInput(value: string): number | undefined {
  if (value.trim() === "") return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}
