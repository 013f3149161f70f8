import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { errorCode as code } from "../../../test/support/errors.ts";
import { HNumber, num } from "../kinds/number.ts";
import { MARKER } from "../kinds/singletons.ts";
import type { PointVal } from "./json.ts";
import {
  DEFAULT_LEVEL,
  EMPTY_PRIORITY_ARRAY,
  effective,
  expire,
  LEVEL_COUNT,
  LEVEL_DIS,
  nextExpiry,
  type PriorityArray,
  priorityFromJson,
  priorityToJson,
  toRows,
  write,
} from "./priority.ts";

const NOW = Date.UTC(2024, 0, 1, 12);
const HOUR = 3_600_000;

function w(arr: PriorityArray, level: number, val: PointVal, extra: { who?: string; durationMs?: number } = {}) {
  return write(arr, {
    level,
    val,
    who: extra.who ?? "test",
    nowMs: NOW,
    ...(extra.durationMs ? { durationMs: extra.durationMs } : {}),
  });
}

describe("levels", () => {
  it("has haxall's 17 display names", () => {
    expect(LEVEL_COUNT).toBe(17);
    expect(LEVEL_DIS).toHaveLength(17);
    expect(LEVEL_DIS[0]).toBe("1 (emergency)");
    expect(LEVEL_DIS[7]).toBe("8 (manual)");
    expect(LEVEL_DIS[15]).toBe("16");
    expect(LEVEL_DIS[16]).toBe("def");
    expect(LEVEL_DIS[DEFAULT_LEVEL - 1]).toBe("def");
  });
});

describe("write / effective", () => {
  it("is empty at first", () => {
    expect(effective(EMPTY_PRIORITY_ARRAY, NOW)).toBeNull();
    expect(nextExpiry(EMPTY_PRIORITY_ARRAY)).toBeUndefined();
  });

  it("takes the lowest-numbered occupied level", () => {
    let a = w(EMPTY_PRIORITY_ARRAY, 17, num(70, "°F"));
    expect(effective(a, NOW)).toEqual({ val: num(70, "°F"), level: 17 });
    a = w(a, 16, num(72, "°F"));
    expect(effective(a, NOW)).toEqual({ val: num(72, "°F"), level: 16 });
    a = w(a, 8, num(65, "°F"));
    a = w(a, 10, num(99, "°F"));
    expect(effective(a, NOW)).toEqual({ val: num(65, "°F"), level: 8 });
    a = w(a, 1, num(50, "°F"));
    expect(effective(a, NOW)?.level).toBe(1);
  });

  it("releases a level with null and falls back", () => {
    let a = w(EMPTY_PRIORITY_ARRAY, 17, false);
    a = w(a, 8, true);
    expect(effective(a, NOW)).toEqual({ val: true, level: 8 });
    a = w(a, 8, null);
    expect(effective(a, NOW)).toEqual({ val: false, level: 17 });
    a = w(a, 17, null);
    expect(effective(a, NOW)).toBeNull();
    expect(a.levels.every((e) => e === null)).toBe(true);
  });

  it("never mutates its input, and returns the same object when nothing changes", () => {
    const a = w(EMPTY_PRIORITY_ARRAY, 16, "auto", { who: "alice" });
    const before = JSON.stringify(priorityToJson(a));
    const b = w(a, 16, "manual", { who: "bob" });
    expect(JSON.stringify(priorityToJson(a))).toBe(before);
    expect(b).not.toBe(a);
    expect(w(a, 16, "auto", { who: "alice" })).toBe(a);
    expect(w(a, 3, null)).toBe(a);
    expect(w(a, 16, "auto", { who: "carol" })).not.toBe(a);
    expect(Object.isFrozen(b.levels)).toBe(true);
    expect(EMPTY_PRIORITY_ARRAY.levels.every((e) => e === null)).toBe(true);
  });

  it("agrees with a simple model on random write sequences (property)", () => {
    const valArb = fc.oneof(fc.constant(null), fc.boolean(), fc.string({ maxLength: 3 }), fc.integer());
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 17 }), valArb), { maxLength: 40 }), (ops) => {
        const model = new Map<number, PointVal>();
        let a = EMPTY_PRIORITY_ARRAY;
        for (const [level, val] of ops) {
          a = w(a, level, val);
          if (val === null) model.delete(level);
          else model.set(level, val);
        }
        const lowest = [...model.keys()].sort((x, y) => x - y)[0];
        const eff = effective(a, NOW);
        if (lowest === undefined) expect(eff).toBeNull();
        else expect(eff).toEqual({ val: model.get(lowest), level: lowest });
      }),
    );
  });
});

describe("timed override", () => {
  it("expires at exactly now + duration", () => {
    let a = w(EMPTY_PRIORITY_ARRAY, 17, num(70));
    a = w(a, 8, num(60), { durationMs: HOUR, who: "op" });
    const at = NOW + HOUR;
    expect(nextExpiry(a)).toBe(at);
    expect(effective(a, at - 1)).toEqual({ val: 60, level: 8 });
    expect(effective(a, at)).toEqual({ val: 70, level: 17 });
    expect(expire(a, at - 1)).toEqual({ arr: a, changed: false });
    expect(expire(a, at - 1).arr).toBe(a);
    const { arr, changed } = expire(a, at);
    expect(changed).toBe(true);
    expect(arr.levels[7]).toBeNull();
    expect(arr.levels[16]).toEqual({ val: 70, who: "test" });
    expect(nextExpiry(arr)).toBeUndefined();
    expect(expire(arr, at + 1).changed).toBe(false);
  });

  it("a write at level 8 without duration is permanent and a re-write renews", () => {
    let a = w(EMPTY_PRIORITY_ARRAY, 8, "x", { durationMs: HOUR });
    a = w(a, 8, "x");
    expect(nextExpiry(a)).toBeUndefined();
    expect(effective(a, NOW + 100 * HOUR)?.level).toBe(8);
    a = w(a, 8, "x", { durationMs: 2 * HOUR });
    expect(nextExpiry(a)).toBe(NOW + 2 * HOUR);
  });

  it("a release with a duration just releases", () => {
    const a = w(w(EMPTY_PRIORITY_ARRAY, 8, "x"), 8, null, { durationMs: HOUR });
    expect(a.levels[7]).toBeNull();
  });

  it("shows time left in the read form", () => {
    const a = w(w(EMPTY_PRIORITY_ARRAY, 17, num(70, "°F"), { who: "db" }), 8, num(60, "°F"), {
      durationMs: 90 * 60_000,
      who: "op",
    });
    const rows = toRows(a, NOW + 30 * 60_000);
    expect(rows).toHaveLength(17);
    expect(rows.map((r) => r.level)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    expect(rows.map((r) => r.levelDis)).toEqual(LEVEL_DIS);
    expect(rows[7]).toEqual({
      level: 8,
      levelDis: "8 (manual)",
      val: num(60, "°F"),
      who: "op",
      expires: new HNumber(1, "h"),
      expiresAt: NOW + 90 * 60_000,
    });
    expect(rows[16]).toEqual({ level: 17, levelDis: "def", val: num(70, "°F"), who: "db" });
    expect(rows[0]).toEqual({ level: 1, levelDis: "1 (emergency)", val: null, who: null });
    // After expiry the level reads as empty even before expire() runs.
    expect(toRows(a, NOW + 90 * 60_000)[7]).toEqual({ level: 8, levelDis: "8 (manual)", val: null, who: null });
  });

  it("writes the time left to be read at a glance, never the raw quotient", () => {
    const a = w(EMPTY_PRIORITY_ARRAY, 8, num(60), { durationMs: HOUR, who: "op" });
    // 3570492 ms left is 59.50820 min: written to 3 significant digits.
    const expires = (now: number) => String(toRows(a, now)[7]?.expires);
    expect(expires(NOW + HOUR - 3_570_492)).toBe("59.5min");
    expect(expires(NOW + HOUR - 45_000)).toBe("45s");
    expect(expires(NOW + 1)).toBe("1h");
    expect(expires(NOW + HOUR - 500)).toBe("500ms");
  });
});

describe("invalid input", () => {
  const a = w(EMPTY_PRIORITY_ARRAY, 17, 1);
  const cases: [string, () => unknown][] = [
    ["level 0", () => w(a, 0, 1)],
    ["level 18", () => w(a, 18, 1)],
    ["level 1.5", () => w(a, 1.5, 1)],
    ["level NaN", () => w(a, Number.NaN, 1)],
    ["duration at level 16", () => w(a, 16, 1, { durationMs: HOUR })],
    ["duration at level 1 releasing", () => write(a, { level: 1, val: null, who: "x", nowMs: NOW, durationMs: 5 })],
    ["zero duration", () => write(a, { level: 8, val: 1, who: "x", nowMs: NOW, durationMs: 0 })],
    ["negative duration", () => write(a, { level: 8, val: 1, who: "x", nowMs: NOW, durationMs: -5 })],
    ["infinite duration", () => write(a, { level: 8, val: 1, who: "x", nowMs: NOW, durationMs: Infinity })],
    ["fractional duration", () => write(a, { level: 8, val: 1, who: "x", nowMs: NOW, durationMs: 1.5 })],
    ["duration over 100yr", () => write(a, { level: 8, val: 1, who: "x", nowMs: NOW, durationMs: 3.2e12 })],
    ["fractional now", () => write(a, { level: 8, val: 1, who: "x", nowMs: NOW + 0.5, durationMs: 5 })],
    ["marker value", () => write(a, { level: 8, val: MARKER as unknown as PointVal, who: "x", nowMs: NOW })],
    ["list value", () => write(a, { level: 8, val: [1] as unknown as PointVal, who: "x", nowMs: NOW })],
    ["undefined value", () => write(a, { level: 8, val: undefined as unknown as PointVal, who: "x", nowMs: NOW })],
    ["empty who", () => write(a, { level: 8, val: 1, who: "", nowMs: NOW })],
    ["bad now", () => write(a, { level: 8, val: 1, who: "x", nowMs: Number.NaN })],
  ];
  for (const [name, f] of cases) {
    it(`rejects ${name} with invalid_value`, () => {
      expect(code(f)).toBe("invalid_value");
    });
  }
  it("leaves the array untouched after a rejected write", () => {
    expect(effective(a, NOW)).toEqual({ val: 1, level: 17 });
  });
});

describe("JSON storage form", () => {
  it("round-trips every point value kind and expiry", () => {
    let a = EMPTY_PRIORITY_ARRAY;
    a = w(a, 1, num(12.5, "kW"), { who: "e" });
    a = w(a, 8, Number.NaN, { durationMs: HOUR });
    a = w(a, 9, num(Number.NEGATIVE_INFINITY, "°C"));
    a = w(a, 10, "on");
    a = w(a, 11, false);
    a = w(a, 17, 3);
    const json = priorityToJson(a);
    const text = JSON.stringify(json);
    expect(JSON.parse(text)).toEqual({
      levels: [
        { level: 1, val: { _kind: "number", val: 12.5, unit: "kW" }, who: "e" },
        { level: 8, val: { _kind: "number", val: "NaN" }, who: "test", expiresAt: NOW + HOUR },
        { level: 9, val: { _kind: "number", val: "-INF", unit: "°C" }, who: "test" },
        { level: 10, val: "on", who: "test" },
        { level: 11, val: false, who: "test" },
        { level: 17, val: 3, who: "test" },
      ],
    });
    const back = priorityFromJson(JSON.parse(text));
    expect(toRows(back, NOW)).toEqual(toRows(a, NOW));
    expect(nextExpiry(back)).toBe(NOW + HOUR);
    expect(priorityFromJson({ levels: [] })).toEqual(EMPTY_PRIORITY_ARRAY);
    expect(priorityFromJson({ levels: [{ level: 2, val: { _kind: "number", val: 4 }, who: "x" }] }).levels[1]).toEqual({
      val: 4,
      who: "x",
    });
  });

  it("rejects malformed stored data with invalid_value", () => {
    const bad: unknown[] = [
      null,
      [],
      "x",
      {},
      { levels: {} },
      { levels: [null] },
      { levels: [{ level: 0, val: 1, who: "x" }] },
      { levels: [{ level: 18, val: 1, who: "x" }] },
      { levels: [{ level: 1, val: 1, who: "" }] },
      { levels: [{ level: 1, val: null, who: "x" }] },
      { levels: [{ level: 1, val: { _kind: "marker" }, who: "x" }] },
      { levels: [{ level: 1, val: { _kind: "number", val: "1" }, who: "x" }] },
      { levels: [{ level: 1, val: [1], who: "x" }] },
      { levels: [{ level: 1, val: 1, who: "x", expiresAt: 5 }] },
      { levels: [{ level: 8, val: 1, who: "x", expiresAt: "soon" }] },
      {
        levels: [
          { level: 3, val: 1, who: "x" },
          { level: 3, val: 2, who: "x" },
        ],
      },
    ];
    for (const j of bad)
      expect(
        code(() => priorityFromJson(j)),
        JSON.stringify(j),
      ).toBe("invalid_value");
  });
});
