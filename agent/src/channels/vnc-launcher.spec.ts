import { findDisplay, x11vncArgs } from './vnc-launcher';

describe('findDisplay', () => {
  it('prefers DISPLAY and refuses odd values', () => {
    expect(findDisplay({ DISPLAY: ':3' }, '/nonexistent')).toBe(':3');
    expect(findDisplay({ DISPLAY: ':3; rm -rf /' }, '/nonexistent')).toBeUndefined();
    expect(findDisplay({}, '/nonexistent')).toBeUndefined();
  });
});

describe('x11vncArgs', () => {
  it('binds to loopback only, wants the session password, is not shared, and guesses the X authority only when asked', () => {
    expect(x11vncArgs(':5', 5999, false, '/run/qs-vnc-x/passwd')).toEqual([
      '-localhost',
      '-rfbport',
      '5999',
      '-display',
      ':5',
      '-rfbauth',
      '/run/qs-vnc-x/passwd',
      '-forever',
      '-quiet',
      '-noxdamage',
    ]);
    expect(x11vncArgs(':5', 5999, true, '/p').slice(-2)).toEqual(['-auth', 'guess']);
  });
});
