import { deviceTitle } from '../../client/src/app/devices/device.model';
import { connectBlocker } from '../../client/src/app/quick-support/quick-connect';
import { viewerEndText } from '../../client/src/app/viewer/viewer-end-text';
import { REMOTE_SESSION_END_REASONS } from '../../contracts/api/remote-sessions';

const device = { id: 'd', hostname: 'DESKTOP-4F2K9', os: 'windows' as const, osVersion: '11', arch: 'x64' };

describe('technician workflow (dashboard logic)', () => {
  it('offers Connect only on a connected, online device of a session the technician holds, and says why not', () => {
    const open = { status: 'active' as const, canManage: true, device: { ...device, online: true } };
    expect(connectBlocker(open)).toBeNull();
    expect(connectBlocker({ ...open, device: null, status: 'waiting' })).toMatch(
      /No device is connected yet/,
    );
    expect(connectBlocker({ ...open, device: { ...device, online: false } })).toMatch(/offline/);
    expect(connectBlocker({ ...open, canManage: false })).toMatch(/Only the session’s technician/);
    expect(connectBlocker({ ...open, status: 'ended' })).toMatch(/ended/);
  });

  it('names a quick-support device by its customer first, so two DESKTOP-… machines differ', () => {
    const session = { id: 's', customerName: 'Ada Lovelace', createdAt: '2026-12-03T10:32:00Z' };
    expect(deviceTitle({ hostname: 'DESKTOP-4F2K9', kind: 'quick', supportSession: session })).toBe(
      'Ada Lovelace · DESKTOP-4F2K9',
    );
    expect(
      deviceTitle({
        hostname: 'DESKTOP-4F2K9',
        kind: 'quick',
        supportSession: { ...session, customerName: null },
      }),
    ).toBe('Unnamed customer · DESKTOP-4F2K9');
    expect(deviceTitle({ hostname: 'build-server', kind: 'persistent', supportSession: null })).toBe(
      'build-server',
    );
  });

  it('tells the viewer in words who or what ended the session, and nothing while it runs', () => {
    expect(viewerEndText(null)).toBe('');
    expect(viewerEndText({ status: 'active', endReason: null })).toBe('');
    expect(viewerEndText({ status: 'ended', endReason: 'ended_on_device' })).toBe(
      'The customer ended the session',
    );
    expect(viewerEndText({ status: 'ended', endReason: 'ttl_reached' })).toBe(
      'The session reached its maximum duration',
    );
    expect(viewerEndText({ status: 'ended', endReason: 'technician' })).toBe(
      'The session was ended from the dashboard',
    );
    expect(viewerEndText({ status: 'ended', endReason: 'technician' }, true)).toBe('You ended the session');
    for (const reason of REMOTE_SESSION_END_REASONS)
      expect(viewerEndText({ status: 'ended', endReason: reason })).toMatch(/^[A-Z].+[a-z]$/);
  });
});
