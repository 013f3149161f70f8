/**
 * Self-check of the harness, not a real benchmark: the same loop on both sides, so the ratio
 * should sit near 1. A ratio far from 1 means the machine is too noisy to trust other figures.
 */
import { bench, measure } from "./harness.ts";

function sumTo(n: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += i;
  return total;
}

bench("harness-self-check", async () => {
  const n = 1_000_000;
  const opsPerRun = n / 1e6;
  const ours = await measure(() => sumTo(n), { minMs: 200 });
  const same = await measure(() => sumTo(n), { minMs: 200 });
  return {
    name: "harness-self-check",
    value: opsPerRun / (ours / 1000),
    unit: "Mops/s",
    baseline: "same-loop",
    baselineValue: opsPerRun / (same / 1000),
    higherIsBetter: true,
  };
});
