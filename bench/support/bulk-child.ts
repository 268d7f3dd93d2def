import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { deriveRelayKey } from '../../contracts/node/relay-keys';
import { NetTransport, RelayTransport, type Transport } from './endpoints';
import { exitWithParent, reply, type ChildRequest } from './ipc';

/** A saturating bulk session in its own process, so its load does not share the measuring event loop. */
const MAX_SECONDS = 120;

async function main(): Promise<void> {
  const port = Number(process.env.BENCH_PORT);
  const transport: Transport =
    process.env.BENCH_MODE === 'net'
      ? new NetTransport(port)
      : new RelayTransport(port, deriveRelayKey(process.env.RELAY_SECRET ?? '', 'token'));
  const { agent, tech } = await transport.openPair(randomUUID());
  let received = 0;
  tech.onData((d) => (received += d.length));
  const chunk = randomBytes(64 * 1024);
  const started = performance.now();
  let running = true;
  exitWithParent();
  process.on('message', (m: ChildRequest) => {
    if (m.type === 'stop') running = false;
  });
  reply({ type: 'ready', port });
  for (let n = 1; running && performance.now() - started < MAX_SECONDS * 1000; n++) {
    if (agent.queued > 4 * 1024 * 1024) await agent.sendFlushed(chunk);
    else agent.send(chunk);
    // Yield now and then so the receiver and the stop message get their turn.
    if (n % 64 === 0) await new Promise((r) => setImmediate(r));
  }
  const seconds = (performance.now() - started) / 1000;
  agent.close();
  tech.close();
  reply({ type: 'stopped', bytes: received, seconds });
  setTimeout(() => process.exit(0), 50);
}

void main();
