/**
 * `npm run tstorage:double -- [--port 2025] [--mode mock|real] [--file path] [--control-port M]
 * [--seed demo]`: the TStorage test double as a process. Prints one line when ready:
 * `tstorage double (<mode>) listening on 127.0.0.1:<port>`. SIGINT and SIGTERM close it (writing
 * the file, if any) and exit 0.
 */
import { parseArgs } from "node:util";
import { type ControlServer, startControl } from "./tstorage/control.ts";
import { demoRecords } from "./tstorage/demo-seed.ts";
import { type DoubleOptions, startDouble } from "./tstorage/double.ts";

/** One line on stderr and exit 2, for mistakes on the command line: no stack. */
function usage(line: string): never {
  console.error(`tstorage-double: ${line}`);
  console.error("usage: tstorage-double [--port N] [--mode mock|real] [--file PATH] [--control-port M] [--seed demo]");
  process.exit(2);
}

function port(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65_535) usage(`${name} must be a port number (0-65535), got ${text}`);
  return n;
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    args: process.argv.slice(2),
    options: {
      port: { type: "string" },
      mode: { type: "string" },
      file: { type: "string" },
      "control-port": { type: "string" },
      seed: { type: "string" },
    },
    strict: true,
  });
}
try {
  parsed = parse();
} catch (err) {
  usage((err as Error).message);
}
const { values } = parsed;
const mode = values.mode ?? "mock";
if (mode !== "mock" && mode !== "real") usage(`--mode must be mock or real, got ${mode}`);
if (values.seed !== undefined && values.seed !== "demo") usage(`--seed knows only "demo", got ${values.seed}`);

const options: DoubleOptions = {
  port: port(values.port, "--port", 2025),
  mode,
  ...(values.file !== undefined && { persistFile: values.file }),
  ...(values.seed === "demo" && { seed: demoRecords(Date.now()) }),
};

try {
  const double = await startDouble(options);
  let control: ControlServer | undefined;
  if (values["control-port"] !== undefined) {
    control = await startControl(double, port(values["control-port"], "--control-port", 0));
  }
  console.log(`tstorage double (${double.mode}) listening on 127.0.0.1:${double.port}`);
  if (control) console.log(`tstorage double control on http://127.0.0.1:${control.port}`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await control?.close();
    await double.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  if (e.code === "EADDRINUSE") usage(`port ${options.port} is in use: pick another with --port`);
  console.error(`tstorage-double: ${e.message}`);
  process.exit(1);
}
