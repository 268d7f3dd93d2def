import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

/**
 * Compiles a benchmark runner (bench/support/<entry>.ts) to plain JavaScript under
 * node_modules/.cache/<name>/ and runs it with `--expose-gc`: nothing measured carries ts-node and the
 * TypeScript compiler's heap, which would inflate garbage-collection time several times over. Sets the
 * process's exit code to the runner's.
 */
export function runCompiled(name: string, entry: string): void {
  const root = join(__dirname, '..', '..');
  const outfile = join(root, 'node_modules', '.cache', name, 'runner.js');
  buildSync({
    entryPoints: [join(__dirname, entry)],
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
}
