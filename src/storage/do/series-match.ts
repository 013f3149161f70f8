/**
 * Partial keys in DO SQLite. A key is stored as the JSON text of its values (series/model.ts
 * keyText); position `pos` matches by JSON type and value, so `true` never matches 1 nor "true"
 * (json_extract alone gives 1 for true). Three parameters an entry at most, and
 * MAX_MATCH_ENTRIES (rules/series-plan.ts) bounds the entries: well under the 100 a statement
 * may bind.
 */
import type { KeyMatch } from "../../series/model.ts";
import { checkMatch } from "../rules/series-plan.ts";
import type { SqlValue } from "./sql.ts";

export interface Where {
  readonly sql: string;
  readonly params: SqlValue[];
}

/** `AND ...` conditions on the key column `col` (our own identifier, never input). */
export function matchWhere(match: KeyMatch, col = "key"): Where {
  checkMatch(match);
  const parts: string[] = [];
  const params: SqlValue[] = [];
  for (const { pos, value } of match) {
    const path = `$[${pos}]`;
    if (typeof value === "boolean") {
      parts.push(`json_type(${col}, ?) = ?`);
      params.push(path, value ? "true" : "false");
    } else if (typeof value === "string") {
      parts.push(`(json_type(${col}, ?) = 'text' AND json_extract(${col}, ?) = ?)`);
      params.push(path, path, value);
    } else {
      parts.push(`(json_type(${col}, ?) IN ('integer', 'real') AND json_extract(${col}, ?) = ?)`);
      params.push(path, path, value);
    }
  }
  return { sql: parts.map((p) => ` AND ${p}`).join(""), params };
}
