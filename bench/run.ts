/**
 * `npm run bench [-- NAME]`: loads every bench/*.bench.ts, runs the benchmarks whose name contains
 * NAME, prints one line per figure and writes them to bench/results.json (a filtered run updates
 * its own figures there and keeps the others).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { finish, formatResult, mergeResults, type Result, selected, toResult } from "./harness.ts";

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? "";

for (const file of readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .sort()) {
  await import(pathToFileURL(join(here, file)).href);
}

const benches = selected(filter);
if (benches.length === 0) {
  console.error(`bench: no benchmark name contains ${JSON.stringify(filter)}`);
  process.exit(1);
}

const results: Result[] = [];
try {
  for (const { name, fn } of benches) {
    const out = await fn();
    const figures = Array.isArray(out) ? out : [out];
    if (figures.length === 0) throw new Error(`bench ${name}: returned no figures`);
    for (const figure of figures) {
      const result = toResult(figure);
      results.push(result);
      console.log(formatResult(result));
    }
  }
} finally {
  // A failed check must not leave the local Worker, its runtime or the Postgres stand-in running.
  await finish();
}

const file = join(here, "results.json");
const previous: Result[] = filter !== "" && existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : [];
const all = mergeResults(previous, results);
writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
console.log(`wrote ${results.length} figure(s) to ${file} (${all.length} in all)`);
