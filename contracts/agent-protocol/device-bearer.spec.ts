import { loadProtocolFixture as load } from '../../test/support/protocol-fixtures';
import { formatDeviceBearer, parseDeviceBearer } from './device-bearer';

describe('agent protocol validators: device bearer', () => {
  it('round-trips the device bearer and refuses anything else', () => {
    const { deviceId, deviceCredential } = load('response_register.json') as {
      deviceId: string;
      deviceCredential: string;
    };
    expect(parseDeviceBearer(formatDeviceBearer(deviceId, deviceCredential))).toEqual({
      deviceId,
      credential: deviceCredential,
    });
    expect(parseDeviceBearer(`Bearer ${deviceId}`)).toBeNull();
    expect(parseDeviceBearer(`Basic ${deviceId}.${deviceCredential}`)).toBeNull();
    expect(parseDeviceBearer(undefined)).toBeNull();
  });
});
