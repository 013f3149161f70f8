import type { DoSql } from "./sql.ts";

/** Registers work to run only once the surrounding transaction has committed. */
export type OnCommit = (effect: () => void) => void;

/**
 * Runs `fn` in one SQLite transaction. In-memory state (entity set, change map) is updated through
 * `onCommit`, so a rolled-back transaction leaves memory and storage agreeing.
 */
export function atomically<T>(sql: DoSql, fn: (onCommit: OnCommit) => T): T {
  const effects: (() => void)[] = [];
  const result = sql.transaction(() => fn((effect) => effects.push(effect)));
  for (const effect of effects) effect();
  return result;
}
