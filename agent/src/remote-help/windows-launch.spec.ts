import { windowsSystemRoot } from './windows-launch';

describe('what runs on Windows', () => {
  it('cleans SystemRoot', () => {
    expect(windowsSystemRoot({ SystemRoot: 'D:\\WINNT' })).toBe('D:\\WINNT');
    expect(windowsSystemRoot({ SystemRoot: 'C:\\Windows"; calc' })).toBe('C:\\Windows');
    expect(windowsSystemRoot({})).toBe('C:\\Windows');
  });
});
