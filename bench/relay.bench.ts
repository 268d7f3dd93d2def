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
import { runCompiled } from './support/compiled-run';

runCompiled('relay-bench', 'runner.ts');
