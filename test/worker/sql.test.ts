import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ProjectObject } from "../../src/durable/project.ts";
import { DoSql, MAX_BOUND_PARAMS, SqlError } from "../../src/storage/do/sql.ts";

function withSql<R>(name: string, fn: (sql: DoSql) => R): Promise<R> {
  return runInDurableObject(env.PROJECT.getByName(name), (_o: ProjectObject, state) => fn(new DoSql(state.storage)));
}

describe("DoSql", () => {
  it("binds values and reads rows back", async () => {
    const rows = await withSql("sql-rows", (sql) => {
      sql.run("CREATE TABLE t (k TEXT PRIMARY KEY, v REAL) STRICT");
      const inserted = sql.all("INSERT INTO t VALUES (?, ?), (?, ?) RETURNING k", "a", 1.5, "b", 2);
      return {
        inserted: inserted.length,
        all: sql.all("SELECT k, v FROM t ORDER BY k"),
        none: sql.first("SELECT k FROM t WHERE k = ?", "z"),
      };
    });
    expect(rows).toEqual({
      inserted: 2,
      all: [
        { k: "a", v: 1.5 },
        { k: "b", v: 2 },
      ],
      none: undefined,
    });
  });

  it("attaches the query text to errors", async () => {
    const err = await withSql("sql-error", (sql) => {
      try {
        sql.run("SELECT * FROM no_such_table");
      } catch (e) {
        return e;
      }
    });
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).query).toBe("SELECT * FROM no_such_table");
    expect((err as SqlError).message).toContain("no_such_table");
  });

  it("refuses more bound parameters than DO SQLite allows", async () => {
    const message = await withSql("sql-limit", (sql) => {
      const params = Array.from({ length: MAX_BOUND_PARAMS + 1 }, (_, i) => i);
      try {
        sql.all(`SELECT ${params.map(() => "?").join(", ")}`, ...params);
      } catch (e) {
        return e instanceof SqlError ? e.message : "not a SqlError";
      }
      return "no error";
    });
    expect(message).toContain("exceed the DO SQLite limit of 100");
  });

  it("rolls a transaction back when it throws", async () => {
    const count = await withSql("sql-tx", (sql) => {
      sql.run("CREATE TABLE t (k TEXT PRIMARY KEY) STRICT");
      expect(() =>
        sql.transaction(() => {
          sql.run("INSERT INTO t VALUES (?)", "a");
          sql.run("INSERT INTO t VALUES (?)", "a");
        }),
      ).toThrow(SqlError);
      return sql.first<{ n: number }>("SELECT count(*) AS n FROM t")?.n;
    });
    expect(count).toBe(0);
  });
});
