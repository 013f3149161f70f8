/**
 * spawnGroup with real processes: a shell and the sleeps it starts stand in for wrangler and
 * workerd. Signalling the leader alone would leave the sleeps running.
 */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { firstTaken, portInUseMessage, portTaken } from "../../scripts/ports.ts";
import { spawnGroup } from "../../scripts/process-group.ts";
import { eventually, freePort, processTree, survivors } from "./harness.ts";

/** A group whose leader has started `children` more processes, and their tree. */
async function started(script: string, children: number) {
  const group = spawnGroup("sh", ["-c", script], { stdio: "ignore" }, 400);
  let tree = new Map<number, string>();
  await eventually(
    () => {
      tree = processTree(group.pid);
      return tree.size > children;
    },
    10_000,
    () => `${children} children of ${script}`,
  );
  return { group, tree };
}

describe("spawnGroup", () => {
  it("stops the leader and everything it started", async () => {
    const { group, tree } = await started("sleep 30 & sleep 30 & wait", 2);
    expect(await group.stop("SIGTERM")).toEqual({ code: null, signal: "SIGTERM" });
    expect(survivors(tree)).toEqual([]);
  });

  it("ends what a leader that exits on its own leaves behind, and reports the leader's status", async () => {
    const { group, tree } = await started("sleep 30 & sleep 0.3; exit 3", 1);
    expect(await group.exited).toEqual({ code: 3, signal: null });
    expect(survivors(tree)).toEqual([]);
  });

  it("kills what ignores the signal once the grace period is over", async () => {
    // An ignored signal stays ignored across exec, so the sleep ignores SIGTERM too.
    const { group, tree } = await started("trap '' TERM; sleep 30 & wait", 1);
    const t0 = Date.now();
    const exit = await group.stop("SIGTERM");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(exit.signal).toBe("SIGKILL");
    expect(survivors(tree)).toEqual([]);
  });
});

describe("port checks", () => {
  it("see a port held on 127.0.0.1 through localhost, and name what moves it", async () => {
    const port = await freePort(8850, 8899);
    const other = await freePort(8850, 8899, [port]);
    const server = createServer();
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
    try {
      expect(await portTaken(port, "localhost")).toBe(true);
      const uses = [
        { port: other, host: "localhost", flag: "--port", env: "PORT" },
        { port, host: "127.0.0.1", env: "PG_WS_PROXY_PORT" },
      ];
      const busy = await firstTaken(uses);
      expect(busy && portInUseMessage(busy)).toBe(
        `Port ${port} is in use: stop what holds it, or move it with PG_WS_PROXY_PORT=...`,
      );
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(await portTaken(port, "localhost")).toBe(false);
  });
});
