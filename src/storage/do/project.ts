/**
 * One Haystack project held in a Durable Object: the stores over its SQLite, wired so a removed
 * record takes its history and priority array with it.
 */
import { DoChanges } from "./changes.ts";
import { DoEntities } from "./entities.ts";
import { DoHistory } from "./history.ts";
import { DoPoints } from "./points.ts";
import type { DoSql } from "./sql.ts";

export class DoProject {
  readonly changes: DoChanges;
  readonly entities: DoEntities;
  readonly history: DoHistory;
  readonly points: DoPoints;

  constructor(sql: DoSql) {
    this.changes = new DoChanges(sql);
    this.entities = new DoEntities(sql, this.changes);
    this.history = new DoHistory(sql, this.entities);
    this.points = new DoPoints(sql, this.entities);
    this.entities.onRemove = (id) => {
      this.history.forget(id);
      this.points.forget(id);
    };
  }
}
