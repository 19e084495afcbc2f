import 'reflect-metadata';
import { claim } from './claim';
import { consoleBench } from './console';
import { feed } from './feed';
import { importBench } from './import';
import { overhead } from './overhead';
import { pages } from './pages';
import { report } from './report';
import { webhooks } from './webhooks';

/**
 * `npm run bench [-- name...]`: runs the benchmarks (all, or those named) and prints one JSON
 * object, one key per benchmark, each `{ours, baseline, ratio, ...}` with ratio > 1 = ours better.
 * Progress goes to stderr, so stdout is the JSON alone.
 */
const BENCHMARKS: Record<string, () => Promise<Record<string, unknown>>> = {
  overhead,
  claim,
  import: importBench,
  webhooks,
  feed,
  report,
  pages,
  console: consoleBench,
};

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((n) => !(n in BENCHMARKS));
  if (unknown.length) {
    process.stderr.write(
      `unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}\n`,
    );
    process.exit(2);
  }
  const out: Record<string, unknown> = {};
  for (const name of asked.length ? asked : Object.keys(BENCHMARKS)) {
    process.stderr.write(`bench: ${name}…\n`);
    out[name] = await BENCHMARKS[name]();
  }
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(
    `bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exit(1);
});
