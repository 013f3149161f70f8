/**
 * Self-check of the harness, not a real benchmark: the same loop on both sides, so the ratio
 * should sit near 1. A ratio far from 1 means the machine is too noisy to trust other figures.
 */
import { bench, measure } from "./harness.ts";
import { expectEqual } from "./verify.ts";

function sumTo(n: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += i;
  return total;
}

bench("harness-self-check", async () => {
  const n = 1_000_000;
  const want = (n * (n - 1)) / 2;
  const opsPerRun = n / 1e6;
  // Checked every run, on both sides: a loop the JIT found it could skip would not be timed.
  const ours = await measure(() => expectEqual("sum (ours)", sumTo(n), want), { minMs: 200 });
  const same = await measure(() => expectEqual("sum (same loop)", sumTo(n), want), { minMs: 200 });
  return {
    name: "harness-self-check",
    value: opsPerRun / (ours / 1000),
    unit: "Mops/s",
    baseline: "same-loop",
    baselineValue: opsPerRun / (same / 1000),
    higherIsBetter: true,
  };
});
