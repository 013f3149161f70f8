/**
 * A TStorage server for tests and `npm run dev`: the vendor mock's behaviour ("mock") or the real
 * server's where they differ ("real"), several connections at once, records in memory with an
 * optional file. See store.ts for the semantics and connection.ts for how a connection is served.
 *
 * @example
 *   const double = await startDouble({ mode: "real" });
 *   // connect to 127.0.0.1:double.port ...
 *   await double.close();
 */
import { createServer, type Server } from "node:net";
import type { Key } from "../../src/tstorage/key.ts";
import { DoubleConnection, type Fault } from "./connection.ts";
import { loadSnapshot, saveSnapshot } from "./persist.ts";
import { type DoubleMode, RecordStore } from "./store.ts";

export interface DoubleOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default "mock". */
  mode?: DoubleMode;
  /** Loaded at start when present; written on close and shortly after changes. */
  persistFile?: string;
  /** Stored as given (as PUTA would) after any file is loaded. */
  seed?: readonly { key: Key; payload: Uint8Array }[];
}

export interface DoubleServer {
  readonly port: number;
  readonly mode: DoubleMode;
  close(): Promise<void>;
  /** Records stored. */
  size(): number;
  clear(): void;
  /** The next connection accepted is cut after N request bytes read / N response bytes written. */
  cutAfter(fault: { readBytes?: number; writtenBytes?: number }): void;
  /** Destroys the open connections now; the server keeps listening. */
  cutAll(): void;
  connections(): number;
}

/** Changes are saved this long after the first unsaved one, so a burst of puts writes the file once. */
const SAVE_DELAY_MS = 500;

class Persister {
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly store: RecordStore,
  ) {}

  schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.save().catch((err: unknown) => console.error(`tstorage double: saving ${this.path} failed:`, err));
    }, SAVE_DELAY_MS);
    this.timer.unref();
  }

  /** Saves now, after any save under way; saves never overlap. */
  save(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const run = async () => saveSnapshot(this.path, this.store.lastAcq, [...this.store.all()]);
    this.saving = this.saving.then(run, run);
    return this.saving;
  }
}

export async function startDouble(options: DoubleOptions = {}): Promise<DoubleServer> {
  const mode = options.mode ?? "mock";
  if (mode !== "mock" && mode !== "real")
    throw new Error(`tstorage double: mode must be mock or real, got ${String(mode)}`);
  const store = new RecordStore(mode);
  let persister: Persister | undefined;
  if (options.persistFile !== undefined) {
    const snapshot = await loadSnapshot(options.persistFile);
    if (snapshot) store.load(snapshot.records, snapshot.horizon);
    persister = new Persister(options.persistFile, store);
  }
  if (options.seed) store.load(options.seed);
  if (persister) {
    const p = persister;
    store.onChange = () => p.schedule();
  }

  const open = new Set<DoubleConnection>();
  let fault: Fault | undefined;
  const server: Server = createServer((socket) => {
    const mine = fault;
    fault = undefined;
    const conn = new DoubleConnection(socket, store, mine, () => open.delete(conn));
    open.add(conn);
  });
  // A failing accept must not end the process; listen errors are reported through the promise below.
  server.on("error", () => {});

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", onError);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;

  let closing: Promise<void> | undefined;
  return {
    port,
    mode,
    size: () => store.size,
    clear: () => store.clear(),
    cutAfter(f) {
      fault = { ...f };
    },
    cutAll() {
      for (const c of open) c.destroy();
    },
    connections: () => open.size,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const c of open) c.destroy();
        await stopped;
        if (persister) await persister.save();
      })();
      return closing;
    },
  };
}
