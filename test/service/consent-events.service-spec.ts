import type { ConsentMessage } from '../../contracts/agent-protocol/control-messages';
import { AgentControlService } from '../../src/agent-control/agent-control.service';
import {
  CONSENT_EVENTS_PER_SESSION,
  RemoteSessionChannels,
} from '../../src/remote-sessions/remote-session-channels';
import { RemoteSessionQueries } from '../../src/remote-sessions/remote-session.queries';
import { RemoteSessionsModule } from '../../src/remote-sessions/remote-sessions.module';
import { createPersistentDevice, createServiceModule, type ServiceModule } from '../support/service-module';

/**
 * A device's consent events on a real PostgreSQL: they apply in the order the device sent them, even
 * when each one's audit write and row lock take their own time, and a device that floods them cannot
 * grow the audit trail without bound.
 */
describe('consent events from a device (service tier)', () => {
  let t: ServiceModule;
  let queries: RemoteSessionQueries;
  let channels: RemoteSessionChannels;
  let agents: AgentControlService;
  let deviceId: string;

  beforeAll(async () => {
    t = await createServiceModule([RemoteSessionsModule]);
    queries = t.app.get(RemoteSessionQueries);
    channels = t.app.get(RemoteSessionChannels);
    agents = t.app.get(AgentControlService);
    deviceId = await createPersistentDevice(t);
  });
  afterAll(() => t?.close());

  const newSession = async (): Promise<string> =>
    (
      await queries.insert({
        deviceId,
        technicianId: t.admin.id,
        type: 'attended',
        protocol: 'vnc',
        reason: null,
        recordingEnabled: false,
        channels: ['screen'],
        relayUrl: 'ws://127.0.0.1:9/relay',
      })
    ).id;
  const report = (sessionId: string, fields: Partial<ConsentMessage>): void =>
    agents.publish({
      type: 'agent.message',
      deviceId,
      message: { type: 'consent', sessionId, channel: 'screen', event: 'asked', policy: 'ask', ...fields },
    });
  const consentLines = async (id: string) =>
    (await t.auditOf(id)).filter((a) => a.action === 'remote_session.consent');

  it('applies a question and its answer in the order the device sent them', async () => {
    const id = await newSession();
    report(id, { event: 'asked', promptId: 'p-1', expiresInSec: 30 });
    report(id, { event: 'allowed_view_only', promptId: 'p-1', scope: 'session', mode: 'view_only' });
    await channels.settled(id);
    expect((await queries.dto(id)).channelStates[0]).toMatchObject({ state: 'open', mode: 'view_only' });
    expect((await consentLines(id)).map((l) => (l.details as { event: string }).event)).toEqual([
      'asked',
      'allowed_view_only',
    ]);
  });

  it(`takes at most ${CONSENT_EVENTS_PER_SESSION} events per session; a flood adds nothing after that`, async () => {
    const id = await newSession();
    for (let i = 0; i < CONSENT_EVENTS_PER_SESSION + 5; i++)
      report(id, { promptId: `p-${i}`, expiresInSec: 30 });
    await channels.settled(id);
    expect(await consentLines(id)).toHaveLength(CONSENT_EVENTS_PER_SESSION);
    // The question the state shows is the last one taken, not one of the dropped.
    const state = (await queries.findRow(id))!.channelStates.screen;
    expect(state).toMatchObject({ state: 'asking', promptId: `p-${CONSENT_EVENTS_PER_SESSION - 1}` });
    // Another session of the same device is not affected.
    const other = await newSession();
    report(other, { promptId: 'p-other', expiresInSec: 30 });
    await channels.settled(other);
    expect(await consentLines(other)).toHaveLength(1);
  });
});
