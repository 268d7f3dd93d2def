import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import type { ChildReply, ChildRequest, MemorySample } from './ipc';

/** The repository root (the benchmark runs from it; this file may itself run from a bundle). */
const ROOT = process.cwd();
/** Children run as plain JavaScript, as in production: no ts-node (and its compiler heap) inside them. */
const BUILD_DIR = join(ROOT, 'node_modules', '.cache', 'relay-bench');

function compile(file: string): string {
  const outfile = join(BUILD_DIR, file.replace(/\.ts$/, '.js'));
  buildSync({
    entryPoints: [join(ROOT, 'bench', 'support', file)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    packages: 'external',
    logLevel: 'error',
  });
  return outfile;
}

/** A benchmark child process (relay, net proxy or bulk load) driven over IPC. */
export class BenchChild {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(
    file: string,
    env: NodeJS.ProcessEnv,
    nodeFlags: readonly string[] = [],
  ): Promise<BenchChild> {
    const child = fork(compile(file), [], {
      execArgv: [
        ...nodeFlags,
        '--expose-gc',
        ...(process.env.BENCH_CPU_PROF_DIR
          ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
          : []),
      ],
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', process.env.BENCH_CHILD_STDOUT ? 'inherit' : 'ignore', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${file} did not start`)), 30_000);
      child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
      child.once('message', (m: ChildReply) => {
        clearTimeout(timer);
        if (m.type === 'ready') resolve(m.port);
        else reject(new Error(`unexpected message from ${file}`));
      });
    });
    return new BenchChild(child, port);
  }

  private request<T extends ChildReply['type']>(
    message: ChildRequest,
    expect: T,
  ): Promise<Extract<ChildReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${expect} reply`)), 30_000);
      const onMessage = (m: ChildReply): void => {
        if (m.type !== expect) return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolve(m as Extract<ChildReply, { type: T }>);
      };
      this.child.on('message', onMessage);
      this.child.send(message);
    });
  }

  /** Memory and CPU of the child; with `collect`, after two full garbage collections. */
  memory(collect = true): Promise<MemorySample> {
    return this.request({ type: 'mem', gc: collect }, 'mem');
  }

  /** Asks the child to stop and waits for it to exit (bounded). */
  async stop(): Promise<Extract<ChildReply, { type: 'stopped' }> | undefined> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    let reply: Extract<ChildReply, { type: 'stopped' }> | undefined;
    this.child.on('message', (m: ChildReply) => {
      if (m.type === 'stopped') reply = m;
    });
    this.child.send({ type: 'stop' } satisfies ChildRequest);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    return reply;
  }
}
