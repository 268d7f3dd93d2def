import { auditSentence } from '../../client/src/app/audit/audit-sentences';
import type { AuditEventView } from '../../contracts/api/audit';

/** One audit line as the timeline receives it; only the action, the actor and the details matter here. */
function line(
  action: string,
  details: Record<string, unknown>,
  actor: AuditEventView['actor']['type'] = 'agent',
) {
  return auditSentence({
    id: '1',
    at: '2026-12-03T10:00:00.000Z',
    actor: { type: actor, id: 'x', displayName: actor === 'user' ? 'Ana Tech' : null },
    action,
    target: { type: 'remote_session', id: 's' },
    deviceId: 'd',
    deviceName: 'pc',
    sessionId: 's',
    details,
  });
}

const SHA = 'a'.repeat(64);

describe('the timeline’s sentences for the files channel', () => {
  it.each([
    [
      'remote_session.file_download',
      { path: '/home/ana/log.txt', bytes: 2048, sha256: SHA, result: 'ok' },
      'Downloaded /home/ana/log.txt (2.0 KiB), verified',
    ],
    [
      'remote_session.file_download',
      { path: '/home/ana/Documents', bytes: 10, zip: true, result: 'ok' },
      'Downloaded the folder /home/ana/Documents as a zip (10 B)',
    ],
    [
      'remote_session.file_upload',
      { path: '/tmp/setup.sh', bytes: 5 * 1024 * 1024, result: 'cancelled' },
      'Upload cancelled: /tmp/setup.sh (5.0 MiB)',
    ],
    [
      'remote_session.file_upload',
      { path: '/tmp/big.iso', result: 'failed', error: 'no_space' },
      'Upload failed: /tmp/big.iso (no_space)',
    ],
    ['remote_session.file_mkdir', { path: '/tmp/new', result: 'ok' }, 'Created the folder /tmp/new'],
    [
      'remote_session.file_rename',
      { path: '/tmp/a', to: '/tmp/b', result: 'ok' },
      'Renamed /tmp/a to /tmp/b',
    ],
    ['remote_session.file_delete', { path: '/tmp/b', result: 'ok' }, 'Deleted /tmp/b'],
    [
      'remote_session.file_delete',
      { path: '/root', result: 'failed', error: 'permission_denied' },
      'Delete failed: /root (permission_denied)',
    ],
  ])('%s %j', (action, details, sentence) => {
    expect(line(action, details)).toBe(sentence);
  });

  it('names the technician who opened or reconnected file transfer', () => {
    expect(line('remote_session.files_opened', { channels: ['files'] }, 'user')).toBe(
      'Ana Tech opened file transfer',
    );
    expect(line('remote_session.reconnected', { channels: ['files'] }, 'user')).toBe(
      'Ana Tech reconnected file transfer',
    );
    expect(line('remote_session.reconnected', { channels: ['screen', 'shell'] }, 'user')).toBe(
      'Ana Tech reconnected to the device',
    );
  });
});
