import {
  RELAY_CLOSE_CODES,
  RelayCloseCode,
  describeCloseCode,
  isEndpointCloseCode,
} from './relay-close-codes';

describe('relay close codes', () => {
  it('lists every named code once, with a unique name and a sentence', () => {
    const codes = RELAY_CLOSE_CODES.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(RELAY_CLOSE_CODES.map((c) => c.name)).size).toBe(codes.length);
    expect(Object.values(RelayCloseCode).sort()).toEqual([...codes].sort());
    for (const c of RELAY_CLOSE_CODES) {
      expect(c.message).toMatch(/^[A-Z].*\.$/);
      expect(Buffer.byteLength(c.message)).toBeLessThanOrEqual(123);
    }
  });

  it('keeps relay codes in 4000–4099 and endpoint codes in 4100–4199', () => {
    for (const c of RELAY_CLOSE_CODES.filter((x) => x.code >= 4000)) {
      expect(c.origin === 'endpoint').toBe(c.code >= 4100);
      expect(isEndpointCloseCode(c.code)).toBe(c.code >= 4100);
    }
  });

  it('gives handshake refusals an HTTP status and session closes none', () => {
    expect(describeCloseCode(RelayCloseCode.InvalidToken).httpStatus).toBe(401);
    expect(describeCloseCode(RelayCloseCode.OriginNotAllowed).httpStatus).toBe(403);
    expect(describeCloseCode(RelayCloseCode.PeerLeft).httpStatus).toBeUndefined();
  });

  it('describes unknown codes with a generic sentence', () => {
    expect(describeCloseCode(4150)).toMatchObject({ name: 'endpoint_defined', origin: 'endpoint' });
    expect(describeCloseCode(4999)).toMatchObject({ name: 'unknown' });
    expect(describeCloseCode(RelayCloseCode.NoVncServer).message).toBe(
      'No VNC server is running on the remote device.',
    );
  });
});
