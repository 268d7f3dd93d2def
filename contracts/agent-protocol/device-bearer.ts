import { DEVICE_ID_PATTERN } from './field-formats';

/** Control channel authentication: `Authorization: Bearer <deviceId>.<deviceCredential>`. */
export interface DeviceBearer {
  deviceId: string;
  credential: string;
}

export function formatDeviceBearer(deviceId: string, credential: string): string {
  return `Bearer ${deviceId}.${credential}`;
}

/** The device id and credential from an Authorization header, or null when it is not that shape. */
export function parseDeviceBearer(header: string | undefined): DeviceBearer | null {
  if (typeof header !== 'string' || header.length > 200) return null;
  const match = /^Bearer ([0-9a-f-]{36})\.([A-Za-z0-9_-]{32,128})$/.exec(header);
  if (!match || !DEVICE_ID_PATTERN.test(match[1])) return null;
  return { deviceId: match[1], credential: match[2] };
}
