import { csvRecord } from '../common/csv';
import { AUDIT_CSV_HEADER, auditCsvRecord } from './audit-csv';

describe('audit CSV', () => {
  it('writes CRLF-terminated records, the header first', () => {
    expect(csvRecord(['a', null, 'c'])).toBe('a,,c\r\n');
    expect(AUDIT_CSV_HEADER).toBe(
      'id,at,actor_type,actor_id,actor_name,action,target_type,target_id,device_id,device_name,session_id,details\r\n',
    );
    expect(
      auditCsvRecord({
        id: '7',
        at: '2026-12-03T09:00:00.000Z',
        actor: { type: 'user', id: 'u1', displayName: '@admin' },
        action: 'remote_session.command_run',
        target: { type: 'remote_session', id: 's1' },
        deviceId: 'd1',
        deviceName: '=cmd|calc',
        sessionId: 's1',
        details: { command: 'echo "a,b"' },
      }),
    ).toBe(
      `7,2026-12-03T09:00:00.000Z,user,u1,'@admin,remote_session.command_run,remote_session,s1,d1,'=cmd|calc,s1,"{""command"":""echo \\""a,b\\""""}"\r\n`,
    );
  });
});
