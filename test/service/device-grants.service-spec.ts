import { AccessWithdrawal, AccessWithdrawals } from '../../src/access/access-withdrawals';
import { DeviceGrantsService } from '../../src/devices/device-grants.service';
import { DevicesModule } from '../../src/devices/devices.module';
import { UsersModule } from '../../src/users/users.module';
import { UsersService } from '../../src/users/users.service';
import { createPersistentDevice, createServiceModule, type ServiceModule } from '../support/service-module';

/**
 * Device grants racing on a real PostgreSQL: granting and withdrawing are idempotent, so of two
 * admins doing the same at once one changes the row, writes the audit line and (for a withdrawal)
 * tells the remote sessions; the other sees the result unchanged.
 */
describe('Device grants under races (service tier)', () => {
  let t: ServiceModule;
  let grants: DeviceGrantsService;
  let deviceId: string;
  let technicianId: string;
  const withdrawals: AccessWithdrawal[] = [];

  beforeAll(async () => {
    t = await createServiceModule([DevicesModule, UsersModule]);
    grants = t.app.get(DeviceGrantsService);
    t.app.get(AccessWithdrawals).stream.subscribe((e) => withdrawals.push(e));
    deviceId = await createPersistentDevice(t);
    const { user } = await t.app.get(UsersService).create(t.admin, {
      email: 'tech@example.test',
      displayName: 'Tech',
      role: 'technician',
      password: 'a-technician-password',
    });
    technicianId = user.id;
  });
  afterAll(() => t?.close());

  const actions = async (): Promise<string[]> => (await t.auditOf(deviceId)).map((a) => a.action);

  it('two admins granting the same technician at once: both get the grant, one audit line', async () => {
    const [a, b] = await Promise.all([
      grants.grant(t.admin, deviceId, technicianId),
      grants.grant(t.admin, deviceId, technicianId),
    ]);

    expect(a).toEqual(b);
    expect(a).toMatchObject({ deviceId, userId: technicianId, grantedBy: t.admin.id });
    expect(await grants.list(deviceId)).toHaveLength(1);
    expect((await actions()).filter((x) => x === 'device.access_granted')).toHaveLength(1);
  });

  it('two admins withdrawing it at once: one audit line and one withdrawal for the remote sessions', async () => {
    await Promise.all([
      grants.revoke(t.admin, deviceId, technicianId),
      grants.revoke(t.admin, deviceId, technicianId),
    ]);

    expect(await grants.list(deviceId)).toEqual([]);
    expect((await actions()).filter((x) => x === 'device.access_revoked')).toHaveLength(1);
    expect(withdrawals).toEqual([
      { kind: 'grant_withdrawn', userId: technicianId, deviceIds: [deviceId], actorId: t.admin.id },
    ]);
  });
});
