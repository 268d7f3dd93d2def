import { LAUNCH_AS_USER_SCRIPT, PROBE_SCRIPT, powershellArgs } from './windows-powershell';

describe('the PowerShell scripts', () => {
  it('are passed whole as -EncodedCommand (UTF-16LE, base64), after the switches that keep them quiet', () => {
    for (const script of [PROBE_SCRIPT, LAUNCH_AS_USER_SCRIPT]) {
      const args = powershellArgs(script);
      expect(args.slice(0, -1)).toEqual([
        '-NoLogo',
        '-NoProfile',
        '-NonInteractive',
        '-ExecutionPolicy',
        'Bypass',
        '-EncodedCommand',
      ]);
      expect(Buffer.from(args[args.length - 1], 'base64').toString('utf16le')).toBe(script);
    }
  });
});
