import { loadRelayConfig, type RelayConfig } from '../../relay/config';
import { startRelay } from '../../relay/relay-server';
import { exitWithParent, reply, settledMemory, type ChildRequest } from './ipc';

/** The real relay in its own process, driven by the benchmark over IPC. */
async function main(): Promise<void> {
  const overrides = JSON.parse(process.env.BENCH_RELAY_OVERRIDES ?? '{}') as Partial<RelayConfig>;
  const relay = await startRelay({ ...loadRelayConfig(process.env), ...overrides });
  exitWithParent();
  process.on('message', (m: ChildRequest) => {
    if (m.type === 'mem') void settledMemory(m.gc).then((mem) => reply({ type: 'mem', ...mem }));
    if (m.type === 'stop') void relay.close().then(() => process.exit(0));
  });
  reply({ type: 'ready', port: relay.port });
}

void main();
