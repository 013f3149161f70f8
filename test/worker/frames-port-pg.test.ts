import { afterAll, inject } from "vitest";
import { openPg } from "../../src/storage/postgres/connect.ts";
import { pgFramesPort } from "../../src/storage/postgres/frames.ts";
import { runFramesPortContract } from "../contract/frames/index.ts";

// Postgres through the Neon driver (real database, via the local WebSocket stand-in); every case
// gets a fresh collection of a fresh project in the run's database.
const { pool } = openPg(inject("pg"));
afterAll(() => pool.end());

runFramesPortContract("postgres", () => pgFramesPort(pool, `c-${crypto.randomUUID()}`, "coll"));
