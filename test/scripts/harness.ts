/**
 * Running the real `npm run dev` and `npm run login` in a throwaway copy of the project, so a
 * developer's own .dev.vars, .wrangler/ state and ports are never touched: processes, their trees
 * (read from /proc), the ports they hold, and their output.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { portTaken } from "../../scripts/ports.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const COPIED = ["src", "scripts", "migrations", "wrangler.toml", "package.json", "tsconfig.json"];

/** Settings of the developer's shell that would change what `npm run dev` does. */
const CLEARED = ["PORT", "INSPECTOR_PORT", "PG_WS_PROXY_PORT", "STORAGE", "DATABASE_URL", "DEMO_PROJECT", "REDIS_URL"];
const CLEARED_PREFIXES = ["HAYLOFT_", "CLOUDFLARE_", "WRANGLER_", "UPSTASH_"];

/** A copy of the project's sources with the real node_modules linked in. */
export function projectCopy(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "hayloft-dev-"));
  for (const name of COPIED) cpSync(join(ROOT, name), join(dir, name), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!CLEARED.includes(k) && !CLEARED_PREFIXES.some((p) => k.startsWith(p))) env[k] = v;
  }
  return { ...env, ...extra };
}

/** A free port in [from, to], probed the way `npm run dev` probes. */
export async function freePort(from: number, to: number, avoid: readonly number[] = []): Promise<number> {
  const span = to - from + 1;
  const offset = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const port = from + ((offset + i) % span);
    if (!avoid.includes(port) && !(await portTaken(port, "localhost"))) return port;
  }
  throw new Error(`no free port in ${from}-${to}`);
}

/** Ports of `ports` something still listens on. */
export async function heldPorts(ports: readonly number[]): Promise<number[]> {
  const held: number[] = [];
  for (const p of ports) if (await portTaken(p, "localhost")) held.push(p);
  return held;
}

interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly state: string;
}

function procInfo(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which may itself hold spaces and parentheses.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { pid, state: rest[0] as string, ppid: Number(rest[1]) };
  } catch {
    return undefined;
  }
}

const pids = (): number[] =>
  readdirSync("/proc")
    .filter((n) => /^\d+$/.test(n))
    .map(Number);

/** `root` and every process descending from it, with their command lines. */
export function processTree(root: number): Map<number, string> {
  const children = new Map<number, number[]>();
  for (const pid of pids()) {
    const info = procInfo(pid);
    if (info) children.set(info.ppid, [...(children.get(info.ppid) ?? []), pid]);
  }
  const tree = new Map<number, string>();
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop() as number;
    const cmd = cmdline(pid);
    if (cmd === undefined) continue;
    tree.set(pid, cmd);
    todo.push(...(children.get(pid) ?? []));
  }
  return tree;
}

export function cmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return undefined;
  }
}

/** Every process's command line on this machine, by pid. */
export function allCommandLines(): Map<number, string> {
  const all = new Map<number, string>();
  for (const pid of pids()) {
    const cmd = cmdline(pid);
    if (cmd !== undefined) all.set(pid, cmd);
  }
  return all;
}

/** Processes of `tree` still running (the same pid with the same command, not a zombie). */
export function survivors(tree: ReadonlyMap<number, string>): string[] {
  const left: string[] = [];
  for (const [pid, cmd] of tree) {
    const info = procInfo(pid);
    if (info && info.state !== "Z" && cmdline(pid) === cmd) left.push(`${pid} ${cmd}`);
  }
  return left;
}

/** Polls `check` until it returns true; `what()` explains a timeout. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms: number,
  what: () => string,
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

const jobs = new Set<Job>();

/** SIGKILL to the process group of every job still running: what a failed case left behind. */
export function killJobs(): void {
  for (const job of jobs) {
    try {
      process.kill(-job.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/** A command started in its own process group, as a shell starts a job. */
export class Job {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  readonly done: Promise<Finished>;

  constructor(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, input?: string) {
    this.child = spawn("npm", args, { cwd, env, detached: true, stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout?.setEncoding("utf8").on("data", (s: string) => (this.stdout += s));
    this.child.stderr?.setEncoding("utf8").on("data", (s: string) => (this.stderr += s));
    this.child.stdin?.end(input);
    jobs.add(this);
    this.done = new Promise((resolve) => {
      this.child.once("close", (code, signal) => {
        jobs.delete(this);
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get output(): string {
    return this.stdout + this.stderr;
  }

  /** Resolves with the first match of `re` in the output so far or to come. */
  async waitFor(re: RegExp, ms: number): Promise<RegExpMatchArray> {
    let exited = false;
    void this.done.then(() => {
      exited = true;
    });
    let m: RegExpMatchArray | null = null;
    await eventually(
      () => {
        m = this.output.match(re);
        if (!m && exited) throw new Error(`exited before printing ${re}:\n${this.output}`);
        return m !== null;
      },
      ms,
      () => `${re} in:\n${this.output}`,
    );
    return m as unknown as RegExpMatchArray;
  }
}

/** `npm run -s NAME -- ...args` in `cwd`, to completion. */
export function npmRun(
  name: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<Finished> {
  return new Job(["run", "-s", name, "--", ...args], cwd, env, input).done;
}
