/**
 * A child started as the leader of its own process group (its own session, in fact), so that one
 * signal reaches everything it starts: wrangler runs its CLI in a second node process, which runs
 * esbuild and workerd, and a signal to the first alone left workerd holding the ports.
 *
 * In its own session the child has no controlling terminal, so it can still read the terminal
 * (wrangler's hotkeys) without being stopped by SIGTTIN, while the terminal's own signals (Ctrl-C
 * outside raw mode, hang-up) come to us to pass on.
 */
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";

export interface GroupExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ProcessGroup {
  readonly pid: number;
  /** Settles once the leader has exited and no process of its group is left. */
  readonly exited: Promise<GroupExit>;
  /**
   * Sends `signal` to the whole group; what is still there `graceMs` later gets SIGKILL. A
   * second call while stopping kills at once (an impatient second Ctrl-C).
   */
  stop(signal: NodeJS.Signals, graceMs?: number): Promise<GroupExit>;
}

const POLL_MS = 50;
/** How long a group has to end after SIGKILL, which it cannot refuse. */
const KILL_WAIT_MS = 2_000;

/** Sends `signal` to group `pgid`; false when no process of it is left. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw err;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves true once group `pgid` is empty, false if it still is not after `ms`. */
async function emptied(pgid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (signalGroup(pgid, 0)) {
    if (Date.now() >= until) return false;
    await sleep(POLL_MS);
  }
  return true;
}

/**
 * Starts `command` as a group leader. Its stdio is the caller's choice; when it exits on its own,
 * whatever it leaves behind in its group gets SIGTERM and then SIGKILL before `exited` settles.
 */
export function spawnGroup(
  command: string,
  args: readonly string[],
  opts: SpawnOptions = {},
  graceMs = 5_000,
): ProcessGroup {
  const child: ChildProcess = spawn(command, args, { ...opts, detached: true });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${command}`);
  let stopping = false;
  let killTimer: NodeJS.Timeout | undefined;
  const killLater = (ms: number) => {
    killTimer = setTimeout(() => signalGroup(pid, "SIGKILL"), ms);
    killTimer.unref();
  };

  const exited = new Promise<GroupExit>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  }).then(async (exit) => {
    // A leader that ended on its own may leave workers behind: they get the chance to end cleanly
    // that a stop gives.
    if (!stopping && signalGroup(pid, 0)) {
      signalGroup(pid, "SIGTERM");
      killLater(graceMs);
    }
    if (!(await emptied(pid, graceMs + KILL_WAIT_MS))) {
      signalGroup(pid, "SIGKILL");
      await emptied(pid, KILL_WAIT_MS);
    }
    if (killTimer) clearTimeout(killTimer);
    return exit;
  });

  return {
    pid,
    exited,
    stop(signal, ms = graceMs) {
      if (stopping) {
        signalGroup(pid, "SIGKILL");
        return exited;
      }
      stopping = true;
      signalGroup(pid, signal);
      killLater(ms);
      return exited;
    },
  };
}
