/**
 * Benchmark harness: `npm run bench -- SUITE [--data FILE] [other suite flags]`.
 * Loads bench/SUITE.ts and calls its default export. Each suite prints one line per result:
 *   BENCH <suite> key=value key=value ...
 * Benchmarks are never asserted in tests; the figures go into ADRs and reports.
 *
 * Suites: search, math-equiv, short-answer, essay, kt, gateway (the hub's /v1 gateway against
 * the upstream called directly and through Portkey; helpers in bench/support/), analytics (a
 * synthetic county of 1,000,000 answers: the exam report and the region cockpit against DuckDB).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchArgs {
  /** --data FILE, when given. */
  data?: string;
  /** Everything after the suite name, for suite-specific flags. */
  argv: string[];
}

export type BenchSuite = (args: BenchArgs) => Promise<void> | void;

/** Prints `BENCH suite k=v …`; numbers are rounded to at most 3 decimals. */
export function report(suite: string, fields: Record<string, string | number>): void {
  const parts = Object.entries(fields).map(([k, v]) => {
    const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000)) : v;
    return `${k}=${s}`;
  });
  console.log(`BENCH ${suite} ${parts.join(' ')}`);
}

async function main(): Promise<void> {
  const [suite, ...argv] = process.argv.slice(2);
  const here = dirname(fileURLToPath(import.meta.url));
  if (!suite || !/^[a-z0-9][a-z0-9-]*$/.test(suite) || suite === 'run') {
    console.error('usage: npm run bench -- SUITE [--data FILE]');
    process.exit(2);
  }
  const file = join(here, `${suite}.ts`);
  if (!existsSync(file)) {
    console.error(`no benchmark suite "${suite}" (expected bench/${suite}.ts)`);
    process.exit(2);
  }
  const i = argv.indexOf('--data');
  const data = i >= 0 ? argv[i + 1] : undefined;
  if (i >= 0 && !data) {
    console.error('--data needs a file');
    process.exit(2);
  }
  const mod = (await import(pathToFileURL(file).href)) as { default?: BenchSuite };
  if (typeof mod.default !== 'function') {
    console.error(`bench/${suite}.ts has no default export`);
    process.exit(2);
  }
  await mod.default({ data, argv });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
