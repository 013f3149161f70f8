/**
 * `npm run -s login -- [--url URL] [--project NAME] <user>`: a password login (Haystack
 * SCRAM-SHA-256) that prints only the token, for `Authorization: Bearer ...`:
 *
 *   T=$(npm run -s login -- admin) && curl -H "Authorization: Bearer $T" localhost:8787/api/demo/about
 *
 * The URL defaults to HAYLOFT_URL, else http://localhost:8787; the project to demo. The password
 * comes from HAYLOFT_PASSWORD, else a prompt that does not echo (on a terminal), else the first
 * line of stdin. Failures are one line on stderr and exit status 1 (2 for a bad command line).
 */
import { parseArgs } from "node:util";
import { scramLogin } from "../src/auth/scram-client.ts";
import { readZincGrid } from "../src/haystack/codec/zinc/index.ts";

const USAGE =
  "usage: npm run -s login -- [--url URL] [--project NAME] <user>   (password: HAYLOFT_PASSWORD, prompt or stdin)";

function fail(line: string, status = 1): never {
  console.error(line);
  process.exit(status);
}

/** Reads a line from the terminal without echoing it; Ctrl-C leaves as a shell expects. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  return new Promise((resolve) => {
    let value = "";
    const end = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n" || (ch === "\u0004" && value === "")) {
          end();
          resolve(value);
          return;
        }
        if (ch === "\u0003") {
          end();
          process.exit(130);
        }
        if (ch === "\u007f" || ch === "\b") value = Array.from(value).slice(0, -1).join("");
        else if (ch === "\u0015") value = "";
        else if (ch >= " ") value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

async function firstLineOfStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) {
    text += chunk;
    if (text.includes("\n")) break;
  }
  return text.split(/\r?\n/)[0] ?? "";
}

async function password(user: string, project: string): Promise<string> {
  const fromEnv = process.env.HAYLOFT_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const typed = process.stdin.isTTY
    ? await promptHidden(`Password for ${user} (project ${project}): `)
    : await firstLineOfStdin();
  if (typed === "") fail("No password: set HAYLOFT_PASSWORD, type it at the prompt, or pipe it on stdin");
  return typed;
}

/** What a refusal says: its error grid's `dis` when it has one. */
async function reason(res: Response): Promise<string> {
  const body = await res.text().catch(() => "");
  try {
    const dis = readZincGrid(body).meta.get("dis");
    if (typeof dis === "string") return `HTTP ${res.status}: ${dis}`;
  } catch {
    // Not a Zinc grid: the status is all there is.
  }
  return `HTTP ${res.status}`;
}

/** One line for an answer that ended the exchange early. */
async function refusal(res: Response, base: string, user: string, project: string): Promise<string> {
  if (res.status === 404) return `${base} has no project named ${JSON.stringify(project)}`;
  if (res.status === 403) return `Login refused: wrong user name or password for ${user} on project ${project}`;
  if (res.status === 429) return `Too many login attempts: retry in ${res.headers.get("retry-after") ?? "a few"} s`;
  return `Login failed at ${base}: ${await reason(res)}`;
}

function reachFailure(err: unknown, base: string): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return `Cannot reach ${base}: ${cause?.code ?? cause?.message ?? (err as Error).message}`;
}

const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        url: { type: "string", short: "u" },
        project: { type: "string", short: "p" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    return fail(`${(err as Error).message}\n${USAGE}`, 2);
  }
})();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const [user] = positionals;
if (!user || positionals.length > 1) fail(USAGE, 2);
const base = (values.url ?? process.env.HAYLOFT_URL ?? "http://localhost:8787").replace(/\/+$/, "");
try {
  new URL(base);
} catch {
  fail(`Not a URL: ${base}`, 2);
}
const project = values.project ?? "demo";

const pass = await password(user, project);
let steps: Awaited<ReturnType<typeof scramLogin>>;
try {
  steps = await scramLogin(fetch, `${base}/api/${encodeURIComponent(project)}/about`, user, pass);
} catch (err) {
  fail(err instanceof TypeError ? reachFailure(err, base) : `Login failed at ${base}: ${(err as Error).message}`);
}
const last = steps.final ?? steps.first ?? steps.hello;
if (!steps.first && steps.hello.status === 401) {
  fail(
    `${base} did not offer a SCRAM-SHA-256 login (${steps.hello.headers.get("www-authenticate") ?? "no challenge"})`,
  );
}
if (last.status !== 200 || steps.token === undefined) fail(await refusal(last, base, user, project));
// SCRAM is mutual: a server that cannot prove it knows the password is not the one we asked.
if (!steps.serverVerified) fail(`${base} did not prove it knows the password: its token is not trusted`);
process.stdout.write(`${steps.token}\n`);
