import { randomUUID } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RelayCloseCode } from '../../contracts/relay-close-codes';
import {
  RELAY_CONTROL_CLOSE_PATH,
  parseRelayEventBatch,
  type RelayClosedEvent,
  type RelayEvent,
} from '../../contracts/relay-events';
import { createRelayKeyring, deriveRelayKey } from '../../contracts/node/relay-keys';
import {
  RELAY_SIGNATURE_HEADER,
  RELAY_TIMESTAMP_HEADER,
  signRelayRequest,
  verifyRelayRequest,
} from '../../contracts/node/relay-signature';
import type { RelayServer } from '../../relay/relay-server';
import {
  SIGNING_KEY,
  TEST_SECRET,
  closed,
  expectRefused,
  nextMessage,
  openClient,
  openPair,
  subjectFor,
  until,
  withRelay,
} from './support/relay-harness';

function post(
  relay: RelayServer,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${relay.url}${RELAY_CONTROL_CLOSE_PATH}`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString()) as unknown,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const signedClose = (payload: object, key = SIGNING_KEY): [string, Record<string, string>] => {
  const body = JSON.stringify(payload);
  return [body, signRelayRequest(key, 'control', body)];
};

describe('relay: signed close requests from the portal', () => {
  let relay: RelayServer;
  beforeAll(async () => {
    relay = await withRelay();
  });
  afterAll(() => relay.close());

  it('closes every channel of the session with 4015 and the portal reason, once', async () => {
    const sid = randomUUID();
    const screen = await openPair(relay, sid, 'screen');
    const shell = await openPair(relay, sid, 'shell');
    const other = await openPair(relay);
    const closes = [screen.agent, screen.tech, shell.agent, shell.tech].map(closed);
    const [body, headers] = signedClose({
      id: randomUUID(),
      sessionId: sid,
      reason: 'Ended by the technician',
    });
    expect(await post(relay, body, headers)).toEqual({ status: 200, body: { closed: 2 } });
    for (const c of await Promise.all(closes))
      expect(c).toEqual({ code: RelayCloseCode.ClosedByPortal, reason: 'Ended by the technician' });
    expect(await post(relay, body, headers)).toEqual({ status: 200, body: { closed: 0 } });
    const stillThere = nextMessage(other.tech);
    other.agent.send('x');
    await stillThere;
    other.agent.close();
  });

  it('refuses new connections to a session the portal ended', async () => {
    const sid = randomUUID();
    const [body, headers] = signedClose({ id: randomUUID(), sessionId: sid, reason: 'Session ended' });
    expect((await post(relay, body, headers)).status).toBe(200);
    expect(await expectRefused(relay, subjectFor('agent', sid))).toMatchObject({
      status: 410,
      closeCode: RelayCloseCode.SessionEnded,
    });
  });

  it('closes one channel only when asked, leaving the session open', async () => {
    const sid = randomUUID();
    const files = await openPair(relay, sid, 'files');
    const screen = await openPair(relay, sid, 'screen');
    const filesClosed = closed(files.tech);
    const [body, headers] = signedClose({
      id: randomUUID(),
      sessionId: sid,
      channel: 'files',
      reason: 'Transfer cancelled',
    });
    expect(await post(relay, body, headers)).toEqual({ status: 200, body: { closed: 1 } });
    expect((await filesClosed).code).toBe(RelayCloseCode.ClosedByPortal);
    const ok = await openPair(relay, sid, 'files');
    ok.agent.close();
    screen.agent.close();
  });

  it('refuses unsigned, forged, truncated and stale requests', async () => {
    const { agent, sid } = await openPair(relay);
    const payload = { id: randomUUID(), sessionId: sid, reason: 'x' };
    const [body, headers] = signedClose(payload);
    expect((await post(relay, body, {})).status).toBe(401);
    const forged = signedClose(
      payload,
      deriveRelayKey('attacker-secret-0123456789abcdef-0123456789abcdef', 'signing'),
    )[1];
    expect((await post(relay, body, forged)).status).toBe(401);
    expect(
      (
        await post(relay, body, {
          ...headers,
          [RELAY_SIGNATURE_HEADER]: headers[RELAY_SIGNATURE_HEADER].slice(0, 40),
        })
      ).status,
    ).toBe(401);
    expect((await post(relay, JSON.stringify({ ...payload, sessionId: 'other' }), headers)).status).toBe(401);
    const stale = signRelayRequest(SIGNING_KEY, 'control', body, Date.now() - 10 * 60_000);
    expect((await post(relay, body, stale)).status).toBe(401);
    const eventsPurpose = signRelayRequest(SIGNING_KEY, 'events', body);
    expect((await post(relay, body, eventsPurpose)).status).toBe(401);
    expect(relay.registry.activePairs).toBeGreaterThanOrEqual(1);
    agent.close();
  });

  it('validates a signed body', async () => {
    const [body, headers] = signedClose({ id: 'nope', sessionId: 's', reason: 'x' });
    expect(await post(relay, body, headers)).toMatchObject({
      status: 400,
      body: { code: 'validation_failed' },
    });
  });
});

describe('relay: signed events to the portal', () => {
  let portal: Server;
  let relay: RelayServer;
  const received: RelayEvent[] = [];
  const verdicts: string[] = [];

  beforeAll(async () => {
    const keys = createRelayKeyring(TEST_SECRET, undefined, 'signing');
    portal = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        verdicts.push(
          verifyRelayRequest(
            keys.accepted,
            'events',
            {
              timestamp: req.headers[RELAY_TIMESTAMP_HEADER],
              signature: req.headers[RELAY_SIGNATURE_HEADER],
            },
            raw,
          ),
        );
        received.push(...parseRelayEventBatch(JSON.parse(raw.toString())));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => portal.listen(0, '127.0.0.1', r));
    relay = await withRelay({
      eventsUrl: `http://127.0.0.1:${(portal.address() as AddressInfo).port}/api/relay/events`,
    });
  });
  afterAll(async () => {
    await relay.close();
    portal.closeAllConnections();
    await new Promise((r) => portal.close(r));
  });

  it('reports paired and closed (reason, bytes, duration), signed', async () => {
    const { agent, tech, sid } = await openPair(relay);
    const atTech = nextMessage(tech);
    agent.send(Buffer.alloc(1000));
    await atTech;
    const techClosed = closed(tech);
    agent.close(RelayCloseCode.EndedOnDevice, 'Customer ended');
    await techClosed;
    await until(() => received.filter((e) => e.sessionId === sid).length === 2);
    const [pairedEvent, closedEvent] = received.filter((e) => e.sessionId === sid);
    expect(pairedEvent).toMatchObject({ type: 'paired', channel: 'screen' });
    expect(closedEvent as RelayClosedEvent).toMatchObject({
      type: 'closed',
      paired: true,
      closeCode: RelayCloseCode.EndedOnDevice,
      reason: 'ended_on_device',
      initiator: 'agent',
      bytesAgentToTech: 1000,
      bytesTechToAgent: 0,
      durationMs: expect.any(Number),
    });
    expect(pairedEvent.id).not.toBe(closedEvent.id);
    expect(verdicts.every((v) => v === 'ok')).toBe(true);
  });

  it('reports a pair that never formed', async () => {
    const short = await withRelay({
      pairTimeoutMs: 200,
      eventsUrl: `http://127.0.0.1:${(portal.address() as AddressInfo).port}/api/relay/events`,
    });
    try {
      const sid = randomUUID();
      const agent = await openClient(short, subjectFor('agent', sid));
      await closed(agent);
      await until(() => received.some((e) => e.sessionId === sid));
      expect(received.find((e) => e.sessionId === sid)).toMatchObject({
        type: 'closed',
        paired: false,
        closeCode: RelayCloseCode.PairTimeout,
        reason: 'pair_timeout',
        initiator: 'relay',
      });
    } finally {
      await short.close();
    }
  });
});
