import type { RemoteSessionDto } from '../../src/remote-sessions/dto/remote-session.dto';
import { RemoteSessionEndingService } from '../../src/remote-sessions/remote-session-ending.service';
import { RemoteSessionEvents } from '../../src/remote-sessions/remote-session-events';
import { RemoteSessionLifecycle } from '../../src/remote-sessions/remote-session-lifecycle';
import { RemoteSessionQueries } from '../../src/remote-sessions/remote-session.queries';
import { RemoteSessionsModule } from '../../src/remote-sessions/remote-sessions.module';
import { createPersistentDevice, createServiceModule, type ServiceModule } from '../support/service-module';

/**
 * Remote-session transitions racing on a real PostgreSQL: `pending → active` on the first pairing
 * and `→ ended` from every end path are guarded UPDATEs, so of racing callers exactly one changes the
 * row, writes the audit line and publishes the change. Racers start together; no clock is waited on.
 */
describe('Remote-session transitions under races (service tier)', () => {
  let t: ServiceModule;
  let queries: RemoteSessionQueries;
  let ending: RemoteSessionEndingService;
  let deviceId: string;
  const updates: RemoteSessionDto[] = [];

  beforeAll(async () => {
    t = await createServiceModule([RemoteSessionsModule]);
    queries = t.app.get(RemoteSessionQueries);
    ending = t.app.get(RemoteSessionEndingService);
    t.app.get(RemoteSessionEvents).stream.subscribe((e) => {
      if (e.type === 'remote_session.updated') updates.push(e.session);
    });
    deviceId = await createPersistentDevice(t);
  });
  afterAll(() => t?.close());

  const newSession = async (): Promise<string> =>
    (
      await queries.insert({
        deviceId,
        technicianId: t.admin.id,
        type: 'attended',
        protocol: 'web',
        reason: null,
        recordingEnabled: false,
        channels: ['screen', 'shell'],
        relayUrl: 'ws://127.0.0.1:9/relay',
      })
    ).id;
  const endedAudit = async (id: string) =>
    (await t.auditOf(id)).filter((a) => a.action === 'remote_session.ended');
  const updatesOf = (id: string): RemoteSessionDto[] => updates.filter((s) => s.id === id);

  it('two end paths at once: exactly one ends it, with its reason, one audit line and one update', async () => {
    const id = await newSession();

    const [byTechnician, byRelay] = await Promise.all([
      ending.end(id, 'technician', { actorType: 'user', actorId: t.admin.id }),
      ending.end(id, 'ttl_reached', { actorType: 'relay' }),
    ]);

    expect([byTechnician, byRelay].filter(Boolean)).toHaveLength(1);
    const reason = byTechnician ? 'technician' : 'ttl_reached';
    expect(await queries.dto(id)).toMatchObject({ status: 'ended', endReason: reason });
    const audit = await endedAudit(id);
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toEqual({ reason });
    expect(updatesOf(id).map((s) => s.endReason)).toEqual([reason]);
  });

  it('many revocation ends of one session at once: one wins', async () => {
    const id = await newSession();

    const results = await Promise.all(
      Array.from({ length: 5 }, () => ending.end(id, 'technician_revoked', { actorType: 'system' })),
    );

    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await endedAudit(id)).toHaveLength(1);
  });

  it('two channels pairing at once: the session becomes active once', async () => {
    const id = await newSession();

    await Promise.all([ending.markConnected(id), ending.markConnected(id)]);

    const dto = await queries.dto(id);
    expect(dto.status).toBe('active');
    expect(dto.connectedAt).not.toBeNull();
    expect(updatesOf(id).map((s) => s.status)).toEqual(['active']);
  });

  it('the first pairing racing the pair timeout: either it connected and stays open, or it ended unconnected', async () => {
    const id = await newSession();

    const [, timedOut] = await Promise.all([
      ending.markConnected(id),
      ending.end(id, 'pair_timeout', { actorType: 'relay' }, { onlyIfNeverConnected: true }),
    ]);

    const dto = await queries.dto(id);
    if (timedOut) {
      expect(dto).toMatchObject({ status: 'ended', endReason: 'pair_timeout', connectedAt: null });
      expect(await endedAudit(id)).toHaveLength(1);
    } else {
      expect(dto).toMatchObject({ status: 'active', endedAt: null });
      expect(dto.connectedAt).not.toBeNull();
      expect(await endedAudit(id)).toHaveLength(0);
    }
  });

  it('a pair timeout after the viewer once connected does not end the session', async () => {
    const id = await newSession();
    await ending.markConnected(id);

    const ended = await ending.end(
      id,
      'pair_timeout',
      { actorType: 'relay' },
      { onlyIfNeverConnected: true },
    );

    expect(ended).toBe(false);
    expect(await queries.dto(id)).toMatchObject({ status: 'active' });
    expect(await endedAudit(id)).toHaveLength(0);
  });

  // Last: the sweep also ends every other open session here (their technician holds no login).
  it('the sweep racing the technician ending an overdue session: one end, one audit line', async () => {
    const id = await newSession();
    await t.db.query(`UPDATE remote_sessions SET started_at = now() - interval '1 day' WHERE id = $1`, [id]);

    const [, byTechnician] = await Promise.all([
      t.app.get(RemoteSessionLifecycle).sweep(),
      ending.end(id, 'technician', { actorType: 'user', actorId: t.admin.id }),
    ]);

    const audit = await endedAudit(id);
    expect(audit).toHaveLength(1);
    const { reason } = audit[0].details as { reason: string };
    // The sweep ends an overdue session as ttl_reached; the technician's end reports whether it won.
    expect(reason).toBe(byTechnician ? 'technician' : 'ttl_reached');
    expect(await queries.dto(id)).toMatchObject({ status: 'ended', endReason: reason });
  });
});
