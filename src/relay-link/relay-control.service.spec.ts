import { toCloseReason } from './relay-control.service';

describe('toCloseReason', () => {
  it('keeps printable text and replaces line breaks and control characters', () => {
    expect(toCloseReason('Ended by the technician')).toBe('Ended by the technician');
    expect(toCloseReason('a\r\nX-Injected: 1\u0007')).toBe('a X-Injected: 1');
  });

  it('bounds the reason to 100 characters and 123 bytes, never empty', () => {
    expect(toCloseReason('x'.repeat(500))).toHaveLength(100);
    expect(Buffer.byteLength(toCloseReason('€'.repeat(100)))).toBeLessThanOrEqual(123);
    expect(toCloseReason('\r\n')).toBe('session ended');
  });
});
