/** Messages between the benchmark and its child processes (relay, net proxy, bulk load). */
export type ChildRequest = { type: 'mem'; gc: boolean } | { type: 'stop' };

export interface MemorySample {
  /** CPU time used by the process so far, microseconds (user + system). */
  readonly cpuUs: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

export type ChildReply =
  | { type: 'ready'; port: number }
  | ({ type: 'mem' } & MemorySample)
  | { type: 'stopped'; bytes?: number; seconds?: number };

/** Collects garbage twice (needs --expose-gc) and samples memory, so figures exclude garbage. */
export async function settledMemory(collect = true): Promise<MemorySample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  if (collect) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
    gc();
  }
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  const cpu = process.cpuUsage();
  return { cpuUs: cpu.user + cpu.system, rss, heapUsed, external, arrayBuffers };
}

export function reply(message: ChildReply): void {
  process.send?.(message);
}

/** A child ends with the benchmark: when the IPC channel closes (the parent exited or was killed). */
export function exitWithParent(): void {
  process.once('disconnect', () => process.exit(0));
}
