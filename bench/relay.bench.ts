/**
 * Relay benchmark: our relay (b) beside a raw `net` pipe proxy (a), in one run, on this machine.
 *
 *   npm run bench:relay                  full run (a few minutes)
 *   BENCH_QUICK=1 npm run bench:relay    smaller sizes, a smoke test
 *
 * Prints a table and writes bench/results/relay.json. This file only compiles the benchmark (and, in
 * children.ts, each server) to plain JavaScript and runs it: nothing measured carries ts-node and the
 * TypeScript compiler's heap, which would inflate garbage-collection time several times over.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

const root = join(__dirname, '..');
const outfile = join(root, 'node_modules', '.cache', 'relay-bench', 'runner.js');
buildSync({
  entryPoints: [join(__dirname, 'support', 'runner.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node24',
  packages: 'external',
  logLevel: 'error',
});
const run = spawnSync(process.execPath, ['--expose-gc', outfile], {
  cwd: root,
  stdio: 'inherit',
  env: process.env,
});
process.exitCode = run.status ?? 1;
