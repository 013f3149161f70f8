import { expect, inject, it } from "vitest";
import { openPg } from "../../src/storage/postgres/connect.ts";

it("reaches the migrated test database from workerd through the Neon driver", async () => {
  const { pool } = openPg(inject("pg"));
  const r = await pool.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'history'");
  expect(r.rows[0].n).toBe(1);
  await pool.end();
});
