import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Endpoint, PairEndpoints, Transport } from './endpoints';

const KIB = 1024;
const MIB = 1024 * KIB;

/** Sends `total` bytes in `chunk`-sized messages, never queueing more than `maxQueued` locally. */
export async function pumpBytes(
  endpoint: Endpoint,
  total: number,
  chunk: Buffer,
  maxQueued = 4 * MIB,
  deadline = Infinity,
): Promise<number> {
  let sent = 0;
  while (sent < total && performance.now() < deadline) {
    if (endpoint.queued <= maxQueued) endpoint.send(chunk);
    else if (deadline === Infinity) await endpoint.sendFlushed(chunk);
    else {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>(
        (resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - performance.now()))),
      );
      await Promise.race([endpoint.sendFlushed(chunk), timeout]);
      clearTimeout(timer);
    }
    sent += chunk.length;
  }
  return sent;
}

export interface BulkResult {
  readonly bytes: number;
  readonly seconds: number;
  readonly mbPerSec: number;
}

/** Bulk throughput: `total` bytes of 64 KiB messages agent → tech, first send to last byte received. */
export async function bulkThroughput(transport: Transport, total: number): Promise<BulkResult> {
  const { agent, tech } = await transport.openPair(randomUUID());
  const chunk = randomBytes(64 * KIB);
  let received = 0;
  const done = new Promise<void>((resolve) =>
    tech.onData((d) => {
      received += d.length;
      if (received >= total) resolve();
    }),
  );
  const started = performance.now();
  await pumpBytes(agent, total, chunk);
  await done;
  const seconds = (performance.now() - started) / 1000;
  agent.close();
  tech.close();
  return { bytes: total, seconds, mbPerSec: total / MIB / seconds };
}

export interface LatencyResult {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * Round trip of 1 KiB messages at `rate` per second: agent → tech, the tech echoes, agent ← tech.
 * The first `warmup` samples are discarded. Works on message streams (ws) and byte streams (net).
 */
export async function roundTrip(
  transport: Transport,
  rate: number,
  samples: number,
  warmup: number,
): Promise<LatencyResult> {
  const size = KIB;
  const { agent, tech } = await transport.openPair(randomUUID());
  tech.onData((d) => tech.send(d));
  const total = samples + warmup;
  const sentAt = new Float64Array(total);
  const rtts: number[] = [];
  let pending: Buffer = Buffer.alloc(0);
  const finished = new Promise<void>((resolve) =>
    agent.onData((d) => {
      pending = pending.length ? Buffer.concat([pending, d]) : d;
      while (pending.length >= size) {
        const seq = pending.readUInt32LE(0);
        if (seq >= warmup) rtts.push(performance.now() - sentAt[seq]);
        pending = pending.subarray(size);
        if (seq === total - 1) resolve();
      }
    }),
  );
  const started = performance.now();
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
      for (; next < due; next++) {
        const message = Buffer.alloc(size);
        message.writeUInt32LE(next, 0);
        sentAt[next] = performance.now();
        agent.send(message);
      }
      if (next < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await Promise.race([finished, new Promise((r) => setTimeout(r, 10_000))]);
  agent.close();
  tech.close();
  rtts.sort((a, b) => a - b);
  const pick = (q: number): number => rtts[Math.min(rtts.length - 1, Math.floor(q * rtts.length))] ?? NaN;
  return { samples: rtts.length, p50Ms: pick(0.5), p99Ms: pick(0.99), maxMs: rtts[rtts.length - 1] ?? NaN };
}

/** Opens `count` pairs, `concurrency` at a time; a setup ends when the agent's first byte reached the tech. */
export async function setupPairs(
  transport: Transport,
  ids: readonly string[],
  concurrency: number,
): Promise<{ pairs: PairEndpoints[]; seconds: number }> {
  const pairs: PairEndpoints[] = [];
  let index = 0;
  const ping = Buffer.from([1]);
  const worker = async (): Promise<void> => {
    while (index < ids.length) {
      const id = ids[index++];
      const pair = await transport.openPair(id);
      const arrived = new Promise<void>((resolve) => pair.tech.onData(() => resolve()));
      pair.agent.send(ping);
      await arrived;
      pairs.push(pair);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { pairs, seconds: (performance.now() - started) / 1000 };
}

/** Opens `count` idle pairs (no first byte), `concurrency` at a time. */
export async function openIdlePairs(
  transport: Transport,
  ids: readonly string[],
  concurrency: number,
): Promise<PairEndpoints[]> {
  const pairs: PairEndpoints[] = [];
  let index = 0;
  const worker = async (): Promise<void> => {
    while (index < ids.length) pairs.push(await transport.openPair(ids[index++]));
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return pairs;
}

export function closeAll(pairs: readonly PairEndpoints[]): void {
  for (const p of pairs) {
    p.agent.close();
    p.tech.close();
  }
}
