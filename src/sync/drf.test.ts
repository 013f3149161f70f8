import { describe, expect, it } from "vitest";
import { drfString, pageLinks, pageUrl, quotePlus, withQueryParam } from "./drf.ts";

const BASE = "http://127.0.0.1:8901/api/ts/updates/";
const SINCE = "since=2000-01-01T00%3A00%3A00%2B01%3A00";

describe("DRF limit/offset links", () => {
  it("re-encodes and sorts the request's parameters, as the captures show", () => {
    // 01_full_sync: the first request, then the page at offset 8.
    expect(pageLinks(`${BASE}?${SINCE}&limit=8`, 8, 0, 30)).toEqual({
      next: `${BASE}?limit=8&offset=8&${SINCE}`,
      previous: null,
    });
    expect(pageLinks(`${BASE}?limit=8&offset=8&${SINCE}`, 8, 8, 30)).toEqual({
      next: `${BASE}?limit=8&offset=16&${SINCE}`,
      previous: `${BASE}?limit=8&${SINCE}`,
    });
    expect(pageLinks(`${BASE}?limit=8&offset=24&${SINCE}`, 8, 24, 30)).toEqual({
      next: null,
      previous: `${BASE}?limit=8&offset=16&${SINCE}`,
    });
  });

  it("keeps filters, blank values and repeated names; decodes + as space; keeps bad escapes", () => {
    expect(pageUrl(`${BASE}?since=x&kind=a+b&kind=c&empty=&flag&limit=3`, 3, 3)).toBe(
      `${BASE}?empty=&flag=&kind=a+b&kind=c&limit=3&offset=3&since=x`,
    );
    expect(pageUrl(`${BASE}?q=%zz%41%C3%A9`, 1, 0)).toBe(`${BASE}?limit=1&q=%25zzA%C3%A9`);
  });

  it("takes the request's URL object as a route has it (an undecoded + in since is a space to Django too)", () => {
    const url = new URL(`${BASE}?since=2000-01-01T00:00:00+01:00&limit=8`);
    expect(pageLinks(url, 8, 0, 9).next).toBe(`${BASE}?limit=8&offset=8&since=2000-01-01T00%3A00%3A00+01%3A00`);
  });

  it("sends a previous page of offset 0 or less without offset", () => {
    expect(pageUrl(`${BASE}?offset=5&limit=8`, 8, -3)).toBe(`${BASE}?limit=8`);
  });

  it("keeps a fragment and sets one parameter without touching the path", () => {
    expect(withQueryParam("http://h/a%20b/?x=1#f", "y", "2")).toBe("http://h/a%20b/?x=1&y=2#f");
    expect(withQueryParam("http://h/p/?x=1", "x", null)).toBe("http://h/p/");
  });
});

describe("quotePlus / drfString", () => {
  it("encodes like Python's quote_plus", () => {
    expect(quotePlus("2000-01-01T00:00:00+01:00")).toBe("2000-01-01T00%3A00%3A00%2B01%3A00");
    expect(quotePlus("a b/c~d_e.f-g!*'()é")).toBe("a+b%2Fc~d_e.f-g%21%2A%27%28%29%C3%A9");
  });

  it("writes strings like DRF's JSONRenderer", () => {
    expect(drfString('é "q" \n \u2028 \u2029 \u0001')).toBe('"é \\"q\\" \\n \\u2028 \\u2029 \\u0001"');
  });
});
