import { DeviceEvent, DeviceEvents } from '../../src/devices/device-events';
import { DevicesModule } from '../../src/devices/devices.module';
import { DevicesService } from '../../src/devices/devices.service';
import { UsersModule } from '../../src/users/users.module';
import { createPersistentDevice, createServiceModule, type ServiceModule } from '../support/service-module';

/**
 * A persistent device's consent policy on a real PostgreSQL, through DevicesService as the remote
 * session code and the admin route call it: two admins changing it at once are recorded one after
 * the other (each audit line's "from" is what the other left), and what `consentPolicy` answers is
 * the last one written.
 */
describe('Device consent policy (service tier)', () => {
  let t: ServiceModule;
  let devices: DevicesService;
  let deviceId: string;
  const events: DeviceEvent[] = [];

  beforeAll(async () => {
    t = await createServiceModule([DevicesModule, UsersModule]);
    devices = t.app.get(DevicesService);
    t.app.get(DeviceEvents).stream.subscribe((e) => events.push(e));
    deviceId = await createPersistentDevice(t);
  });
  afterAll(() => t?.close());

  const changes = async () =>
    (await t.auditOf(deviceId))
      .filter((a) => a.action === 'device.consent_policy_changed')
      .map((a) => a.details as { from: string; to: string });

  it('starts at "ask"', async () => {
    expect(await devices.consentPolicy(deviceId)).toBe('ask');
  });

  it('two admins setting different policies at once: both recorded, in a chain, and the last one holds', async () => {
    const [a, b] = await Promise.all([
      devices.setConsentPolicy(t.admin, deviceId, 'notify'),
      devices.setConsentPolicy(t.admin, deviceId, 'silent'),
    ]);
    const lines = await changes();
    expect(lines).toHaveLength(2);
    expect(lines[0].from).toBe('ask');
    expect(lines[1].from).toBe(lines[0].to);
    expect(new Set(lines.map((l) => l.to))).toEqual(new Set(['notify', 'silent']));
    const final = lines[1].to;
    expect(await devices.consentPolicy(deviceId)).toBe(final);
    // Each caller got the device as it stood after its own change, or after the later one.
    expect([a.consentPolicy, b.consentPolicy]).toContain(final);
    // The dashboards hear of each change.
    expect(
      events
        .filter((e) => e.type === 'device.updated' && e.device.id === deviceId)
        .map((e) => e.device.consentPolicy),
    ).toHaveLength(2);
  });

  it('two admins setting the same policy at once: one change, one audit line', async () => {
    const before = (await changes()).length;
    const current = await devices.consentPolicy(deviceId);
    const next = current === 'ask' ? 'notify' : 'ask';
    await Promise.all([
      devices.setConsentPolicy(t.admin, deviceId, next),
      devices.setConsentPolicy(t.admin, deviceId, next),
    ]);
    const lines = await changes();
    expect(lines.slice(before)).toEqual([{ from: current, to: next }]);
    expect(await devices.consentPolicy(deviceId)).toBe(next);
  });
});
