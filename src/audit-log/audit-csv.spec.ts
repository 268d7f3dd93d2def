import { AUDIT_CSV_HEADER, auditCsvRecord, csvField, csvRecord } from './audit-csv';

describe('audit CSV', () => {
  it('quotes fields with quotes, commas and line breaks (RFC 4180), and leaves plain ones alone', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField('one\nline')).toBe('"one\nline"');
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('');
  });

  it('defuses what a spreadsheet would run as a formula with a leading apostrophe', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r'])
      expect(csvField(`${start}HYPERLINK("x")`).replace(/^"/, '')).toMatch(/^'/);
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('\rcmd')).toBe(`"'\rcmd"`);
    expect(csvField('a=b')).toBe('a=b');
  });

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
