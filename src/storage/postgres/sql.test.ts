import { describe, expect, it } from "vitest";
import { StoreError } from "../errors.ts";
import { mapPgError } from "./sql.ts";

/** A driver error as the Neon driver (node-postgres) raises it: SQLSTATE in `code`. */
function pgError(code: string | undefined, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe("mapPgError", () => {
  const secret = "relation \"entities\" row (project, id)=('acme', 'x') says: SELECT secret FROM t";
  const cases: [string | undefined, string][] = [
    ["57014", "timeout"],
    ["57P01", "unavailable"],
    ["08006", "unavailable"],
    ["53300", "unavailable"],
    ["40001", "conflict"],
    ["40P01", "conflict"],
    ["22003", "invalid"],
    ["22P05", "invalid"],
    ["2200D", "invalid"],
    [undefined, "unavailable"],
  ];
  for (const [code, want] of cases) {
    it(`maps ${code ?? "no SQLSTATE"} to ${want} in our words, keeping the original as cause`, () => {
      const original = pgError(code, secret);
      const err = mapPgError(original) as StoreError;
      expect(err).toBeInstanceOf(StoreError);
      expect(err.code).toBe(want);
      expect(err.cause).toBe(original);
      expect(err.message).not.toContain("entities");
      expect(err.message).not.toContain("secret");
    });
  }

  it("names the setting of the statement time limit, its value when the connection's is known", () => {
    const err = mapPgError(pgError("57014", "canceling statement due to statement timeout")) as StoreError;
    expect(err.message).toBe(
      "The query took longer than the statement time limit (PG_STATEMENT_TIMEOUT_MS) and was stopped: " +
        "ask for less, e.g. a narrower filter or range",
    );
  });

  it("leaves errors of our own SQL (a bug, not the client's) for the app to log and hide", () => {
    const bug = pgError("42P01", secret);
    expect(mapPgError(bug)).toBe(bug);
    const mine = new StoreError("not_found", "Unknown point @x");
    expect(mapPgError(mine)).toBe(mine);
  });
});
