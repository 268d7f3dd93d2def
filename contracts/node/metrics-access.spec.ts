import type { IncomingMessage } from 'node:http';
import { metricsAccessCheck } from './metrics-access';

const TOKEN = 'metrics-token-0123456789abcdef';

function request(remoteAddress: string, headers: Record<string, string> = {}): IncomingMessage {
  return { socket: { remoteAddress }, headers } as unknown as IncomingMessage;
}

describe('metricsAccessCheck (the portal’s and the relay’s /metrics rule)', () => {
  it('without a token: loopback callers that did not come through a proxy, nobody else', () => {
    const check = metricsAccessCheck(null);
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])
      expect(`${address}: ${check(request(address))}`).toBe(`${address}: allowed`);
    for (const address of ['10.0.0.5', '::ffff:10.0.0.5', '2001:db8::1', ''])
      expect(`${address}: ${check(request(address))}`).toBe(`${address}: forbidden`);
    for (const header of ['forwarded', 'x-forwarded-for', 'x-real-ip'])
      expect(check(request('127.0.0.1', { [header]: '203.0.113.9' }))).toBe('forbidden');
  });

  it('with a token: only the exact bearer token, from anywhere', () => {
    const check = metricsAccessCheck(TOKEN);
    expect(check(request('203.0.113.9', { authorization: `Bearer ${TOKEN}` }))).toBe('allowed');
    expect(check(request('127.0.0.1'))).toBe('unauthenticated');
    expect(check(request('127.0.0.1', { authorization: `Bearer ${TOKEN}x` }))).toBe('unauthenticated');
    expect(check(request('127.0.0.1', { authorization: TOKEN }))).toBe('unauthenticated');
    expect(check(request('127.0.0.1', { authorization: `Basic ${TOKEN}` }))).toBe('unauthenticated');
  });
});
