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
import { runCompiled } from './support/compiled-run';

runCompiled('files-bench', 'files-runner.ts');
