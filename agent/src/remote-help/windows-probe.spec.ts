import { SERVICE_PC, tasklistLine } from '../test-support/fake-windows';
import { cleanVersion, parseProbe, parseTasklist } from './windows-probe';

describe('reading Windows’ answers', () => {
  it('reads PowerShell 5.1’s shapes of a list', () => {
    const one = parseProbe(
      JSON.stringify({ ...SERVICE_PC, desktops: { sessionId: 1, user: 'CORP\\alice' } }),
    );
    expect(one?.desktops).toEqual([{ sessionId: 1, user: 'CORP\\alice' }]);
    const wrapped = parseProbe(
      JSON.stringify({
        ...SERVICE_PC,
        desktops: { value: [{ sessionId: 1, user: 'CORP\\alice' }], Count: 1 },
      }),
    );
    expect(wrapped?.desktops).toEqual([{ sessionId: 1, user: 'CORP\\alice' }]);
  });

  it('drops what it cannot trust: session 0 desktops, odd user names, bad numbers', () => {
    const probe = parseProbe(
      JSON.stringify({
        agentSessionId: 0,
        consoleUser: 'CORP\\alice\r\nfake',
        desktops: [
          { sessionId: 0, user: 'NT AUTHORITY\\SYSTEM' },
          { sessionId: -1, user: 'CORP\\x' },
          { sessionId: 2, user: 'no-domain' },
          { sessionId: 5, user: 'CORP\\dave' },
        ],
        packageVersion: 'v2; rm',
        legacyVersion: 7,
      }),
    );
    expect(probe).toEqual({
      agentSessionId: 0,
      consoleUser: null,
      desktops: [
        { sessionId: 2, user: null },
        { sessionId: 5, user: 'CORP\\dave' },
      ],
      packageVersion: null,
      legacyVersion: null,
    });
    expect(parseProbe('[]')).toBeNull();
    expect(parseProbe('{"agentSessionId":"1"}')).toBeNull();
  });

  it('reads tasklist CSV and ignores its notices', () => {
    expect(
      parseTasklist(
        `${tasklistLine(12, 1)}\r\n${tasklistLine(13, 2, 'quickassist.EXE')}\r\nINFO: nothing`,
        'QuickAssist.exe',
      ),
    ).toEqual([
      { pid: 12, sessionId: 1 },
      { pid: 13, sessionId: 2 },
    ]);
  });

  it('cleans versions', () => {
    expect(cleanVersion('2.0.35.0')).toBe('2.0.35.0');
    expect(cleanVersion('garbage')).toBeNull();
  });
});
