/**
 * The Workers transport inside workerd. No TStorage server runs beside the workers project, so the
 * byte stream is checked against the test Postgres, which answers an 8-byte SSLRequest with one
 * byte ('S' or 'N') and keeps the connection open.
 */
import { expect, inject, it } from "vitest";
import { TStorageClient } from "../../src/tstorage/client.ts";
import { KEY_MAX, KEY_MIN } from "../../src/tstorage/key.ts";
import { workersConnect } from "../../src/tstorage/transport-workers.ts";

function postgresAddress(): { hostname: string; port: number } {
  const url = new URL(inject("pg").databaseUrl);
  return { hostname: url.hostname, port: Number(url.port || 5432) };
}

it("writes and reads bytes over cloudflare:sockets, and closes twice without error", async () => {
  const t = await workersConnect(postgresAddress());
  const ssl = new DataView(new ArrayBuffer(8));
  ssl.setInt32(0, 8);
  ssl.setInt32(4, 80877103);
  await t.write(new Uint8Array(ssl.buffer));
  const answer = await t.read();
  expect(answer).toBeInstanceOf(Uint8Array);
  expect(["S", "N"]).toContain(String.fromCharCode(answer?.[0] ?? 0));
  await t.close();
  await t.close();
});

it("rejects at connect when nothing listens", async () => {
  await expect(workersConnect({ hostname: "127.0.0.1", port: 1 })).rejects.toThrow();
});

it("a client over it reports a server that speaks something else as an error, not a hang", async () => {
  // Postgres reads our 76-byte GET as a startup packet of absurd length and closes or answers an
  // error: either way the client must fail with a TStorageError and close.
  const client = new TStorageClient(workersConnect, postgresAddress(), { readTimeoutMs: 5000 });
  await expect(client.get(KEY_MIN, KEY_MAX)).rejects.toMatchObject({ name: "TStorageError" });
  await client.close();
});
