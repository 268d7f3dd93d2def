import { TtyMarkerFilter } from './tty-marker';

const marker = (path: string): Buffer => Buffer.from(`\u001b]777;qs-tty;${path}\u0007`);

describe('TtyMarkerFilter', () => {
  it('strips the marker and reports the PTY path, passing other bytes through', () => {
    const f = new TtyMarkerFilter();
    const out = f.push(Buffer.concat([Buffer.from('before'), marker('/dev/pts/7'), Buffer.from('$ ')]));
    expect(out.toString()).toBe('before$ ');
    expect(f.ttyPath).toBe('/dev/pts/7');
    expect(f.push(Buffer.from('later')).toString()).toBe('later');
  });

  it('handles a marker split across chunks at any byte', () => {
    const whole = Buffer.concat([Buffer.from('ab'), marker('/dev/ttys003'), Buffer.from('cd')]);
    for (let cut = 1; cut < whole.length; cut++) {
      const f = new TtyMarkerFilter();
      const out = Buffer.concat([f.push(whole.subarray(0, cut)), f.push(whole.subarray(cut))]).toString();
      expect({ cut, out, path: f.ttyPath }).toEqual({ cut, out: 'abcd', path: '/dev/ttys003' });
    }
  });

  it('never takes a path that is not a terminal device', () => {
    const f = new TtyMarkerFilter();
    f.push(marker('/etc/passwd; rm -rf /'));
    expect(f.ttyPath).toBeUndefined();
  });

  it('gives up after too many bytes without a marker', () => {
    const f = new TtyMarkerFilter(16);
    expect(f.push(Buffer.from('\u001b]777;qs-tty;/dev/pts/1 and no end in sight')).toString()).toContain(
      'no end',
    );
    expect(f.push(marker('/dev/pts/2')).toString()).toContain('qs-tty');
    expect(f.ttyPath).toBeUndefined();
  });
});
