import { pickDesktop } from './windows-desktop';
import type { QuickAssistProbe } from './windows-probe';

describe('choosing the Windows desktop', () => {
  it('picks the desktop: own session first, then the console user, never session 0', () => {
    const base: QuickAssistProbe = {
      agentSessionId: 0,
      consoleUser: null,
      desktops: [],
      packageVersion: null,
      legacyVersion: null,
    };
    expect(pickDesktop({ ...base, agentSessionId: 2, desktops: [{ sessionId: 2, user: null }] })).toEqual({
      sessionId: 2,
      user: null,
      via: 'direct',
    });
    expect(
      pickDesktop({
        ...base,
        consoleUser: 'corp\\ALICE',
        desktops: [
          { sessionId: 3, user: 'CORP\\bob' },
          { sessionId: 1, user: 'CORP\\alice' },
        ],
      }),
    ).toEqual({
      sessionId: 1,
      user: 'CORP\\alice',
      via: 'task',
    });
    expect(pickDesktop({ ...base, desktops: [{ sessionId: 1, user: null }] })).toBeNull();
    expect(pickDesktop(base)).toBeNull();
  });
});
