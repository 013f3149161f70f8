import { decompressFrameSync } from "lz4-napi";
import { describe, expect, it } from "vitest";
import { EMPTY_LZ4_FRAME } from "./lz4-empty.ts";

describe("EMPTY_LZ4_FRAME", () => {
  it("is a valid LZ4 frame of nothing (lz4-napi checks the header checksum)", () => {
    expect(decompressFrameSync(Buffer.from(EMPTY_LZ4_FRAME)).length).toBe(0);
    const corrupt = Buffer.from(EMPTY_LZ4_FRAME);
    corrupt[6] = 0x83;
    expect(() => decompressFrameSync(corrupt)).toThrow(/Checksum/i);
  });
});
