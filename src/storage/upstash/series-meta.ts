/**
 * A store's counters (`meta`, series-keys.ts): the change sequence, the last commit's time, and a
 * revision bumped by changes that take neither (sources, drops). Every change of the store
 * rewrites this one key, so a program that expects its text unchanged runs only when nothing
 * committed since it was read: that is how writes to a store are serialised (series-write.ts).
 */
export interface Meta {
  /** The seq of the store's last commit (0 before any). */
  readonly seq: number;
  /** The last commit's time in µs (0 before any): the next one is later (rules/series-plan.ts commitUs). */
  readonly lastUs: number;
  readonly rev: number;
}

export const NO_META: Meta = { seq: 0, lastUs: 0, rev: 0 };

/** The counters from the key's text (null: never written). */
export function parseMeta(text: string | null): Meta {
  return text === null ? NO_META : (JSON.parse(text) as Meta);
}

export function metaText(m: Meta): string {
  return JSON.stringify({ seq: m.seq, lastUs: m.lastUs, rev: m.rev });
}
