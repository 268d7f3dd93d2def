import { dialRelay } from '../../agent/src/channels/relay-dialer';
import type { AgentLogger } from '../../agent/src/core/logger';
import { FilesChannel } from '../../agent/src/files/files-channel';
import { PartialStore } from '../../agent/src/files/partials';
import { exitWithParent, reply, settledMemory, type ChildRequest } from './ipc';

const quiet: AgentLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (line) => process.stderr.write(`agent: ${line}\n`),
  error: (line) => process.stderr.write(`agent: ${line}\n`),
};

/**
 * The agent's side of a files channel in its own process, as in production: the real relay dialer and
 * the real FilesChannel over the folder BENCH_HOME, driven by the benchmark over IPC.
 */
async function main(): Promise<void> {
  const env = process.env;
  const ref = { sessionId: env.BENCH_SID ?? '', channel: 'files' as const };
  const ws = await dialRelay(env.BENCH_RELAY_URL ?? '', ref, env.BENCH_AGENT_TOKEN ?? '');
  const channel = new FilesChannel(
    { ws, ref, logger: quiet },
    {
      os: 'linux',
      home: env.BENCH_HOME ?? '/tmp',
      config: { maxUploadBytes: 64 * 1024 * 1024 * 1024, maxTransfers: 4 },
      partials: new PartialStore(quiet),
    },
  );
  exitWithParent();
  process.on('message', (m: ChildRequest) => {
    if (m.type === 'mem') void settledMemory(m.gc).then((mem) => reply({ type: 'mem', ...mem }));
    if (m.type === 'stop') {
      channel.close(1000, 'benchmark done');
      void channel.settled().then(() => process.exit(0));
    }
  });
  reply({ type: 'ready', port: 0 });
}

void main();
