/**
 * Files benchmark: a 1 GiB download and upload through the real relay and the agent's files channel
 * (each in its own process) on loopback, beside the relay's raw bulk figure measured in the same run.
 *
 *   npm run bench:files                  1 GiB each way
 *   BENCH_QUICK=1 npm run bench:files    256 MiB, a smoke test
 *
 * Prints a table and writes bench/results/files.json. Like bench:relay, it compiles the benchmark to
 * plain JavaScript first, so nothing measured carries ts-node.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

const root = join(__dirname, '..');
const outfile = join(root, 'node_modules', '.cache', 'files-bench', 'runner.js');
buildSync({
  entryPoints: [join(__dirname, 'support', 'files-runner.ts')],
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
