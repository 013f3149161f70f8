/**
 * The change feed in DO SQLite: one project-wide sequence, and for each entity the sequence of its
 * latest change. The per-entity map is also kept in memory so a watch poll is a map lookup per id.
 */
import type { OnCommit } from "./atomic.ts";
import type { DoSql } from "./sql.ts";

export class DoChanges {
  readonly #sql: DoSql;
  #seq = -1;
  #latest: Map<string, number> | undefined;

  constructor(sql: DoSql) {
    this.#sql = sql;
  }

  cursor(): number {
    if (this.#seq < 0) {
      const row = this.#sql.first<{ value: string }>("SELECT value FROM hayloft_meta WHERE key = 'change_seq'");
      this.#seq = row ? Number(row.value) : 0;
    }
    return this.#seq;
  }

  #map(): Map<string, number> {
    if (!this.#latest) {
      const m = new Map<string, number>();
      for (const r of this.#sql.iterate<{ id: string; seq: number }>("SELECT id, seq FROM changes")) m.set(r.id, r.seq);
      this.#latest = m;
    }
    return this.#latest;
  }

  /** Records one change to each of `ids`; call inside a transaction. */
  bump(ids: readonly string[], onCommit: OnCommit): void {
    if (ids.length === 0) return;
    const seq = this.cursor() + 1;
    this.#sql.run(
      "INSERT INTO hayloft_meta (key, value) VALUES ('change_seq', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      String(seq),
    );
    for (const id of ids) {
      this.#sql.run(
        "INSERT INTO changes (id, seq) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq",
        id,
        seq,
      );
    }
    const map = this.#map();
    onCommit(() => {
      this.#seq = seq;
      for (const id of ids) map.set(id, seq);
    });
  }

  /** The sequence of `id`'s latest change (0 if none is recorded). */
  seqOf(id: string): number {
    return this.#map().get(id) ?? 0;
  }

  changedSince(since: number, ids: readonly string[]): { cursor: number; changed: string[] } {
    const map = this.#map();
    const changed: string[] = [];
    for (const id of ids) if ((map.get(id) ?? 0) > since) changed.push(id);
    return { cursor: this.cursor(), changed };
  }
}
