/** The double's file, its demo seed, and its command line (spawned once). */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_FORMAT, DEMO_METERS, demoRecords } from "../../scripts/tstorage/demo-seed.ts";
import { startDouble } from "../../scripts/tstorage/double.ts";
import { KEY_MAX, KEY_MIN } from "../../src/tstorage/key.ts";
import { StructPayloadType } from "../../src/tstorage/payload.ts";
import { encodeGet, encodeGetAcq, encodePutWhole } from "../../src/tstorage/request.ts";
import { fromUnixMs } from "../../src/tstorage/time.ts";
import { key } from "../support/tstorage-frames.ts";
import { RawClient } from "../support/tstorage-wire.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tstorage-double-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function getAll(port: number) {
  const c = await RawClient.connect(port);
  await c.write(encodeGet(KEY_MIN, KEY_MAX));
  const reply = await c.readGet();
  c.destroy();
  return reply;
}

describe("tstorage double persistence", () => {
  it("reloads what it stored, duplicates and the horizon included", async () => {
    const file = join(dir, "store.bin");
    const first = await startDouble({ persistFile: file });
    const c = await RawClient.connect(first.port);
    const recs = [
      { key: key(1, 1, 1, 1, 5), payload: Uint8Array.of(1, 2, 3) },
      { key: key(1, 1, 1, 1, 5), payload: Uint8Array.of(1, 2, 3) },
      { key: key(2, -7, -1, 9, 6), payload: new Uint8Array(0) },
    ];
    await c.write(encodePutWhole(recs, true));
    await c.read(28);
    c.destroy();
    await first.close();
    // No temporary file is left next to it.
    expect(await readdir(dir)).toEqual(["store.bin"]);

    const second = await startDouble({ persistFile: file });
    expect(second.size()).toBe(3);
    const reply = await getAll(second.port);
    expect(reply.error).toBeUndefined();
    expect(reply.records.map((r) => [r.key, [...r.payload]])).toEqual(recs.map((r) => [r.key, [...r.payload]]));
    await second.close();
  });

  it("saves shortly after a change, without waiting for close", async () => {
    const file = join(dir, "soon.bin");
    const d = await startDouble({ persistFile: file, mode: "real" });
    const c = await RawClient.connect(d.port);
    await c.write(encodePutWhole([{ key: key(3, 1, 1, 1, 0), payload: Uint8Array.of(9) }], false));
    await c.read(28);
    c.destroy();
    await new Promise((r) => setTimeout(r, 1200));
    const bytes = await readFile(file);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe("HLTSDBL1");
    expect(bytes.length).toBe(8 + 8 + 32 + 4 + 1);
    await d.close();
  });

  it("refuses a damaged file instead of starting empty", async () => {
    const file = join(dir, "bad.bin");
    await writeFile(file, "not a double file");
    await expect(startDouble({ persistFile: file })).rejects.toThrow(/not a tstorage double file/);
  });
});

describe("tstorage double demo seed", () => {
  it("holds three meters of 15-minute readings over two days, below the horizon", async () => {
    const now = Date.UTC(2026, 11, 6, 12, 7);
    const seed = demoRecords(now);
    expect(seed).toHaveLength(3 * 192);
    expect(new Set(seed.map((r) => `${r.key.cid}/${r.key.mid}`))).toEqual(
      new Set(DEMO_METERS.map((m) => `${m.cid}/${m.mid}`)),
    );
    const caps = seed.filter((r) => r.key.mid === 1001n).map((r) => r.key.cap);
    expect((caps[1] as bigint) - (caps[0] as bigint)).toBe(15n * 60n * 1_000_000_000n);
    expect(caps.at(-1)).toBeLessThanOrEqual(fromUnixMs(now));
    const type = new StructPayloadType(DEMO_FORMAT);
    const [value, valid] = type.decode(seed[0]?.payload as Uint8Array);
    expect(value).toBeGreaterThan(200);
    expect(typeof valid).toBe("boolean");

    const d = await startDouble({ seed });
    const reply = await getAll(d.port);
    expect(reply.records).toHaveLength(seed.length);
    await d.close();
  });
});

describe("tstorage-double command line", () => {
  it("starts, announces itself, answers, and writes its file on SIGTERM", async () => {
    const file = join(dir, "cli.bin");
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/tstorage-double.ts",
        "--port",
        "0",
        "--mode",
        "real",
        "--seed",
        "demo",
        "--file",
        file,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!/listening on/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const m = /^tstorage double \(real\) listening on 127\.0\.0\.1:(\d+)$/m.exec(out);
      expect(m, out).not.toBeNull();
      const port = Number(m?.[1]);
      const c = await RawClient.connect(port);
      await c.write(encodeGetAcq(KEY_MIN, { ...KEY_MAX, acq: 15n }));
      const reply = await c.read(20);
      expect(new DataView(reply.buffer).getBigInt64(12, true)).toBe(15n);
      c.destroy();
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      const d = await startDouble({ persistFile: file });
      expect(d.size()).toBe(3 * 192);
      await d.close();
    } finally {
      child.kill("SIGKILL");
    }
  });
});
