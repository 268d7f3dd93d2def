import { randomUUID } from 'node:crypto';
import { deriveRelayKey } from '../../contracts/node/relay-keys';
import { signRelayRequest } from '../../contracts/node/relay-signature';
import { TEST_RELAY_SECRET, createTestApp, type TestApp } from '../support/test-app';

/** Signed relay events must name sessions this portal could have minted (UUIDs), or get a 400. */
describe('POST /api/relay/events validates session ids (real portal, real PostgreSQL)', () => {
  const signing = deriveRelayKey(TEST_RELAY_SECRET, 'signing');
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const event = (sessionId: string, type: 'paired' | 'closed' = 'paired'): Record<string, unknown> => {
    const base = { id: randomUUID(), sessionId, channel: 'screen', at: new Date().toISOString() };
    if (type === 'paired') return { ...base, type };
    return {
      ...base,
      type,
      paired: true,
      closeCode: 4013,
      reason: 'peer_left',
      initiator: 'agent',
      bytesAgentToTech: 0,
      bytesTechToAgent: 0,
      durationMs: 10,
    };
  };
  const post = (events: Array<Record<string, unknown>>) => {
    const body = JSON.stringify({ events });
    return t
      .http()
      .post('/api/relay/events')
      .set('content-type', 'application/json')
      .set(signRelayRequest(signing, 'events', body))
      .send(body);
  };

  it.each([
    ['paired', 'not-a-uuid'],
    ['closed', 'session_1'],
    ['closed', 'a'.repeat(64)],
  ] as const)('answers 400 validation_failed to a signed %s event for session id %s', async (type, sid) => {
    const res = await post([event(randomUUID()), event(sid, type)]);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 'validation_failed', message: 'events[1]: sessionId must be a UUID' });
  });

  it('still accepts signed events for UUID session ids, known or not', async () => {
    const res = await post([event(randomUUID()), event(randomUUID(), 'closed')]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: 2, duplicates: 0 });
  });
});
