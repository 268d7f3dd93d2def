import { ErrorCode } from '../../src/common/domain-error';
import { DevicesService } from '../../src/devices/devices.service';
import { QuickSupportExpiryJob } from '../../src/quick-support/quick-support-expiry.job';
import { QuickSupportModule } from '../../src/quick-support/quick-support.module';
import { QuickSupportService } from '../../src/quick-support/quick-support.service';
import { createServiceModule, type ServiceModule } from '../support/service-module';

/**
 * Quick-support transitions racing on a real PostgreSQL: each is one guarded UPDATE, so of callers
 * that race exactly one changes the row and writes the audit line, and the others see what it did.
 * Racers are started together with Promise.all(Settled); nothing here waits on a clock.
 */
describe('Quick-support transitions under races (service tier)', () => {
  let t: ServiceModule;
  let qs: QuickSupportService;
  let devices: DevicesService;

  beforeAll(async () => {
    t = await createServiceModule([QuickSupportModule]);
    qs = t.app.get(QuickSupportService);
    devices = t.app.get(DevicesService);
  });
  afterAll(() => t?.close());

  const newSession = async (): Promise<string> => (await qs.create(t.admin, {})).id;
  const actions = async (id: string): Promise<string[]> => (await t.auditOf(id)).map((a) => a.action);
  const count = (list: string[], action: string): number => list.filter((a) => a === action).length;

  /** What the registration transaction does: a device, then `waiting → active` for it. */
  const claim = (sessionId: string, hostname: string): Promise<string> =>
    t.db.transaction(async (m) => {
      const { device } = await devices.createInTransaction(
        m,
        'quick',
        {
          hostname,
          os: 'linux',
          osVersion: '6.8',
          arch: 'x64',
          agentVersion: '0.1.0',
          protocolVersion: '1',
        },
        sessionId,
      );
      await qs.activateInTransaction(m, sessionId, device.id);
      return device.id;
    });

  it('two devices claiming one waiting session: one is linked, the other is refused and leaves nothing', async () => {
    const id = await newSession();

    const results = await Promise.allSettled([claim(id, 'pc-a'), claim(id, 'pc-b')]);

    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0].reason).toMatchObject({ code: ErrorCode.SessionNotWaiting });
    const deviceId = won[0].value;
    const session = await qs.get(t.admin, id);
    expect(session).toMatchObject({ status: 'active', device: { id: deviceId } });
    // The loser's device rolled back with its transaction.
    const rows: { id: string }[] = await t.db.query(`SELECT id FROM devices WHERE support_session_id = $1`, [
      id,
    ]);
    expect(rows.map((r) => r.id)).toEqual([deviceId]);
    expect(count(await actions(id), 'support_session.activated')).toBe(1);
  });

  it('two technicians ending one session at once: both see it ended, one audit line', async () => {
    const id = await newSession();

    const [a, b] = await Promise.all([qs.end(t.admin, id), qs.end(t.admin, id)]);

    expect(a).toMatchObject({ status: 'ended', endReason: 'ended_by_technician', url: null });
    expect(b).toMatchObject({ status: 'ended', endReason: 'ended_by_technician', url: null });
    expect(a.endedAt).toBe(b.endedAt);
    expect(count(await actions(id), 'support_session.ended')).toBe(1);
  });

  it('the technician, the agent leaving and the expiry job ending one session at once: one end, one reason', async () => {
    const id = await newSession();
    const deviceId = await claim(id, 'pc-race');
    await t.db.query(`UPDATE support_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      id,
    ]);

    const [byTechnician, byAgent, expired] = await Promise.all([
      qs.end(t.admin, id),
      qs.endForDevice(deviceId, 'agent_left'),
      qs.expireDue(),
    ]);

    const audit = (await t.auditOf(id)).filter((a) => a.action === 'support_session.ended');
    expect(audit).toHaveLength(1);
    const reason = (audit[0].details as { reason: string }).reason;
    expect(byTechnician).toMatchObject({ status: 'ended', endReason: reason });
    // Each racer reports whether it was the one that ended it; exactly one was.
    const agentWon = byAgent ? 1 : 0;
    const jobWon = expired;
    expect(agentWon + jobWon).toBe(reason === 'ended_by_technician' ? 0 : 1);
    expect(reason).toBe(agentWon ? 'agent_left' : jobWon ? 'expired' : 'ended_by_technician');
    // Whichever won revoked the device once.
    const [device] = await t.db.query(`SELECT revoked_at FROM devices WHERE id = $1`, [deviceId]);
    expect(device.revoked_at).not.toBeNull();
  });

  it('assigning while the session ends: either the assignment lands before the end, or it is refused as ended', async () => {
    const id = await newSession();

    const [assigned, ended] = await Promise.allSettled([qs.assign(t.admin, id), qs.end(t.admin, id)]);

    expect(ended).toMatchObject({ status: 'fulfilled', value: { status: 'ended' } });
    const list = await actions(id);
    expect(count(list, 'support_session.ended')).toBe(1);
    if (assigned.status === 'fulfilled') {
      expect(count(list, 'support_session.assigned')).toBe(1);
      expect(list.indexOf('support_session.assigned')).toBeLessThan(list.indexOf('support_session.ended'));
    } else {
      expect(assigned.reason).toMatchObject({ code: ErrorCode.Conflict });
      expect(count(list, 'support_session.assigned')).toBe(0);
    }
  });

  it('the expiry job run twice at once ends each due session once', async () => {
    const ids = [await newSession(), await newSession(), await newSession()];
    await t.db.query(
      `UPDATE support_sessions SET expires_at = now() - interval '1 second' WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const job = t.app.get(QuickSupportExpiryJob);

    const [a, b] = await Promise.all([job.run(), job.run()]);

    // Other specs' sessions are not due, so the two passes share exactly these three.
    expect(a.expired + b.expired).toBe(3);
    for (const id of ids) {
      expect(await qs.get(t.admin, id)).toMatchObject({ status: 'ended', endReason: 'expired' });
      expect(count(await actions(id), 'support_session.ended')).toBe(1);
    }
  });

  it('a claim racing the end: the session is ended either way, and a device it took is revoked', async () => {
    const id = await newSession();

    const [claimed, ended] = await Promise.allSettled([claim(id, 'pc-late'), qs.end(t.admin, id)]);

    expect(ended).toMatchObject({ status: 'fulfilled' });
    const session = await qs.get(t.admin, id);
    expect(session.status).toBe('ended');
    const list = await actions(id);
    expect(count(list, 'support_session.ended')).toBe(1);
    if (claimed.status === 'fulfilled') {
      expect(count(list, 'support_session.activated')).toBe(1);
      const [device] = await t.db.query(`SELECT revoked_at FROM devices WHERE id = $1`, [claimed.value]);
      expect(device.revoked_at).not.toBeNull();
    } else {
      expect(claimed.reason).toMatchObject({ code: ErrorCode.InstallerTokenInvalid });
      expect(count(list, 'support_session.activated')).toBe(0);
    }
  });
});
