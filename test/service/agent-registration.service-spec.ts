import type { RegisterRequest } from '../../contracts/agent-protocol/registration';
import { AgentRegistrationModule } from '../../src/agent-registration/agent-registration.module';
import { AgentRegistrationService } from '../../src/agent-registration/agent-registration.service';
import { ErrorCode } from '../../src/common/domain-error';
import { InstallerTokensService } from '../../src/installers/installer-tokens.service';
import { QuickSupportService } from '../../src/quick-support/quick-support.service';
import { createServiceModule, type ServiceModule } from '../support/service-module';

/**
 * Registration racing on a real PostgreSQL: the installer token is locked and marked used, and the
 * session activated, in one transaction, so of agents that race exactly one registers and the others
 * leave nothing behind (no device, the token as it was).
 */
describe('Agent registration under races (service tier)', () => {
  let t: ServiceModule;
  let registration: AgentRegistrationService;
  let tokens: InstallerTokensService;
  let qs: QuickSupportService;

  beforeAll(async () => {
    t = await createServiceModule([AgentRegistrationModule]);
    registration = t.app.get(AgentRegistrationService);
    tokens = t.app.get(InstallerTokensService);
    qs = t.app.get(QuickSupportService);
  });
  afterAll(() => t?.close());

  const request = (installerToken: string, hostname: string): RegisterRequest => ({
    installerToken,
    hostname,
    os: 'linux',
    osVersion: '6.8',
    arch: 'x64',
    agentVersion: '0.1.0',
    protocolVersion: '1',
  });
  const devicesOf = async (sessionId: string): Promise<string[]> =>
    (
      await t.db.query<{ id: string }[]>(`SELECT id FROM devices WHERE support_session_id = $1`, [sessionId])
    ).map((r) => r.id);

  it('two agents redeeming one installer token at once: one registers, the other is refused as used', async () => {
    const session = await qs.create(t.admin, {});
    const { token } = await tokens.mintForSession(session.id, 'linux');

    const [a, b] = await Promise.allSettled([
      registration.register(request(token, 'pc-a')),
      registration.register(request(token, 'pc-b')),
    ]);

    const won = [a, b].filter((r) => r.status === 'fulfilled');
    const lost = [a, b].filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost[0]?.reason).toMatchObject({ code: ErrorCode.InstallerTokenUsed });
    const deviceId = won[0].value.deviceId;
    expect(await devicesOf(session.id)).toEqual([deviceId]);
    const [row] = await t.db.query<{ device_id: string }[]>(
      `SELECT device_id FROM installer_tokens WHERE session_id = $1`,
      [session.id],
    );
    expect(row.device_id).toBe(deviceId);
    expect(await qs.get(t.admin, session.id)).toMatchObject({ status: 'active', device: { id: deviceId } });
    const registered = await t.db.query(
      `SELECT 1 FROM audit_events WHERE action = 'device.registered' AND target_id = $1`,
      [deviceId],
    );
    expect(registered).toHaveLength(1);
  });

  it('two agents with two downloads of one session at once: one is linked, the other rolls back with its token unused', async () => {
    const session = await qs.create(t.admin, {});
    const first = await tokens.mintForSession(session.id, 'linux');
    const second = await tokens.mintForSession(session.id, 'linux');

    const [a, b] = await Promise.allSettled([
      registration.register(request(first.token, 'pc-a')),
      registration.register(request(second.token, 'pc-b')),
    ]);

    const won = [a, b].filter((r) => r.status === 'fulfilled');
    const lost = [a, b].filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost[0]?.reason).toMatchObject({ code: ErrorCode.SessionNotWaiting });
    expect(await devicesOf(session.id)).toEqual([won[0].value.deviceId]);
    const used = await t.db.query<{ used: boolean }[]>(
      `SELECT used_at IS NOT NULL AS used FROM installer_tokens WHERE session_id = $1 ORDER BY used`,
      [session.id],
    );
    // The loser's token is not spent: its whole transaction rolled back.
    expect(used.map((r) => r.used)).toEqual([false, true]);
  });
});
