import { describe, expect, it } from "vitest";
import type { Key } from "../../tstorage/key.ts";
import { structPayload } from "../../tstorage/payload.ts";
import type { GetRecord } from "../../tstorage/response.ts";
import { TStorageError } from "../../tstorage/status.ts";
import { type GetBodyOptions, getBody } from "./records-out.ts";
import { payloadCodec } from "./values.ts";

const key = (mid: bigint): Key => ({ cid: 1, mid, moid: -2, cap: 4321n, acq: 10n });
const typed = structPayload("<d?");
const record = (mid: bigint, v: number): GetRecord => ({ key: key(mid), payload: typed.encode([v, true]) });

async function* windows(parts: GetRecord[][], end: bigint | Error): AsyncGenerator<GetRecord[], bigint> {
  for (const p of parts) yield p;
  if (end instanceof Error) throw end;
  return end;
}

async function text(parts: GetRecord[][], end: bigint | Error, o: Partial<GetBodyOptions> = {}) {
  const it = windows(parts, end);
  const first = await it.next();
  const failures: unknown[] = [];
  const body = getBody(first, it, {
    format: "ndjson",
    codec: payloadCodec("<d?"),
    iso: false,
    failed: (e) => failures.push(e),
    ...o,
  });
  return { text: await new Response(body).text(), failures };
}

describe("getBody", () => {
  it("NDJSON: one record per line, int64 as strings, typed payloads, the horizon last", async () => {
    const { text: t } = await text([[record(1n, 1.5)], [], [record(2n ** 62n, -0.25)]], 99n);
    expect(
      t
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { cid: 1, mid: "1", moid: -2, cap: "4321", acq: "10", payload: [1.5, true] },
      { cid: 1, mid: String(2n ** 62n), moid: -2, cap: "4321", acq: "10", payload: [-0.25, true] },
      { acq: "99" },
    ]);
  });

  it("ISO times on request, base64 without a format", async () => {
    const { text: t } = await text([[record(1n, 1)]], 0n, { iso: true, codec: payloadCodec(undefined) });
    const [r, h] = t
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(r).toMatchObject({ cap: "2001-01-01T00:00:00.000004321Z", acq: "2001-01-01T00:00:00.00000001Z" });
    expect(r.payload).toBe("AAAAAAAA8D8B");
    expect(h).toEqual({ acq: "2001-01-01T00:00:00Z" });
  });

  it("CSV: a header, a column per value, the horizon as a comment line", async () => {
    const { text: t } = await text([[record(1n, 1.5)]], 7n, { format: "csv" });
    expect(t).toBe("cid,mid,moid,cap,acq,v0,v1\n1,1,-2,4321,10,1.5,true\n# acq=7\n");
    const { text: b } = await text([], 7n, { format: "csv", codec: payloadCodec(undefined) });
    expect(b).toBe("cid,mid,moid,cap,acq,payload\n# acq=7\n");
  });

  it("a failure after the first byte ends with an error line and no horizon", async () => {
    const lost = TStorageError.client("DISCONNECTED", "connection lost");
    const { text: t, failures } = await text([[record(1n, 1)], [record(2n, 2)]], lost);
    const lines = t
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[2]).toEqual({ error: { code: "DISCONNECTED", message: "connection lost" } });
    expect(failures).toEqual([lost]);
    const csv = await text([[record(1n, 1)]], lost, { format: "csv" });
    expect(csv.text.trimEnd().split("\n").at(-1)).toBe("# error=DISCONNECTED connection lost");
  });

  it("an unexpected failure says only 'internal'", async () => {
    const { text: t } = await text([[record(1n, 1)]], new Error("secret detail"));
    expect(t).not.toContain("secret");
    expect(JSON.parse(t.trimEnd().split("\n").at(-1) as string)).toEqual({
      error: { code: "internal", message: "Internal error" },
    });
  });

  it("a reader that goes away stops the windows (the client closes its connection on return)", async () => {
    let returned = false;
    const it = (async function* () {
      try {
        for (let i = 0n; ; i++) yield [record(i, 1)];
      } finally {
        returned = true;
      }
    })() as AsyncGenerator<GetRecord[], bigint>;
    const body = getBody(await it.next(), it, {
      format: "ndjson",
      codec: payloadCodec("<d?"),
      iso: false,
      failed: () => {},
    });
    const reader = body.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    expect(returned).toBe(true);
  });
});

describe("errors", () => {
  it("maps TStorage codes to statuses, 503s with Retry-After", async () => {
    const { bridgeProblem } = await import("../errors/tstorage.ts");
    const cases: [number, number][] = [
      [-2, 400],
      [-3, 503],
      [-4, 503],
      [-12, 503],
      [-256, 503],
      [-1, 502],
      [-6, 502],
      [-7, 502],
      [-11, 502],
      [-130, 502],
      [-135, 502],
      [-999, 502],
      [128, 502],
      [129, 400],
      [130, 502],
      [131, 413],
      [133, 400],
    ];
    for (const [status, http] of cases) {
      const p = bridgeProblem(new TStorageError(status, "x"));
      expect([status, p?.status]).toEqual([status, http]);
      expect(p?.headers["retry-after"] !== undefined).toBe(http === 503);
    }
    expect(bridgeProblem(new TStorageError(-3, "x"))?.body.error.code).toBe("RETRY");
    expect(bridgeProblem(new Error("x"))).toBeUndefined();
  });
});
