import { LAUNCH_AS_USER_SCRIPT, PROBE_SCRIPT, powershellArgs } from './windows-powershell';

describe('the PowerShell scripts', () => {
  it('are passed whole as the last argument, -EncodedCommand (UTF-16LE, base64)', () => {
    for (const script of [PROBE_SCRIPT, LAUNCH_AS_USER_SCRIPT]) {
      const [encoded, flag] = powershellArgs(script).reverse();
      expect(flag).toBe('-EncodedCommand');
      expect(Buffer.from(encoded, 'base64').toString('utf16le')).toBe(script);
    }
  });
});
