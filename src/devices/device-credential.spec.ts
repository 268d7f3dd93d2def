import { DEVICE_CREDENTIAL_PATTERN } from '../../contracts/agent-protocol/field-formats';
import { deviceCredentialMatches, hashDeviceCredential, newDeviceCredential } from './device-credential';

describe('device credentials', () => {
  it('match the protocol’s credential format and are unique', () => {
    const creds = Array.from({ length: 200 }, () => newDeviceCredential());
    expect(new Set(creds).size).toBe(200);
    for (const c of creds) expect(DEVICE_CREDENTIAL_PATTERN.test(c)).toBe(true);
  });

  it('verify only the exact credential against its stored hash', () => {
    const c = newDeviceCredential();
    const stored = hashDeviceCredential(c);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(deviceCredentialMatches(c, stored)).toBe(true);
    expect(deviceCredentialMatches(`${c}x`, stored)).toBe(false);
    expect(deviceCredentialMatches(c.toUpperCase(), stored)).toBe(c === c.toUpperCase());
    expect(deviceCredentialMatches(c, 'not-hex')).toBe(false);
    expect(deviceCredentialMatches(c, '0'.repeat(64))).toBe(false);
  });
});
