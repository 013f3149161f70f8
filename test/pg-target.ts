/**
 * Where this test run's Postgres lives: a database of its own and the Neon driver's local
 * WebSocket stand-in. Decided once per run (the config and the global setup both read it), so
 * the Worker bindings of the Postgres test project can name it before anything starts.
 */
export interface PgTestTarget {
  /** As a role that may create databases (.ci/run makes it on a fresh machine). */
  readonly databaseUrl: string;
  readonly wsProxy: string;
  /**
   * A second stand-in for the workers-pg project alone, whose fault tests cut it and take it down
   * (`POST /cut`, `/down`, `/up` at `control`): files of other projects, running at the same time
   * on `wsProxy`, never see those faults.
   */
  readonly faultsWsProxy: string;
  readonly control: string;
}

export function pgTestTarget(): PgTestTarget {
  const known = process.env.HAYLOFT_PG_TARGET;
  if (known) return JSON.parse(known) as PgTestTarget;
  const adminUrl = process.env.HAYLOFT_TEST_PG ?? "postgres://hayloft:hayloft@127.0.0.1:5432/postgres";
  const port = Number(process.env.HAYLOFT_PG_PROXY_PORT ?? 20_000 + (process.pid % 10_000) * 2);
  const dbName = `hayloft_test_${process.pid}_${Date.now()}`;
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const target: PgTestTarget = {
    databaseUrl: url.href,
    wsProxy: `127.0.0.1:${port}`,
    faultsWsProxy: `127.0.0.1:${port + 1}`,
    control: `http://127.0.0.1:${port + 1}`,
  };
  process.env.HAYLOFT_PG_TARGET = JSON.stringify(target);
  return target;
}
