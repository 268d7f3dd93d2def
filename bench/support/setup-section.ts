/** Pair setups per second: handshakes with tokens verified, until the first byte crossed. */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { RawRelayClient } from './endpoints';
import { closeAll, setupPairs } from './measure';
import { SIZES, TOKEN_KEY, rows, withServer, median, pause, log, type Kind } from './context';

async function setupRate(kind: Kind): Promise<number> {
  return withServer(kind, async ({ child, transport }) => {
    const rates: number[] = [];
    for (let round = 0; round <= SIZES.setupRounds; round++) {
      const count = SIZES.setupPairs; // round 0 warms the JIT up and is not counted
      const ids = Array.from({ length: count }, () => randomUUID());
      let seconds: number;
      if (kind === 'net') {
        const r = await setupPairs(transport, ids, SIZES.setupConcurrency);
        seconds = r.seconds;
        closeAll(r.pairs);
      } else {
        const raw = new RawRelayClient(child.port, TOKEN_KEY);
        await raw.premint(ids);
        const sockets: Array<{ destroy(): void }> = [];
        let next = 0;
        const started = performance.now();
        await Promise.all(
          Array.from({ length: SIZES.setupConcurrency }, async () => {
            while (next < ids.length) sockets.push(...(await raw.setupPair(ids[next++])));
          }),
        );
        seconds = (performance.now() - started) / 1000;
        for (const s of sockets) s.destroy();
      }
      if (round > 0) rates.push(count / seconds);
      await pause(1000);
    }
    return median(rates);
  });
}

export async function setups(): Promise<void> {
  const net = await setupRate('net');
  const relay = await setupRate('relay');
  const floor = await setupRate('floor');
  log(`pair setups: net ${net.toFixed(0)}/s, relay ${relay.toFixed(0)}/s, ws floor ${floor.toFixed(0)}/s`);
  rows.push({
    key: 'pair_setups_per_s',
    label: `pair setups per second (${SIZES.setupPairs} pairs, ${SIZES.setupConcurrency} in flight, median of ${SIZES.setupRounds})`,
    unit: '/s',
    net,
    relay,
    floor,
    target: '≥ 3000',
    met: relay >= 3000,
  });
}
