import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readZincGrid } from "../../src/haystack/codec/zinc/index.ts";
import { unwrap } from "../../src/storage/wire.ts";
import { authedFetch } from "../support/auth.ts";

const HOUR = 3_600_000;

describe("demo project", () => {
  it("seeds the building and 14 days of 15-minute history once, then tops up to now", async () => {
    const project = `demo-${crypto.randomUUID().slice(0, 8)}`;
    const stub = env.PROJECT.get(env.PROJECT.idFromName(project));
    const now = Date.now();

    const first = unwrap(await stub.ensureDemo(project, now));
    expect(first.seeded).toBe(true);
    // 1,846 his points x (14 days x 96 + 1) samples, the +1 being the slot at `now` itself.
    expect(first.samples).toBe(1846 * (14 * 96 + 1));

    const again = unwrap(await stub.ensureDemo(project, now));
    expect(again).toEqual({ seeded: false, samples: 0 });

    const later = unwrap(await stub.ensureDemo(project, now + HOUR));
    expect(later.seeded).toBe(false);
    expect(later.samples).toBe(1846 * 4);

    // A removed record comes back on the next start; the others are left as they are.
    const site = readZincGrid(await (await authedFetch(`http://x/api/${project}/read?id=@a-0000`)).text()).rowDict(0);
    const removed = await authedFetch(`http://x/api/${project}/commit`, {
      method: "POST",
      headers: { "content-type": "text/zinc" },
      body: `ver:"3.0" commit:"remove"\nid,mod\n@a-0000,${String(site.get("mod"))}\n`,
    });
    expect(readZincGrid(await removed.text()).meta.has("err")).toBe(false);
    const restored = unwrap(await stub.ensureDemo(project, now + HOUR));
    expect(restored).toEqual({ seeded: true, samples: 0 });

    const read = readZincGrid(
      await (await authedFetch(`http://x/api/${project}/read?filter=point%20and%20his`)).text(),
    );
    expect(read.rows.length).toBe(1846);
    expect(read.meta.has("incomplete")).toBe(false);

    // A writable demo point runs its Manual Override action.
    const act = await authedFetch(`http://x/api/${project}/invokeAction`, {
      method: "POST",
      headers: { "content-type": "text/zinc" },
      body: 'ver:"3.0" id:@a-0002 action:"Manual Override"\nval,duration\n25%,1h\n',
    });
    expect(readZincGrid(await act.text()).meta.has("err")).toBe(false);
    const rec = readZincGrid(await (await authedFetch(`http://x/api/${project}/read?id=@a-0002`)).text()).rowDict(0);
    expect(rec.get("writeLevel")).toBe(8);

    // Every kind of point has a full `yesterday` in its own zone (Denver): 96 samples, or 92/100 on a DST day.
    for (const id of ["a-0002", "a-000c"]) {
      const his = readZincGrid(
        await (await authedFetch(`http://x/api/${project}/hisRead?id=@${id}&range=yesterday`)).text(),
      );
      expect(his.meta.has("err")).toBe(false);
      expect([92, 96, 100]).toContain(his.rows.length);
    }
  }, 60_000);
});
