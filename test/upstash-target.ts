/**
 * Where this test run's Upstash REST stand-in listens (scripts/upstash-stand-in.ts, over the real
 * Redis on 127.0.0.1:6379), its token, and the key prefix that keeps this run's keys apart from
 * any other's. Decided once per run (the config and the global setup both read it), so the
 * Worker bindings of the Upstash test project can name it before it starts.
 */
export interface UpstashTestTarget {
  readonly url: string;
  readonly token: string;
  /** Every key this run writes starts with it; the global teardown deletes them. */
  readonly keyPrefix: string;
  /**
   * A second stand-in for the workers-upstash project alone, whose fault tests take it down and cut
   * it (POST `${control}/_control/down`, `/up`, `/cut?when=before|after&skip=N`): files of other
   * projects, running at the same time on `url`, never see those faults.
   */
  readonly faultsUrl: string;
  readonly control: string;
  readonly redisUrl: string;
}

export function upstashTestTarget(): UpstashTestTarget {
  const known = process.env.HAYLOFT_UPSTASH_TARGET;
  if (known) return JSON.parse(known) as UpstashTestTarget;
  // Below test/pg-target.ts's 20000..39999 band: one port per process id.
  const port = Number(process.env.HAYLOFT_UPSTASH_PORT ?? 10_000 + (process.pid % 5_000) * 2);
  const url = `http://127.0.0.1:${port}`;
  const faultsUrl = `http://127.0.0.1:${port + 1}`;
  const target: UpstashTestTarget = {
    url,
    token: `test-upstash-token-${process.pid}`,
    keyPrefix: `hlt${process.pid}x${Date.now().toString(36)}`,
    faultsUrl,
    control: faultsUrl,
    redisUrl: process.env.HAYLOFT_TEST_REDIS ?? "redis://127.0.0.1:6379",
  };
  process.env.HAYLOFT_UPSTASH_TARGET = JSON.stringify(target);
  return target;
}
