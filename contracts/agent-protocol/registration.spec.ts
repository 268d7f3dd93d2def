import { loadProtocolFixture as load } from '../../test/support/protocol-fixtures';
import { parseRegisterRequest, parseRegisterResponse } from './registration';

describe('agent protocol validators: registration', () => {
  it('refuses registration values outside their formats', () => {
    const reg = load('request_register.json');
    expect(parseRegisterRequest({ ...reg, os: 'beos' }).ok).toBe(false);
    expect(parseRegisterRequest({ ...reg, hostname: 'pc\nINJECTED' }).ok).toBe(false);
    expect(parseRegisterRequest({ ...reg, installerToken: "abc'$(id)" }).ok).toBe(false);
    expect(
      parseRegisterResponse({ ...load('response_register.json'), controlUrl: 'javascript:alert(1)' }).ok,
    ).toBe(false);
  });
});
