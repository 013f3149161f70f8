import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";

describe("smoke", () => {
  it("about", async () => {
    const r = await SELF.fetch("http://x/api/p1/about");
    console.log(r.status, await r.text());
    const add = await SELF.fetch("http://x/api/p1/commit", {
      method: "POST",
      headers: { "content-type": "text/zinc" },
      body: 'ver:"3.0" commit:"add"\nid,dis,point,his,tz,kind,unit,writable\n@p1,"P1",M,M,"New_York","Number","kW",M\n',
    });
    console.log(add.status, await add.text());
    const w = await SELF.fetch("http://x/api/p1/hisWrite", {
      method: "POST",
      headers: { "content-type": "text/zinc" },
      body: 'ver:"3.0" id:@p1\nts,val\n2024-01-01T00:00:00-05:00 New_York,1kW\n2024-01-01T01:00:00-05:00 New_York,2kW\n',
    });
    console.log(w.status, await w.text());
    const rd = await SELF.fetch("http://x/api/p1/hisRead?id=@p1&range=2024-01-01");
    console.log(rd.status, await rd.text());
    const rr = await SELF.fetch("http://x/api/p1/read?filter=point");
    console.log(rr.status, await rr.text());
    expect(r.status).toBe(200);
  });
});
