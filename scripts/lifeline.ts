/**
 * Notices when whoever started `npm run dev` is gone. npm runs us through `sh -c`: a SIGTERM to
 * npm reaches only that shell, and a SIGHUP kills npm and reaches nobody, so neither signal
 * arrives here. What does change is our ancestry: the shell dies (our parent changes) or npm does
 * (our grandparent goes away).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** The parent of `pid` (from /proc, else `ps`), or undefined when it cannot be told. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    const ps = spawnSync("ps", ["-o", "ppid=", "-p", String(pid)], { encoding: "utf8" });
    const n = Number(ps.stdout?.trim());
    return ps.status === 0 && Number.isInteger(n) && n > 0 ? n : undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Calls `onLost` (once) when our parent or grandparent is gone. Init (pid 1) as either means
 * nobody to lose, and a timer that does not keep the process alive checks every `everyMs`.
 */
export function watchAncestors(onLost: () => void, everyMs = 500): void {
  const parent = process.ppid;
  const grandparent = parent > 1 ? parentOf(parent) : undefined;
  const timer = setInterval(() => {
    const lost = process.ppid !== parent || (grandparent !== undefined && grandparent > 1 && !alive(grandparent));
    if (!lost) return;
    clearInterval(timer);
    onLost();
  }, everyMs);
  timer.unref();
}
