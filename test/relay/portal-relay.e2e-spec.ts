import { randomUUID } from 'node:crypto';
import type { Subscription } from 'rxjs';
import { RelayCloseCode } from '../../contracts/relay-close-codes';
import type { RelayEvent } from '../../contracts/relay-events';
import { createRelayKeyring, deriveRelayKey } from '../../contracts/node/relay-keys';
import { RELAY_SIGNATURE_HEADER, signRelayRequest } from '../../contracts/node/relay-signature';
import { verifyRelayToken } from '../../contracts/node/relay-token';
import type { RelayServer } from '../../relay/relay-server';
import { DomainError, ErrorCode } from '../../src/common/domain-error';
import { RelayControlService } from '../../src/relay-link/relay-control.service';
import { RelayEventsService } from '../../src/relay-link/relay-events.service';
import { RelayTokenService } from '../../src/relay-link/relay-token.service';
import { TEST_RELAY_SECRET, createTestApp, freePort, type TestApp } from '../support/test-app';
import { closed, expectRefused, openClient, subjectFor, until, withRelay } from './support/relay-harness';

const PREVIOUS_SECRET = 'previous-relay-secret-0123456789-abcdefghijklmnopqrstuv';
const current = createRelayKeyring(TEST_RELAY_SECRET, PREVIOUS_SECRET, 'token');

const paired = (sessionId: string): RelayEvent => ({
  id: randomUUID(),
  type: 'paired',
  sessionId,
  channel: 'screen',
  at: new Date().toISOString(),
});

describe('portal ↔ relay', () => {
  let portal: TestApp;
  let relay: RelayServer;
  const received: RelayEvent[] = [];
  let subscription: Subscription;

  beforeAll(async () => {
    const port = await freePort();
    relay = await withRelay({
      tokenKeys: current,
      signingKeys: createRelayKeyring(TEST_RELAY_SECRET, PREVIOUS_SECRET, 'signing'),
      eventsUrl: `http://127.0.0.1:${port}/api/relay/events`,
    });
    portal = await createTestApp(
      {
        RELAY_SECRET_PREVIOUS: PREVIOUS_SECRET,
        RELAY_INTERNAL_URL: relay.url,
        RELAY_PUBLIC_URL: relay.url.replace(/^http/, 'ws'),
      },
      { port },
    );
    subscription = portal.app.get(RelayEventsService).events$.subscribe((e) => received.push(e));
  }, 60_000);

  afterAll(async () => {
    subscription?.unsubscribe();
    await relay?.close();
    await portal?.close();
  });

  describe('RelayTokenService', () => {
    it('mints an agent and a tech token per channel that verify for exactly that side', async () => {
      const sid = randomUUID();
      const minted = await portal.app
        .get(RelayTokenService)
        .mintSessionTokens(sid, ['screen', 'shell', 'screen']);
      expect(minted.url).toBe(portal.config.relay.publicUrl);
      expect(Object.keys(minted.agent)).toEqual(['screen', 'shell']);
      expect(minted.expiresAt.getTime()).toBeGreaterThan(Date.now() + 590_000);
      expect(minted.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 600_000);
      for (const ch of ['screen', 'shell']) {
        const agent = await verifyRelayToken(minted.agent[ch], current.accepted, { sid, ch, role: 'agent' });
        const tech = await verifyRelayToken(minted.tech[ch], current.accepted, { sid, ch, role: 'tech' });
        expect(agent.exp - agent.iat).toBe(600);
        expect(agent.jti).not.toBe(tech.jti);
        const header = JSON.parse(Buffer.from(minted.tech[ch].split('.')[0], 'base64url').toString()) as {
          kid: string;
        };
        expect(header.kid).toBe(current.current.kid);
      }
    });

    it('refuses invalid channels and session ids', async () => {
      const service = portal.app.get(RelayTokenService);
      await expect(service.mintSessionTokens(randomUUID(), [])).rejects.toMatchObject({
        code: ErrorCode.ValidationFailed,
      });
      await expect(service.mintSessionTokens(randomUUID(), ['Screen!'])).rejects.toMatchObject({
        code: ErrorCode.ValidationFailed,
      });
      await expect(service.mintSessionTokens('not a session', ['screen'])).rejects.toBeInstanceOf(
        DomainError,
      );
    });
  });

  describe('the full loop with a real relay', () => {
    it("pairs with portal tokens, reports paired, closes on the portal's signed request and reports closed", async () => {
      const sid = randomUUID();
      const minted = await portal.app.get(RelayTokenService).mintSessionTokens(sid, ['screen']);
      const agent = await openClient(relay, subjectFor('agent', sid), { token: minted.agent.screen });
      const tech = await openClient(relay, subjectFor('tech', sid), { token: minted.tech.screen });
      await until(() => received.some((e) => e.sessionId === sid && e.type === 'paired'));

      const closes = Promise.all([closed(agent), closed(tech)]);
      expect(await portal.app.get(RelayControlService).closeSession(sid, 'Ended by the technician\r\n')).toBe(
        1,
      );
      for (const c of await closes)
        expect(c).toEqual({ code: RelayCloseCode.ClosedByPortal, reason: 'Ended by the technician' });
      await until(() => received.some((e) => e.sessionId === sid && e.type === 'closed'));
      expect(received.find((e) => e.sessionId === sid && e.type === 'closed')).toMatchObject({
        reason: 'closed_by_portal',
        initiator: 'portal',
        paired: true,
      });

      const again = await portal.app.get(RelayTokenService).mintSessionTokens(sid, ['screen']);
      expect(
        await expectRefused(relay, subjectFor('agent', sid), { token: again.agent.screen }),
      ).toMatchObject({ status: 410, closeCode: RelayCloseCode.SessionEnded });
    });
  });

  describe('POST /api/relay/events', () => {
    const post = (body: string, headers: Record<string, string>) =>
      portal.http().post('/api/relay/events').set('content-type', 'application/json').set(headers).send(body);
    const signing = deriveRelayKey(TEST_RELAY_SECRET, 'signing');

    it('accepts a signed batch once and republishes each event once', async () => {
      const sid = randomUUID();
      const body = JSON.stringify({ events: [paired(sid), { ...paired(sid), channel: 'shell' }] });
      const first = await post(body, signRelayRequest(signing, 'events', body));
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ accepted: 2, duplicates: 0 });
      const replay = await post(body, signRelayRequest(signing, 'events', body));
      expect(replay.body).toEqual({ accepted: 0, duplicates: 2 });
      expect(received.filter((e) => e.sessionId === sid)).toHaveLength(2);
    });

    it('ignores an id repeated inside one batch', async () => {
      const event = paired(randomUUID());
      const body = JSON.stringify({ events: [event, event] });
      expect((await post(body, signRelayRequest(signing, 'events', body))).body).toEqual({
        accepted: 1,
        duplicates: 1,
      });
    });

    it('accepts events signed with RELAY_SECRET_PREVIOUS during a rotation', async () => {
      const body = JSON.stringify({ events: [paired(randomUUID())] });
      const res = await post(
        body,
        signRelayRequest(deriveRelayKey(PREVIOUS_SECRET, 'signing'), 'events', body),
      );
      expect(res.status).toBe(200);
    });

    it('rejects unsigned, forged, truncated, stale and wrongly keyed requests without applying them', async () => {
      const sid = randomUUID();
      const body = JSON.stringify({ events: [paired(sid)] });
      const good = signRelayRequest(signing, 'events', body);
      const attempts: Array<Record<string, string>> = [
        {},
        signRelayRequest(
          deriveRelayKey('attacker-secret-0123456789-abcdefghijklmnopqrstuvwxyz', 'signing'),
          'events',
          body,
        ),
        { ...good, [RELAY_SIGNATURE_HEADER]: good[RELAY_SIGNATURE_HEADER].slice(0, -8) },
        signRelayRequest(signing, 'events', body, Date.now() - 10 * 60_000),
        signRelayRequest(signing, 'control', body),
        signRelayRequest(deriveRelayKey(TEST_RELAY_SECRET, 'token'), 'events', body),
        signRelayRequest(signing, 'events', `${body} `),
      ];
      for (const headers of attempts) {
        const res = await post(body, headers);
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ code: 'invalid_signature', message: expect.any(String) });
      }
      expect(received.some((e) => e.sessionId === sid)).toBe(false);
    });

    it('validates a signed body', async () => {
      const body = JSON.stringify({ events: [{ ...paired(randomUUID()), type: 'opened' }] });
      const res = await post(body, signRelayRequest(signing, 'events', body));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    });
  });

  describe('RelayControlService', () => {
    it('reports an unreachable relay as unavailable', async () => {
      await relay.close();
      await expect(portal.app.get(RelayControlService).closeSession(randomUUID(), 'x')).rejects.toMatchObject(
        { code: ErrorCode.Unavailable },
      );
    });
  });
});
