/**
 * The points picked for a chart: kept for the tab (sessionStorage) so the table's checkboxes, the
 * record view's "Add to chart" and the chart view all see one list.
 */
const KEY = "hayloft.haystack.chart";
/** More lines than this are unreadable on one chart (and each is one rollup read). */
export const MAX_CHART_POINTS = 8;

export function chartIds(): string[] {
  try {
    const v = JSON.parse(sessionStorage.getItem(KEY) ?? "[]") as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string").slice(0, MAX_CHART_POINTS) : [];
  } catch {
    return [];
  }
}

export function setChartIds(ids: Iterable<string>): string[] {
  const list = [...new Set(ids)].slice(0, MAX_CHART_POINTS);
  sessionStorage.setItem(KEY, JSON.stringify(list));
  return list;
}
