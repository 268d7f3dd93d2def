import { createRelayKeyring, deriveRelayKey } from './relay-keys';
import {
  RELAY_SIGNATURE_HEADER,
  RELAY_TIMESTAMP_HEADER,
  signRelayRequest,
  verifyRelayRequest,
} from './relay-signature';

const SECRET = 'unit-test-relay-secret-0123456789abcdef-0123456789';
const ring = createRelayKeyring(SECRET, undefined, 'signing');
const body = Buffer.from(JSON.stringify({ events: [{ id: 'x' }] }));

function headersOf(signed: Record<string, string>): { timestamp: string; signature: string } {
  return { timestamp: signed[RELAY_TIMESTAMP_HEADER], signature: signed[RELAY_SIGNATURE_HEADER] };
}

describe('relay request signatures', () => {
  it('verifies what it signs, over the exact bytes', () => {
    const signed = signRelayRequest(ring.current, 'events', body);
    expect(signed[RELAY_SIGNATURE_HEADER]).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifyRelayRequest(ring.accepted, 'events', headersOf(signed), body)).toBe('ok');
    expect(
      verifyRelayRequest(ring.accepted, 'events', headersOf(signed), Buffer.from(`${body.toString()} `)),
    ).toBe('mismatch');
  });

  it('rejects missing, truncated, forged and repeated headers', () => {
    const h = headersOf(signRelayRequest(ring.current, 'events', body));
    expect(
      verifyRelayRequest(ring.accepted, 'events', { timestamp: undefined, signature: h.signature }, body),
    ).toBe('missing');
    expect(
      verifyRelayRequest(ring.accepted, 'events', { timestamp: h.timestamp, signature: undefined }, body),
    ).toBe('missing');
    expect(
      verifyRelayRequest(ring.accepted, 'events', { ...h, signature: h.signature.slice(0, -2) }, body),
    ).toBe('malformed');
    expect(
      verifyRelayRequest(ring.accepted, 'events', { ...h, signature: `v1=${'0'.repeat(64)}` }, body),
    ).toBe('mismatch');
    expect(
      verifyRelayRequest(ring.accepted, 'events', { ...h, signature: [h.signature, h.signature] }, body),
    ).toBe('malformed');
    expect(verifyRelayRequest(ring.accepted, 'events', { ...h, timestamp: 'yesterday' }, body)).toBe(
      'malformed',
    );
  });

  it('rejects a signature from another secret, or for the other purpose', () => {
    const other = deriveRelayKey('another-secret-0123456789abcdef-0123456789abcdef', 'signing');
    expect(
      verifyRelayRequest(ring.accepted, 'events', headersOf(signRelayRequest(other, 'events', body)), body),
    ).toBe('mismatch');
    expect(
      verifyRelayRequest(
        ring.accepted,
        'control',
        headersOf(signRelayRequest(ring.current, 'events', body)),
        body,
      ),
    ).toBe('mismatch');
  });

  it('rejects a timestamp outside the allowed skew (replays of old requests)', () => {
    const now = Date.now();
    const old = headersOf(signRelayRequest(ring.current, 'events', body, now - 301_000));
    expect(verifyRelayRequest(ring.accepted, 'events', old, body, now)).toBe('stale');
    const ahead = headersOf(signRelayRequest(ring.current, 'events', body, now + 301_000));
    expect(verifyRelayRequest(ring.accepted, 'events', ahead, body, now)).toBe('stale');
    const recent = headersOf(signRelayRequest(ring.current, 'events', body, now - 60_000));
    expect(verifyRelayRequest(ring.accepted, 'events', recent, body, now)).toBe('ok');
  });

  it('accepts the previous secret during a rotation', () => {
    const old = 'old-unit-test-relay-secret-0123456789abcdef-012345';
    const signedWithOld = headersOf(signRelayRequest(deriveRelayKey(old, 'signing'), 'control', body));
    expect(
      verifyRelayRequest(createRelayKeyring(SECRET, old, 'signing').accepted, 'control', signedWithOld, body),
    ).toBe('ok');
    expect(verifyRelayRequest(ring.accepted, 'control', signedWithOld, body)).toBe('mismatch');
  });
});
