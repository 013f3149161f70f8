import { describe, expect, it } from "vitest";
import { Frame, key } from "../../test/support/tstorage-frames.ts";
import {
  compareKeys,
  INT32_MAX,
  INT32_MIN,
  INT64_MAX,
  INT64_MIN,
  inBox,
  KEY_MAX,
  KEY_MIN,
  keyEncodingProblem,
  putKeyProblem,
  rangeProblem,
  readKey,
  writeKey,
} from "./key.ts";

describe("keys", () => {
  it("Key.min and Key.max are the spec's values", () => {
    expect(KEY_MIN).toEqual({ cid: 0, mid: INT64_MIN, moid: INT32_MIN, cap: INT64_MIN, acq: INT64_MIN });
    expect(KEY_MAX).toEqual({ cid: INT32_MAX, mid: INT64_MAX, moid: INT32_MAX, cap: INT64_MAX, acq: INT64_MAX });
    expect(INT64_MAX).toBe(9223372036854775807n);
    expect(Object.isFrozen(KEY_MIN) && Object.isFrozen(KEY_MAX)).toBe(true);
  });

  it("writes and reads the 32-byte layout: cid, mid, moid, cap, acq little-endian", () => {
    const k = { cid: 7, mid: -2n, moid: -3, cap: 1n << 62n, acq: INT64_MIN };
    const out = new Uint8Array(32);
    writeKey(new DataView(out.buffer), 0, k);
    expect(out).toEqual(new Frame().key(k).bytes());
    expect(Array.from(out.subarray(0, 4))).toEqual([7, 0, 0, 0]);
    expect(readKey(new DataView(out.buffer), 0)).toEqual(k);
  });

  it("rejects fields outside their wire types but encodes a negative cid", () => {
    expect(keyEncodingProblem(KEY_MAX)).toBeUndefined();
    expect(keyEncodingProblem({ ...KEY_MIN, cid: -1 })).toBeUndefined();
    expect(keyEncodingProblem({ ...KEY_MIN, cid: 2 ** 31 })).toMatch(/cid/);
    expect(keyEncodingProblem({ ...KEY_MIN, cid: 1.5 })).toMatch(/cid/);
    expect(keyEncodingProblem({ ...KEY_MIN, moid: INT32_MIN - 1 })).toMatch(/moid/);
    expect(keyEncodingProblem({ ...KEY_MIN, mid: INT64_MAX + 1n })).toMatch(/mid/);
    expect(keyEncodingProblem({ ...KEY_MIN, cap: INT64_MIN - 1n })).toMatch(/cap/);
    expect(keyEncodingProblem({ ...KEY_MIN, acq: 5 as unknown as bigint })).toMatch(/acq/);
  });

  it("refuses to store negative cids and max-valued fields, allowing acq at max under PUT", () => {
    const ok = key(1, 2, 3, 4, 5);
    expect(putKeyProblem(ok, true)).toBeUndefined();
    expect(putKeyProblem({ ...ok, cid: -1 }, false)).toMatch(/negative/);
    for (const field of ["cid", "mid", "moid", "cap"] as const) {
      expect(putKeyProblem({ ...ok, [field]: KEY_MAX[field] }, false)).toMatch(field);
    }
    expect(putKeyProblem({ ...ok, acq: INT64_MAX }, true)).toMatch(/acq/);
    expect(putKeyProblem({ ...ok, acq: INT64_MAX }, false)).toBeUndefined();
  });

  it("selects a box, not a lexicographic range: 2 records where lexicographic order gives 4", () => {
    const data = [
      key(0, 0, 0, 0, 0),
      key(0, 1, 5, 3, 1),
      key(0, 34, 3, 10, 14),
      key(0, 2, 4, 0, 0),
      key(0, 35, 0, 0, 0),
    ];
    const min = key(0, 0, 0, 0, 0);
    const max = key(1, 35, 4, 11, 15);
    const box = data.filter((k) => inBox(k, min, max));
    const lex = data.filter((k) => compareKeys(min, k) <= 0 && compareKeys(k, max) < 0);
    expect(box).toEqual([key(0, 0, 0, 0, 0), key(0, 34, 3, 10, 14)]);
    expect(lex).toHaveLength(5);
    expect(inBox(max, min, max)).toBe(false);
  });

  it("names refused ranges: reversed, empty in one dimension, negative cid", () => {
    expect(rangeProblem(KEY_MIN, KEY_MAX)).toBeUndefined();
    expect(rangeProblem(KEY_MAX, KEY_MIN)).toMatch(/empty/);
    expect(rangeProblem(key(0, 0, 0, 0, 0), key(1, 1, 1, 0, 1))).toMatch(/cap/);
    expect(rangeProblem({ ...KEY_MIN, cid: -1 }, KEY_MAX)).toMatch(/negative/);
    expect(compareKeys(KEY_MIN, KEY_MAX)).toBe(-1);
    expect(compareKeys(KEY_MAX, KEY_MAX)).toBe(0);
  });
});
