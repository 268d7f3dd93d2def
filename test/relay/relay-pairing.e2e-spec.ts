import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import WebSocket from 'ws';
import { RelayCloseCode } from '../../contracts/relay-close-codes';
import type { RelayServer } from '../../relay/relay-server';
import {
  closed,
  dial,
  expectRefused,
  nextMessage,
  openClient,
  openPair,
  opened,
  subjectFor,
  until,
  withRelay,
} from './support/relay-harness';

describe('relay: pairing and piping', () => {
  let relay: RelayServer;
  beforeAll(async () => {
    relay = await withRelay();
  });
  afterAll(() => relay.close());

  it('pipes binary and text messages both ways, unchanged', async () => {
    const { agent, tech, sid } = await openPair(relay);
    const payload = Buffer.from([0, 1, 2, 250, 255]);
    const atTech = nextMessage(tech);
    agent.send(payload);
    expect(await atTech).toEqual({ data: payload, isBinary: true });
    const atAgent = nextMessage(agent);
    tech.send('ls -la\n');
    const text = await atAgent;
    expect(text.isBinary).toBe(false);
    expect(text.data.toString()).toBe('ls -la\n');
    const stats = relay.registry.stats().pairs.find((p) => p.sessionId === sid);
    expect(stats).toMatchObject({
      channel: 'screen',
      agent: true,
      tech: true,
      bytesAgentToTech: 5,
      bytesTechToAgent: 7,
    });
    agent.close();
    await closed(tech);
  });

  it('keeps channels of one session apart', async () => {
    const sid = randomUUID();
    const screen = await openPair(relay, sid, 'screen');
    const shell = await openPair(relay, sid, 'shell');
    const atShell = nextMessage(shell.tech);
    const atScreen = nextMessage(screen.tech);
    shell.agent.send('shell');
    screen.agent.send('screen');
    expect((await atShell).data.toString()).toBe('shell');
    expect((await atScreen).data.toString()).toBe('screen');
    for (const ws of [screen.agent, shell.agent]) ws.close();
  });

  it('delivers what a side sent before its peer arrived', async () => {
    const sid = randomUUID();
    const agent = await openClient(relay, subjectFor('agent', sid));
    agent.send('RFB 003.008\n');
    await until(() => relay.registry.waitingSides > 0);
    const tech = await dial(relay, subjectFor('tech', sid));
    const greeting = nextMessage(tech);
    await opened(tech);
    expect((await greeting).data.toString()).toBe('RFB 003.008\n');
    agent.close();
    await closed(tech);
  });

  it('refuses a third client with 4010 and leaves the pair untouched', async () => {
    const { agent, tech, sid } = await openPair(relay);
    const intruder = await openClient(relay, subjectFor('tech', sid));
    expect(await closed(intruder)).toEqual({
      code: RelayCloseCode.DuplicateSide,
      reason: 'Someone is already connected to this session from this side.',
    });
    const secondAgent = await openClient(relay, subjectFor('agent', sid));
    expect((await closed(secondAgent)).code).toBe(RelayCloseCode.DuplicateSide);
    expect(agent.readyState).toBe(WebSocket.OPEN);
    expect(tech.readyState).toBe(WebSocket.OPEN);
    const atTech = nextMessage(tech);
    agent.send('still here');
    expect((await atTech).data.toString()).toBe('still here');
    agent.close();
    await closed(tech);
  });

  it('closes the other side with 4013 when one side leaves, whichever it is', async () => {
    const first = await openPair(relay);
    const techClosed = closed(first.tech);
    first.agent.close(1000);
    expect(await techClosed).toEqual({
      code: RelayCloseCode.PeerLeft,
      reason: 'The other side disconnected.',
    });
    const second = await openPair(relay);
    const agentClosed = closed(second.agent);
    second.tech.terminate();
    expect((await agentClosed).code).toBe(RelayCloseCode.PeerLeft);
  });

  it('forwards endpoint close codes, such as "no VNC server", to the other side', async () => {
    const { agent, tech } = await openPair(relay);
    const techClosed = closed(tech);
    agent.close(RelayCloseCode.NoVncServer, 'No VNC server on :0');
    expect(await techClosed).toEqual({ code: RelayCloseCode.NoVncServer, reason: 'No VNC server on :0' });
  });

  it('cuts a message above maxPayload with 1009 (a 100 MB frame) and tells the peer', async () => {
    const { agent, tech } = await openPair(relay, randomUUID(), 'files', {
      generateMask: (mask: Buffer) => mask.fill(0),
    });
    const agentClosed = closed(agent);
    const techClosed = closed(tech);
    agent.send(Buffer.alloc(100 * 1024 * 1024));
    expect((await agentClosed).code).toBe(RelayCloseCode.MessageTooBig);
    expect((await techClosed).code).toBe(RelayCloseCode.PeerLeft);
  });

  it('cuts a connection that never completes its HTTP handshake', async () => {
    const short = await withRelay({ handshakeTimeoutMs: 500 });
    try {
      const socket = connect(Number(new URL(short.url).port), '127.0.0.1');
      socket.on('error', () => undefined);
      await new Promise((r) => socket.once('connect', r));
      socket.write('GET /ws?sid=a&ch=screen&role=agent HTTP/1.1\r\nHost: x\r\n');
      const started = Date.now();
      await new Promise((r) => socket.once('close', r));
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await short.close();
    }
  });
});

describe('relay: timers', () => {
  it('closes an unpaired side after the pair timeout', async () => {
    const relay = await withRelay({ pairTimeoutMs: 300 });
    try {
      const started = Date.now();
      const agent = await openClient(relay, subjectFor('agent'));
      expect(await closed(agent)).toEqual({
        code: RelayCloseCode.PairTimeout,
        reason: 'The other side did not connect in time.',
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(relay.registry.waitingSides).toBe(0);
    } finally {
      await relay.close();
    }
  });

  it('closes a pair when the session TTL is reached', async () => {
    const relay = await withRelay({ sessionTtlMs: 400 });
    try {
      const { agent, tech } = await openPair(relay);
      const [a, t] = await Promise.all([closed(agent), closed(tech)]);
      expect(a.code).toBe(RelayCloseCode.SessionTtl);
      expect(t).toEqual({
        code: RelayCloseCode.SessionTtl,
        reason: 'The session reached its maximum duration.',
      });
    } finally {
      await relay.close();
    }
  });

  it('detects a half-open peer within two heartbeat intervals and tells the other side', async () => {
    const interval = 500;
    const relay = await withRelay({ heartbeatIntervalMs: interval });
    try {
      const { agent, tech } = await openPair(relay, randomUUID(), 'screen', {}, { autoPong: false });
      const started = Date.now();
      const agentClosed = await closed(agent);
      expect(agentClosed).toEqual({
        code: RelayCloseCode.PeerUnresponsive,
        reason: 'The other side stopped responding.',
      });
      // Two intervals, plus slack for timers on a busy 2-core machine.
      expect(Date.now() - started).toBeLessThanOrEqual(2 * interval + 300);
      expect(tech.readyState).not.toBe(WebSocket.OPEN);
      expect(relay.metrics.heartbeatTerminations).toBe(1);
    } finally {
      await relay.close();
    }
  });

  it('keeps a healthy idle pair across many heartbeats', async () => {
    const relay = await withRelay({ heartbeatIntervalMs: 100 });
    try {
      const { agent, tech } = await openPair(relay);
      await new Promise((r) => setTimeout(r, 700));
      expect([agent.readyState, tech.readyState]).toEqual([WebSocket.OPEN, WebSocket.OPEN]);
      agent.close();
    } finally {
      await relay.close();
    }
  });
});

describe('relay: flow control', () => {
  it('pauses the sender while the reader does not read, and loses nothing when it resumes', async () => {
    const watermark = 256 * 1024;
    const relay = await withRelay({ highWatermarkBytes: watermark });
    try {
      const { agent, tech, sid } = await openPair(relay, randomUUID(), 'files', {
        generateMask: (m: Buffer) => m.fill(0),
      });
      tech.pause();
      const chunk = Buffer.alloc(64 * 1024, 1);
      const total = 64 * 1024 * 1024;
      let sent = 0;
      const relayed = (): number =>
        relay.registry.stats().pairs.find((p) => p.sessionId === sid)?.bytesAgentToTech ?? 0;
      const deadline = Date.now() + 3000;
      while (sent < total && Date.now() < deadline) {
        while (agent.bufferedAmount < 1024 * 1024 && sent < total) {
          agent.send(chunk);
          sent += chunk.length;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      const plateau = relayed();
      await new Promise((r) => setTimeout(r, 300));
      expect(relayed()).toBe(plateau);
      expect(plateau).toBeLessThan(total / 2);
      expect(relay.metrics.backpressurePauses).toBeGreaterThan(0);

      let received = 0;
      tech.on('message', (d: Buffer) => (received += d.length));
      tech.resume();
      const finish = Date.now() + 20_000;
      while (received < sent && Date.now() < finish) {
        while (agent.bufferedAmount < 1024 * 1024 && sent < total) {
          agent.send(chunk);
          sent += chunk.length;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(received).toBe(sent);
      agent.close();
    } finally {
      await relay.close();
    }
  });

  it('caps a session at its byte rate', async () => {
    const rate = 1024 * 1024;
    const relay = await withRelay({ sessionRateBytesPerSec: rate });
    try {
      const { agent, tech } = await openPair(relay);
      let received = 0;
      const total = 2.5 * rate;
      const done = new Promise<void>((resolve) =>
        tech.on('message', (d: Buffer) => {
          received += d.length;
          if (received >= total) resolve();
        }),
      );
      const started = Date.now();
      for (let sent = 0; sent < total; sent += 64 * 1024) agent.send(Buffer.alloc(64 * 1024));
      await done;
      expect(Date.now() - started).toBeGreaterThanOrEqual(1300);
      expect(relay.metrics.ratePauses).toBeGreaterThan(0);
      agent.close();
    } finally {
      await relay.close();
    }
  });
});

describe('relay: a refused side is not a pair', () => {
  it('still refuses before the upgrade once the pair exists (bad token)', async () => {
    const relay = await withRelay();
    try {
      const { agent, sid } = await openPair(relay);
      expect((await expectRefused(relay, subjectFor('tech', sid), { token: 'a.b.c' })).status).toBe(401);
      expect(relay.registry.activePairs).toBe(1);
      agent.close();
    } finally {
      await relay.close();
    }
  });
});
