import { SCHEMA } from "./schema.ts";
import type { DoSql } from "./sql.ts";

/**
 * Brings an object's schema up to date, each step atomic with its version row; returns the
 * version. Step 1 of every schema must create `hayloft_meta`.
 */
export function migrate(sql: DoSql, schema: readonly (readonly string[])[] = SCHEMA): number {
  const fresh = !sql.first("SELECT 1 AS one FROM sqlite_master WHERE type = 'table' AND name = 'hayloft_meta'");
  const row = fresh
    ? undefined
    : sql.first<{ value: string }>("SELECT value FROM hayloft_meta WHERE key = 'schema_version'");
  let version = row ? Number(row.value) : 0;
  if (version > schema.length) {
    throw new Error(`Stored schema version ${version} is newer than this build's ${schema.length}: refusing to run`);
  }
  for (; version < schema.length; version++) {
    const step = schema[version] ?? [];
    sql.transaction(() => {
      for (const statement of step) sql.run(statement);
      sql.run(
        "INSERT INTO hayloft_meta (key, value) VALUES ('schema_version', ?) " +
          "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        String(version + 1),
      );
    });
  }
  return version;
}
