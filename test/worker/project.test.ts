import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type ProjectObject, SCHEMA_VERSION } from "../../src/durable/project.ts";

describe("ProjectObject", () => {
  it("creates its schema at start and answers its version", async () => {
    const stub = env.PROJECT.getByName("demo");
    const res = await stub.fetch("http://project/schema");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ version: SCHEMA_VERSION });
  });

  it("keeps the schema version as a row", async () => {
    const stub = env.PROJECT.getByName("ledger");
    const stored = await runInDurableObject(stub, (_instance: ProjectObject, state) =>
      state.storage.sql.exec<{ value: string }>("SELECT value FROM hayloft_meta WHERE key = 'schema_version'").one(),
    );
    expect(stored.value).toBe(String(SCHEMA_VERSION));
  });

  it("answers 404 on an unknown internal route", async () => {
    const res = await env.PROJECT.getByName("demo").fetch("http://project/nope");
    expect(res.status).toBe(404);
  });
});
