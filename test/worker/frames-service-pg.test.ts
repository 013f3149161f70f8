import { afterAll, inject } from "vitest";
import { openPg } from "../../src/storage/postgres/connect.ts";
import { pgFramesPort } from "../../src/storage/postgres/frames.ts";
import { runFramesServiceContract } from "../contract/frames-service/index.ts";

// The frames service on Postgres through the Neon driver: each case a fresh project's collection.
const { pool } = openPg(inject("pg"));
afterAll(() => pool.end());

runFramesServiceContract("postgres", () => pgFramesPort(pool, `c-${crypto.randomUUID()}`, "coll"));
