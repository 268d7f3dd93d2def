import { clientNetwork } from './client-network';

describe('clientNetwork', () => {
  it('groups IPv4 addresses by /24', () => {
    expect(clientNetwork('203.0.113.77')).toEqual({ address: '203.0.113.77', network: '203.0.113.0/24' });
    expect(clientNetwork('203.0.113.8').network).toBe(clientNetwork('203.0.113.250').network);
    expect(clientNetwork('203.0.114.8').network).not.toBe(clientNetwork('203.0.113.8').network);
  });

  it('treats IPv4-mapped IPv6 as IPv4', () => {
    expect(clientNetwork('::ffff:127.0.1.5')).toEqual({ address: '127.0.1.5', network: '127.0.1.0/24' });
  });

  it('groups IPv6 addresses by /64 whatever their spelling', () => {
    const a = clientNetwork('2001:db8:0:12::1');
    const b = clientNetwork('2001:0DB8:0000:0012:ffff:1:2:3');
    expect(a.network).toBe('2001:db8:0:12::/64');
    expect(b.network).toBe(a.network);
    expect(a.address).toBe('2001:db8:0:12:0:0:0:1');
    expect(clientNetwork('2001:db8:0:13::1').network).not.toBe(a.network);
    expect(clientNetwork('::1')).toEqual({ address: '0:0:0:0:0:0:0:1', network: '0:0:0:0::/64' });
    expect(clientNetwork('fe80::1%eth0').network).toBe('fe80:0:0:0::/64');
    expect(clientNetwork('64:ff9b::192.0.2.33').address).toBe('64:ff9b:0:0:0:0:c000:221');
  });

  it('keeps anything else as its own network', () => {
    expect(clientNetwork('unknown')).toEqual({ address: 'unknown', network: 'unknown' });
  });
});
