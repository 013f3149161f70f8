/**
 * Where this test run's TStorage doubles listen: one in mock mode, one in real mode, each with an
 * HTTP control endpoint, and a port nothing listens on. Decided once per run (the config and the
 * global setup both read it), so the Worker's TSTORAGE_TARGETS can name them before they start.
 */
export interface TStorageTestTarget {
  readonly mock: { readonly port: number; readonly control: string };
  readonly real: { readonly port: number; readonly control: string };
  /** Nothing listens here: the `down` target. */
  readonly downPort: number;
}

export function tstorageTestTarget(): TStorageTestTarget {
  const known = process.env.HAYLOFT_TSTORAGE_TARGET;
  if (known) return JSON.parse(known) as TStorageTestTarget;
  // Above test/pg-target.ts's 20000..39999, five ports per process id.
  const base = Number(process.env.HAYLOFT_TSTORAGE_BASE_PORT ?? 40_000 + (process.pid % 5_000) * 5);
  const target: TStorageTestTarget = {
    mock: { port: base, control: `http://127.0.0.1:${base + 1}` },
    real: { port: base + 2, control: `http://127.0.0.1:${base + 3}` },
    downPort: base + 4,
  };
  process.env.HAYLOFT_TSTORAGE_TARGET = JSON.stringify(target);
  return target;
}

/** TSTORAGE_TARGETS for the Worker under test. */
export function tstorageTargetsVar(t: TStorageTestTarget): string {
  return JSON.stringify({
    mock: `127.0.0.1:${t.mock.port}`,
    real: `127.0.0.1:${t.real.port}`,
    down: `127.0.0.1:${t.downPort}`,
    other: { address: `127.0.0.1:${t.real.port}`, projects: ["someone-else"] },
  });
}
